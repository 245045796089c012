import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  tickAdd,
  tickFromMs,
  tickFirst,
  tickIsExpired,
  tickRemain,
  TICK_ETERNITY,
} from '../../engine/ticks.ts';

const NEAR_WRAP = tickFromMs(0xffff_fff0);

describe('ticks', () => {
  it('tick_add wraps at 2^32 and never yields eternity', () => {
    expect(tickAdd(NEAR_WRAP, 0x20)).toBe(0x10);
    expect(tickAdd(tickFromMs(0xffff_ffff), 1)).toBe(1); // would be 0 = eternity
    expect(tickAdd(tickFromMs(5), -5)).toBe(1);
  });

  it('expired: eternity never expires; equal to now is expired; works across the wrap', () => {
    expect(tickIsExpired(TICK_ETERNITY, tickFromMs(123))).toBe(false);
    expect(tickIsExpired(tickFromMs(100), tickFromMs(100))).toBe(true);
    expect(tickIsExpired(tickFromMs(101), tickFromMs(100))).toBe(false);
    const later = tickAdd(NEAR_WRAP, 100); // wrapped to a small number
    expect(later).toBeLessThan(NEAR_WRAP);
    expect(tickIsExpired(later, NEAR_WRAP)).toBe(false);
    expect(tickIsExpired(NEAR_WRAP, later)).toBe(true);
  });

  it('remain counts across the wrap and is 0 once expired', () => {
    const t = tickAdd(NEAR_WRAP, 1000);
    expect(tickRemain(NEAR_WRAP, t)).toBe(1000);
    expect(tickRemain(t, NEAR_WRAP)).toBe(0);
    expect(tickRemain(tickFromMs(5), TICK_ETERNITY)).toBe(0);
  });

  it('a count of milliseconds is not a tick: the type checker refuses it (the brand costs nothing at run time)', () => {
    const delayMs = 5_000;
    // @ts-expect-error a duration passed where an instant is expected
    const misuse = () => tickIsExpired(delayMs, NEAR_WRAP);
    expect(typeof misuse).toBe('function');
    const expiry = tickAdd(NEAR_WRAP, delayMs);
    expect(expiry).toBe((0xffff_fff0 + delayMs) % 0x1_0000_0000);
    expect(tickFromMs(0x1_0000_0005)).toBe(5);
  });

  it('first ignores eternity and picks the earlier across the wrap', () => {
    expect(tickFirst(TICK_ETERNITY, tickFromMs(7))).toBe(7);
    expect(tickFirst(tickFromMs(7), TICK_ETERNITY)).toBe(7);
    const wrapped = tickAdd(NEAR_WRAP, 50);
    expect(tickFirst(wrapped, NEAR_WRAP)).toBe(NEAR_WRAP);
    expect(tickFirst(NEAR_WRAP, wrapped)).toBe(NEAR_WRAP);
  });

  it('property: for any now and delay < 2^31, now+delay is not expired before its time and is after', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffff_ffff }), fc.integer({ min: 1, max: 0x7fff_fffe }), (now, delay) => {
        const t = tickAdd(tickFromMs(now), delay);
        expect(tickIsExpired(t, tickFromMs(now))).toBe(false);
        expect(tickRemain(tickFromMs(now), t)).toBe(t === 1 && ((now + delay) >>> 0) === 0 ? delay + 1 : delay);
        expect(tickIsExpired(t, tickAdd(tickFromMs(now), delay + 1))).toBe(true);
      }),
      { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});
