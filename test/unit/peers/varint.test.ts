import { describe, expect, it } from 'vitest';
import {
  decodeVarint,
  encodeVarint,
  readVarintBigint,
  readVarintU32,
  readVarintU64Number,
  varintSizeOfBigint,
  varintSizeOfNumber,
  VARINT_TOO_LONG,
  VARINT_TRUNCATED,
  writeVarintBigint,
  writeVarintNumber,
  type VarintSpan,
} from '../../../engine/peers/varint.ts';
import { fromHex, hex } from './table-specs.ts';

/** Spec §4.3.1 test vectors. */
const VECTORS: [bigint, string][] = [
  [0n, '00'],
  [239n, 'ef'],
  [240n, 'f0 00'],
  [241n, 'f1 00'],
  [255n, 'ff 00'],
  [256n, 'f0 01'],
  [2287n, 'ff 7f'],
  [2288n, 'f0 80 00'],
  [0x1234n, 'f4 94 01'],
  [264432n, 'f0 80 80 00'],
  [33818864n, 'f0 80 80 80 00'],
  [2n ** 32n - 1n, 'ff f0 fe fe 7e'],
  [2n ** 64n - 1n, 'ff f0 fe fe fe fe fe fe fe 0e'],
];

describe('varint (spec §4.3.1)', () => {
  for (const [value, bytes] of VECTORS) {
    it(`encodes ${value} as ${bytes} (bigint and number paths) and decodes it back`, () => {
      expect(hex(encodeVarint(value))).toBe(bytes);
      if (value <= BigInt(Number.MAX_SAFE_INTEGER)) expect(hex(encodeVarint(Number(value)))).toBe(bytes);
      const decoded = decodeVarint(fromHex(bytes));
      expect(decoded).toEqual({ value, length: fromHex(bytes).length });
    });
  }

  it('uses the documented byte counts at each range boundary', () => {
    const limits = [240, 2288, 264432, 33818864, 4328786160];
    limits.forEach((limit, i) => {
      expect(varintSizeOfNumber(limit - 1)).toBe(i + 1);
      expect(varintSizeOfNumber(limit)).toBe(i + 2);
      expect(encodeVarint(limit - 1).length).toBe(i + 1);
      expect(encodeVarint(limit).length).toBe(i + 2);
      expect(varintSizeOfBigint(BigInt(limit))).toBe(i + 2);
    });
  });

  it('number path above 2^32 agrees with the bigint path', () => {
    for (const v of [2 ** 32, 2 ** 32 + 12345, 4328786159, 4328786160, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      const a = new Uint8Array(10);
      const b = new Uint8Array(10);
      const endA = writeVarintNumber(v, a, 0);
      const endB = writeVarintBigint(BigInt(v), b, 0);
      expect(hex(a.subarray(0, endA))).toBe(hex(b.subarray(0, endB)));
      expect(decodeVarint(a.subarray(0, endA))?.value).toBe(BigInt(v));
    }
  });

  it('decodes as a sum of raw bytes (continuation bits not masked)', () => {
    // f0 80 00: 240 + (0x80 << 4) + (0 << 11) = 2288
    expect(decodeVarint(fromHex('f0 80 00'))?.value).toBe(2288n);
    // ff ff 01: 255 + (255 << 4) + (1 << 11)
    expect(decodeVarint(fromHex('ff ff 01'))?.value).toBe(BigInt(255 + 255 * 16 + 2048));
  });

  it('reports truncation and varints longer than 10 bytes', () => {
    const span: VarintSpan = { next: 0 };
    expect(readVarintU32(fromHex(''), 0, 0, span)).toBe(VARINT_TRUNCATED);
    expect(readVarintU32(fromHex('f0'), 0, 1, span)).toBe(VARINT_TRUNCATED);
    expect(readVarintU32(fromHex('f0 80 80'), 0, 3, span)).toBe(VARINT_TRUNCATED);
    expect(readVarintBigint(fromHex('f0 80'), 0, 2, span)).toBe(VARINT_TRUNCATED);
    const eleven = fromHex('ff 80 80 80 80 80 80 80 80 80 00');
    expect(readVarintU32(eleven, 0, eleven.length, span)).toBe(VARINT_TOO_LONG);
    expect(readVarintBigint(eleven, 0, eleven.length, span)).toBe(VARINT_TOO_LONG);
    expect(readVarintU64Number(eleven, 0, eleven.length, span)).toBe(VARINT_TOO_LONG);
    expect(decodeVarint(eleven)).toBeUndefined();
    // `end` bounds the read even when more bytes follow.
    expect(readVarintU32(fromHex('f0 00'), 0, 1, span)).toBe(VARINT_TRUNCATED);
  });

  it('leaves the position after the varint in the span', () => {
    const span: VarintSpan = { next: -1 };
    const bytes = fromHex('aa f4 94 01 bb');
    expect(readVarintU32(bytes, 1, bytes.length, span)).toBe(0x1234);
    expect(span.next).toBe(4);
  });

  it('u32 reads keep the value modulo 2^32, u64 reads wrap modulo 2^64', () => {
    const span: VarintSpan = { next: 0 };
    const big = encodeVarint(2n ** 40n + 0x1234_5678n);
    expect(readVarintU32(big, 0, big.length, span)).toBe(0x1234_5678);
    expect(readVarintU64Number(big, 0, big.length, span)).toBe(2 ** 40 + 0x1234_5678);
    // A 10-byte sum beyond 2^64 wraps: last byte 0x7f at shift 60 contributes 0x7f << 60.
    const wrapped = fromHex('f0 80 80 80 80 80 80 80 80 7f');
    let sum = 0xf0n;
    const raw = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
    raw.forEach((b, i) => (sum += BigInt(b) << BigInt(4 + 7 * i)));
    expect(readVarintBigint(wrapped, 0, wrapped.length, span)).toBe(sum % 2n ** 64n);
    expect(readVarintU32(wrapped, 0, wrapped.length, span)).toBe(Number(sum % 2n ** 32n));
  });

  it('round-trips every value near the range boundaries through both decoders', () => {
    const span: VarintSpan = { next: 0 };
    for (const base of [0, 240, 2288, 264432, 33818864, 2 ** 31, 2 ** 32 - 3]) {
      for (let d = -3; d <= 3; d++) {
        const v = base + d;
        if (v < 0 || v >= 2 ** 32) continue;
        const bytes = encodeVarint(v);
        expect(readVarintU32(bytes, 0, bytes.length, span)).toBe(v);
        expect(span.next).toBe(bytes.length);
        expect(readVarintBigint(bytes, 0, bytes.length, span)).toBe(BigInt(v));
      }
    }
  });
});
