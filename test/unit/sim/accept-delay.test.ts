/**
 * Issue 14: an accepted peer stream that already holds the initiator's hello when its process
 * first takes it keeps no read timeout on 2.6 (profile acceptedInputDropsReadTimeout); after a
 * silent cut that side then ends only by the dead-peer path (no_hbt + 1), 5-10 s after the cut.
 * The race comes from the host's accept delay (sim/accept-delay.ts): with none, or on 3.0, both
 * sides end by the 5 s read timeout (controls). The default is the measured share (1 ms in 930 of
 * 1000 accepts); a share draws first, then the delay.
 */
import { describe, expect, it } from 'vitest';
import type { HaproxyVersion } from '../../../engine/version/profile.ts';
import { ACCEPT_DELAY_MEASURED, drawAcceptDelayMs, type AcceptDelay } from '../../../sim/accept-delay.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { scenario } from '../../../scenarios/dsl.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import { runScenario } from '../../../scenarios/runner.ts';
import { checkScenarioShape } from '../../../scenarios/spec-check.ts';

const CUT_MS = 10_000;

interface Outcome {
  /** Hosts that traced session.read-timeout-off, with the unread bytes. */
  timeoutOff: { host: string; unreadBytes: number }[];
  /** Per host, how its session ended after the cut and when (ms after the cut). */
  ends: Record<string, { kind: string; afterCutMs: number }>;
}

function silentCut(options: { acceptDelay?: AcceptDelay; haproxy?: HaproxyVersion; seed: string }): Outcome {
  const outcome: Outcome = { timeoutOff: [], ends: {} };
  const hosts = mesh(['hap1', 'hap2']).map((h) => (options.acceptDelay === undefined ? h : { ...h, acceptDelay: options.acceptDelay }));
  const spec = scenario({
    name: 'accept-delay',
    title: '',
    lesson: '',
    hosts,
    durationMs: CUT_MS + 12_000,
    script: (s) => {
      s.observe('session.read-timeout-off', (e) => outcome.timeoutOff.push({ host: e.host, unreadBytes: Number(e.details?.['unreadBytes']) }));
      for (const kind of ['session.timeout', 'peer.dead']) {
        s.observe(kind, (e) => {
          if (e.t >= CUT_MS && outcome.ends[e.host] === undefined) outcome.ends[e.host] = { kind, afterCutMs: e.t - CUT_MS };
        });
      }
      s.at(CUT_MS, () => s.partition(['hap1'], ['hap2']));
    },
  });
  runScenario(spec, { seed: options.seed, policy: 'haproxy', ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }) });
  return outcome;
}

describe('accept delay and the lost read timeout (2.6)', () => {
  it('the hello waiting at accept: that acceptor keeps no read timeout and ends by the dead-peer path after a silent cut', () => {
    const outcome = silentCut({ acceptDelay: { minMs: 20, maxMs: 20 }, seed: '1' });
    expect(outcome.timeoutOff.length).toBeGreaterThanOrEqual(1);
    for (const off of outcome.timeoutOff) expect(off.unreadBytes).toBeGreaterThan(0);
    const ends = Object.entries(outcome.ends);
    expect(ends.map(([host]) => host).sort()).toEqual(['hap1', 'hap2']);
    const dead = ends.filter(([, end]) => end.kind === 'peer.dead');
    const timedOut = ends.filter(([, end]) => end.kind === 'session.timeout');
    // The side that ended by the read timeout is the one that still had it (the initiator of the live session).
    expect(dead.length).toBe(1);
    expect(timedOut.length).toBe(1);
    expect(outcome.timeoutOff.map((o) => o.host)).toContain(dead[0]![0]);
    expect(timedOut[0]![1].afterCutMs).toBeLessThanOrEqual(5_000);
    // Reconnect timer re-armed to +5 s by each heartbeat: one expiry clears ALIVE, the next kills.
    expect(dead[0]![1].afterCutMs).toBeGreaterThan(5_000);
    expect(dead[0]![1].afterCutMs).toBeLessThanOrEqual(10_100);
  });

  it('control: no accept delay, both sides end by the read timeout and no session loses it', () => {
    const outcome = silentCut({ acceptDelay: { minMs: 0, maxMs: 0 }, seed: '1' });
    expect(outcome.timeoutOff).toEqual([]);
    expect(Object.values(outcome.ends).map((e) => e.kind)).toEqual(['session.timeout', 'session.timeout']);
  });

  it('control: the same accept delay on the 3.0 profile keeps every read timeout', () => {
    const outcome = silentCut({ acceptDelay: { minMs: 20, maxMs: 20 }, haproxy: '3.0', seed: '1' });
    expect(outcome.timeoutOff).toEqual([]);
    expect(Object.values(outcome.ends).map((e) => e.kind)).toEqual(['session.timeout', 'session.timeout']);
  });

  it('by default a host takes 1 ms over an accept in the measured share of accepts', () => {
    expect(ACCEPT_DELAY_MEASURED).toEqual({ minMs: 1, maxMs: 1, delayedPerMille: 930 });
    const random = new Seeds('accept-share').stream('accept:hap1');
    const draws = Array.from({ length: 10_000 }, () => drawAcceptDelayMs(ACCEPT_DELAY_MEASURED, random));
    expect(new Set(draws)).toEqual(new Set([0, 1]));
    const late = draws.filter((d) => d === 1).length;
    expect(late).toBeGreaterThan(9_100);
    expect(late).toBeLessThan(9_500);
    // Controls: a share of 0 never waits, no share always draws from the range.
    expect(Array.from({ length: 100 }, () => drawAcceptDelayMs({ minMs: 1, maxMs: 1, delayedPerMille: 0 }, random))).not.toContain(1);
    expect(Array.from({ length: 100 }, () => drawAcceptDelayMs({ minMs: 3, maxMs: 3 }, random))).not.toContain(0);
  });

  it('default accept delay: some accepted session loses its read timeout after a silent cut, none on 3.0', () => {
    const seeds = ['1', '2', '3', '4'];
    expect(seeds.flatMap((seed) => silentCut({ seed }).timeoutOff).length).toBeGreaterThanOrEqual(1);
    expect(seeds.flatMap((seed) => silentCut({ seed, haproxy: '3.0' }).timeoutOff)).toEqual([]);
  });

  it('a bad acceptDelay in a scenario is named with its host', () => {
    const spec = (acceptDelay: unknown) => ({ name: 'x', title: '', lesson: '', durationMs: 1000, script: () => {}, hosts: mesh(['hap1', 'hap2']).map((h) => ({ ...h, acceptDelay })) });
    expect(() => checkScenarioShape(spec({ minMs: 5, maxMs: 2 }), 'x.ts')).toThrow(/'acceptDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 0, maxMs: 1_001 }), 'x.ts')).toThrow(/'acceptDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 1, maxMs: 1, delayedPerMille: 1_001 }), 'x.ts')).toThrow(/'acceptDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 1, maxMs: 1, delayedPerMille: 0.5 }), 'x.ts')).toThrow(/'acceptDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 2, maxMs: 5 }), 'x.ts')).not.toThrow();
    expect(() => checkScenarioShape(spec({ minMs: 1, maxMs: 1, delayedPerMille: 930 }), 'x.ts')).not.toThrow();
  });
});
