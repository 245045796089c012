import { describe, expect, it } from 'vitest';
import { NO_ENTRY } from '../../../engine/table/table.ts';
import { Cluster, getField, ip, isEstablished, setField, type RecordedEvent } from './helpers-peers.ts';

const K = '127.0.0.50';

function pair(seed: string, latencyMs = 2): { c: Cluster; a: ReturnType<Cluster['start']>; b: ReturnType<Cluster['start']> } {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs }, seed });
  const a = c.start('hap1');
  const b = c.start('hap2');
  c.run(10000);
  expect(isEstablished(a, 'hap2') && isEstablished(b, 'hap1')).toBe(true);
  return { c, a, b };
}

/** The host that accepted the TCP session carrying `rx` (an update.rx event). */
function acceptorOf(c: Cluster, rx: RecordedEvent): string {
  const acceptedHere = c.kinds('session.accept', (e) => e.host === rx.host && e.session === rx.session).length > 0;
  if (acceptedHere) return rx.host;
  return rx.host === 'hap1' ? 'hap2' : 'hap1';
}

describe('partitions and heals (HAProxy merge = overwrite)', () => {
  it('split brain: the side that ACCEPTED the reconnecting session wins the whole entry on both nodes', () => {
    const acceptors = new Set<string>();
    for (const seed of ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8']) {
      const { c, a, b } = pair(seed);
      setField(a, K, 'gpc0', 1);
      setField(a, K, 'http_req_cnt', 2);
      c.run(100);
      expect(getField(b, K, 'gpc0')).toBe(1);
      const cut = c.cut(['hap1'], ['hap2']);
      c.run(200);
      // different fields on each side: the loser's change is lost entirely
      setField(a, K, 'gpc0', 5);
      setField(b, K, 'http_req_cnt', 9);
      const healAt = c.nowMs();
      c.network.heal(cut);
      c.runUntil(() => isEstablished(a, 'hap2') && isEstablished(b, 'hap1'), 30000);
      c.run(3000);
      const firstRx = c.kinds('update.rx', (e) => e.t > healAt && e.key === K)[0];
      expect(firstRx).toBeDefined();
      const winner = acceptorOf(c, firstRx!);
      acceptors.add(winner);
      const expected = winner === 'hap1' ? { gpc0: 5, http_req_cnt: 2 } : { gpc0: 1, http_req_cnt: 9 };
      for (const p of [a, b]) {
        expect(getField(p, K, 'gpc0')).toBe(expected.gpc0);
        expect(getField(p, K, 'http_req_cnt')).toBe(expected.http_req_cnt);
      }
    }
    // derived from message order, so both sides win in some run
    expect(acceptors).toEqual(new Set(['hap1', 'hap2']));
  });

  it('a session that survives the cut (hold, then release): the crossing updates swap the values', () => {
    const { c, a, b } = pair('hold');
    setField(a, K, 'gpc0', 1);
    c.run(100);
    const hold = c.network.holdLink({ from: ['hap1'], to: ['hap2'], bothWays: true });
    setField(a, K, 'gpc0', 5);
    setField(b, K, 'gpc0', 12);
    c.run(800);
    c.network.releaseLink(hold);
    c.run(500);
    expect(isEstablished(a, 'hap2')).toBe(true);
    expect(getField(a, K, 'gpc0')).toBe(12);
    expect(getField(b, K, 'gpc0')).toBe(5);
  });

  it('after a reconnect each side resumes from the last ACK: nothing lost, nothing applied twice', () => {
    const { c, a, b } = pair('resume');
    for (let i = 1; i <= 5; i++) setField(a, `10.9.0.${i}`, 'gpc0', i);
    c.run(100);
    const cutAt = c.nowMs();
    const cut = c.cut(['hap1'], ['hap2']);
    c.run(300);
    for (let i = 6; i <= 10; i++) setField(a, `10.9.0.${i}`, 'gpc0', i);
    setField(a, '10.9.0.3', 'gpc0', 33);
    c.network.heal(cut);
    c.runUntil(() => isEstablished(a, 'hap2') && isEstablished(b, 'hap1'), 30000);
    c.run(2000);
    const rxAfter = (key: string) => c.kinds('update.rx', (e) => e.host === 'hap2' && e.key === key && e.t > cutAt).length;
    const rxBefore = (key: string) => c.kinds('update.rx', (e) => e.host === 'hap2' && e.key === key && e.t <= cutAt).length;
    for (const i of [1, 2, 4, 5]) {
      expect(rxBefore(`10.9.0.${i}`)).toBe(1);
      expect(rxAfter(`10.9.0.${i}`)).toBe(0);
    }
    for (const i of [3, 6, 7, 8, 9, 10]) expect(rxAfter(`10.9.0.${i}`)).toBe(1);
    for (let i = 1; i <= 10; i++) expect(getField(b, `10.9.0.${i}`, 'gpc0')).toBe(i === 3 ? 33 : i);
  });

  it('three nodes: a node does not relay what it learned (1-3 cut: 2 gets it, 3 does not)', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2', 'hap3'], link: { latencyMs: 2 } });
    const [a, b, z] = ['hap1', 'hap2', 'hap3'].map((h) => c.start(h)) as [ReturnType<Cluster['start']>, ReturnType<Cluster['start']>, ReturnType<Cluster['start']>];
    // Past the startup's re-makes (a 3-node mesh settles by ~13 s on this seed, lab 09: by 14.3 s).
    c.run(15000);
    expect(isEstablished(b, 'hap1') && isEstablished(b, 'hap3')).toBe(true);
    c.cut(['hap1'], ['hap3']);
    setField(a, K, 'gpc0', 5);
    c.run(4000);
    expect(getField(b, K, 'gpc0')).toBe(5);
    expect(getField(z, K, 'gpc0')).toBeUndefined();
    expect(c.kinds('update.tx', (e) => e.host === 'hap2' && e.key === K).length).toBe(0);
  });

  it('conn_cur is sent but never applied; other fields of the same update are', () => {
    const { c, a, b } = pair('conncur');
    setField(a, K, 'conn_cur', 7);
    setField(a, K, 'gpc0', 4);
    c.run(100);
    expect(getField(a, K, 'conn_cur')).toBe(7);
    expect(getField(b, K, 'gpc0')).toBe(4);
    expect(getField(b, K, 'conn_cur')).toBe(0);
    const rx = c.kinds('update.rx', (e) => e.host === 'hap2' && e.key === K);
    expect((rx.at(-1)!.values as Record<string, unknown>).conn_cur).toBe(7);
  });

  it('clear table is local: the peer keeps the entry', () => {
    const { c, a, b } = pair('clear');
    setField(a, K, 'gpc0', 4);
    c.run(100);
    const table = a.tables[0]!;
    expect(table.kill(table.lookup(ip(K)), 'cleared')).toBe(true);
    c.run(5000);
    expect(a.tables[0]!.lookup(ip(K))).toBe(NO_ENTRY);
    expect(getField(b, K, 'gpc0')).toBe(4);
  });
});

describe('determinism', () => {
  it('the same seed gives the same event trace', () => {
    const trace = () => {
      const { c, a, b } = pair('det');
      setField(a, K, 'gpc0', 5);
      const cut = c.cut(['hap1'], ['hap2']);
      c.run(300);
      setField(b, K, 'gpc0', 12);
      c.network.heal(cut);
      c.run(15000);
      return JSON.stringify(c.events);
    };
    const first = trace();
    expect(first.length).toBeGreaterThan(1000);
    expect(trace()).toBe(first);
  });
});
