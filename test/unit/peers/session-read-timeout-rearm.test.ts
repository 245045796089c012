/**
 * What keeps a peer session's stream timeouts away, per role (issue 14 item 5; measured on 2.6.12,
 * 3.0.11 and 3.2.26 with scripts/exp-read-timeout-rearm.py, outputs in
 * test/fixtures/read-timeout-rearm/):
 * - every received byte moves the read expiry, complete message or not (`show sess all`: rex 4-5 s
 *   ahead after a byte of a message that never ends);
 * - bytes the applet leaves unconsumed (an incomplete message) start the write timeout of its
 *   input channel on an initiator (the applet is the front end: `timeout client`, 5 s), moved only
 *   when the applet consumes some: a byte every 2 s of a never-ended message closes an initiator's
 *   session 5 s after the first one (7.0 s with the first at 2 s, on all three binaries); an
 *   acceptor's applet is the back end, the peers proxy has no `timeout server`: the session lives
 *   until the dead-peer check (6.7-6.8 s, no_hbt=1);
 * - an initiator's own writes (heartbeats) move its read expiry only when its connect was retried
 *   (the back-end connector loses SC_FL_INDEP_STR then: scb flags 0x01, else 0x49); an acceptor's
 *   never do: with nothing received after the handshake a retried initiator ends by the dead-peer
 *   check (9.0 s, no_hbt=1), one connected at its first attempt by its read timeout (5.0 s), the
 *   acceptor by its read timeout 5 s after the hello (5.3 s with the hello at 0.3 s).
 */
import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../../engine/env.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { helloLines } from '../../../engine/peers/hello.ts';
import { profileFor, type HaproxyVersion } from '../../../engine/version/profile.ts';
import { answerHelloAsFinishedPeer, Cluster, PEER_PORT } from './helpers-peers.ts';

const HAP1_ADDRESS = '10.0.0.1';
const HAP2_ADDRESS = '10.0.0.2';
const FEED_EVERY_MS = 2_000;
const HELLO_AFTER_CONNECT_MS = 300;
const LISTEN_AFTER_MS = 50;
/** A DEFINE (class 10, type 0x82) announcing a 100-byte body: sent a byte at a time, never ended. */
const PARTIAL_MESSAGE = Uint8Array.of(10, 0x82, 100, ...new Array<number>(100).fill(0));
type Feed = 'partial' | 'heartbeat' | 'none';
type Role = 'initiator' | 'acceptor';

interface Outcome {
  /** When hap2's stream (the raw peer) started: hap1's connect accepted, or hap2's connect. */
  startMs: number;
  inputTimeoutsMs: number[];
  readTimeoutsMs: number[];
  deadPeerMs: number[];
}

/** hap1 (a real section) against a raw 'hap2' that, once the handshake is over, sends `feed` every 2 s. */
function run(options: { line: HaproxyVersion; role: Role; feed: Feed; untilMs: number; initiatorRetried?: boolean }): Outcome {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], profile: profileFor(options.line), link: { latencyMs: 2 } });
  const streams: ByteStream[] = [];
  let startMs = -1;
  c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
  // Listening after hap1's first connect was refused: hap1 connects at its second attempt.
  if (options.initiatorRetried === true) c.run(LISTEN_AFTER_MS);
  if (options.role === 'initiator') {
    c.network.netFor('hap2').listen({ address: HAP2_ADDRESS, port: PEER_PORT }, (stream) => {
      streams.push(stream);
      if (startMs < 0) startMs = c.nowMs();
      answerHelloAsFinishedPeer(stream);
    });
  }
  if (options.role === 'acceptor') {
    // Past the startup; hap1's own connects to hap2 are refused (nothing listens there).
    c.run(3_000);
    const stream = c.network.netFor('hap2').connect({ address: HAP1_ADDRESS, port: PEER_PORT });
    stream.onData(() => {});
    streams.push(stream);
    startMs = c.nowMs();
    c.run(HELLO_AFTER_CONNECT_MS);
    stream.write(encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 7 }) }));
  }
  c.run(options.initiatorRetried === true ? 1_500 : 100);
  expect(streams.length).toBe(1);
  const stream = streams[0]!;
  let sent = 0;
  for (let nextMs = startMs + FEED_EVERY_MS; nextMs <= options.untilMs; nextMs += FEED_EVERY_MS) {
    c.run(nextMs - c.nowMs());
    if (options.feed === 'partial') stream.write(PARTIAL_MESSAGE.subarray(sent, ++sent));
    else if (options.feed === 'heartbeat') stream.write(encodeMessage({ kind: 'control', control: 'heartbeat' }));
  }
  c.run(options.untilMs - c.nowMs());
  const at = (kind: string): number[] => c.kinds(kind, (e) => e.host === 'hap1').map((e) => e.t - startMs);
  return { startMs, inputTimeoutsMs: at('session.input-timeout'), readTimeoutsMs: at('session.timeout'), deadPeerMs: at('peer.dead') };
}

