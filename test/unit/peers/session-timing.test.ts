/**
 * When a session counts as connected, when its read timeout fires and how much input one wake-up
 * reads: the connect timer ends at the TCP handshake (not the first byte), the 5 s read timeout
 * is re-armed by input (§4.11; an initiator's own writes move it too after a connect retry, see
 * session-read-timeout-rearm.test.ts), one wake-up treats one input buffer (16 KB) and more
 * unread input than the decoder's bound ends the session with a traced event.
 */
import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../../engine/env.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { helloLines } from '../../../engine/peers/hello.ts';
import { INPUT_BYTES_PER_WAKEUP_MAX } from '../../../engine/peers/session.ts';
import { profileFor } from '../../../engine/version/profile.ts';
import { tickRemain } from '../../../engine/ticks.ts';
import { Cluster, isEstablished, PEER_PORT } from './helpers-peers.ts';

/** hap2's address in a two-host Cluster. */
const HAP1_ADDRESS = '10.0.0.1';
const HAP2_ADDRESS = '10.0.0.2';

describe('connect signal', () => {
  it('an acceptor that takes the connection but never answers: connected at the handshake, no 1 s connect-timeout retries, read timeout after 5 s', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 3 } });
    // hap2 runs no section: a listener accepts and stays silent (a paused or slow acceptor).
    const accepted: ByteStream[] = [];
    c.network.netFor('hap2').listen({ address: HAP2_ADDRESS, port: PEER_PORT }, (stream) => {
      accepted.push(stream);
      stream.onData(() => {});
    });
    c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
    c.run(5500);
    // One connection until the read timeout; the section then connects again (its reconnect timer).
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(c.kinds('session.connect-failed', (e) => e.host === 'hap1')).toEqual([]);
    const timeouts = c.kinds('session.timeout', (e) => e.host === 'hap1');
    expect(timeouts.length).toBe(1);
    // SYN out at 0, SYN-ACK back at 6 ms: the read timeout runs from there.
    expect(timeouts[0]!.t).toBe(5006);
  });

  it('a connect that never completes still fails after the 1 s connect timeout and is retried', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 3 } });
    const id = c.network.partition({ sides: [['hap1'], ['hap2']] });
    c.network.netFor('hap2').listen({ address: HAP2_ADDRESS, port: PEER_PORT }, () => {});
    c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
    c.run(2500);
    const failed = c.kinds('session.connect-failed', (e) => e.host === 'hap1');
    expect(failed.map((e) => [e.t, e.reason])).toEqual([
      [1000, 'timeout'],
      [2000, 'timeout'],
    ]);
    c.network.heal(id);
  });
});

/** Connects to hap1 as 'hap2' from hap2's host, reads the status, and returns the raw stream. */
function rawPeer(c: Cluster): { stream: ByteStream; received: () => number } {
  let receivedBytes = 0;
  const stream = c.network.netFor('hap2').connect({ address: HAP1_ADDRESS, port: PEER_PORT });
  stream.onData((bytes) => {
    receivedBytes += bytes.length;
  });
  stream.write(encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 7 }) }));
  return { stream, received: () => receivedBytes };
}

function heartbeats(count: number): Uint8Array {
  const one = encodeMessage({ kind: 'control', control: 'heartbeat' });
  const all = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) all.set(one, i * one.length);
  return all;
}

describe('input per wake-up', () => {
  it('a 64 KB burst is read one 16 KB buffer per wake-up, every message treated', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 } });
    const a = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
    const raw = rawPeer(c);
    c.run(100);
    expect(raw.received()).toBeGreaterThan(0);
    const peer = a.section.findPeer('hap2')!;
    const session = peer.session!;
    expect(session.role).toBe('acceptor');
    const count = (4 * INPUT_BYTES_PER_WAKEUP_MAX) / 2;
    const callsBefore = session.calls;
    const rxBefore = peer.rxHbt;
    raw.stream.write(heartbeats(count));
    c.run(100);
    expect(peer.rxHbt - rxBefore).toBe(count);
    // Four buffers' worth: at least four wake-ups (one per buffer), not one.
    expect(session.calls - callsBefore).toBeGreaterThanOrEqual(4);
  });

  it('more unread input than the decoder holds ends the session with a traced input-overflow event', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2, sendBufferBytes: 64 * 1024 * 1024 } });
    const a = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
    const raw = rawPeer(c);
    c.run(100);
    const session = a.section.findPeer('hap2')!.session!;
    raw.stream.write(heartbeats(2 * 1024 * 1024 + 1));
    c.run(100);
    const overflow = c.kinds('session.input-overflow', (e) => e.host === 'hap1');
    expect(overflow.length).toBe(1);
    expect(overflow[0]!.bufferedBytesMax).toBe(4 * 1024 * 1024);
    expect(overflow[0]!.session).toBe(session.id);
    expect(session.isEnded).toBe(true);
  });
});

