/**
 * Stick-table keys (spec §1.2): how each key type is sized, parsed from runtime-API text,
 * normalised and truncated as HAProxy does, ordered in `show table`, rendered, and put on the wire.
 *
 * A stored key is either a number (ip: the address as uint32, network order value; integer: the
 * uint32 value) or a latin1 "byte string" where every char code is one byte (ipv6: 16 bytes;
 * string: at most keySize-1 bytes, cut at the first NUL; binary: exactly keySize bytes).
 */
import { assert } from '../../lib/assert.ts';
import type { KeyTypeName, TableSpec } from './table-spec.ts';

export type StoredKey = number | string;

export const WIRE_KEY_TYPE: Readonly<Record<KeyTypeName, number>> = {
  integer: 2,
  ip: 4,
  ipv6: 5,
  string: 6,
  binary: 7,
};

export const KEY_TYPE_BY_WIRE: ReadonlyMap<number, KeyTypeName> = new Map(
  (Object.entries(WIRE_KEY_TYPE) as [KeyTypeName, number][]).map(([name, code]) => [code, name]),
);

/** Key size in bytes as `stick-table type T [len N]` defines it. */
export function keySizeFor(type: KeyTypeName, lenOption: number | undefined): number {
  switch (type) {
    case 'ip':
    case 'integer':
      return 4;
    case 'ipv6':
      return 16;
    case 'string':
      return lenOption === undefined ? 32 : lenOption + 1;
    case 'binary':
      return lenOption === undefined ? 32 : lenOption;
  }
}

// ---------------------------------------------------------------------------------------------
// Byte strings
// ---------------------------------------------------------------------------------------------

export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    assert(code <= 0xff, 'latin1 byte string holds only byte values');
    out[i] = code;
  }
  return out;
}

/** UTF-8 text (as typed on a terminal) to a latin1 byte string. */
export function utf8ToLatin1(text: string): string {
  // ASCII (every command a script types) is its own UTF-8: no encoding needed.
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return bytesToLatin1(new TextEncoder().encode(text));
}

// ---------------------------------------------------------------------------------------------
// Normalisation of sampled values (track-sc, peers)
// ---------------------------------------------------------------------------------------------

/** A string sample stored in a table: cut at NUL and truncated to keySize-1 bytes. */
export function normaliseStringKey(bytes: string, keySizeBytes: number): string {
  const nul = bytes.indexOf('\0');
  const cut = nul >= 0 ? bytes.slice(0, nul) : bytes;
  return cut.length > keySizeBytes - 1 ? cut.slice(0, keySizeBytes - 1) : cut;
}

/** A binary sample: right-padded with zero bytes or truncated to exactly keySize bytes. */
export function normaliseBinaryKey(bytes: string, keySizeBytes: number): string {
  if (bytes.length >= keySizeBytes) return bytes.slice(0, keySizeBytes);
  return bytes + '\0'.repeat(keySizeBytes - bytes.length);
}

/** An integer sample (64-bit signed in HAProxy) reduced to its low 32 bits. */
export function normaliseIntegerKey(value: bigint | number): number {
  if (typeof value === 'bigint') return Number(BigInt.asUintN(32, value));
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(value))));
}

// ---------------------------------------------------------------------------------------------
// IPv4 / IPv6 text
// ---------------------------------------------------------------------------------------------

/**
 * HAProxy's fast dotted-quad parser used by the runtime API for ip keys (`inetaddr_host`):
 * no validation; each dot-separated group contributes its last three digits; garbage gives
 * some address rather than an error ("notanip" is 0.0.0.0).
 */
