/**
 * Byte cursors for message bodies: a reader that raises ProtocolError with the stream offset of
 * the field that failed, and a growable writer. Both are reused across messages (no per-field
 * allocation) — the codec's hot path runs through them.
 */
import { ProtocolError } from '../errors.ts';
import { assert } from '../../lib/assert.ts';
import {
  readVarintBigint,
  readVarintU32,
  readVarintU64Number,
  VARINT_BYTES_MAX,
  VARINT_TOO_LONG,
  type VarintSpan,
  writeVarintBigint,
  writeVarintNumber,
} from './varint.ts';

/** Reads a body; every failure throws ProtocolError(offsetBase + index, kind, detail). */
export class WireReader {
  bytes: Uint8Array = new Uint8Array(0);
  /** Index of the next byte; may pass `end` after a skip (reads then fail). */
  pos = 0;
  end = 0;
  /** Stream offset of `bytes[0]`. */
  offsetBase = 0;
  /** Message kind named in errors. */
  kind = '';
  private readonly span: VarintSpan = { next: 0 };

  reset(bytes: Uint8Array, offsetBase: number, kind: string): this {
    this.bytes = bytes;
    this.pos = 0;
    this.end = bytes.length;
    this.offsetBase = offsetBase;
    this.kind = kind;
    return this;
  }

  /** Reads bytes[start, end) of a buffer in place; `offsetBase` is the stream offset of bytes[0]. */
  resetRange(bytes: Uint8Array, start: number, end: number, offsetBase: number, kind: string): this {
    assert(start >= 0 && start <= end && end <= bytes.length, 'a reader range lies within its buffer');
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.offsetBase = offsetBase;
    this.kind = kind;
    return this;
  }

  /** Throws at `at` (a position past the end, after a skip, is reported as the end). */
  fail(detail: string, at: number = this.pos): never {
    throw new ProtocolError(this.offsetBase + Math.min(at, this.end), this.kind, detail);
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  u32be(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.fail(`truncated ${field} (uint32)`);
    const b = this.bytes;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A varint reduced modulo 2^32, as HAProxy does when storing it in a 32-bit variable. */
  varintU32(field: string): number {
    const start = this.pos;
    const value = readVarintU32(this.bytes, start, this.end, this.span);
    if (value < 0) this.failVarint(field, value, start);
    this.pos = this.span.next;
    return value;
  }

  /** The full uint64 value. */
  varintU64(field: string): bigint {
    const start = this.pos;
    const value = readVarintBigint(this.bytes, start, this.end, this.span);
    if (typeof value !== 'bigint') return this.failVarint(field, value, start);
    this.pos = this.span.next;
    return value;
  }

  /** The uint64 value as a number (exact below 2^53), for lengths compared against bounds. */
  varintU64Number(field: string): number {
    const start = this.pos;
    const value = readVarintU64Number(this.bytes, start, this.end, this.span);
    if (value < 0) this.failVarint(field, value, start);
    this.pos = this.span.next;
    return value;
  }

  /**
   * Tries a varint without throwing (HAProxy fields whose truncation means "absent" or
   * "ignore"); returns undefined and leaves `pos` alone on failure.
   */
  tryVarintU64Number(): number | undefined {
    const value = readVarintU64Number(this.bytes, this.pos, this.end, this.span);
    if (value < 0) return undefined;
    this.pos = this.span.next;
    return value;
  }

  /** A copy of the next `length` bytes (throws when fewer remain). */
  take(length: number, field: string): Uint8Array {
    const p = this.pos;
    if (p + length > this.end) this.fail(`truncated ${field} (${length} bytes expected)`);
    this.pos = p + length;
    return this.bytes.slice(p, p + length);
  }

  private failVarint(field: string, sentinel: number, at: number): never {
    const why = sentinel === VARINT_TOO_LONG ? `longer than ${VARINT_BYTES_MAX} bytes` : 'truncated';
    return this.fail(`${field}: varint ${why}`, at);
  }
}

/** A growable output buffer; `pos` is the next write index. */
export class WireWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacityBytes: number) {
    assert(capacityBytes > 0, 'writer capacity is positive');
    this.buf = new Uint8Array(capacityBytes);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  u32be(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, 'uint32 field in range');
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = value >>> 24;
    b[p + 1] = (value >>> 16) & 0xff;
    b[p + 2] = (value >>> 8) & 0xff;
    b[p + 3] = value & 0xff;
    this.pos = p + 4;
  }

  varint(value: number): void {
    this.ensure(VARINT_BYTES_MAX);
    this.pos = writeVarintNumber(value, this.buf, this.pos);
  }

  varintBig(value: bigint): void {
    this.ensure(VARINT_BYTES_MAX);
    this.pos = writeVarintBigint(value, this.buf, this.pos);
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** A latin1 byte string (one char code = one byte). */
  latin1(text: string): void {
    this.ensure(text.length);
    const b = this.buf;
    let p = this.pos;
    let bits = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      bits |= code;
      b[p++] = code;
    }
    assert(bits <= 0xff, 'latin1 byte string holds only byte values');
    this.pos = p;
  }
}
