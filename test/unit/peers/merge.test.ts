import { describe, expect, it } from 'vitest';
import { tickFromMs } from '../../../engine/ticks.ts';
import { layoutFromSpec } from '../../../engine/peers/layout.ts';
import { makeMergePolicy, type MergePolicyName } from '../../../engine/peers/merge.ts';
import { StickTable } from '../../../engine/table/table.ts';
import { specOf } from '../../helpers/spec.ts';
import { addField, Cluster, getField, isEstablished, setField } from './helpers-peers.ts';

const K = '127.0.0.50';

function splitBrain(policy: MergePolicyName, seed: string) {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 }, mergePolicy: policy, seed });
  const a = c.start('hap1');
  const b = c.start('hap2');
  c.run(10000);
  addField(a, K, 'gpc0', 1);
  c.run(100);
  const cut = c.cut(['hap1'], ['hap2']);
  c.run(200);
  addField(a, K, 'gpc0', 4); // a: 5
  addField(b, K, 'gpc0', 11); // b: 12
  c.network.heal(cut);
  c.runUntil(() => isEstablished(a, 'hap2') && isEstablished(b, 'hap1'), 30000);
  c.run(3000);
  return { c, a, b };
}

describe('merge policies on a split brain', () => {
  it('haproxy: both converge on one side\'s value (no sum, no max in general)', () => {
    const { a, b } = splitBrain('haproxy', 'm1');
    expect(getField(a, K, 'gpc0')).toBe(getField(b, K, 'gpc0'));
    expect([5, 12]).toContain(getField(a, K, 'gpc0'));
  });

  it('aggregate: both hold the sum of every node\'s increments', () => {
    for (const seed of ['m1', 'm2', 'm3']) {
      const { c, a, b } = splitBrain('aggregate', seed);
      expect(getField(a, K, 'gpc0')).toBe(16);
      expect(getField(b, K, 'gpc0')).toBe(16);
      expect(c.kinds('merge.decision').length).toBeGreaterThan(0);
      // a further local increment adds exactly one everywhere
      addField(b, K, 'gpc0', 1);
      c.run(100);
      expect(getField(a, K, 'gpc0')).toBe(17);
      expect(getField(b, K, 'gpc0')).toBe(17);
    }
  });

  it('max: both hold the larger value', () => {
    for (const seed of ['m1', 'm2', 'm3']) {
      const { a, b } = splitBrain('max', seed);
      expect(getField(a, K, 'gpc0')).toBe(12);
      expect(getField(b, K, 'gpc0')).toBe(12);
    }
  });
});