export function inetaddrHost(text: string): number {
  // The three digit columns (hundreds, tens, ones) of the four groups, one byte lane per group,
  // each lane ASCII '0' until a digit lands there (no allocation: it parses every CLI key).
  const asciiZero = 0x30303030;
  let hundreds = asciiZero;
  let tens = asciiZero;
  let ones = asciiZero;
  let byteIndex = 0;
  let start = 0;
  let p = 0;
  for (let guard = 0; guard <= text.length + 4; guard++) {
    const c = charAt(text, p);
    if (c >= 0x30 && c <= 0x39) {
      p++;
      continue;
    }
    if (p !== start) {
      const shift = (3 - byteIndex) * 8;
      let d = p - 1;
      ones = setLane(ones, shift, charAt(text, d));
      if (d !== start) {
        d--;
        tens = setLane(tens, shift, charAt(text, d));
        if (d !== start) {
          d--;
          hundreds = setLane(hundreds, shift, charAt(text, d));
        }
      }
    }
    if (byteIndex === 3 || c !== 0x2e) break;
    byteIndex++;
    p++;
    start = p;
  }
  // The C code computes all four lanes at once in one 32-bit word, so a group above 255
  // carries into the next lane; reproduce that with wrapping 32-bit arithmetic.
  const h = (hundreds - asciiZero) >>> 0;
  const t = (tens - asciiZero) >>> 0;
  const o = (ones - asciiZero) >>> 0;
  return (Math.imul(Math.imul(h, 10) + t, 10) + o) >>> 0;
}

/** The byte at `i` as C reads it (0 past the end, the low byte of a UTF-16 unit). */
function charAt(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) & 0xff : 0;
}

/** `word` with its byte lane at `shift` replaced by `byte`. */
function setLane(word: number, shift: number, byte: number): number {
  return ((word & ~(0xff << shift)) | (byte << shift)) >>> 0;
}

/** Texts of recently printed addresses (a run prints the same few keys in every trace event). */
const ipv4Texts = new Map<number, string>();
const IPV4_TEXTS_MAX = 4096;

