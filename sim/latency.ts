/**
 * One-way link latency: a fixed number of milliseconds or a distribution drawn from the
 * network's random stream. Results are whole milliseconds (the kernel's unit).
 */
import { assert } from '../lib/assert.ts';
import type { SeededRandom } from './seeds.ts';

export type LatencySpec =
  | number
  /** Uniform integer in [minMs, maxMs]. */
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** baseMs plus an exponential tail of mean meanExtraMs, capped at maxMs. */
  | { kind: 'exponential'; baseMs: number; meanExtraMs: number; maxMs: number };

function isMs(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export function assertLatencySpec(spec: LatencySpec): void {
  if (typeof spec === 'number') {
    assert(isMs(spec), `latency is a non-negative integer of ms (got ${spec})`);
    return;
  }
  if (spec.kind === 'uniform') {
    assert(isMs(spec.minMs) && isMs(spec.maxMs) && spec.minMs <= spec.maxMs, 'uniform latency: 0 <= minMs <= maxMs, integers');
    return;
  }
  assert(
    isMs(spec.baseMs) && isMs(spec.maxMs) && spec.baseMs <= spec.maxMs && spec.meanExtraMs >= 0,
    'exponential latency: 0 <= baseMs <= maxMs, meanExtraMs >= 0',
  );
}

/** Draws one latency; a fixed latency draws nothing from the stream. */
export function sampleLatencyMs(spec: LatencySpec, random: SeededRandom): number {
  if (typeof spec === 'number') return spec;
  if (spec.kind === 'uniform') return random.nextIntBetween(spec.minMs, spec.maxMs);
  const u = random.nextFloat();
  const extraMs = Math.round(-Math.log(1 - u) * spec.meanExtraMs);
  return Math.min(spec.maxMs, spec.baseMs + extraMs);
}