describe('merge policies applied directly', () => {
  const spec = specOf({ store: 'gpt0,gpc0,conn_cur,bytes_in_cnt,http_req_rate(10000)' });
  const layout = layoutFromSpec(spec);
  const now = tickFromMs(1_000_000);
  // layout order = ascending type id: gpt0(1), gpc0(2), conn_cur(6), http_req_rate(10), bytes_in_cnt(13)
  const received = [9, 30, 99, { ageMs: 100, curr: 8, prev: 2 }, 1000n];

  function fresh(): { table: StickTable; ref: number } {
    const table = new StickTable({ spec });
    const ref = table.getEntry(42, now);
    const s = (id: number) => table.slot(id)!;
    table.setUint32(ref, s(1), 1);
    table.setUint32(ref, s(2), 50);
    table.setUint32(ref, s(6), 3);
    table.setUll(ref, s(13), 10n);
    table.frqpUpdate(ref, s(10), now, 5);
    return { table, ref };
  }

  const apply = (name: MergePolicyName, table: StickTable, ref: number, values = received) =>
    makeMergePolicy(name).apply({ table, ref, key: 42, now, origin: 'hap2', created: false, fields: layout.fields, values });

  it('haproxy overwrites every field but conn_cur', () => {
    const { table, ref } = fresh();
    const d = apply('haproxy', table, ref);
    expect(table.getUint(ref, table.slot(1)!)).toBe(9);
    expect(table.getUint(ref, table.slot(2)!)).toBe(30);
    expect(table.getUint(ref, table.slot(6)!)).toBe(3);
    expect(table.getUll(ref, table.slot(13)!)).toBe(1000n);
    expect(d.find((x) => x.typeId === 6)!.action).toBe('ignored-local-type');
  });

  it('max keeps the larger per field; conn_cur untouched', () => {
    const { table, ref } = fresh();
    apply('max', table, ref);
    expect(table.getUint(ref, table.slot(1)!)).toBe(9);
    expect(table.getUint(ref, table.slot(2)!)).toBe(50);
    expect(table.getUll(ref, table.slot(13)!)).toBe(1000n);
    // received rate: (2 * (10000 - 100) + 8 * 10000) / 10000 = 9 > local 5: the received counter is kept whole
    expect(table.frqpRead(ref, table.slot(10)!, now)).toBe(9);
    expect(table.wordsView()[table.wordAt(ref, table.slot(10)!, 0) + 1]).toBe(8);
    expect(table.getUint(ref, table.slot(6)!)).toBe(3);
  });

  it('aggregate sums counters by origin (a repeated update replaces its own contribution) and overwrites tags', () => {
    const { table, ref } = fresh();
    const policy = makeMergePolicy('aggregate');
    const input = (values: typeof received) => ({ table, ref, key: 42, now, origin: 'hap2', created: false, fields: layout.fields, values });
    policy.apply(input(received));
    expect(table.getUint(ref, table.slot(2)!)).toBe(80);
    expect(table.getUint(ref, table.slot(1)!)).toBe(9);
    expect(table.getUll(ref, table.slot(13)!)).toBe(1010n);
    const w = table.wordsView();
    expect(w[table.wordAt(ref, table.slot(10)!, 0) + 1]).toBe(13);
    policy.apply(input([9, 35, 99, { ageMs: 100, curr: 9, prev: 2 }, 1000n]));
    expect(table.getUint(ref, table.slot(2)!)).toBe(85);
    // what this node sends is its own share only
    expect(policy.outgoing(table, ref, 42, table.slot(2)!, now)).toBe(50);
    expect(policy.outgoing(table, ref, 42, table.slot(13)!, now)).toBe(10n);
    expect(table.getUint(ref, table.slot(6)!)).toBe(3);
  });
});

describe('aggregate forgets the contributions of entries that left the table', () => {
  const store = 'gpc0,conn_cur,conn_cnt,http_req_cnt,http_req_rate(10000)';

  it('expired entries take their per-node contributions with them: the map returns to 0', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 }, mergePolicy: 'aggregate', spec: specOf({ name: 'st', store, expireMs: 3000 }) });
    const a = c.start('hap1');
    const b = c.start('hap2');
    c.run(8000);
    const keys = Array.from({ length: 20 }, (_, i) => `127.0.2.${i + 1}`);
    for (const k of keys) {
      addField(a, k, 'gpc0', 1);
      addField(b, k, 'gpc0', 2);
    }
    c.run(100);
    const remembered = (p: typeof a) => p.section.policy.rememberedKeys!(p.tables[0]!);
    expect(getField(a, keys[0]!, 'gpc0')).toBe(3);
    expect(remembered(a)).toBe(keys.length);
    expect(remembered(b)).toBe(keys.length);
    c.run(5000); // past the 3 s expiry: the expire task purges the entries
    for (const p of [a, b]) p.tables[0]!.processExpire(p.env.clock.nowTick());
    expect(a.tables[0]!.used).toBe(0);
    expect(b.tables[0]!.used).toBe(0);
    expect(remembered(a)).toBe(0);
    expect(remembered(b)).toBe(0);
  });

  it('a key written again after it expired starts from its own value, not from stale contributions', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 }, mergePolicy: 'aggregate', spec: specOf({ name: 'st', store, expireMs: 3000 }) });
    const a = c.start('hap1');
    const b = c.start('hap2');
    c.run(8000);
    addField(b, K, 'gpc0', 10);
    c.run(100);
    expect(getField(a, K, 'gpc0')).toBe(10);
    c.run(5000);
    for (const p of [a, b]) p.tables[0]!.processExpire(p.env.clock.nowTick());
    expect(getField(a, K, 'gpc0')).toBeUndefined();
    // hap1 alone writes the key anew: what it sends is all its own (hap2's old 10 is gone).
    addField(a, K, 'gpc0', 1);
    c.run(100);
    expect(getField(a, K, 'gpc0')).toBe(1);
    expect(getField(b, K, 'gpc0')).toBe(1);
  });
});
