/**
 * Determinism is the product: the same seed gives the same trace, byte for byte (its SHA-256 when written, its cheap fingerprint always),
 * and different seeds explore different schedules.
 */
import { describe, expect, it } from 'vitest';
import splitBrain from '../../scenarios/builtin/split-brain-acceptor-wins.ts';
import crashed from '../../scenarios/builtin/crashed-node-resyncs.ts';
import rogue from '../../scenarios/builtin/rogue-peer.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { readTraceFile } from '../../sim/trace-file.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const SEEDS = Array.from({ length: Number(process.env.DETERMINISM_SEEDS ?? 50) }, (_, i) => `seed-${i + 1}`);

describe('same seed, same trace', () => {
  for (const spec of [splitBrain, crashed, rogue]) {
    it(`${spec.name}: ${SEEDS.length} seeds run twice give identical fingerprints`, () => {
      // The cheap fingerprint over every event, as `sticksim run` computes it without --trace.
      const first = SEEDS.map((seed) => runScenario(spec, { seed, policy: 'haproxy' }).result.fingerprint);
      const second = SEEDS.map((seed) => runScenario(spec, { seed, policy: 'haproxy' }).result.fingerprint);
      expect(first.every((f) => /^fp3:[0-9a-f]{16}$/.test(f))).toBe(true);
      expect(second).toEqual(first);
      // The seed matters: the schedules differ (random back-offs, tick starts, latencies).
      expect(new Set(first).size).toBeGreaterThan(SEEDS.length / 2);
    });
  }

  it('the trace file has a header with seed and merge policy, and its SHA-256 is the run hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-trace-'));
    const path = join(dir, 'run.jsonl');
    const a = runScenario(splitBrain, { seed: 'x', policy: 'haproxy', tracePath: path });
    const parsed = readTraceFile(path);
    expect(parsed.problems).toEqual([]);
    expect(parsed.header).toMatchObject({ scenario: 'split-brain-acceptor-wins', seed: 'x', mergePolicy: 'haproxy' });
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(a.result.traceHash);
    const b = runScenario(splitBrain, { seed: 'x', policy: 'max', traceLevel: 'full' });
    expect(b.result.traceHash).not.toBe(a.result.traceHash);
    // The same run without a file: the same JSONL hash from lines formatted in memory.
    const c = runScenario(splitBrain, { seed: 'x', policy: 'haproxy', traceLevel: 'full' });
    expect(c.result.traceHash).toBe(a.result.traceHash);
    expect(c.result.fingerprint).toBe(a.result.fingerprint);
  });
});
