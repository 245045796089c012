/**
 * The reconnect timer of a connected peer expiring while the sync task has updates to push to it
 * (profile `reconnectRefreshedWhilePushing`, HAProxy cebeab3d2, 2.9-dev8; in v3.0.0 and v3.2.0
 * src/peers.c; 2.6.12 predates it). 3.x re-arms the timer 5 s ahead, so the ALIVE check waits for
 * the new expiry and the session stays; without the fix the expired tick becomes the sync task's
 * expiry (the task runs every millisecond while the push lasts) and the first run that finds
 * nothing left to push shuts the session down as a dead peer when nothing was received since the
 * last check.
 *
 * Setup: hap1 connects to a raw listener 'hap2' that answers 200, ends the lesson hap1 asks for
 * (its last complete message, so PEER_F_ALIVE), and then sends nothing. hap2 listens only once
 * hap1's first connect was refused, so hap1 connects at its second attempt, and an initiator whose
 * connect was retried has its own heartbeats keep its read timeout away (measured:
 * scripts/exp-read-timeout-rearm.py, feeds none/drop/reject on 2.6.12, 3.0.11 and 3.2.26;
 * session-read-timeout-rearm.test.ts). hap1's first reconnect expiry clears the flag;
 * 1 s before the second, a link hold towards hap2 and a burst of 6,000 writes (more than the 32 KB
 * send buffer) leave updates to push when it comes; the hold ends 1 s after it. (The earlier
 * device, a byte every 2 s of a message never ended, times out an initiator 5 s after the first
 * byte through its unconsumed input, as the binaries do: the 5.0 s close seen with it.) What was
 * measured for this test (scripts/exp-reconnect-refresh.py, docs P11) is the
 * part asserted as reconnectLeftMsAtExpiry and taskCallsStuck: 2.6.12 reconnect=<PAST> and its
 * task spinning, 3.0.11/3.2.26 reconnect=4s and the task quiet, while the push is stuck.
 */
import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../../engine/env.ts';
import { PEER_F_ALIVE } from '../../../engine/peers/constants.ts';
import { tickRemain } from '../../../engine/ticks.ts';
import { profileFor, type VersionProfile } from '../../../engine/version/profile.ts';
import { specOf } from '../../helpers/spec.ts';
import { answerHelloAsFinishedPeer, Cluster, setField, type Proc } from './helpers-peers.ts';

const HAP2_ADDRESS = '10.0.0.2';
const PEER_PORT = 10000;
const ENTRIES = 6_000;
const SEND_BUFFER_BYTES = 32 * 1024;
const SPEC = specOf({ name: 'st', size: 2 * ENTRIES, store: 'gpc0', expireMs: 600_000 });
const TRICKLE_EVERY_MS = 2_000;
const LISTEN_AFTER_MS = 50;
const FIRST_EXPIRY_PASSED_MS = 5_600;
const HOLD_BEFORE_EXPIRY_MS = 1_000;
const HOLD_AFTER_EXPIRY_MS = 1_000;

interface Outcome {
  /** hap1's sync-task runs while the push was stuck past the reconnect expiry. */
  taskCallsStuck: number;
  /** ms from the reconnect expiry to each of hap1's dead-peer shutdowns of hap2. */
  deadAfterExpiryMs: number[];
  /** Read timeouts on hap1 (its heartbeats keep them away). */
  timeouts: number;
  /** Connections hap2 accepted. */
  connects: number;
  /** The session still hap1's when the hold is released. */
  aliveWhileStuck: boolean;
  /** The session as seen 1 s after the hold was released. */
  aliveAfterRelease: boolean;
  /** hap1's reconnect timer for hap2 right after the expiry, ms ahead of now (<= 0: expired). */
  reconnectLeftMsAtExpiry: number;
}

