import { describe, expect, it } from 'vitest';
import { tickFromMs } from '../../../engine/ticks.ts';
import fc from 'fast-check';
import { freqCtrFromWire, freqCtrRead, freqCtrSet, freqCtrToWire, freqCtrUpdate } from '../../../engine/table/freq-ctr.ts';

const P = 10000;

describe('freq_ctr: the spec §2.3 worked example (P = 10 s)', () => {
  it('reads 4, 5, 3, 2, 1, 0, 0 at the documented instants', () => {
    const w = new Uint32Array(3);
    freqCtrUpdate(w, 0, tickFromMs(100000), P, 1);
    expect([...w]).toEqual([100000, 1, 0]);
    for (const t of [101000, 103000, 105000]) freqCtrUpdate(w, 0, tickFromMs(t), P, 1);
    expect([...w]).toEqual([100000, 4, 0]);
    expect(freqCtrRead(w, 0, tickFromMs(106000), P)).toBe(4);
    freqCtrUpdate(w, 0, tickFromMs(112000), P, 1);
    expect([...w]).toEqual([110000, 1, 4]);
    freqCtrUpdate(w, 0, tickFromMs(113000), P, 1);
    freqCtrUpdate(w, 0, tickFromMs(114000), P, 1);
    expect([...w]).toEqual([110000, 3, 4]);
    expect(freqCtrRead(w, 0, tickFromMs(114000), P)).toBe(5);
    expect(freqCtrRead(w, 0, tickFromMs(118000), P)).toBe(3);
    expect(freqCtrRead(w, 0, tickFromMs(121000), P)).toBe(2);
    expect(freqCtrRead(w, 0, tickFromMs(125000), P)).toBe(1);
    expect(freqCtrRead(w, 0, tickFromMs(129999), P)).toBe(0);
    expect(freqCtrRead(w, 0, tickFromMs(130001), P)).toBe(0);
  });

  it('set table data.<rate> V reads V for a period then fades out (spec §2.5, lab exp. 7)', () => {
    const w = new Uint32Array(3);
    freqCtrSet(w, 0, tickFromMs(50001), 5);
    expect(w[0]).toBe(50000); // low bit cleared
    expect(freqCtrRead(w, 0, tickFromMs(55000), P)).toBe(5);
    expect(freqCtrRead(w, 0, tickFromMs(65000), P)).toBe(2); // 5 * 5000/10000 = 2.5 -> 2
  });

  it('transfer form carries the age; the receiver rebuilds it on its own clock', () => {
    const sender = new Uint32Array(3);
    freqCtrUpdate(sender, 0, tickFromMs(1_000_000), P, 7);
    const [age, curr, prev] = freqCtrToWire(sender, 0, tickFromMs(1_001_234));
    expect([age, curr, prev]).toEqual([1234, 7, 0]);
    const receiver = new Uint32Array(3);
    freqCtrFromWire(receiver, 0, tickFromMs(5_000_000), age, curr, prev);
    expect(receiver[0]).toBe(5_000_000 - 1234);
    expect(freqCtrRead(receiver, 0, tickFromMs(5_000_000), P)).toBe(freqCtrRead(sender, 0, tickFromMs(1_001_234), P));
  });
});

/**
 * Reference model written from the spec's formula over an explicit list of events (no
 * packed words, no wrapping arithmetic): periods are rebuilt from the event times.
 */
function referenceRate(events: { t: number; inc: number }[], now: number, period: number): number {
  let start = -1;
  let curr = 0n;
  let prev = 0n;
  for (const e of events) {
    if (start < 0) {
      start = e.t - (e.t % 2);
      curr = BigInt(e.inc);
      continue;
    }
    if (e.t - start < period) {
      curr += BigInt(e.inc);
      continue;
    }
    const next = start + period;
    if (e.t - next >= period) {
      prev = 0n;
      start = e.t - (e.t % 2);
    } else {
      prev = curr;
      start = next - (next % 2);
    }
    curr = BigInt(e.inc);
  }
  if (start < 0) return 0;
  curr = BigInt.asUintN(32, curr);
  prev = BigInt.asUintN(32, prev);
  let remain = start + period - now;
  let past = prev;
  let current = curr;
  if (remain < 0) {
    remain += period;
    past = remain >= 0 ? current : 0n;
    current = 0n;
  }
  if (current === 0n && past <= 1n) return Number(past);
  return Number(BigInt.asUintN(32, (past * BigInt(remain) + current * BigInt(period)) / BigInt(period)));
}

describe('freq_ctr against the reference model', () => {
  it('property: every read equals the model and is never negative, across the 2^32 wrap', () => {
    const base = 0x1_0000_0000 - 400_000; // ticks wrap in the middle of the runs
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30_000 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 25_000 }), inc: fc.integer({ min: 1, max: 5 }) }), {
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 5 }),
        (period, steps, readOffsets) => {
          const w = new Uint32Array(3);
          const events: { t: number; inc: number }[] = [];
          let t = 0;
          for (const s of steps) {
            t += s.dt;
            events.push({ t, inc: s.inc });
            freqCtrUpdate(w, 0, tickFromMs(base + t), period, s.inc);
            for (const off of readOffsets) {
              const now = t + off;
              const got = freqCtrRead(w, 0, tickFromMs(base + now), period);
              expect(got).toBeGreaterThanOrEqual(0);
              expect(got).toBe(referenceRate(events, now, period));
            }
          }
        },
      ),
      { seed: 7, numRuns: Number(process.env.FC_NUM_RUNS ?? 300) },
    );
  });
});
