/**
 * Sample expressions (`fetch(args),conv(args),…`) and the stick-counter fetch families of
 * HAProxy 2.6 (`sc_*`, `sc0_*`..`sc2_*`, `src_*`, spec §1.5), which are checked by name and
 * arguments. Other fetches are kept as written (sticksim does not know every HAProxy fetch).
 */
import type { HaproxyVersion } from '../table/data-types.ts';
import type { Converter, SampleExpr, StickCounterFetch } from './types.ts';

/** MAX_SESS_STKCTR in 2.6: slots sc0..sc2. */
export const TRACK_SLOTS = 3;

/** Suffixes every family has (sc_X(slot[,table]), scN_X([table]), src_X([table])). */
const COMMON = [
  'bytes_in_rate', 'bytes_out_rate', 'clr_gpc0', 'clr_gpc1', 'conn_cnt', 'conn_cur', 'conn_rate',
  'get_gpt0', 'get_gpc0', 'get_gpc1', 'gpc0_rate', 'gpc1_rate', 'http_err_cnt', 'http_err_rate',
  'http_fail_cnt', 'http_fail_rate', 'http_req_cnt', 'http_req_rate', 'inc_gpc0', 'inc_gpc1',
  'kbytes_in', 'kbytes_out', 'sess_cnt', 'sess_rate',
];
/** Array fetches taking an element index first. */
const INDEXED = ['clr_gpc', 'get_gpt', 'get_gpc', 'gpc_rate', 'inc_gpc'];
const SINCE_30 = ['glitch_cnt', 'glitch_rate'];

type Family = 'sc_' | 'scN_' | 'src_';

interface FetchShape {
  readonly family: Family;
  readonly what: string;
  readonly indexed: boolean;
}

/** Fetches named like stick-counter ones that are not (kept opaque). */
const NOT_STICK_COUNTER = new Set(['src_port', 'src_is_local']);

function knownSuffix(family: Family, what: string, version: HaproxyVersion): FetchShape | undefined {
  if (COMMON.includes(what)) return { family, what, indexed: false };
  if (version !== '2.6' && SINCE_30.includes(what)) return { family, what, indexed: false };
  if (family !== 'src_' && (what === 'tracked' || what === 'trackers')) return { family, what, indexed: false };
  if (family === 'src_' && what === 'updt_conn_cnt') return { family, what, indexed: false };
  if (family !== 'scN_' && INDEXED.includes(what)) return { family, what, indexed: true };
  return undefined;
}

export type FetchClass =
  | { readonly kind: 'other' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'stick'; readonly shape: FetchShape; readonly slot: number | undefined };

/** Whether `name` is a stick-counter fetch, an unknown one of those families, or something else. */
export function classifyFetch(name: string, version: HaproxyVersion): FetchClass {
  if (NOT_STICK_COUNTER.has(name)) return { kind: 'other' };
  let m = /^sc_(.+)$/.exec(name);
  if (m !== null) {
    const shape = knownSuffix('sc_', m[1]!, version);
    return shape === undefined ? { kind: 'unknown' } : { kind: 'stick', shape, slot: undefined };
  }
  m = /^sc([0-9]+)_(.+)$/.exec(name);
  if (m !== null) {
    const slot = Number(m[1]);
    // sc1_clr_gpc is the one indexed scN_ fetch 2.6 registers.
    const shape = name === 'sc1_clr_gpc'
      ? { family: 'scN_' as const, what: 'clr_gpc', indexed: true }
      : knownSuffix('scN_', m[2]!, version);
    if (shape === undefined || slot >= TRACK_SLOTS) return { kind: 'unknown' };
    return { kind: 'stick', shape, slot };
  }
  m = /^src_(.+)$/.exec(name);
  if (m !== null) {
    const shape = knownSuffix('src_', m[1]!, version);
    return shape === undefined ? { kind: 'unknown' } : { kind: 'stick', shape, slot: undefined };
  }
  return { kind: 'other' };
}

export type SampleParse =
  | { readonly ok: true; readonly expr: SampleExpr }
  | { readonly ok: false; readonly detail: string };

/** Splits `name(args)` at top level; args split on commas (no nesting inside one call). */
function splitCall(text: string): { name: string; args: string[] } | undefined {
  const open = text.indexOf('(');
  if (open < 0) return { name: text, args: [] };
  if (!text.endsWith(')')) return undefined;
  const inner = text.slice(open + 1, -1);
  return { name: text.slice(0, open), args: inner === '' ? [] : inner.split(',') };
}

/** Splits `a(x,y),b,c(z)` on the commas outside parentheses. */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start));
  return parts;
}

/**
 * Parses one sample expression word. `where` is the phrase HAProxy appends to its messages
 * (e.g. "in ACL expression 'x'").
 */
export function parseSample(text: string, version: HaproxyVersion, where: string): SampleParse {
  const parts = splitTopLevel(text);
  const head = parts?.[0];
  if (parts === undefined || head === undefined) return { ok: false, detail: `missing closing ')' after arguments to fetch method ${where}.` };
  const call = splitCall(head);
  if (call === undefined || call.name === '') {
    return { ok: false, detail: `missing fetch method ${where}.` };
  }
  const converters: Converter[] = [];
  for (const p of parts.slice(1)) {
    const c = splitCall(p);
    if (c === undefined || c.name === '') return { ok: false, detail: `missing converter name ${where}.` };
    converters.push(c);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(call.name)) return { ok: false, detail: `unknown fetch method '${call.name}' ${where}.` };
  const cls = classifyFetch(call.name, version);
  if (cls.kind === 'unknown') return { ok: false, detail: `unknown fetch method '${call.name}' ${where}.` };
  let stickCounter: StickCounterFetch | undefined;
  if (cls.kind === 'stick') {
    const r = decodeStickArgs(call.name, call.args, cls.shape, cls.slot, where);
    if (typeof r === 'string') return { ok: false, detail: r };
    stickCounter = r;
  }
  return { ok: true, expr: { text, fetch: call.name, args: call.args, converters, stickCounter } };
}

const isInt = (s: string): boolean => /^[+-]?[0-9]+$/.test(s);

/** Checks the argument list of a stick-counter fetch (ARG2(1,SINT,TAB) and friends). */
function decodeStickArgs(
  name: string,
  args: readonly string[],
  shape: FetchShape,
  slotFromName: number | undefined,
  where: string,
): StickCounterFetch | string {
  const ints: number[] = [];
  const intCount = (shape.indexed ? 1 : 0) + (shape.family === 'sc_' ? 1 : 0);
  for (let k = 0; k < intCount; k++) {
    const a = args[k];
    if (a === undefined || a === '') {
      return `fetch method '${name}' : expected type 'integer' at position ${k + 1}, but got nothing ${where}.`;
    }
    if (!isInt(a)) return `fetch method '${name}' : failed to parse '${a}' as type 'integer' at position ${k + 1} ${where}.`;
    ints.push(Number(a));
  }
  if (args.length > intCount + 1) {
    return `fetch method '${name}' : end of arguments expected at position ${intCount + 2}, but got '${args[intCount + 1]}' ${where}.`;
  }
  const table = args[intCount];
  const index = shape.indexed ? ints[0] : undefined;
  const slot = shape.family === 'sc_' ? ints[ints.length - 1] : slotFromName;
  return {
    family: shape.family === 'src_' ? 'src' : 'sc',
    slot,
    what: shape.what,
    index,
    table: table === '' ? undefined : table,
  };
}