const LINES = ['2.6', '3.0', '3.2'] as const;

describe('read and unconsumed-input timeouts of a peer session', () => {
  for (const line of LINES) {
    it(`${line} initiator, a byte every 2 s of a message never ended: closed 5 s after the first byte by its unconsumed input, never by read`, () => {
      const o = run({ line, role: 'initiator', feed: 'partial', untilMs: 9_000 });
      expect(o.inputTimeoutsMs.length).toBe(1);
      // First byte written at 2 s, arrives 2 ms later; the later bytes (4 s, 6 s) do not move it.
      expect(o.inputTimeoutsMs[0]).toBeGreaterThanOrEqual(7_000);
      expect(o.inputTimeoutsMs[0]).toBeLessThanOrEqual(7_010);
      expect(o.readTimeoutsMs).toEqual([]);
    });

    it(`${line} initiator, complete heartbeats every 2 s (negative control): consumed, no timeout, no dead peer`, () => {
      const o = run({ line, role: 'initiator', feed: 'heartbeat', untilMs: 14_000 });
      expect(o.inputTimeoutsMs).toEqual([]);
      expect(o.readTimeoutsMs).toEqual([]);
      expect(o.deadPeerMs).toEqual([]);
    });

    it(`${line} acceptor, a byte every 2 s of a message never ended: no unconsumed-input timeout (no timeout server), the bytes keep the read timeout away, the dead-peer check ends it`, () => {
      const o = run({ line, role: 'acceptor', feed: 'partial', untilMs: 14_000 });
      expect(o.inputTimeoutsMs).toEqual([]);
      expect(o.readTimeoutsMs).toEqual([]);
      expect(o.deadPeerMs.length).toBeGreaterThanOrEqual(1);
    });

    it(`${line} initiator connected at its first attempt, nothing after the handshake: its writes do not move the read timeout, it fires 5 s after the last input`, () => {
      const o = run({ line, role: 'initiator', feed: 'none', untilMs: 12_000 });
      expect(o.readTimeoutsMs.length).toBe(1);
      // The status and the lesson's end arrive ~4 ms after the accept.
      expect(o.readTimeoutsMs[0]).toBeGreaterThanOrEqual(5_000);
      expect(o.readTimeoutsMs[0]).toBeLessThanOrEqual(5_010);
      expect(o.deadPeerMs).toEqual([]);
    });

    it(`${line} initiator connected at its second attempt, nothing after the handshake: its heartbeats keep its read timeout away, the dead-peer check ends it`, () => {
      const o = run({ line, role: 'initiator', feed: 'none', untilMs: 12_000, initiatorRetried: true });
      expect(o.readTimeoutsMs).toEqual([]);
      expect(o.inputTimeoutsMs).toEqual([]);
      expect(o.deadPeerMs.length).toBe(1);
    });

    it(`${line} acceptor, nothing after the hello (negative control): its writes do not move the read timeout, it fires 5 s after the hello`, () => {
      const o = run({ line, role: 'acceptor', feed: 'none', untilMs: 12_000 });
      expect(o.readTimeoutsMs.length).toBe(1);
      expect(o.readTimeoutsMs[0]).toBeGreaterThanOrEqual(HELLO_AFTER_CONNECT_MS + 5_000);
      expect(o.readTimeoutsMs[0]).toBeLessThanOrEqual(HELLO_AFTER_CONNECT_MS + 5_010);
      expect(o.deadPeerMs).toEqual([]);
    });
  }
});
