/**
 * HAProxy's period-based frequency counter (freq_ctr, spec §2).
 * State is three uint32 words: currTick (start of the current period, always even: the low bit
 * is a lock bit in HAProxy), currCtr, prevCtr. A fresh counter is all zeros.
 * These are pure leaves over a Uint32Array so the table can keep counters inline.
 */
import { tickAdd, type Tick } from '../ticks.ts';

export const FRQP_WORDS = 3;
const TICK = 0;
const CURR = 1;
const PREV = 2;

/** Adds `inc` events at `now` (update_freq_ctr_period). */
export function freqCtrUpdate(words: Uint32Array, at: number, now: Tick, periodMs: number, inc: number): void {
  const currTick = words[at + TICK]!;
  if (((now - currTick) >>> 0) < periodMs) {
    words[at + CURR] = words[at + CURR]! + inc;
    return;
  }
  words[at + PREV] = words[at + CURR]!;
  words[at + CURR] = inc;
  let t = (currTick + periodMs) >>> 0;
  if (((now - t) >>> 0) >= periodMs) {
    words[at + PREV] = 0;
    t = now >>> 0;
  }
  words[at + TICK] = (t & ~1) >>> 0;
}

/** The rate per period at `now` (read_freq_ctr_period with its anti-flapping rule). */
export function freqCtrRead(words: Uint32Array, at: number, now: Tick, periodMs: number): number {
  let curr = words[at + CURR]!;
  let past = words[at + PREV]!;
  let remain = (words[at + TICK]! + periodMs - now) | 0;
  if (remain < 0) {
    remain += periodMs;
    past = remain >= 0 ? curr : 0;
    curr = 0;
  }
  if (curr === 0 && past <= 1) return past;
  // 64-bit intermediate in C; past*remain < 2^32 * 2^31 fits a double exactly only below 2^53,
  // so use BigInt when the product could be inexact.
  const product = past * remain;
  if (product + curr * periodMs < Number.MAX_SAFE_INTEGER) {
    return Math.floor((product + curr * periodMs) / periodMs) >>> 0;
  }
  const total = BigInt(past) * BigInt(remain) + BigInt(curr) * BigInt(periodMs);
  return Number(BigInt.asUintN(32, total / BigInt(periodMs)));
}

/** `set table … data.<rate> V` (spec §2.5): V in the current period, nothing before. */
export function freqCtrSet(words: Uint32Array, at: number, now: Tick, value: number): void {
  words[at + CURR] = value >>> 0;
  words[at + PREV] = 0;
  words[at + TICK] = (now & ~1) >>> 0;
}

/** The peers transfer form (spec §2.4): age of the current period, curr, prev. */
export function freqCtrToWire(words: Uint32Array, at: number, now: Tick): [age: number, curr: number, prev: number] {
  return [((now - words[at + TICK]!) >>> 0), words[at + CURR]!, words[at + PREV]!];
}

/** Rebuilds a counter from the transfer form on the receiver's clock, overwriting it. */
export function freqCtrFromWire(words: Uint32Array, at: number, now: Tick, age: number, curr: number, prev: number): void {
  words[at + TICK] = (tickAdd(now, -(age >>> 0)) & ~1) >>> 0;
  words[at + CURR] = curr >>> 0;
  words[at + PREV] = prev >>> 0;
}
