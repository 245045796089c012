import { describe, expect, it } from 'vitest';
import { MessageDecoder } from '../../../engine/peers/decoder.ts';
import { Cluster, getField, setField, PEER_PORT } from './helpers-peers.ts';

function lone(): Cluster {
  return new Cluster({ hosts: ['hap1'], sectionPeers: ['hap1'], link: { latencyMs: 1 } });
}

describe('reload hand-over over the local peer', () => {
  it('the new process learns the table from the old one, which then may exit', () => {
    const c = lone();
    const old = c.start('hap1');
    for (let i = 1; i <= 5; i++) setField(old, `127.0.0.${60 + i}`, 'gpc0', i * 7);
    c.run(6000);
    expect(old.section.resyncStateName()).toBe('FINISHED');
    const fresh = c.reload(old);
    c.run(100);
    expect(fresh.tables[0]!.used).toBe(5);
    for (let i = 1; i <= 5; i++) expect(getField(fresh, `127.0.0.${60 + i}`, 'gpc0')).toBe(i * 7);
    const rx = c.kinds('update.rx', (e) => e.pid === fresh.pid);
    expect(rx.length).toBe(5);
    expect(rx.every((e) => e.timed === true)).toBe(true);
    expect(fresh.section.resyncStateName()).toBe('FINISHED');
    expect(fresh.section.flags).toBe(0x1103);
    expect(old.exited).toBe(true);
    expect(c.kinds('section.may-exit', (e) => e.pid === old.pid)[0]!.reason).toBe('taught');
  });

  it('a reload earlier than 5 s after start on a lone node loses the table (lab exp. 3b)', () => {
    const c = lone();
    const old = c.start('hap1');
    for (let i = 1; i <= 5; i++) setField(old, `127.0.0.${60 + i}`, 'gpc0', i);
    c.run(2000);
    expect(old.section.resyncStateName()).toBe('FROM_REMOTE');
    const fresh = c.reload(old);
    c.run(100);
    expect(old.exited).toBe(true);
    // the new process waits 5 s for a lesson from the old one, then 5 s for a remote one
    c.run(10000);
    expect(c.kinds('session.connect', (e) => e.pid === old.pid).length).toBe(0);
    expect(fresh.tables[0]!.used).toBe(0);
    expect(fresh.section.resyncStateName()).toBe('FINISHED');
  });

  it('the new process answers 300 to a second concurrent session claiming the local name', () => {
    const c = lone();
    const fresh = c.start('hap1', { hasOldProcess: true });
    c.run(10);
    const net = c.network.netFor('hap1');
    const replies: string[] = [];
    const open = () => {
      const s = net.connect({ address: '10.0.0.1', port: PEER_PORT });
      const d = new MessageDecoder({ expect: 'status' });
      s.onData((bytes) => {
        for (const m of d.feedAll(bytes)) if (m.kind === 'status') replies.push(String(m.code));
      });
      s.write(new TextEncoder().encode('HAProxyS 2.1\nhap1\nhap1 42 1\n'));
      return s;
    };
    open();
    c.run(20);
    open();
    c.run(20);
    expect(replies).toEqual(['200', '300']);
    // the first one was assigned as teacher without a request: FROM_LOCAL, local assign flag
    expect(fresh.section.flags & 0x1000).toBe(0x1000);
    expect(c.kinds('resync.request', (e) => e.pid === fresh.pid).length).toBe(0);
  });
});

describe('malformed input', () => {
  it('class 255 after a good hello: the acceptor sends 01 00, closes, and counts proto_err', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], sectionPeers: ['hap1', 'hap2'], link: { latencyMs: 1 } });
    const a = c.start('hap1');
    c.run(10);
    const s = c.network.netFor('hap2').connect({ address: '10.0.0.1', port: PEER_PORT });
    const got: number[] = [];
    let closed = false;
    s.onData((bytes) => got.push(...bytes));
    s.onClose(() => (closed = true));
    s.write(new TextEncoder().encode('HAProxyS 2.1\nhap1\nhap2 7 1\n'));
    c.run(20);
    s.write(Uint8Array.of(0xff, 0x00));
    c.run(20);
    const text = String.fromCharCode(...got.slice(0, 4));
    expect(text).toBe('200\n');
    expect(got.slice(-2)).toEqual([0x01, 0x00]);
    expect(closed).toBe(true);
    expect(a.section.findPeer('hap2')!.protoErr).toBe(1);
  });
});
