import { describe, expect, it } from 'vitest';
import { Cluster, getField, isEstablished, setField } from './helpers-peers.ts';

describe('peer sessions: handshake, replication, heartbeats', () => {
  it('two nodes started together end with one established session and replicate a set within one latency', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 5 } });
    const a = c.start('hap1');
    const b = c.start('hap2');
    c.run(8000);
    expect(isEstablished(a, 'hap2')).toBe(true);
    expect(isEstablished(b, 'hap1')).toBe(true);
    // exactly one TCP session serves both directions
    expect(a.section.findPeer('hap2')!.session!.role).not.toBe(b.section.findPeer('hap1')!.session!.role);
    setField(a, '127.0.0.50', 'gpc0', 5);
    const t0 = c.nowMs();
    c.run(5);
    expect(getField(b, '127.0.0.50', 'gpc0')).toBe(5);
    const rx = c.kinds('update.rx', (e) => e.host === 'hap2' && e.key === '127.0.0.50');
    expect(rx.length).toBe(1);
    expect(rx[0]!.t - t0).toBeLessThanOrEqual(5);
    // the receiver acks, the sender records the ack as its resume point
    c.run(10);
    const st = a.section.findPeer('hap2')!.tables[0]!;
    expect(st.update).toBe(st.lastPushed);
    expect(st.update).toBeGreaterThan(0);
  });
});

describe('heartbeats and liveness', () => {
  it('an idle session carries a heartbeat every 3 s in each direction', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 } });
    const a = c.start('hap1');
    c.start('hap2');
    c.run(10000);
    expect(isEstablished(a, 'hap2')).toBe(true);
    const from = c.nowMs();
    c.run(30000);
    for (const host of ['hap1', 'hap2']) {
      const tx = c.kinds('heartbeat.tx', (e) => e.host === host && e.t >= from).map((e) => e.t);
      expect(tx.length).toBeGreaterThanOrEqual(9);
      for (let i = 1; i < tx.length; i++) expect(tx[i]! - tx[i - 1]!).toBe(3000);
    }
    const peer = a.section.findPeer('hap2')!;
    expect(peer.rxHbt).toBeGreaterThanOrEqual(9);
    expect(peer.noHbt).toBe(0);
  });

  it('a silenced peer (one-way partition): the side whose input went silent ends the session 5 s after its last input, then reconnects after the heal', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 } });
    const a = c.start('hap1');
    const b = c.start('hap2');
    c.run(10000);
    expect(isEstablished(b, 'hap1')).toBe(true);
    const cutAt = c.nowMs();
    const id = c.network.partitionOneWay({ from: ['hap1'], to: ['hap2'] });
    c.run(15000);
    // hap2 keeps writing (heartbeats every 3 s) but reads nothing: its read timeout (§4.11) fires
    // 5 s after the last bytes from hap1 arrived, not after the dead-peer path's 5-10 s.
    const lastInput = c.kinds('heartbeat.tx', (e) => e.host === 'hap1' && e.t <= cutAt).at(-1)!.t + 2;
    const timeouts = c.kinds('session.timeout', (e) => e.host === 'hap2' && e.t > cutAt);
    expect(timeouts.length).toBeGreaterThanOrEqual(1);
    expect(timeouts[0]!.t - lastInput).toBe(5000);
    expect(timeouts[0]!.t - cutAt).toBeLessThanOrEqual(5000);
    const deadFirst = c.kinds('peer.dead', (e) => e.host === 'hap2' && e.t > cutAt && e.t <= timeouts[0]!.t);
    expect(deadFirst.length).toBe(0);
    c.network.heal(id);
    const took = c.runUntil(() => isEstablished(a, 'hap2') && isEstablished(b, 'hap1'), 20000);
    expect(took).toBeLessThan(20000);
    setField(a, '127.0.0.9', 'gpc0', 3);
    c.run(50);
    expect(getField(b, '127.0.0.9', 'gpc0')).toBe(3);
  });
});