export function ipv4ToText(value: number): string {
  const known = ipv4Texts.get(value);
  if (known !== undefined) return known;
  const text = `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
  if (ipv4Texts.size >= IPV4_TEXTS_MAX) ipv4Texts.clear();
  ipv4Texts.set(value, text);
  return text;
}

/** Strict dotted-quad parser (inet_pton AF_INET); undefined when invalid. No allocation. */
export function parseIpv4Strict(text: string): number | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // a virtual final dot closes the last part
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && part === 0) return undefined; // no leading zeros (inet_pton)
      part = part * 10 + (c - 0x30);
      digits++;
      if (digits > 3 || part > 255) return undefined;
      continue;
    }
    if (c !== 0x2e || digits === 0) return undefined;
    value = value * 256 + part;
    part = 0;
    digits = 0;
    if (i < text.length) dots++;
  }
  return dots === 3 ? value >>> 0 : undefined;
}

/** inet_pton(AF_INET6) as glibc accepts it; 16-byte latin1 string, or undefined. */
export function parseIpv6(text: string): string | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > 0) {
    const v4 = parseIpv4Strict(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tailV4 = [(v4 >>> 16) & 0xffff, v4 & 0xffff];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith('::')) {
      // "::1.2.3.4" style: keep the double colon
    } else {
      head = head.slice(0, -1);
    }
  }
  const doubleAt = head.indexOf('::');
  if (doubleAt >= 0 && head.indexOf('::', doubleAt + 1) >= 0) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (doubleAt >= 0) {
    const left = parseGroups(head.slice(0, doubleAt));
    const right = parseGroups(head.slice(doubleAt + 2));
    if (left === undefined || right === undefined) return undefined;
    const fill = 8 - tailV4.length - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right, ...tailV4];
  } else {
    const all = parseGroups(head);
    if (all === undefined) return undefined;
    groups = [...all, ...tailV4];
    if (groups.length !== 8) return undefined;
  }
  let out = '';
  for (const g of groups) out += String.fromCharCode(g >>> 8, g & 0xff);
  return out;
}

/** inet_ntop(AF_INET6) canonical text (RFC 5952 as glibc prints it, incl. ::ffff:a.b.c.d). */
export function ipv6ToText(bytes16: string): string {
  assert(bytes16.length === 16, 'ipv6 key holds 16 bytes');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes16.charCodeAt(i) << 8) | bytes16.charCodeAt(i + 1));
  // Longest run of >= 2 zero words (first one wins on ties).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const isV4Mapped =
    bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      parts.push(i === 0 ? ':' : '');
      i += bestLen - 1;
      if (i === 7) parts.push('');
      continue;
    }
    if (isV4Mapped && i === 6) {
      const b = (k: number): number => bytes16.charCodeAt(k);
      parts.push(`${b(12)}.${b(13)}.${b(14)}.${b(15)}`);
      break;
    }
    parts.push(words[i]!.toString(16));
  }
  return parts.join(':');
}

// ---------------------------------------------------------------------------------------------
// Runtime-API parsing and rendering
// ---------------------------------------------------------------------------------------------

export type CliKeyResult = { ok: true; key: StoredKey } | { ok: false };

/**
 * Parses the `key <k>` argument of `show/set/clear table` (2.6 `table_process_entry_per_key`).
 * `text` is the raw argument as a latin1 byte string. Binary tables are refused by the caller.
 */
export function parseCliKey(
  spec: Pick<TableSpec, 'keyType' | 'keySizeBytes'>,
  text: string,
  mode: 'lax' | 'sample-cast' = 'lax',
): CliKeyResult {
  if (mode === 'sample-cast') return parseCliKeyAsSample(spec, text);
  switch (spec.keyType) {
    case 'ip':
      return { ok: true, key: inetaddrHost(text) };
    case 'ipv6': {
      const v6 = parseIpv6(text);
      return v6 === undefined ? { ok: false } : { ok: true, key: v6 };
    }
    case 'integer': {
      // strtoul semantics with an end check: decimal digits only, value <= 0xffffffff.
      const value = parseCliUnsigned(text);
      return value === undefined ? { ok: false } : { ok: true, key: value };
    }
    case 'string':
      return { ok: true, key: normaliseStringKey(text, spec.keySizeBytes) };
    case 'binary':
      return { ok: false };
  }
}

/**
 * 3.x `table_process_entry_per_key`: the argument is a string sample; for ip/ipv6 tables it is
 * first cast to an address (dotted quad as `buf2ip`, else inet_pton AF_INET6), then converted to
 * the table's type (v4 to v4-mapped v6; v6 to v4 only when mapped, compatible or 6to4); integer
 * keys are `read_int64` cut to their low 32 bits; binary keys are the bytes, zero-padded.
 */
function parseCliKeyAsSample(spec: Pick<TableSpec, 'keyType' | 'keySizeBytes'>, text: string): CliKeyResult {
  switch (spec.keyType) {
    case 'ip':
    case 'ipv6': {
      const v4 = buf2ip(text);
      if (v4 !== undefined) {
        if (spec.keyType === 'ip') return { ok: true, key: v4 };
        const mapped = '\0'.repeat(10) + '\xff\xff' + String.fromCharCode(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
        return { ok: true, key: mapped };
      }
      const v6 = text.length > 46 ? undefined : parseIpv6(text);
      if (v6 === undefined) return { ok: false };
      if (spec.keyType === 'ipv6') return { ok: true, key: v6 };
      const v4From6 = v6ToV4(v6);
      return v4From6 === undefined ? { ok: false } : { ok: true, key: v4From6 };
    }
    case 'integer':
      return { ok: true, key: Number(BigInt.asUintN(32, readInt64(text))) };
    case 'string':
      return { ok: true, key: normaliseStringKey(text, spec.keySizeBytes) };
    case 'binary':
      return { ok: true, key: normaliseBinaryKey(text, spec.keySizeBytes) };
  }
}

/** HAProxy's `buf2ip`: four dot-separated decimal groups <= 255, stops at the first other byte. */
function buf2ip(text: string): number | undefined {
  const groups = [0, 0, 0, 0];
  let at = 0;
  let octets = 0;
  let sawDigit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) & 0xff;
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isDigit && c !== 0x2e) break;
    if (isDigit) {
      const next = groups[at]! * 10 + (c - 0x30);
      if (next > 255) return undefined;
      groups[at] = next;
      if (!sawDigit) {
        if (++octets > 4) return undefined;
        sawDigit = true;
      }
    } else if (sawDigit) {
      if (octets === 4) return undefined;
      at++;
      sawDigit = false;
    } else {
      return undefined;
    }
  }
  if (octets < 4) return undefined;
  return ((groups[0]! << 24) | (groups[1]! << 16) | (groups[2]! << 8) | groups[3]!) >>> 0;
}

/** HAProxy's `v6tov4`: mapped or compatible (::a.b.c.d) or 6to4 (2002:AABB:CCDD::); else none. */
function v6ToV4(bytes16: string): number | undefined {
  const b = (i: number): number => bytes16.charCodeAt(i);
  let zero8 = true;
  for (let i = 0; i < 8; i++) if (b(i) !== 0) zero8 = false;
  const mid = ((b(8) << 24) | (b(9) << 16) | (b(10) << 8) | b(11)) >>> 0;
  if (zero8 && (mid === 0xffff || mid === 0)) return ((b(12) << 24) | (b(13) << 16) | (b(14) << 8) | b(15)) >>> 0;
  if (b(0) === 0x20 && b(1) === 0x02) return ((b(2) << 24) | (b(3) << 16) | (b(4) << 8) | b(5)) >>> 0;
  return undefined;
}

/** HAProxy's `read_int64` over the whole argument: optional sign, digits, saturating; 0 if none. */
function readInt64(text: string): bigint {
  let i = 0;
  let negative = false;
  if (text[0] === '-') {
    negative = true;
    i++;
  } else if (text[0] === '+') i++;
  const ULLONG_MAX = (1n << 64n) - 1n;
  let value = 0n;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    value = value * 10n + BigInt(c - 0x30);
    if (value > ULLONG_MAX) {
      value = ULLONG_MAX;
      break;
    }
  }
  if (negative) return value > 0x8000000000000000n ? -0x8000000000000000n : -value;
  return value > 0x7fffffffffffffffn ? 0x7fffffffffffffffn : value;
}

/**
 * `strtoul(text, &end, 10)` with HAProxy 2.6's checks: some digits were read (`end != text`), no
 * ERANGE, and the value fits 32 bits. Leading white space and a sign are accepted, a minus negates
 * in unsigned long, and anything after the digits is ignored ("12abc" is 12, as the real binary does).
 */
function parseCliUnsigned(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(text);
  if (m === null) return undefined;
  const magnitude = BigInt(m[2]!);
  const ULONG = 1n << 64n;
  if (magnitude >= ULONG) return undefined; // ERANGE
  const value = m[1] === '-' ? (ULONG - magnitude) % ULONG : magnitude;
  if (value > 0xffffffffn) return undefined;
  return Number(value);
}

/** Escapes a string key as `show table` prints it (spec §7.1). */
export function escapeStringKey(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0) break;
    if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x1b) out += '\\e';
    else if (c === 0x20 || c === 0x3d || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c >= 0x21 && c <= 0x7e) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function renderKey(type: KeyTypeName, key: StoredKey): string {
  switch (type) {
    case 'ip':
      return ipv4ToText(key as number);
    case 'integer':
      return String(key as number);
    case 'ipv6':
      return ipv6ToText(key as string);
    case 'string':
      return escapeStringKey(key as string);
    case 'binary': {
      const s = key as string;
      let out = '';
      for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0');
      return out;
    }
  }
}

/**
 * Order of entries in `show table` (2.6: one ebtree per table over the stored key bytes):
 * ip numeric, ipv6/binary/string byte-lexicographic, integers by their little-endian bytes.
 */
export function compareKeys(type: KeyTypeName, a: StoredKey, b: StoredKey): number {
  if (type === 'ip') return (a as number) - (b as number);
  if (type === 'integer') return byteSwap32(a as number) - byteSwap32(b as number);
  const sa = a as string;
  const sb = b as string;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Wire encoding (spec §4.6.3); the varint for string lengths lives in peers/varint.ts, so this
// module returns the raw key bytes and lets the codec frame them.
// ---------------------------------------------------------------------------------------------

/** The raw key bytes as sent in an UPDATE (string keys: without the length prefix). */
export function keyToWireBytes(type: KeyTypeName, keySizeBytes: number, key: StoredKey): Uint8Array {
  switch (type) {
    case 'ip':
    case 'integer': {
      const v = key as number;
      return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    }
    case 'ipv6':
    case 'binary': {
      const bytes = latin1ToBytes(key as string);
      assert(bytes.length === keySizeBytes, 'fixed-size key has keySize bytes');
      return bytes;
    }
    case 'string':
      return latin1ToBytes(key as string);
  }
}

/** Inverse of keyToWireBytes; string bytes are normalised to the local key size. */
export function keyFromWireBytes(type: KeyTypeName, keySizeBytes: number, bytes: Uint8Array): StoredKey {
  switch (type) {
    case 'ip':
    case 'integer':
      assert(bytes.length === 4, '4-byte key');
      return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    case 'ipv6':
    case 'binary':
      return bytesToLatin1(bytes);
    case 'string':
      return normaliseStringKey(bytesToLatin1(bytes), keySizeBytes);
  }
}
