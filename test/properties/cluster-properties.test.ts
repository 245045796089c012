/**
 * The cluster properties (scenarios/fuzz/properties.ts) over generated clusters of 2–5 nodes:
 * tables from generated haproxy.cfg, traffic, and fault schedules (partitions both ways and one
 * way, cuts, holds, crashes, restarts, reloads, NAT, message-kind drops). Fixed fast-check seed;
 * FC_NUM_RUNS raises the number of clusters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convergenceBound } from '../../scenarios/fuzz/bound.ts';
import { generateCase } from '../../scenarios/fuzz/generator.ts';
import { applicable } from '../../scenarios/fuzz/properties.ts';
import { runCase } from '../../scenarios/fuzz/run-case.ts';
import { scheduleEndMs } from '../../scenarios/fuzz/schedule.ts';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 40);

describe('cluster properties over generated clusters', () => {
  it('every applicable property holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        const seed = `prop-${n}`;
        const out = runCase(generateCase(seed), seed);
        if (!out.passed) throw new Error(`seed ${seed}: ${out.failure?.name}: ${out.failure?.message}`);
      }),
      { seed: 42, numRuns: RUNS },
    );
  }, 120_000);

  it('the convergence bound is the quiet instant plus the timers, for every case', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        const c = generateCase(`bound-${n}`);
        const b = convergenceBound(c);
        expect(b.quietMs).toBe(Math.max(c.traffic.untilMs, scheduleEndMs({ faults: c.faults })));
        expect(b.convergedByMs - b.quietMs).toBe(5_000 + 5_000 + 2_049 + 7_000 + 10_000 + 6 * c.latencyMsMax + 200);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('generated cases cover every fault kind, 2–5 nodes, every policy and both peers settings', () => {
    const kinds = new Set<string>();
    const nodes = new Set<number>();
    const policies = new Set<string>();
    const peers = new Set<boolean>();
    for (let i = 0; i < 400; i++) {
      const c = generateCase(`cover-${i}`);
      for (const f of c.faults) kinds.add(f.kind);
      nodes.add(c.nodes.length);
      policies.add(c.policy);
      peers.add(c.withPeers);
    }
    expect([...kinds].sort()).toEqual(['crash', 'cut', 'drop-messages', 'hold', 'nat-source', 'partition', 'partition-one-way', 'reload', 'restart']);
    expect([...nodes].sort()).toEqual([2, 3, 4, 5]);
    expect([...policies].sort()).toEqual(['aggregate', 'haproxy', 'max']);
    expect([...peers].sort()).toEqual([false, true]);
  });

  it('convergence is promised only where HAProxy promises it', () => {
    const base = generateCase('promise-0');
    const two = { ...base, nodes: ['hap1', 'hap2'], policy: 'haproxy' as const, withPeers: true, table: { ...base.table, sizeEntries: 1000, expireMs: 600_000 } };
    expect(applicable({ ...two, faults: [] }).has('converges-after-heal-and-quiet')).toBe(true);
    expect(applicable({ ...two, withPeers: false, faults: [] }).has('converges-after-heal-and-quiet')).toBe(false);
    expect(applicable({ ...two, withPeers: false, faults: [] }).has('reload-without-peers-loses-all')).toBe(true);
    const restartDuringPartition = [
      { kind: 'partition' as const, atMs: 2_000, durationMs: 9_000, sides: [['hap1'], ['hap2']] as [string[], string[]] },
      { kind: 'restart' as const, atMs: 3_000, host: 'hap2' },
    ];
    expect(applicable({ ...two, faults: restartDuringPartition }).has('converges-after-heal-and-quiet')).toBe(false);
  });
});
