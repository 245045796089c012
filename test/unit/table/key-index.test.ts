import { describe, expect, it } from 'vitest';
import { Uint32KeyIndex } from '../../../engine/table/key-index.ts';
import { StickTable } from '../../../engine/table/table.ts';
import { UpdatesTree } from '../../../engine/peers/updates.ts';
import { tickFromMs } from '../../../engine/ticks.ts';
import { specOf } from '../../helpers/spec.ts';

/** Sequential client addresses of a CIDR (10.100.0.1 on), as the traffic model hands them out. */
const address = (i: number): number => ((10 << 24) | (100 << 16)) + 1 + i;

describe('Uint32KeyIndex is sized by what it holds', () => {
  it('starts small and doubles as it fills, staying within half load', () => {
    const index = new Uint32KeyIndex(64, { entriesMax: 1_000_001, runBits: 4 });
    expect(index.slots).toBe(128);
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) {
      index.set(address(i), i);
      if (seen[seen.length - 1] !== index.slots) seen.push(index.slots);
      expect(index.size * 2).toBeLessThanOrEqual(index.slots);
    }
    expect(seen).toEqual([128, 256, 512, 1024, 2048, 4096, 8192, 16384]);
    for (let i = 0; i < 5000; i++) expect(index.get(address(i))).toBe(i);
    // Negative control: a key never stored.
    expect(index.get(address(5000))).toBe(-1);
  });

  it('at its bound (a full table): the slots stop at what entriesMax needs, a new key is refused, updates still work', () => {
    const entriesMax = 1000; // size 999 + 1 candidate
    const index = new Uint32KeyIndex(1, { entriesMax, runBits: 4 });
    for (let i = 0; i < entriesMax; i++) index.set(address(i), i);
    expect(index.slots).toBe(2048);
    index.set(address(0), 7); // an existing key: no growth, no refusal
    expect(index.get(address(0))).toBe(7);
    expect(index.slots).toBe(2048);
    expect(() => index.set(address(entriesMax), 1)).toThrow(/at most 1000 entries/);
    index.delete(address(1));
    index.set(address(entriesMax), 1);
    expect(index.size).toBe(entriesMax);
    expect(index.slots).toBe(2048);
  });

  it('never starts above its bound', () => {
    expect(new Uint32KeyIndex(1 << 20, { entriesMax: 10 }).slots).toBe(32);
    expect(() => new Uint32KeyIndex(1, { entriesMax: 0 })).toThrow(/entriesMax/);
  });

  it('deletions leave no tombstones: churn at a steady size neither grows it nor lengthens probes', () => {
    const index = new Uint32KeyIndex(64, { entriesMax: 1 << 20 });
    const live = 3000;
    for (let i = 0; i < live; i++) index.set(i * 2654435761, i);
    const slots = index.slots;
    for (let i = live; i < 50 * live; i++) {
      index.delete((i - live) * 2654435761);
      index.set(i * 2654435761, i);
    }
    expect(index.size).toBe(live);
    expect(index.slots).toBe(slots);
    let probes = 0;
    for (let i = 49 * live; i < 50 * live; i++) probes += index.probeLength(i * 2654435761);
    expect(probes / live).toBeLessThan(2);
    expect(index.probeLength(0)).toBe(0); // deleted long ago
  });

  it('sequential addresses (a CIDR) sit at their home slot: probe length 1 each', () => {
    for (const runBits of [0, 4]) {
      const index = new Uint32KeyIndex(64, { entriesMax: 1 << 20, runBits });
      for (let i = 0; i < 20_000; i++) index.set(address(i), i);
      let longest = 0;
      for (let i = 0; i < 20_000; i++) longest = Math.max(longest, index.probeLength(address(i)));
      expect(longest).toBe(1);
    }
  });

  it('forEach visits every entry once; changing the index inside it is refused (a rehash would move entries)', () => {
    const index = new Uint32KeyIndex(4, { entriesMax: 100 });
    for (let i = 0; i < 7; i++) index.set(i + 100, i);
    const got: number[] = [];
    index.forEach((key, ref) => got.push(key - 100 - ref));
    expect(got).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(() => index.forEach(() => index.set(1, 1))).toThrow(/no change during forEach/);
    expect(() => index.forEach(() => index.delete(100))).toThrow(/no change during forEach/);
    index.set(1, 1); // allowed again after the walk
    expect(index.size).toBe(8);
  });
});

describe('UpdatesTree id index is sized by the ids it holds, not the table size', () => {
  it('a size-1m table with a few entries keeps a small index; ids still resolve in order', () => {
    const table = new StickTable({ spec: specOf({ size: 1_000_000, store: 'gpc0' }) });
    const tree = new UpdatesTree(table, { onLocalChange: () => {} });
    const now = tickFromMs(1000);
    const refs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const ref = table.getEntry(address(i), now);
      table.touchLocal(ref, now);
      refs.push(ref);
    }
    expect(tree.size).toBe(300);
    expect(tree.indexSlots).toBe(1024);
    refs.forEach((ref, i) => expect(tree.entryAt(i + 1)).toBe(ref));
    expect(tree.nextLocal(0)?.key).toBe(1);
    expect(tree.lookupGe(150)?.key).toBe(150);
  });
});
