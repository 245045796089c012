/**
 * SortedIds (the updates tree's ids in unsigned order, kept as ids come and go) answers
 * lookupGe and first exactly as a sorted model of the live ids does, across local and remote ids,
 * removals, re-placements and the counter's wrap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedIds } from '../../engine/peers/sorted-ids.ts';

const HALF = 0x8000_0000;

function modelLookupGe(live: ReadonlySet<number>, from: number): number | undefined {
  let best: number | undefined;
  for (const id of live) if (id >= from && (best === undefined || id < best)) best = id;
  return best;
}

describe('SortedIds', () => {
  it('property: lookupGe and first agree with a sorted model of the live ids', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('local' as const) }),
      fc.record({ k: fc.constant('remote' as const) }),
      fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ k: fc.constant('query' as const), from: fc.oneof(fc.nat(200), fc.integer({ min: HALF, max: HALF + 200 }), fc.constant(0xffff_ffff)) }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.constant(0xffff_ff80), fc.constant(HALF - 40)), fc.array(op, { maxLength: 400 }), (start, ops) => {
        const live = new Set<number>();
        const ids = new SortedIds({ has: (id) => live.has(id), ids: () => [...live], get size() { return live.size; } });
        let counter = start;
        for (const o of ops) {
          if (o.k === 'local' || o.k === 'remote') {
            counter = (counter + 1) >>> 0;
            const id = o.k === 'local' ? counter : (counter + HALF) >>> 0;
            if (live.has(id)) continue; // an id still held is re-placed by the tree, not added twice
            live.add(id);
            ids.added(id);
          } else if (o.k === 'remove') {
            if (live.size === 0) continue;
            const victim = [...live][o.pick % live.size]!;
            live.delete(victim);
            ids.removed();
          } else {
            expect(ids.lookupGe(o.from)).toBe(modelLookupGe(live, o.from));
          }
        }
        expect(ids.first()).toBe(modelLookupGe(live, 0));
      }),
      { seed: 11, numRuns: Number(process.env.FC_NUM_RUNS ?? 300) },
    );
  });

  it('a walk under churn stays cheap: the tree is re-sorted only when stale ids outnumber live ones', () => {
    const live = new Set<number>();
    let rebuilds = 0;
    const ids = new SortedIds({ has: (id) => live.has(id), ids: () => (rebuilds++, [...live]), get size() { return live.size; } });
    let counter = 0;
    for (let i = 0; i < 10_000; i++) {
      live.add(++counter);
      ids.added(counter);
    }
    // A lesson walks the ids while traffic re-touches one entry (old id out, new id in) per step.
    let at: number | undefined = 0;
    let steps = 0;
    while ((at = ids.lookupGe(at + 1)) !== undefined && steps < 20_000) {
      steps++;
      const old = at;
      if (live.delete(old)) ids.removed();
      live.add(++counter);
      ids.added(counter);
    }
    expect(steps).toBeGreaterThanOrEqual(10_000);
    expect(rebuilds).toBeLessThanOrEqual(3);
  });

  it('holds a bounded number of ids when entries are touched for a long time without a lesson', () => {
    const live = new Set<number>();
    const ids = new SortedIds({ has: (id) => live.has(id), ids: () => [...live], get size() { return live.size; } });
    let counter = 0;
    for (let i = 0; i < 1_000; i++) {
      live.add(++counter);
      ids.added(counter);
    }
    let heldMax = 0;
    for (let touch = 0; touch < 100_000; touch++) {
      const old = counter - 999; // the oldest id is re-touched: it leaves and a new one comes
      if (live.delete(old)) ids.removed();
      live.add(++counter);
      ids.added(counter);
      heldMax = Math.max(heldMax, ids.heldIds);
    }
    expect(heldMax).toBeLessThanOrEqual(2 * 1_000 + 64 + 1);
    expect(ids.first()).toBe(counter - 999);
  });
});
