/**
 * `stick-table …` (proxy form) and `table <name> …` (peers-section form) arguments, as
 * `stick_table.c:parse_stick_table` reads them (spec §1.1), into a TableDecl; `finishTable`
 * turns a declaration into the TableSpec the table engine consumes.
 */
import { assert } from '../../lib/assert.ts';
import {
  ARRAY_SIZE_MAX,
  dataTypeById,
  dataTypeByName,
  isTypeInVersion,
  type DataTypeInfo,
  type HaproxyVersion,
} from '../table/data-types.ts';
import { keySizeFor } from '../table/keys.ts';
import type { KeyTypeName, StoredTypeSpec, TableSpec } from '../table/table-spec.ts';
import type { Diagnostics } from './diagnostics.ts';
import { atol, parseSize, parseTimeMs } from './time-size.ts';
import type { Token } from './types.ts';

/**
 * A table as declared, before post-parse additions (stick rules, peers resolution): the TableSpec
 * fields it already knows, plus where it was declared. `peersSection` is as written (proxy form)
 * or the enclosing section (peers form); `store` is keyed by type id (finishTable sorts it).
 */
export interface TableDecl extends Omit<TableSpec, 'store' | 'version'> {
  /** The token naming the peers section in a proxy table (for "unable to find sync peers"). */
  readonly peersToken: Token | undefined;
  readonly store: Map<number, StoredTypeSpec>;
  readonly line: number;
  readonly column: number;
  readonly owner: 'proxy' | 'peers';
}

export interface TableParseInput {
  /** The whole line: args[0] is `stick-table` or `table`. */
  readonly args: readonly Token[];
  /** Index of the first option word. */
  readonly firstOption: number;
  readonly name: string;
  readonly wireName: string;
  /** Enclosing peers section for the peers form; undefined for the proxy form. */
  readonly enclosingPeers: string | undefined;
  readonly version: HaproxyVersion;
}

const KEY_TYPES: readonly KeyTypeName[] = ['ip', 'ipv6', 'integer', 'string', 'binary'];

interface Draft {
  keyType: KeyTypeName | undefined;
  keySizeBytes: number;
  sizeEntries: number;
  expireMs: number;
  nopurge: boolean;
  peersSection: string | undefined;
  peersToken: Token | undefined;
  srvkey: 'name' | 'addr';
  store: Map<number, StoredTypeSpec>;
}

/** Parses the options; reports the first fatal problem of the line (as HAProxy does) and returns undefined. */
export function parseTableDecl(input: TableParseInput, diag: Diagnostics): TableDecl | undefined {
  const args = input.args;
  const kw = args[0]!;
  const d: Draft = {
    keyType: undefined,
    keySizeBytes: 0,
    sizeEntries: 0,
    expireMs: 0,
    nopurge: false,
    peersSection: input.enclosingPeers,
    peersToken: undefined,
    srvkey: 'name',
    store: new Map(),
  };
  let idx = input.firstOption;
  // Every branch advances idx by at least one, so args.length bounds the loop.
  for (let guard = 0; guard <= args.length && idx < args.length; guard++) {
    const next = parseOption(input, d, idx, diag);
    if (next === undefined) return undefined;
    assert(next > idx, 'table option parser advances');
    idx = next;
  }
  if (d.sizeEntries === 0) {
    diag.error(kw, `${kw.text}: missing size.`);
    return undefined;
  }
  if (d.keyType === undefined) {
    diag.error(kw, `${kw.text}: missing type.`);
    return undefined;
  }
  return {
    name: input.name,
    wireName: input.wireName,
    keyType: d.keyType,
    keySizeBytes: d.keySizeBytes,
    sizeEntries: d.sizeEntries,
    expireMs: d.expireMs,
    nopurge: d.nopurge,
    peersSection: d.peersSection,
    peersToken: d.peersToken,
    srvkey: d.srvkey,
    store: d.store,
    line: kw.line,
    column: kw.column,
    owner: input.enclosingPeers === undefined ? 'proxy' : 'peers',
  };
}

