import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpQueue } from '../../../engine/table/exp-queue.ts';
import { H_EXP_SEQ } from '../../../engine/table/layout.ts';

const FC = { seed: 7, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };
const STRIDE_WORDS = 8;

type Op = { kind: 'insert'; ref: number; key: number } | { kind: 'pop' } | { kind: 'remove'; ref: number } | { kind: 'popReinsert' };

describe('ExpQueue (the exps tree as a heap)', () => {
  it('pops by tree key (signed 32-bit tick order, across the wrap) then insertion order, through inserts, removes, reinserts and a resize', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      // Keys near the uint32 wrap and a few duplicates: both orders of the comparison are exercised.
      fc.record({ kind: fc.constant('insert' as const), ref: fc.integer({ min: 0, max: 39 }), key: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0xffff_fff0, max: 0xffff_ffff })) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), ref: fc.integer({ min: 0, max: 39 }) }),
      fc.record({ kind: fc.constant('popReinsert' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let words = new Uint32Array(20 * STRIDE_WORDS);
        const q = new ExpQueue(words, STRIDE_WORDS, 20);
        // The reference: queued refs with their (key, seq), the first in order found by a scan.
        const queued = new Map<number, { key: number; seq: number }>();
        let seqNext = 0;
        const first = (): number => {
          let best = -1;
          for (const [ref, e] of queued) {
            const b = best < 0 ? undefined : queued.get(best)!;
            if (b === undefined || ((e.key - b.key) | 0) < 0 || (e.key === b.key && e.seq < b.seq)) best = ref;
          }
          return best;
        };
        const popped: number[] = [];
        const expected: number[] = [];
        for (const o of ops) {
          if (o.kind === 'insert') {
            if (queued.has(o.ref)) continue;
            if (o.ref >= words.length / STRIDE_WORDS) {
              const grown = new Uint32Array(40 * STRIDE_WORDS);
              grown.set(words);
              words = grown;
              q.resize(words, 40);
            }
            q.insert(o.ref, o.key);
            queued.set(o.ref, { key: o.key, seq: seqNext++ });
          } else if (o.kind === 'remove') {
            if (o.ref >= words.length / STRIDE_WORDS) continue; // refs exist within the capacity only
            q.remove(o.ref);
            queued.delete(o.ref);
          } else if (q.size > 0) {
            expected.push(first());
            const top = q.pop();
            popped.push(top);
            if (o.kind === 'popReinsert') q.reinsertUnchanged(top);
            else queued.delete(top);
          }
          expect(q.size).toBe(queued.size);
        }
        while (q.size > 0) {
          expected.push(first());
          const top = q.pop();
          popped.push(top);
          queued.delete(top);
        }
        expect(popped).toEqual(expected);
        // The entry words keep each ref's key and sequence (treeKey reads them after a pop).
        for (const ref of new Set(popped)) expect(words[ref * STRIDE_WORDS + H_EXP_SEQ]).toBe(q.seq(ref));
      }),
      FC,
    );
  });
});
