import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  inetaddrHost,
  ipv4ToText,
  ipv6ToText,
  keyFromWireBytes,
  keyToWireBytes,
  normaliseBinaryKey,
  normaliseStringKey,
  parseCliKey,
  parseIpv6,
  renderKey,
} from '../../../engine/table/keys.ts';

describe('keys', () => {
  it('the runtime API ip parser does not validate, as the real binary (interop fixture)', () => {
    const t = (s: string): string => ipv4ToText(inetaddrHost(s));
    expect(t('127.0.0.50')).toBe('127.0.0.50');
    expect(t('notanip')).toBe('0.0.0.0');
    expect(t('1.2.3.999')).toBe('1.2.6.231');
    expect(t('256.1.1.1')).toBe('0.1.1.1');
    expect(t('1.2.3.4x')).toBe('1.2.3.4');
    expect(t('-1')).toBe('0.0.0.0');
  });

  it('ipv6 text round-trips to the canonical inet_ntop form', () => {
    const canon = (s: string): string | undefined => {
      const b = parseIpv6(s);
      return b === undefined ? undefined : ipv6ToText(b);
    };
    expect(canon('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canon('::')).toBe('::');
    expect(canon('::1')).toBe('::1');
    expect(canon('1::')).toBe('1::');
    expect(canon('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(canon('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(canon('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(canon('1:2')).toBeUndefined();
    expect(canon('1:::2')).toBeUndefined();
    expect(canon('12345::')).toBeUndefined();
  });

  it('integer keys follow strtoul: trailing garbage ignored, negatives and > 32 bits refused', () => {
    const spec = { keyType: 'integer' as const, keySizeBytes: 4 };
    expect(parseCliKey(spec, '12abc')).toEqual({ ok: true, key: 12 });
    expect(parseCliKey(spec, '+5')).toEqual({ ok: true, key: 5 });
    expect(parseCliKey(spec, '-0')).toEqual({ ok: true, key: 0 });
    expect(parseCliKey(spec, '-1')).toEqual({ ok: false });
    expect(parseCliKey(spec, '4294967296')).toEqual({ ok: false });
    expect(parseCliKey(spec, 'abc')).toEqual({ ok: false });
  });

  it('strings are cut at NUL and truncated to keySize-1; binaries padded or truncated', () => {
    expect(normaliseStringKey('abcdef', 4)).toBe('abc');
    expect(normaliseStringKey('ab\0cd', 32)).toBe('ab');
    expect(normaliseBinaryKey('ab', 4)).toBe('ab\0\0');
    expect(normaliseBinaryKey('abcdef', 4)).toBe('abcd');
    expect(renderKey('binary', 'ab\0\0')).toBe('61620000');
    expect(renderKey('string', 'a b=\\\t\x01é')).toBe('a\\ b\\=\\\\\\t\\x01\\xE9');
  });

  it('property: wire bytes round-trip for every key type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (n, b16) => {
        for (const type of ['ip', 'integer'] as const) {
          expect(keyFromWireBytes(type, 4, keyToWireBytes(type, 4, n))).toBe(n);
        }
        const v6 = String.fromCharCode(...b16);
        expect(keyFromWireBytes('ipv6', 16, keyToWireBytes('ipv6', 16, v6))).toBe(v6);
      }),
      { seed: 3, numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});
