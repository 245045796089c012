/**
 * HAProxy's millisecond ticks: a 32-bit unsigned clock that wraps.
 * The value 0 is reserved and means "eternity" (never / unset).
 * All arithmetic is modulo 2^32; ordering is by signed 32-bit difference.
 */

declare const tickBrand: unique symbol;
/**
 * A tick, told apart from a count of milliseconds by the type checker only (the brand has no
 * runtime form): ticks come from a clock, `tickAdd`, `tickFromMs` or `tickFromWord`, never from a
 * bare number, so passing a duration where an instant is expected does not compile.
 */
export type Tick = number & { readonly [tickBrand]: true };

export const TICK_ETERNITY = 0 as Tick;
export const TICK_MODULUS = 0x1_0000_0000;

/** Wraps any integer into the uint32 range. */
export function u32(value: number): number {
  return value >>> 0;
}

/** Signed 32-bit difference `a - b`, the way HAProxy compares ticks. */
export function tickDiff(a: Tick, b: Tick): number {
  return (a - b) | 0;
}

export function tickIsSet(t: Tick): boolean {
  return t !== TICK_ETERNITY;
}

/** `now + delayMs`, wrapped; a result of 0 becomes 1 so it never reads as eternity. */
export function tickAdd(now: Tick, delayMs: number): Tick {
  const t = (now + delayMs) >>> 0;
  return (t === 0 ? 1 : t) as Tick;
}

/** `tick_add_ifset`: eternity stays eternity. */
export function tickAddIfSet(now: Tick, delayMs: number): Tick {
  if (delayMs === 0) return TICK_ETERNITY;
  return tickAdd(now, delayMs);
}

/** True when `t` is set and not later than `now` (expiry equal to now is already expired). */
export function tickIsExpired(t: Tick, now: Tick): boolean {
  if (!tickIsSet(t)) return false;
  return tickDiff(t, now) <= 0;
}

/** Milliseconds left until `t`, 0 once expired (or for eternity). */
export function tickRemain(now: Tick, t: Tick): number {
  if (!tickIsSet(t)) return 0;
  if (tickIsExpired(t, now)) return 0;
  return (t - now) >>> 0;
}

/** The earlier of two ticks, ignoring unset ones. */
export function tickFirst(a: Tick, b: Tick): Tick {
  if (!tickIsSet(a)) return b;
  if (!tickIsSet(b)) return a;
  return tickDiff(a, b) <= 0 ? a : b;
}

/** True when `a` is strictly before `b` (both assumed set). */
export function tickIsLt(a: Tick, b: Tick): boolean {
  return tickDiff(a, b) < 0;
}

/** True when `a` is before or equal to `b` (both assumed set). */
export function tickIsLe(a: Tick, b: Tick): boolean {
  return tickDiff(a, b) <= 0;
}

/** Converts a monotonic millisecond count (any non-negative integer) into a tick. */
export function tickFromMs(ms: number): Tick {
  return (ms >>> 0) as Tick;
}

/**
 * A uint32 that already holds a tick (a table's expiry word, a trace's recorded tick), read back
 * as one. No conversion: the caller vouches that the word was written from a Tick.
 */
export function tickFromWord(word: number): Tick {
  return word as Tick;
}