describe('startup teardown (a cut-short connect still delivers its hello: orphan-stream.ts)', () => {
  it("hap1's refused connect, cut short by hap2's connect, reaches hap2 ~1 s later: hap2 drops the session it initiated (collision, lesson aborted: 0x80) and the pair reconnects", () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 1 } });
    const a = c.start('hap1');
    c.run(10);
    const b = c.start('hap2');
    c.run(6000);
    // hap1's first attempt was refused (hap2 not listening yet), then cut short by hap2's connect.
    expect(c.kinds('session.connect-failed', (e) => e.host === 'hap1' && e.t < 10).map((e) => e.reason)).toEqual(['refused']);
    const orphans = c.kinds('session.orphan', (e) => e.host === 'hap1');
    expect(orphans.length).toBe(1);
    expect(orphans[0]!.state).toBe('TAR');
    // The turn-around ends 1 s after the refusal: the hello goes then.
    const hello = c.kinds('session.orphan-hello', (e) => e.host === 'hap1');
    expect(hello.length).toBe(1);
    expect(hello[0]!.t).toBeGreaterThanOrEqual(1000);
    expect(hello[0]!.t).toBeLessThan(1100);
    const collisions = c.kinds('collision', (e) => e.host === 'hap2');
    expect(collisions.length).toBe(1);
    expect(collisions[0]!.t - hello[0]!.t).toBeLessThanOrEqual(3);
    // hap2 was learning from hap1 over the session it initiated: the lesson is aborted (0x80).
    expect(b.section.flags & 0x80).toBe(0x80);
    expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
    expect(b.section.findPeer('hap1')!.coll).toBe(1);
  });

  it('a connect under way (CON, its SYNs dropped) when the node accepts the peer is dropped with the session: no orphan, no late hello, no collision on the other side', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 1 } });
    // Connections hap1 opens to hap2 lose their packets (the lab-04 rules on hap2's port).
    c.network.reject({ from: ['hap1'], to: ['hap2'], rstLost: true });
    const a = c.start('hap1');
    c.run(500);
    expect(c.kinds('session.connect', (e) => e.host === 'hap1').length).toBe(1);
    const b = c.start('hap2');
    c.run(600);
    expect(c.kinds('collision', (e) => e.host === 'hap1').length).toBe(1);
    c.network.unrejectAll();
    c.run(8000);
    expect(c.kinds('session.orphan')).toEqual([]);
    expect(c.kinds('session.orphan-hello')).toEqual([]);
    expect(b.section.findPeer('hap1')!.coll).toBe(0);
    expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
  });

  // Issue 13: 3.x's applet end leaves the connect alone (profile sessionEndAbortsConnect false). The
  // same steps as the 2.6 test above (its negative control): the connect under way goes on, reaches
  // hap2 once the rules go, and hap2 takes the hello as a new session, killing the live one; the
  // pair then reconnects with the roles reversed (lab/v3 04 on 3.0.11 and 3.2.26;
  // scripts/exp-heal-reconnect.ts against both binaries).
  for (const line of ['3.0', '3.2'] as const) {
    it(`${line}: the connect under way (CON) outlives the shut-down session, delivers its hello after the heal, hap2 drops its live session (collision) and the pair reconnects`, () => {
      const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 1 }, profile: profileFor(line) });
      c.network.reject({ from: ['hap1'], to: ['hap2'], rstLost: true });
      const a = c.start('hap1');
      c.run(500);
      const b = c.start('hap2');
      c.run(600);
      expect(c.kinds('collision', (e) => e.host === 'hap1').length).toBe(1);
      const orphans = c.kinds('session.orphan', (e) => e.host === 'hap1');
      expect(orphans.map((o) => o.state)).toEqual(['CON']);
      // hap2 initiated the live session: hap1 accepted it.
      const live = b.section.findPeer('hap1')!.session;
      expect(live?.role).toBe('initiator');
      const healMs = c.kernel.nowMs();
      c.network.unrejectAll();
      c.run(8000);
      const hello = c.kinds('session.orphan-hello', (e) => e.host === 'hap1');
      expect(hello.length).toBe(1);
      // The attempt under way times out 1 s after it began (its SYNs were lost); the retry connects.
      expect(hello[0]!.t).toBeGreaterThan(healMs);
      expect(hello[0]!.t).toBeLessThan(healMs + 1_100);
      expect(b.section.findPeer('hap1')!.coll).toBe(1);
      // The live session went with the collision; a new one is up (either side may open it: each
      // waits its own back-off, hap2's drawn at the collision).
      expect(live?.isEnded).toBe(true);
      expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
    });
  }

  it('negative control: hap1 starts while hap2 has no attempt under way (its 4 refused tries are over): no orphan, no teardown', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 1 } });
    const b = c.start('hap2');
    c.run(4000);
    expect(b.section.findPeer('hap1')!.session).toBe(undefined);
    const a = c.start('hap1');
    c.run(6000);
    expect(c.kinds('session.orphan')).toEqual([]);
    expect(b.section.flags & 0x80).toBe(0);
    expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
  });
});

