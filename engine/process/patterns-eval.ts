/**
 * ACL pattern matching for the sample types sticksim models (2.6 `pattern.c`, `acl.c`):
 * integers (`eq|ge|gt|le|lt` applied to every following value, ranges `N:M` / `:M` / `N:` where
 * `-` works like `:`), booleans (true when non-zero), IP addresses (address or CIDR), strings
 * (`-m str|beg|end|sub`, `-i`). A value list matches when any one value does.
 */
import type { AclExpr, IntOperator } from '../config/types.ts';
import { parseIpv4Strict, parseIpv6 } from '../table/keys.ts';
import { ipv4ToIpv6, ipv6ToIpv4, type SampleValue } from './samples-eval.ts';

export interface IntRange {
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/** `pat_parse_int` after acl.c's operator rewriting; undefined when not a number. */
export function parseIntPattern(text: string, operator: IntOperator | undefined): IntRange | undefined {
  const sep = text.search(/[:-]/);
  const num = (s: string): number | undefined => (/^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined);
  if (sep < 0) {
    const v = num(text);
    if (v === undefined) return undefined;
    switch (operator ?? 'eq') {
      case 'eq':
        return { min: v, max: v };
      case 'ge':
        return { min: v, max: undefined };
      case 'gt':
        return { min: v + 1, max: undefined };
      case 'le':
        return { min: undefined, max: v };
      case 'lt':
        return { min: undefined, max: v - 1 };
    }
  }
  const left = text.slice(0, sep);
  const right = text.slice(sep + 1);
  if (sep === 0 && right !== '') {
    const max = num(right);
    return max === undefined ? undefined : { min: undefined, max };
  }
  if (right === '') {
    const min = num(left);
    return min === undefined ? undefined : { min, max: undefined };
  }
  const min = num(left);
  const max = num(right);
  if (min === undefined || max === undefined || min > max) return undefined;
  return { min, max };
}

/**
 * The integer ranges of an expression's values (the unparsable ones left out), parsed once: the
 * config is immutable while it runs, and the rules read a rate on every request.
 */
const intRangesByExpr = new WeakMap<AclExpr, readonly IntRange[]>();

export function intRangesOf(expr: AclExpr): readonly IntRange[] {
  let ranges = intRangesByExpr.get(expr);
  if (ranges === undefined) {
    const parsed: IntRange[] = [];
    for (const text of expr.values) {
      const r = parseIntPattern(text, expr.operator);
      if (r !== undefined) parsed.push(r);
    }
    ranges = parsed;
    intRangesByExpr.set(expr, ranges);
  }
  return ranges;
}

function matchInt(value: number, expr: AclExpr): boolean {
  return matchIntRanges(value, intRangesOf(expr));
}

/** Whether an integer falls in any of the ranges (`intRangesOf`). */
export function matchIntRanges(value: number, ranges: readonly IntRange[]): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if ((r.min === undefined || r.min <= value) && (r.max === undefined || value <= r.max)) return true;
  }
  return false;
}

interface IpPattern {
  /** 16-byte IPv6 form (IPv4 patterns are mapped to ::ffff:a.b.c.d/96+n). */
  readonly bytes: string;
  readonly prefixBits: number;
}

function v4MaskBits(text: string): number | undefined {
  if (/^[0-9]{1,2}$/.test(text)) {
    const n = Number(text);
    return n <= 32 ? n : undefined;
  }
  const mask = parseIpv4Strict(text);
  if (mask === undefined) return undefined;
  // Leading one bits of the mask (a non-contiguous mask is taken up to its first zero bit).
  const bits = Math.clz32(~mask >>> 0);
  return bits;
}

export function parseIpPattern(text: string): IpPattern | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4Strict(addr);
  if (v4 !== undefined) {
    const bits = maskText === undefined ? 32 : v4MaskBits(maskText);
    if (bits === undefined) return undefined;
    return { bytes: ipv4ToIpv6(v4), prefixBits: 96 + bits };
  }
  const v6 = parseIpv6(addr);
  if (v6 === undefined) return undefined;
  const bits = maskText === undefined ? 128 : /^[0-9]{1,3}$/.test(maskText) ? Number(maskText) : undefined;
  if (bits === undefined || bits > 128) return undefined;
  return { bytes: v6, prefixBits: bits };
}

function prefixEqual(a: string, b: string, bits: number): boolean {
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a.charCodeAt(i) & mask) !== (b.charCodeAt(i) & mask)) return false;
  }
  return true;
}

function matchIp(sample: SampleValue, expr: AclExpr): boolean {
  const bytes = sample.type === 'ipv4' ? ipv4ToIpv6(sample.value) : sample.type === 'ipv6' ? sample.bytes : undefined;
  if (bytes === undefined) return false;
  const isV4 = sample.type === 'ipv4' || ipv6ToIpv4(bytes) !== undefined;
  for (const text of expr.values) {
    const p = parseIpPattern(text);
    if (p === undefined) continue;
    const patternIsV4 = p.prefixBits >= 96 && ipv6ToIpv4(p.bytes) !== undefined;
    if (patternIsV4 !== isV4 && patternIsV4) continue;
    if (prefixEqual(bytes, p.bytes, p.prefixBits)) return true;
  }
  return false;
}

function matchStr(value: string, expr: AclExpr): boolean {
  const fold = expr.flags.includes('-i');
  const v = fold ? value.toLowerCase() : value;
  const method = expr.matchMethod ?? 'str';
  for (const raw of expr.values) {
    const p = fold ? raw.toLowerCase() : raw;
    if (method === 'str' && v === p) return true;
    if (method === 'beg' && v.startsWith(p)) return true;
    if (method === 'end' && v.endsWith(p)) return true;
    if (method === 'sub' && v.includes(p)) return true;
  }
  return false;
}

/** Whether a fetched sample matches the expression's patterns. */
export function matchSample(sample: SampleValue, expr: AclExpr): boolean {
  const method = expr.matchMethod;
  if (method === 'found') return true;
  if (method === 'bool') return sampleTruth(sample);
  switch (sample.type) {
    case 'bool':
      return method === undefined ? sample.value : method === 'int' && matchInt(sample.value ? 1 : 0, expr);
    case 'sint':
      return (method === undefined || method === 'int') && matchInt(sample.value, expr);
    case 'ipv4':
    case 'ipv6':
      return (method === undefined || method === 'ip') && matchIp(sample, expr);
    case 'str':
      return matchStr(sample.value, expr);
  }
}

function sampleTruth(sample: SampleValue): boolean {
  switch (sample.type) {
    case 'bool':
      return sample.value;
    case 'sint':
      return sample.value !== 0;
    default:
      return false;
  }
}
