/**
 * HAProxy's "encoded integer" (spec §4.3.1, `peers.c:intencode/intdecode`).
 *
 * Encoding of a uint64 `v`: below 240 one byte; otherwise a first byte whose high nibble is
 * 1111 carrying the low nibble of `v`, then 7-bit groups of `(v - 240) >> 4` with a
 * continuation bit, each group taken *before* subtracting 128 and shifting — so decoding is a
 * plain sum of raw bytes at shifts 0, 4, 11, 18, … (not masked).
 *
 * Decoding stops at the first byte < 128 after the first. HAProxy's loop has no length cap (a
 * shift past 63 is undefined behaviour in C); sticksim caps a varint at 10 bytes, enough for
 * every uint64, and reports an 11th byte as `VARINT_TOO_LONG`. Sums wrap modulo 2^64 as the C
 * uint64 arithmetic does.
 *
 * The readers return a value, or a negative sentinel, and leave the position after the varint
 * in a caller-owned `VarintSpan`, so the hot path allocates nothing.
 */
import { assert } from '../../lib/assert.ts';

/** Longest varint sticksim accepts: 10 bytes hold any uint64. */
export const VARINT_BYTES_MAX = 10;
/** Sentinel: the input ended before the varint did. */
export const VARINT_TRUNCATED = -1;
/** Sentinel: more than VARINT_BYTES_MAX bytes. */
export const VARINT_TOO_LONG = -2;

const TWO_BYTES_MIN = 240;
const STOP_BYTE = 128;
const UINT32_LIMIT = 0x1_0000_0000;
const UINT64_MAX = (1n << 64n) - 1n;