describe("the sync task's expiry (process_peer_sync's task->expire, section.ts syncPeer)", () => {
  /** After a cut of the hap1-hap3 link in a settled 3-node mesh: each side's reconnect tick, and when it connected again. */
  function retryAfterCut(): Record<'hap1' | 'hap3', { reconnectMs: number; connectMs: number }> {
    const c = new Cluster({ hosts: ['hap1', 'hap2', 'hap3'], link: { latencyMs: 2 } });
    const [a, , z] = ['hap1', 'hap2', 'hap3'].map((h) => c.start(h));
    c.run(15000);
    expect(isEstablished(a!, 'hap3') && isEstablished(a!, 'hap2') && isEstablished(z!, 'hap2')).toBe(true);
    c.cut(['hap1'], ['hap3']);
    c.run(1);
    const cutMs = c.nowMs();
    const reconnectMs = (host: typeof a, peer: string): number => {
      const p = host!.section.findPeer(peer)!;
      return c.nowMs() + tickRemain(host!.section.now(), p.reconnectTick);
    };
    const out = { hap1: { reconnectMs: reconnectMs(a, 'hap3'), connectMs: -1 }, hap3: { reconnectMs: reconnectMs(z, 'hap1'), connectMs: -1 } };
    c.run(8000);
    for (const [host, peer] of [['hap1', 'hap3'], ['hap3', 'hap1']] as const) {
      out[host].connectMs = c.kinds('session.connect', (e) => e.host === host && e.peer === peer && e.t >= cutMs)[0]?.t ?? -1;
    }
    return out;
  }

  it("hap1 lists hap3 before hap2 (the last configured peer first): its connected hap2 sets the task's expiry and hap3's reconnect tick is dropped, so hap1 retries hap3 only when its task runs for hap2", () => {
    const { hap1 } = retryAfterCut();
    expect(hap1.connectMs).toBeGreaterThan(0);
    // Not at its reconnect tick (timer lateness is 1-2 ms): hundreds of ms later, at a run for hap2.
    expect(hap1.connectMs - hap1.reconnectMs).toBeGreaterThan(50);
  });

  it('negative control: hap3 lists hap1 after its connected hap2, so its reconnect tick sets the expiry and hap3 retries on time', () => {
    const { hap3 } = retryAfterCut();
    expect(hap3.connectMs).toBeGreaterThan(0);
    expect(hap3.connectMs - hap3.reconnectMs).toBeGreaterThanOrEqual(0);
    expect(hap3.connectMs - hap3.reconnectMs).toBeLessThanOrEqual(3);
  });
});
