/**
 * Issue 13 (docs/haproxy-versions.md S10): under 3.x a new peer session sends nothing until the
 * sync task has run (PEER_F_WAIT_SYNCTASK_ACK), on both sides. The acceptor's pending updates no
 * longer leave with its `200`: they leave one sync-task run later. When that run comes after the
 * initiator has read the `200`, run its own sync task and pushed, both sides push before either
 * has treated the other's update, and each ends with the other's value (SWAPPED). Seen on the
 * binaries with scripts/lab-swap-capture.sh (test/fixtures/versions/swap-capture/): in every
 * swapped trial the initiator's first message after the `200` is its UPDATE, without the ACK of
 * the acceptor's update that comes first in every converged trial.
 *
 * Here the acceptor's sync task runs one link latency late (Env.taskWake), the initiator's at once.
 * Controls: no delay (3.x: the acceptor wins), and 2.6, whose acceptor pushes in the same pass as
 * its `200` (the delay changes nothing).
 */
import { describe, expect, it } from 'vitest';
import type { TaskWakeLatency } from '../../../engine/env.ts';
import { profileFor, type HaproxyVersion } from '../../../engine/version/profile.ts';
import { Cluster, getField, isEstablished, setField, type Proc } from './helpers-peers.ts';

const K = '127.0.0.50';

/** Task wake-ups `delayMs` later (the kernel's own timer: no timer lateness). */
function lateTasks(c: Cluster, delayMs: number): TaskWakeLatency {
  return { schedule: (fire) => c.kernel.schedule(delayMs, fire, 'task-wake') };
}

interface Healed {
  c: Cluster;
  a: Proc;
  b: Proc;
  healMs: number;
}

/**
 * Task wake-ups on a host whose scheduler passes come one link latency apart when it has work
 * queued: the first wake-up of a millisecond joins the pass under way (runs at once), each further
 * one in that millisecond waits for the next pass, 1 ms later. Records each delay it gave.
 */
function passesOneMsApart(c: Cluster, given: number[]): TaskWakeLatency {
  let wakesThisMs = 0;
  let lastMs = -1;
  return {
    schedule: (fire) => {
      const nowMs = c.nowMs();
      if (nowMs !== lastMs) wakesThisMs = 0;
      lastMs = nowMs;
      const delayMs = wakesThisMs++ === 0 ? 0 : 1;
      given.push(delayMs);
      return c.kernel.schedule(delayMs, fire, 'task-wake');
    },
  };
}

/** hap1 = A writes 5, hap2 = B writes 12 while cut; the heal lets only B's connect through (A accepts). */
function splitAndHeal(line: HaproxyVersion, acceptorTaskDelayMs: number | undefined, initiatorTaskWake?: (c: Cluster) => TaskWakeLatency): Healed {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 1 }, profile: profileFor(line), seed: 'swap' });
  const a = c.start('hap1');
  const b = c.start('hap2');
  c.run(10_000);
  expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
  setField(a, K, 'gpc0', 1);
  c.run(100);
  expect(getField(b, K, 'gpc0')).toBe(1);
  const cut = c.cut(['hap1'], ['hap2']);
  c.run(300);
  setField(a, K, 'gpc0', 5);
  setField(b, K, 'gpc0', 12);
  if (acceptorTaskDelayMs !== undefined) a.env.taskWake = lateTasks(c, acceptorTaskDelayMs);
  if (initiatorTaskWake !== undefined) b.env.taskWake = initiatorTaskWake(c);
  c.network.reject({ from: ['hap1'], to: ['hap2'] });
  const healMs = c.nowMs();
  c.network.heal(cut);
  c.runUntil(() => isEstablished(a, 'hap2') && isEstablished(b, 'hap1'), 30_000);
  c.network.unrejectAll();
  c.run(2_000);
  // The first session after the heal, the one that carries the pending updates, is hap1's (accepted).
  expect(c.kinds('session.accept', (e) => e.t > healMs)[0]?.host).toBe('hap1');
  return { c, a, b, healMs };
}