/** Where a read stopped: the index just after the varint (or of the failure). */
export interface VarintSpan {
  next: number;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Bytes needed to encode `value` (a non-negative safe integer). */
export function varintSizeOfNumber(value: number): number {
  if (value < 240) return 1;
  if (value < 2288) return 2;
  if (value < 264432) return 3;
  if (value < 33818864) return 4;
  if (value < 4328786160) return 5;
  return varintSizeOfBigint(BigInt(value));
}

/** Bytes needed to encode `value` (0 ≤ value < 2^64). */
export function varintSizeOfBigint(value: bigint): number {
  if (value < 240n) return 1;
  let v = (value - 240n) >> 4n;
  let size = 2;
  for (let guard = 0; v >= 128n && guard < VARINT_BYTES_MAX; guard++) {
    v = (v - 128n) >> 7n;
    size++;
  }
  return size;
}

/**
 * Writes `value` (a non-negative safe integer) at `out[pos]`; returns the index after it.
 * Values below 2^32 take the 32-bit operator path; larger safe integers use exact division.
 */
export function writeVarintNumber(value: number, out: Uint8Array, pos: number): number {
  if (value < TWO_BYTES_MIN) {
    out[pos] = value;
    return pos + 1;
  }
  if (value >= UINT32_LIMIT) return writeVarintLargeNumber(value, out, pos);
  out[pos++] = (value & 0xff) | 0xf0;
  let v = (value - TWO_BYTES_MIN) >>> 4;
  while (v >= STOP_BYTE) {
    out[pos++] = (v & 0xff) | 0x80;
    v = (v - STOP_BYTE) >>> 7;
  }
  out[pos++] = v;
  return pos;
}

function writeVarintLargeNumber(value: number, out: Uint8Array, pos: number): number {
  assert(Number.isSafeInteger(value) && value >= 0, 'varint number is a non-negative safe integer');
  // `&` keeps the low 32 bits of a safe integer exactly, so the low byte is right.
  out[pos++] = (value & 0xff) | 0xf0;
  let v = (value - TWO_BYTES_MIN) / 16;
  v = Math.floor(v);
  for (let guard = 0; v >= STOP_BYTE && guard < VARINT_BYTES_MAX; guard++) {
    out[pos++] = (v % 256) | 0x80;
    v = Math.floor((v - STOP_BYTE) / 128);
  }
  out[pos++] = v;
  return pos;
}

/** Writes `value` (0 ≤ value < 2^64) at `out[pos]`; returns the index after it. */
export function writeVarintBigint(value: bigint, out: Uint8Array, pos: number): number {
  assert(value >= 0n && value <= UINT64_MAX, 'varint value is a uint64');
  if (value < UINT32_LIMIT) return writeVarintNumber(Number(value), out, pos);
  out[pos++] = Number(value & 0xffn) | 0xf0;
  let v = (value - 240n) >> 4n;
  for (let guard = 0; v >= 128n && guard < VARINT_BYTES_MAX; guard++) {
    out[pos++] = Number(v & 0xffn) | 0x80;
    v = (v - 128n) >> 7n;
  }
  out[pos++] = Number(v);
  return pos;
}

/** The encoding of `value` as a fresh array (convenience; the hot path uses the writers). */
export function encodeVarint(value: number | bigint): Uint8Array {
  const out = new Uint8Array(VARINT_BYTES_MAX);
  const end = typeof value === 'bigint' ? writeVarintBigint(value, out, 0) : writeVarintNumber(value, out, 0);
  return out.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/**
 * Reads the varint at `bytes[pos]` (not reading at or past `end`) and returns its value
 * modulo 2^32 — what HAProxy keeps when it stores the result in a 32-bit variable — or a
 * negative sentinel. Only bytes at shifts below 32 contribute, so the sum stays exact in a double.
 */
export function readVarintU32(bytes: Uint8Array, pos: number, end: number, span: VarintSpan): number {
  if (pos >= end) {
    span.next = pos;
    return VARINT_TRUNCATED;
  }
  let value = bytes[pos++]!;
  if (value < TWO_BYTES_MIN) {
    span.next = pos;
    return value;
  }
  let weight = 16; // 2^shift, shift = 4
  for (let count = 1; ; count++) {
    if (count >= VARINT_BYTES_MAX) {
      span.next = pos;
      return VARINT_TOO_LONG;
    }
    if (pos >= end) {
      span.next = pos;
      return VARINT_TRUNCATED;
    }
    const byte = bytes[pos++]!;
    if (weight < UINT32_LIMIT) value += byte * weight;
    weight *= 128;
    if (byte < STOP_BYTE) break;
  }
  span.next = pos;
  // `>>> 0`, the identity on [0, 2^32): the sum is a double, and a double stored into an object
  // (a freq counter's ageMs) would make V8 box that field in every object of its shape.
  return (value % UINT32_LIMIT) >>> 0;
}

/** Reads the full uint64 value (modulo 2^64), or returns a negative sentinel. */
export function readVarintBigint(bytes: Uint8Array, pos: number, end: number, span: VarintSpan): bigint | number {
  if (pos >= end) {
    span.next = pos;
    return VARINT_TRUNCATED;
  }
  const first = bytes[pos++]!;
  if (first < TWO_BYTES_MIN) {
    span.next = pos;
    return BigInt(first);
  }
  let value = BigInt(first);
  let shift = 4n;
  for (let count = 1; ; count++) {
    if (count >= VARINT_BYTES_MAX) {
      span.next = pos;
      return VARINT_TOO_LONG;
    }
    if (pos >= end) {
      span.next = pos;
      return VARINT_TRUNCATED;
    }
    const byte = bytes[pos++]!;
    value += BigInt(byte) << shift;
    shift += 7n;
    if (byte < STOP_BYTE) break;
  }
  span.next = pos;
  return BigInt.asUintN(64, value);
}

/**
 * Reads the uint64 value as a number: exact below 2^53, the nearest double above (only ever
 * compared against small bounds there). Returns a negative sentinel on failure.
 */
export function readVarintU64Number(bytes: Uint8Array, pos: number, end: number, span: VarintSpan): number {
  // Up to 7 bytes the raw sum stays below 2^47: exact in a double, no wrap possible.
  let value = 0;
  let weight = 1;
  let p = pos;
  if (p >= end) {
    span.next = p;
    return VARINT_TRUNCATED;
  }
  const first = bytes[p++]!;
  if (first < TWO_BYTES_MIN) {
    span.next = p;
    return first;
  }
  value = first;
  weight = 16;
  for (let count = 1; count < 7; count++) {
    if (p >= end) {
      span.next = p;
      return VARINT_TRUNCATED;
    }
    const byte = bytes[p++]!;
    value += byte * weight;
    weight *= 128;
    if (byte < STOP_BYTE) {
      span.next = p;
      return value;
    }
  }
  const big = readVarintBigint(bytes, pos, end, span);
  return typeof big === 'bigint' ? Number(big) : big;
}

/** Decodes one varint at `offset` (convenience for tests and tools); undefined if malformed. */
export function decodeVarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } | undefined {
  const span: VarintSpan = { next: offset };
  const value = readVarintBigint(bytes, offset, bytes.length, span);
  if (typeof value !== 'bigint') return undefined;
  return { value, length: span.next - offset };
}