function run(profile: VersionProfile, options: { totalAfterExpiryMs: number }): Outcome {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], spec: SPEC, profile, link: { latencyMs: 2, sendBufferBytes: SEND_BUFFER_BYTES } });
  const accepted: ByteStream[] = [];
  const a = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
  // hap2 listens only after hap1's first connect was refused: hap1 connects at its second attempt.
  c.run(LISTEN_AFTER_MS);
  c.network.netFor('hap2').listen({ address: HAP2_ADDRESS, port: PEER_PORT }, (stream) => {
    accepted.push(stream);
    // The lesson hap1 asks for: nothing to teach. Its last complete message (PEER_F_ALIVE).
    answerHelloAsFinishedPeer(stream);
  });
  let trickleNextMs = TRICKLE_EVERY_MS;
  const runTrickling = (untilMs: number): void => {
    while (c.nowMs() < untilMs) {
      const stepMs = Math.min(untilMs, trickleNextMs) - c.nowMs();
      if (stepMs > 0) c.run(stepMs);
      if (c.nowMs() >= trickleNextMs) {
        // Nothing is written: hap1's own heartbeats keep its read timeout away (it initiated).
        trickleNextMs += TRICKLE_EVERY_MS;
      }
    }
  };
  const peer = a.section.findPeer('hap2')!;
  runTrickling(1_500);
  const session = peer.session;
  expect(session?.role).toBe('initiator');
  expect(accepted.length).toBe(1);
  // Past the first expiry, which clears the flag the status message set; the second is ahead.
  runTrickling(FIRST_EXPIRY_PASSED_MS);
  expect(peer.session).toBe(session);
  expect(peer.hasFlag(PEER_F_ALIVE)).toBe(false);
  const expiryMs = c.nowMs() + tickRemain(a.env.clock.nowTick(), peer.reconnectTick);
  expect(expiryMs).toBeGreaterThan(c.nowMs() + HOLD_BEFORE_EXPIRY_MS);
  runTrickling(expiryMs - HOLD_BEFORE_EXPIRY_MS);
  const hold = c.network.holdLink({ from: ['hap1'], to: ['hap2'] });
  writeBurst(a);
  runTrickling(expiryMs + 1);
  const reconnectLeftMsAtExpiry = tickRemain(a.env.clock.nowTick(), peer.reconnectTick);
  const callsBefore = a.section.taskCalls;
  runTrickling(expiryMs + HOLD_AFTER_EXPIRY_MS);
  const taskCallsStuck = a.section.taskCalls - callsBefore;
  const aliveWhileStuck = peer.session === session && session?.isEnded === false;
  c.network.releaseLink(hold);
  runTrickling(expiryMs + HOLD_AFTER_EXPIRY_MS + 1_000);
  const aliveAfterRelease = peer.session === session && session?.isEnded === false;
  // The burst went out once the link was back: the push is over either way.
  for (const pt of peer.tables) expect(pt.lastPushed).toBe(pt.shared.updates.localUpdate);
  runTrickling(expiryMs + options.totalAfterExpiryMs);
  const dead = c.kinds('peer.dead', (e) => e.host === 'hap1');
  const timeouts = c.kinds('session.timeout', (e) => e.host === 'hap1').length;
  return { taskCallsStuck, aliveWhileStuck, deadAfterExpiryMs: dead.map((e) => e.t - expiryMs), aliveAfterRelease, reconnectLeftMsAtExpiry, timeouts, connects: accepted.length };
}

function writeBurst(a: Proc): void {
  for (let i = 0; i < ENTRIES; i++) setField(a, `10.2.${i >> 8}.${i & 255}`, 'gpc0', i + 1);
}

const WITHOUT_FIX_3_2: VersionProfile = Object.freeze({ ...profileFor('3.2'), reconnectRefreshedWhilePushing: false });
const RUN = { totalAfterExpiryMs: 7_000 };

describe('reconnect timer expiring while updates are pushed (cebeab3d2)', () => {
  for (const line of ['3.0', '3.2'] as const) {
    it(`${line}: the timer is re-armed 5 s ahead, the task does not spin, the session outlives the push and the dead-peer check comes 5 s later`, () => {
      const o = run(profileFor(line), RUN);
      expect(profileFor(line).reconnectRefreshedWhilePushing).toBe(true);
      expect(o.reconnectLeftMsAtExpiry).toBe(4_999);
      expect(o.taskCallsStuck).toBeLessThan(10);
      expect(o.aliveWhileStuck).toBe(true);
      expect(o.aliveAfterRelease).toBe(true);
      // Postponed, not prevented: the peer still sent no message in the new period.
      expect(o.deadAfterExpiryMs).toEqual([5_000]);
      expect(o.timeouts).toBe(0);
    });
  }

  // Negative controls: 2.6.12 (no flag) and 3.2 with the flag off behave alike.
  for (const [name, profile] of [
    ['2.6', profileFor('2.6')],
    ['3.2 without the flag', WITHOUT_FIX_3_2],
  ] as const) {
    it(`${name}: the expired tick stays, the sync task runs every millisecond while the push is stuck, and the session is shut down as a dead peer as soon as the push is over`, () => {
      const o = run(profile, RUN);
      expect(profile.reconnectRefreshedWhilePushing).toBe(false);
      expect(o.reconnectLeftMsAtExpiry).toBeLessThanOrEqual(0);
      expect(o.taskCallsStuck).toBeGreaterThan(900);
      expect(o.aliveWhileStuck).toBe(true);
      expect(o.aliveAfterRelease).toBe(false);
      // Released 1 s after the expiry; the push takes a few ms; the next task run finds nothing to push.
      expect(o.deadAfterExpiryMs.length).toBeGreaterThanOrEqual(1);
      expect(o.deadAfterExpiryMs[0]).toBeGreaterThan(HOLD_AFTER_EXPIRY_MS);
      expect(o.deadAfterExpiryMs[0]).toBeLessThan(HOLD_AFTER_EXPIRY_MS + 100);
      expect(o.timeouts).toBe(0);
    });
  }
});
