/**
 * A per-host timing knob drawn in whole milliseconds from [minMs, maxMs] (timer lateness, accept
 * delay, task wake delay): one shape and one validity rule for all of them.
 */

export interface MsRange {
  minMs: number;
  maxMs: number;
}

/** Whole ms with 0 <= minMs <= maxMs <= msMax. */
export function isWholeMsRange(range: MsRange, msMax: number): boolean {
  const { minMs, maxMs } = range;
  return Number.isSafeInteger(minMs) && Number.isSafeInteger(maxMs) && minMs >= 0 && minMs <= maxMs && maxMs <= msMax;
}