describe('resync', () => {
  it('a late-starting peer learns the whole table by a full resync with TIMED updates', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 3 } });
    const a = c.start('hap1');
    c.run(6000);
    expect(a.section.resyncStateName()).toBe('FINISHED');
    for (let i = 0; i < 250; i++) setField(a, `10.1.${i >> 8}.${i & 255}`, 'gpc0', i + 1);
    c.run(1000);
    const b = c.start('hap2');
    c.run(200);
    expect(b.tables[0]!.used).toBe(250);
    for (const i of [0, 77, 249]) expect(getField(b, `10.1.0.${i}`, 'gpc0')).toBe(i + 1);
    // One lesson of TIMED updates, one per entry. (hap1 also pushes its pending local updates
    // incrementally before the request arrives and again after the CONFIRM, from the resume
    // point acked before the lesson, as 2.6 does.)
    const rx = c.kinds('update.rx', (e) => e.host === 'hap2' && e.timed === true);
    expect(rx.length).toBe(250);
    expect(new Set(rx.map((e) => e.key)).size).toBe(250);
    // the remaining lifetime travelled: ~59 s left, not the full 60 s
    expect(rx.every((e) => (e.expireMs as number) < 60000 && (e.expireMs as number) > 58000)).toBe(true);
    expect(b.section.resyncStateName()).toBe('FINISHED');
    expect(b.section.flags & 0x200).toBe(0x200); // REMOTEFINISHED: learned from an up-to-date teacher
    expect(a.marks.count('peers.teach-finished')).toBe(1);
  });

  it('alone in its section, a node declares its resync FINISHED 5 s after start, with an empty table', () => {
    const c = new Cluster({ hosts: ['hap1'] });
    const a = c.start('hap1');
    c.run(4990);
    expect(a.section.resyncStateName()).toBe('FROM_REMOTE');
    c.run(20);
    expect(a.section.resyncStateName()).toBe('FINISHED');
    const fin = c.kinds('resync.state', (e) => e.state === 'FINISHED');
    expect(fin.length).toBe(1);
    expect(fin[0]!.t).toBeGreaterThanOrEqual(5000);
    expect(fin[0]!.t).toBeLessThanOrEqual(5001);
    expect(a.tables[0]!.used).toBe(0);
    expect(a.section.flags).toBe(0x33);
  });
});

describe('handshake errors', () => {
  it('503 when the called name is not the acceptor: recorded, never retried', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2', 'hap3'] });
    // hap1 believes hap2 lives at hap3's address
    const a = c.start('hap1', { calledAddressOf: { hap2: '10.0.0.3' }, sectionPeers: ['hap1', 'hap2'] });
    const z = c.start('hap3', { sectionPeers: ['hap1', 'hap3'] });
    c.run(30000);
    const peer = a.section.findPeer('hap2')!;
    expect(peer.statusCode).toBe(503);
    expect(peer.newConn).toBe(1);
    expect(c.kinds('session.connect', (e) => e.host === 'hap1' && e.peer === 'hap2').length).toBe(1);
    expect(z.marks.count('peers.status-503')).toBe(1);
    expect(a.marks.count('peers.status-503')).toBe(1);
  });

  it('504 when the caller is unknown to the acceptor: recorded, never retried', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2', 'hap3'] });
    const a = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
    const b = c.start('hap2', { sectionPeers: ['hap2', 'hap3'] });
    c.run(30000);
    expect(a.section.findPeer('hap2')!.statusCode).toBe(504);
    expect(a.section.findPeer('hap2')!.newConn).toBe(1);
    expect(b.marks.count('peers.status-504')).toBe(1);
    expect(c.kinds('hello.status', (e) => e.host === 'hap2' && e.code === 504).length).toBe(1);
  });

  it('collisions kill the older session and back off 50..2049 ms before reconnecting', () => {
    let collisions = 0;
    for (const seed of ['c1', 'c2', 'c3', 'c4']) {
      const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 5 }, seed });
      const a = c.start('hap1');
      const b = c.start('hap2');
      c.run(15000);
      expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
      for (const col of c.kinds('collision')) {
        collisions++;
        const backoff = col.reconnectInMs as number;
        expect(backoff).toBeGreaterThanOrEqual(50);
        expect(backoff).toBeLessThanOrEqual(2049);
        // no reconnect attempt to that peer before the back-off expired
        const early = c.kinds('session.connect', (e) => e.host === col.host && e.peer === col.peer && e.t > col.t && e.t < col.t + backoff);
        expect(early.length).toBe(0);
      }
      expect(a.marks.count('peers.collision') + b.marks.count('peers.collision')).toBe(c.kinds('collision').length);
    }
    expect(collisions).toBeGreaterThan(0);
  });
});