/** One option at args[idx]; returns the index after it, or undefined after reporting an error. */
function parseOption(input: TableParseInput, d: Draft, idx: number, diag: Diagnostics): number | undefined {
  const args = input.args;
  const kw = args[0]!.text;
  const opt = args[idx]!;
  const value = args[idx + 1];
  const needValue = (): Token | undefined => {
    if (value === undefined) diag.error(opt, `${kw}: missing argument after '${opt.text}'.`);
    return value;
  };
  switch (opt.text) {
    case 'size': {
      const v = needValue();
      if (v === undefined) return undefined;
      const r = parseSize(v.text);
      if (!r.ok) {
        diag.error(v, `${kw}: unexpected character '${r.badChar}' in argument of '${opt.text}'.`);
        return undefined;
      }
      d.sizeEntries = r.value;
      return idx + 2;
    }
    case 'expire': {
      const v = needValue();
      if (v === undefined) return undefined;
      return parseExpire(kw, opt, v, d, diag) ? idx + 2 : undefined;
    }
    case 'nopurge':
      d.nopurge = true;
      return idx + 1;
    case 'type':
      return parseKeyType(input, d, idx + 1, diag);
    case 'store': {
      // A `store` without a list is accepted (and stores nothing), as in HAProxy.
      if (value === undefined) return idx + 1;
      return parseStoreList(input, d, value, diag) ? idx + 2 : undefined;
    }
    case 'srvkey': {
      const t = value?.text ?? '';
      if (t !== 'name' && t !== 'addr') {
        diag.error(value ?? opt, `${kw} : unknown server key type '${t}'.`);
        return undefined;
      }
      d.srvkey = t;
      return idx + 2;
    }
    case 'peers':
      if (input.enclosingPeers === undefined) {
        const v = needValue();
        if (v === undefined) return undefined;
        d.peersSection = v.text;
        d.peersToken = v;
        return idx + 2;
      }
      break;
  }
  diag.error(opt, `${kw}: unknown argument '${opt.text}'.`);
  return undefined;
}

function parseExpire(kw: string, opt: Token, v: Token, d: Draft, diag: Diagnostics): boolean {
  const r = parseTimeMs(v.text);
  if (r.ok) {
    d.expireMs = r.ms;
    if (r.trailingGarbage !== undefined) warnTimeGarbage(v, r.trailingGarbage, diag);
    return true;
  }
  if (r.reason === 'syntax') {
    diag.error(v, `${kw}: unexpected character '${r.badChar}' in argument of '${opt.text}'.`);
  } else if (r.reason === 'overflow') {
    diag.error(v, `${kw}: timer overflow in argument <${v.text}> to <${opt.text}>, maximum value is 2147483647 ms (~24.8 days).`);
  } else if (r.reason === 'underflow') {
    diag.error(v, `${kw}: timer underflow in argument <${v.text}> to <${opt.text}>, minimum non-null value is 1 ms.`);
  }
  return false;
}

export function warnTimeGarbage(v: Token, garbage: string, diag: Diagnostics): void {
  diag.warn(
    v,
    `unexpected character '${garbage[0]}' after the timer value '${v.text}', only ` +
      '(us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported.' +
      ' This will be reported as an error in next versions.',
  );
}

/** `type <t> [len <n>]` starting at args[idx] (the type word); returns the next index. */
function parseKeyType(input: TableParseInput, d: Draft, idx: number, diag: Diagnostics): number | undefined {
  const args = input.args;
  const kw = args[0]!.text;
  const t = args[idx];
  const name = t?.text ?? '';
  if (!(KEY_TYPES as readonly string[]).includes(name)) {
    diag.error(t ?? args[idx - 1]!, `${kw}: unknown type '${name}'.`);
    return undefined;
  }
  const keyType = name as KeyTypeName;
  let next = idx + 1;
  let len: number | undefined;
  if ((keyType === 'string' || keyType === 'binary') && args[next]?.text === 'len') {
    const lenTok = args[next + 1];
    const n = atol(lenTok?.text ?? '');
    if (n === 0) {
      diag.error(lenTok ?? args[next]!, `${kw}: unknown type '${lenTok?.text ?? ''}'.`);
      return undefined;
    }
    if (n < 0 || n > 0xffff) {
      // HAProxy stores atol() in a size_t: a negative or huge length cannot give a working table.
      diag.error(lenTok!, `${kw}: key length '${lenTok!.text}' is out of range (1-65535).`);
      return undefined;
    }
    len = n;
    next += 2;
  }
  d.keyType = keyType;
  d.keySizeBytes = keySizeFor(keyType, len);
  return next;
}

/** One `store a,b(x),c(n,p)` word. */
function parseStoreList(input: TableParseInput, d: Draft, word: Token, diag: Diagnostics): boolean {
  const kw = input.args[0]!.text;
  const items = splitStoreItems(word.text);
  if (items === undefined) {
    const open = word.text.lastIndexOf('(');
    const name = word.text.slice(word.text.lastIndexOf(',', open) + 1, open);
    diag.error(word, `${kw}: missing closing parenthesis after store option '${name}'.`);
    return false;
  }
  for (const item of items) {
    if (!addStoredType(input, d, word, item, diag)) return false;
  }
  const has = (name: string): boolean => d.store.has(dataTypeByName(name)!.id);
  if (has('gpt') && has('gpt0')) {
    diag.error(word, `${kw}: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.`);
    return false;
  }
  if (has('gpc') && (has('gpc0') || has('gpc1'))) {
    diag.error(word, `${kw}: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.`);
    return false;
  }
  if (has('gpc_rate') && (has('gpc0_rate') || has('gpc1_rate'))) {
    diag.error(word, `${kw}: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.`);
    return false;
  }
  return true;
}