/** When B sent its update of K and when it treated A's, after the heal. */
function initiatorOrder(h: Healed): { txMs: number; rxMs: number } {
  const tx = h.c.kinds('update.tx', (e) => e.host === 'hap2' && e.t > h.healMs && e.key === K)[0];
  const rx = h.c.kinds('update.rx', (e) => e.host === 'hap2' && e.t > h.healMs && e.key === K)[0];
  expect(tx).toBeDefined();
  expect(rx).toBeDefined();
  return { txMs: tx!.t, rxMs: rx!.t };
}

describe('3.x: the acceptor pushes one sync-task run after its 200 (S10, the split-brain swap)', () => {
  for (const line of ['3.0', '3.2'] as const) {
    it(`${line}: the acceptor's sync task runs late: the initiator pushes before it has treated the acceptor's update, each side ends with the other's value`, () => {
      const h = splitAndHeal(line, 1);
      expect(getField(h.a, K, 'gpc0')).toBe(12);
      expect(getField(h.b, K, 'gpc0')).toBe(5);
      const order = initiatorOrder(h);
      expect(order.txMs).toBeLessThan(order.rxMs);
    });

    it(`${line} control: the acceptor's sync task runs at once: the initiator treats the acceptor's update first and sends it back, the acceptor's value on both`, () => {
      const h = splitAndHeal(line, undefined);
      expect(getField(h.a, K, 'gpc0')).toBe(5);
      expect(getField(h.b, K, 'gpc0')).toBe(5);
      const order = initiatorOrder(h);
      expect(order.rxMs).toBeLessThanOrEqual(order.txMs);
    });
  }

  it("2.6 negative control: the same late sync task changes nothing, the acceptor's update leaves with its 200", () => {
    const h = splitAndHeal('2.6', 1);
    expect(getField(h.a, K, 'gpc0')).toBe(5);
    expect(getField(h.b, K, 'gpc0')).toBe(5);
  });
});

/**
 * S11: 3.2.16 took HAProxy's scheduler rule "a task runs once per pass" (7d40b3134). The
 * initiator's session, which ran to read the `200` and woke the sync task, is acknowledged by that
 * sync task in the same pass; under 3.2 its next run waits for the next pass, which reads the
 * acceptor's late update first (3.2.26 calls epoll_wait(0) between the two runs, 3.0.11 never).
 * Here the acceptor's sync task runs 1 ms late (its update reaches B 1 ms after the `200`), and B's
 * passes come 1 ms apart.
 */
describe("3.2: the session's run after the sync task's acknowledgement waits for the next pass (S11)", () => {
  it("3.2: the initiator's next pass reads the acceptor's late update before it pushes: the acceptor's value on both", () => {
    const given: number[] = [];
    const h = splitAndHeal('3.2', 1, (c) => passesOneMsApart(c, given));
    const order = initiatorOrder(h);
    expect(order.rxMs).toBeLessThanOrEqual(order.txMs);
    expect(getField(h.a, K, 'gpc0')).toBe(5);
    expect(getField(h.b, K, 'gpc0')).toBe(5);
    // The sync task joined the pass that read the `200` (0 ms); the session's run went to the next (1 ms).
    expect(given.slice(0, 2)).toEqual([0, 1]);
  });

  it('3.0 control: the same hosts, the session runs in the sync task\'s pass and pushes first: swapped', () => {
    const given: number[] = [];
    const h = splitAndHeal('3.0', 1, (c) => passesOneMsApart(c, given));
    const order = initiatorOrder(h);
    expect(order.txMs).toBeLessThan(order.rxMs);
    expect(getField(h.a, K, 'gpc0')).toBe(12);
    expect(getField(h.b, K, 'gpc0')).toBe(5);
    expect(given[0]).toBe(0);
  });

  it("3.2 control: with no task wake delay on the initiator the next pass comes at once, before the acceptor's update: swapped", () => {
    const h = splitAndHeal('3.2', 1);
    expect(getField(h.a, K, 'gpc0')).toBe(12);
    expect(getField(h.b, K, 'gpc0')).toBe(5);
  });
});
