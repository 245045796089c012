import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Uint32KeyIndex } from '../../engine/table/key-index.ts';

describe('Uint32KeyIndex behaves like a Map (linear probing, backward-shift deletion)', () => {
  it('property: any sequence of set/delete/get agrees with a Map', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), key: fc.integer({ min: 0, max: 60 }), ref: fc.nat(1000) }),
      fc.record({ k: fc.constant('del' as const), key: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ k: fc.constant('set' as const), key: fc.integer({ min: 0, max: 0xffffffff }), ref: fc.nat(1000) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new Uint32KeyIndex(4);
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
