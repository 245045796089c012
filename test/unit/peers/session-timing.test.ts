/**
 * When a session counts as connected, when its read timeout fires and how much input one wake-up
 * reads: the connect timer ends at the TCP handshake (not the first byte), the 5 s read timeout
 * is re-armed by input only (§4.11), one wake-up treats one input buffer (16 KB) and more unread
 * input than the decoder's bound ends the session with a traced event.
 */
import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../../engine/env.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { helloLines } from '../../../engine/peers/hello.ts';
import { INPUT_BYTES_PER_WAKEUP_MAX } from '../../../engine/peers/session.ts';
import { Cluster, PEER_PORT } from './helpers-peers.ts';

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
