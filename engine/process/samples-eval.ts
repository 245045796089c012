/**
 * The few request samples sticksim models outside the stick-counter families: `src` (the client
 * address) and the Host header (`hdr(host)`, `req.hdr(host)`), and how a sample becomes a table
 * key (2.6 `smp_to_stkey` after `sample_convert`: IPv4 ↔ IPv6 only through ::ffff:a.b.c.d, ip to
 * integer as the address number, ip to string as its text, ip to binary as its bytes).
 */
import type { SampleExpr } from '../config/types.ts';
import {
  bytesToLatin1,
  ipv4ToText,
  ipv6ToText,
  normaliseBinaryKey,
  normaliseIntegerKey,
  normaliseStringKey,
  parseIpv4Strict,
  parseIpv6,
  utf8ToLatin1,
  type StoredKey,
} from '../table/keys.ts';
import type { TableSpec } from '../table/table-spec.ts';

export type SampleValue =
  /** `text`: the address as `show table` renders it, when known (the client's canonical text). */
  | { readonly type: 'ipv4'; readonly value: number; readonly text?: string }
  | { readonly type: 'ipv6'; readonly bytes: string }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'sint'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean };

/** The request as the fetches see it. */
export interface RequestFacts {
  readonly src: SampleValue;
  readonly host: string | undefined;
  readonly mode: 'http' | 'tcp';
}

/** ::ffff:0:0/96, the prefix `v6tov4` accepts (RFC 4291 IPv4-mapped). */
const V4_MAPPED_PREFIX = '\0'.repeat(10) + '\xff\xff';

/** Parses the client address; undefined when it is neither IPv4 nor IPv6 text. */
/** Source addresses parsed lately: a client sends many requests from one address. Bounded. */
const SOURCE_CACHE_ENTRIES_MAX = 65_536;
const sourceCache = new Map<string, SampleValue | undefined>();

/** `parseSourceAddress`, remembered (the result is immutable and a pure function of the text). */
export function parseSourceAddressCached(text: string): SampleValue | undefined {
  // IPv4 text parses in one pass over at most 15 characters, cheaper than hashing it for the cache
  // (and a world of 200,000 clients would churn the cache); IPv6 goes through the cache.
  const v4 = parseIpv4Strict(text);
  // parseIpv4Strict takes canonical dotted quads only (no leading zeros), so the text is ipv4ToText's.
  if (v4 !== undefined) return { type: 'ipv4', value: v4, text };
  const known = sourceCache.get(text);
  if (known !== undefined || sourceCache.has(text)) return known;
  if (sourceCache.size >= SOURCE_CACHE_ENTRIES_MAX) sourceCache.clear();
  const parsed = parseSourceAddress(text);
  sourceCache.set(text, parsed);
  return parsed;
}

export function parseSourceAddress(text: string): SampleValue | undefined {
  const v4 = parseIpv4Strict(text);
  if (v4 !== undefined) return { type: 'ipv4', value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { type: 'ipv6', bytes: v6 };
  return undefined;
}

function v4ToBytes(value: number): string {
  return bytesToLatin1(Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
}

/** `v6tov4`: the IPv4 address of an IPv4-mapped IPv6 address, else undefined. */
export function ipv6ToIpv4(bytes16: string): number | undefined {
  if (!bytes16.startsWith(V4_MAPPED_PREFIX)) return undefined;
  const b = (i: number): number => bytes16.charCodeAt(i);
  return ((b(12) << 24) | (b(13) << 16) | (b(14) << 8) | b(15)) >>> 0;
}

export function ipv4ToIpv6(value: number): string {
  return V4_MAPPED_PREFIX + v4ToBytes(value);
}

const HOST_FETCHES = new Set(['hdr', 'req.hdr', 'req.fhdr', 'fhdr']);

/**
 * Evaluates a sample expression that is not a stick-counter fetch. Undefined when the fetch
 * fails or is not modelled (any converter, any other fetch): HAProxy then finds no key / no match.
 */
export function fetchRequestSample(expr: SampleExpr, facts: RequestFacts): SampleValue | undefined {
  if (expr.converters.length > 0) return undefined;
  if (expr.fetch === 'src' && expr.args.length === 0) return facts.src;
  if (HOST_FETCHES.has(expr.fetch) && expr.args.length >= 1 && expr.args[0]!.toLowerCase() === 'host') {
    if (facts.mode !== 'http' || facts.host === undefined) return undefined;
    return { type: 'str', value: facts.host };
  }
  return undefined;
}

/** `smp_to_stkey`: the sample cast to the table's key type and normalised; undefined when no cast exists. */
export function sampleToKey(sample: SampleValue, spec: Pick<TableSpec, 'keyType' | 'keySizeBytes'>): StoredKey | undefined {
  switch (spec.keyType) {
    case 'ip':
      if (sample.type === 'ipv4') return sample.value;
      if (sample.type === 'ipv6') return ipv6ToIpv4(sample.bytes);
      if (sample.type === 'sint') return normaliseIntegerKey(sample.value);
      if (sample.type === 'str') return parseIpv4Strict(sample.value);
      return undefined;
    case 'ipv6':
      if (sample.type === 'ipv6') return sample.bytes;
      if (sample.type === 'ipv4') return ipv4ToIpv6(sample.value);
      if (sample.type === 'str') return parseIpv6(sample.value);
      return undefined;
    case 'integer':
      if (sample.type === 'sint') return normaliseIntegerKey(sample.value);
      if (sample.type === 'ipv4') return sample.value;
      if (sample.type === 'bool') return sample.value ? 1 : 0;
      if (sample.type === 'str') return strToInt(sample.value);
      return undefined;
    case 'string':
      return normaliseStringKey(sampleToText(sample), spec.keySizeBytes);
    case 'binary':
      return normaliseBinaryKey(sampleToBinary(sample), spec.keySizeBytes);
  }
}

/** `c_str2int`: leading decimal digits (with sign) as an integer, 0 when none; low 32 bits kept. */
function strToInt(text: string): number {
  const m = /^[+-]?[0-9]+/.exec(text);
  return normaliseIntegerKey(m === null ? 0n : BigInt(m[0]));
}

function sampleToText(sample: SampleValue): string {
  switch (sample.type) {
    case 'ipv4':
      return ipv4ToText(sample.value);
    case 'ipv6':
      return ipv6ToText(sample.bytes);
    case 'str':
      return utf8ToLatin1(sample.value);
    case 'sint':
      return String(sample.value);
    case 'bool':
      return sample.value ? '1' : '0';
  }
}

function sampleToBinary(sample: SampleValue): string {
  switch (sample.type) {
    case 'ipv4':
      return v4ToBytes(sample.value);
    case 'ipv6':
      return sample.bytes;
    case 'str':
      return utf8ToLatin1(sample.value);
    case 'sint': {
      // c_int2bin: the 64-bit value in big-endian order.
      const v = BigInt.asUintN(64, BigInt(Math.trunc(sample.value)));
      let out = '';
      for (let shift = 56n; shift >= 0n; shift -= 8n) out += String.fromCharCode(Number((v >> shift) & 0xffn));
      return out;
    }
    case 'bool':
      return sample.value ? '\x01' : '\0';
  }
}