interface StoreItem {
  readonly name: string;
  readonly arg1: string | undefined;
  readonly arg2: string | undefined;
}

/**
 * Splits `a,b(x),c(n,p)` like HAProxy: commas separate items outside parentheses; inside, the
 * first comma separates two arguments. Text between `)` and the next comma is ignored.
 * Undefined when a parenthesis is not closed.
 */
export function splitStoreItems(text: string): StoreItem[] | undefined {
  const items: StoreItem[] = [];
  let i = 0;
  for (let guard = 0; guard <= text.length && i < text.length; guard++) {
    const start = i;
    let name: string | undefined;
    let args: string | undefined;
    while (i < text.length && text[i] !== ',') {
      if (text[i] === '(') {
        name ??= text.slice(start, i);
        const close = text.indexOf(')', i);
        if (close < 0) return undefined;
        args = text.slice(i + 1, close);
        i = close;
      }
      i++;
    }
    name ??= text.slice(start, i);
    const comma = args === undefined ? -1 : args.indexOf(',');
    items.push({
      name,
      arg1: args === undefined ? undefined : comma < 0 ? args : args.slice(0, comma),
      arg2: args === undefined || comma < 0 ? undefined : args.slice(comma + 1),
    });
    i++;
  }
  return items;
}

function addStoredType(input: TableParseInput, d: Draft, word: Token, item: StoreItem, diag: Diagnostics): boolean {
  const kw = input.args[0]!.text;
  const info = dataTypeByName(item.name);
  if (info === undefined) {
    diag.error(word, `${kw}: unknown store option '${item.name}'.`);
    return false;
  }
  if (!isTypeInVersion(info, input.version)) {
    diag.error(
      word,
      `${kw}: unknown store option '${item.name}'. (data type '${info.name}' needs HAProxy ${info.since}+, the target is ${input.version})`,
    );
    return false;
  }
  if (d.store.has(info.id)) {
    diag.warn(word, `${kw}: store option '${item.name}' already enabled, ignored.`);
    return true;
  }
  const spec = storedTypeSpec(info, item);
  if (typeof spec === 'string') {
    diag.error(word, `${kw}: ${spec}`.replace('%s', item.name));
    return false;
  }
  d.store.set(info.id, spec);
  return true;
}

/** The element count and period of one store item, or HAProxy's message (with %s for the name). */
function storedTypeSpec(info: DataTypeInfo, item: StoreItem): StoredTypeSpec | string {
  let count = 1;
  let periodArg = item.arg1;
  if (info.isArray) {
    if (item.arg1 === undefined) return "missing argument to store option '%s'.";
    count = atol(item.arg1);
    if (count < 1 || count > ARRAY_SIZE_MAX) {
      return `array size is out of allowed range (1-${ARRAY_SIZE_MAX}) for store option '%s'.`;
    }
    periodArg = item.arg2;
  }
  const takesPeriod = info.arg === 'period' || info.arg === 'count_period';
  if (!takesPeriod) {
    if (periodArg !== undefined) return "unexpected argument to store option '%s'.";
    return { typeId: info.id, count, periodMs: 0 };
  }
  if (periodArg === undefined) return "missing argument to store option '%s'.";
  const r = parseTimeMs(periodArg);
  if (!r.ok || r.trailingGarbage !== undefined) return "error when processing store option '%s'.";
  if (r.ms === 0) {
    // HAProxy 2.6 accepts a 0 period, which divides by zero when the rate is read.
    return "a period of 0 makes the rate of store option '%s' meaningless (sticksim refuses it).";
  }
  return { typeId: info.id, count, periodMs: r.ms };
}

/** Adds a stored type if missing (stick rules add server_id and server_key, spec §1.1). */
export function addImplicitType(decl: TableDecl, typeName: 'server_id' | 'server_key'): void {
  const info = dataTypeByName(typeName);
  assert(info !== undefined, `data type ${typeName} exists`);
  if (!decl.store.has(info.id)) decl.store.set(info.id, { typeId: info.id, count: 1, periodMs: 0 });
}

/** The TableSpec of a declaration; `shared` false clears the peers section (disabled/removed). */
export function finishTable(decl: TableDecl, shared: boolean): TableSpec {
  const store = [...decl.store.values()].sort((a, b) => a.typeId - b.typeId);
  const needs30 = store.some((s) => dataTypeById(s.typeId)?.since === '3.0');
  return {
    name: decl.name,
    wireName: decl.wireName,
    keyType: decl.keyType,
    keySizeBytes: decl.keySizeBytes,
    sizeEntries: decl.sizeEntries,
    expireMs: decl.expireMs,
    nopurge: decl.nopurge,
    peersSection: shared ? decl.peersSection : undefined,
    srvkey: decl.srvkey,
    store,
    version: needs30 ? '3.0' : '2.6',
  };
}
