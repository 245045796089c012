import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Uint32KeyIndex } from '../../engine/table/key-index.ts';

describe.each([0, 4, 6])('Uint32KeyIndex with runBits %i behaves like a Map (linear probing, backward-shift deletion)', (runBits) => {
  it('property: any sequence of set/delete/get agrees with a Map', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), key: fc.integer({ min: 0, max: 60 }), ref: fc.nat(1000) }),
      fc.record({ k: fc.constant('del' as const), key: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ k: fc.constant('set' as const), key: fc.integer({ min: 0, max: 0xffffffff }), ref: fc.nat(1000) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new Uint32KeyIndex(4, { entriesMax: 1000, runBits });
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.k === 'set') {
            index.set(o.key, o.ref);
            model.set(o.key, o.ref);
          } else {
            index.delete(o.key);
            model.delete(o.key);
          }
          expect(index.size).toBe(model.size);
        }
        for (let key = 0; key <= 60; key++) expect(index.get(key)).toBe(model.get(key) ?? -1);
        for (const [key, ref] of model) expect(index.get(key)).toBe(ref);
      }),
      { seed: 99, numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});

describe('Uint32KeyIndex over increasing keys (update ids)', () => {
  it('property: runs of consecutive keys with gaps, deletions and the 2^31 offset agree with a Map', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.record({ gap: fc.nat(40), remote: fc.boolean(), dropOld: fc.boolean() }), { maxLength: 400 }),
        (start, steps) => {
          const index = new Uint32KeyIndex(8, { entriesMax: 1000, runBits: 4 });
          const model = new Map<number, number>();
          let id = start;
          steps.forEach((s, ref) => {
            id = (id + 1 + s.gap) >>> 0;
            const key = s.remote ? (id + 0x8000_0000) >>> 0 : id;
            index.set(key, ref);
            model.set(key, ref);
            const oldest = model.keys().next();
            if (s.dropOld && !oldest.done) {
              index.delete(oldest.value);
              model.delete(oldest.value);
            }
          });
          expect(index.size).toBe(model.size);
          for (const [key, ref] of model) expect(index.get(key)).toBe(ref);
          for (let k = 0; k < 64; k++) {
            const probe = (start + k * 7) >>> 0;
            expect(index.get(probe)).toBe(model.get(probe) ?? -1);
          }
        },
      ),
      { seed: 7, numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});

describe.each([0, 4])('Uint32KeyIndex at its bound (runBits %i)', (runBits) => {
  it('property: filled to entriesMax and churned, it agrees with a Map, refuses one more key and never outgrows the bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 120 }), del: fc.boolean(), ref: fc.nat(1000) }), { maxLength: 400 }),
        (entriesMax, ops) => {
          const index = new Uint32KeyIndex(0, { entriesMax, runBits });
          const slotsMax = index.slots * 2 ** Math.ceil(Math.log2(Math.max(1, (2 * entriesMax) / index.slots)));
          const model = new Map<number, number>();
          for (const o of ops) {
            if (o.del) {
              index.delete(o.key);
              model.delete(o.key);
            } else if (model.has(o.key) || model.size < entriesMax) {
              index.set(o.key, o.ref);
              model.set(o.key, o.ref);
            } else {
              expect(() => index.set(o.key, o.ref)).toThrow(/at most/);
            }
            expect(index.size).toBe(model.size);
            expect(index.slots).toBeLessThanOrEqual(slotsMax);
            expect(index.size * 2).toBeLessThanOrEqual(index.slots);
          }
          for (let key = 0; key <= 120; key++) expect(index.get(key)).toBe(model.get(key) ?? -1);
        },
      ),
      { seed: 5, numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});
