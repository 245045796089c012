/**
 * `show table`, `set table` and `clear table` with HAProxy 2.6's exact texts, errors and quirks
 * (spec §7.1–§7.3; 2.6 `cli_parse_table_req`, `table_process_entry_per_key`,
 * `table_prepare_data_request`, `cli_io_handler_table`). The entry pointer is printed from a
 * stable per-entry fake address.
 */
import type { Tick } from '../ticks.ts';
import { tickRemain } from '../ticks.ts';
import { dataTypeByName, type DataTypeInfo } from '../table/data-types.ts';
import { parseCliKey, renderKey } from '../table/keys.ts';
import type { StoredSlot } from '../table/layout.ts';
import { NO_ENTRY, type EntryRef, type StickTable } from '../table/table.ts';
import type { CliArgs } from './cli-args.ts';
import type { VersionProfile } from '../version/profile.ts';

export const FILTERS_MAX = 4;

export interface TableCommandContext {
  /** Tables in the global list order HAProxy dumps them (most recently declared first). */
  readonly tablesInListOrder: readonly StickTable[];
  findTable(name: string): StickTable | undefined;
  now(): Tick;
  /** A stable fake address for an entry (`0x…`), since sticksim has no pointers. */
  entryAddress(table: StickTable, ref: EntryRef): string;
  /** The HAProxy line whose texts, key parsing and data types the commands follow. */
  readonly profile: VersionProfile;
}

type Op = 'eq' | 'ne' | 'le' | 'ge' | 'lt' | 'gt';

interface DataFilter {
  slot: StoredSlot;
  /** The array element compared (0 for scalar types). */
  index: number;
  op: Op;
  value: bigint;
}

type Action = 'show' | 'clear' | 'set';

/** Answers one table command; the returned text excludes the empty line that ends every answer. */
export function runTableCommand(ctx: TableCommandContext, action: Action, args: CliArgs): string {
  const tableName = args.arg(2);
  if (tableName === '') {
    if (action !== 'show') return usageError(ctx, action);
    return dumpSummary(ctx);
  }
  const table = ctx.findTable(tableName);
  if (table === undefined) return 'No such table\n';
  const word3 = args.arg(3);
  if (word3 === 'key') return perKey(ctx, table, action, args);
  if (word3.startsWith('data.')) {
    if (action === 'set') {
      return 'content-based lookup is only supported with the "show" and "clear" actions\n';
    }
    const filters = parseFilters(ctx, table, args);
    if (typeof filters === 'string') return filters;
    return walk(ctx, table, action, filters);
  }
  if (word3 !== '') return usageError(ctx, action);
  // `set table <t>` alone runs the walk with the "set" action, which removes like `clear` does
  // (2.6 only dumps for "show"): the real binary wipes the table and prints nothing.
  return walk(ctx, table, action === 'show' ? 'show' : 'clear', []);
}

function usageError(ctx: TableCommandContext, action: Action): string {
  if (ctx.profile.usageNamesPtr) {
    switch (action) {
      case 'show':
        return 'Optional argument only supports "data.<store_data_type>" <operator> <value> or key <key> or ptr <ptr>\n';
      case 'clear':
        return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key> or <table> ptr <ptr>\n';
      case 'set':
        return 'Required arguments: <table> key <key> [data.<store_data_type> <value>]* or <table> ptr <ptr> [data.<store_data_type> <value>]*\n';
    }
  }
  switch (action) {
    case 'show':
      return 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n';
    case 'clear':
      return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n';
    case 'set':
      return 'Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n';
  }
}

function dumpSummary(ctx: TableCommandContext): string {
  let out = '';
  for (const table of ctx.tablesInListOrder) {
    if (table.size > 0) out += header(table);
  }
  return out;
}

function header(table: StickTable): string {
  return `# table: ${table.spec.name}, type: ${table.spec.keyType}, size:${table.size}, used:${table.used}\n`;
}

// ---------------------------------------------------------------------------------------------
// key <k>
// ---------------------------------------------------------------------------------------------

function perKey(ctx: TableCommandContext, table: StickTable, action: Action, args: CliArgs): string {
  const keyText = args.arg(4);
  if (keyText === '') return 'Key value expected\n';
  const profile = ctx.profile;
  if (table.spec.keyType === 'binary' && !profile.binaryKeyTouchesEntry) return binaryRefusal(action);
  const parsed = parseCliKey(table.spec, keyText, profile.cliKeys);
  if (!parsed.ok) return 'Invalid key\n';
  const now = ctx.now();
  if (table.spec.keyType === 'binary') {
    // 3.x looks the entry up (set: creates it) before refusing the table type; 3.0.11 never
    // drops the reference it took (the entry is pinned), 3.2 releases it.
    const ref = action === 'set' ? table.getEntry(parsed.key, now) : table.lookup(parsed.key);
    if (ref === NO_ENTRY) return action === 'set' ? 'Unable to allocate a new entry\n' : binaryRefusal(action);
    if (profile.binaryKeyLeaksRef) table.refInc(ref);
    return binaryRefusal(action);
  }
  switch (action) {
    case 'show': {
      const ref = table.lookup(parsed.key);
      if (ref === NO_ENTRY) return '';
      table.refInc(ref);
      const text = header(table) + entryLine(ctx, table, ref, now);
      table.refDec(ref); // stktable_release: no expiry check
      return text;
    }
    case 'clear': {
      const ref = table.lookup(parsed.key);
      if (ref === NO_ENTRY) return '';
      return table.kill(ref, 'cleared') ? '' : 'Entry currently in use, cannot remove\n';
    }
    case 'set':
      return setEntry(ctx, table, parsed.key, args, now);
  }
}

function binaryRefusal(action: Action): string {
  const verb = { show: 'Showing keys from', clear: 'Removing keys from', set: 'Inserting keys into' }[action];
  return `${verb} tables of type other than ip, ipv6, string and integer is not supported\n`;
}

function setEntry(ctx: TableCommandContext, table: StickTable, key: number | string, args: CliArgs, now: Tick): string {
  const ref = table.getEntry(key, now);
  if (ref === NO_ENTRY) return 'Unable to allocate a new entry\n';
  table.refInc(ref);
  let error = '';
  for (let i = 5; args.arg(i) !== ''; i += 2) {
    error = assignOne(ctx.profile, table, ref, args.arg(i), args.arg(i + 1), now);
    if (error !== '') break;
  }
  table.refDec(ref);
  table.touchLocal(ref, now);
  return error;
}

function assignOne(profile: VersionProfile, table: StickTable, ref: EntryRef, word: string, valueText: string, now: Tick): string {
  if (!word.startsWith('data.')) return '"data.<type>" followed by a value expected\n';
  const named = cliDataType(profile, word.slice(5));
  if (named === undefined) return 'Unknown data type\n';
  const slot = table.slot(named.info.id);
  if (slot === undefined) return 'Data type not stored in this table\n';
  if (named.index >= slot.count) return 'Data type not stored in this table\n';
  const info = named.info;
  const value = parseLongLong(valueText);
  if (value === undefined) return 'Require a valid integer value to store\n';
  switch (info.std) {
    case 'sint':
    case 'uint':
      table.setUint32(ref, slot, Number(BigInt.asUintN(32, value)), named.index);
      break;
    case 'ull':
      table.setUll(ref, slot, value, named.index);
      break;
    case 'frqp':
      table.frqpSet(ref, slot, now, Number(BigInt.asUintN(32, value)), named.index);
      break;
    case 'dict':
      break; // server_key: silently ignored
  }
  return '';
}

/**
 * A `data.<name>` type as the line knows it (`stktable_get_data_type`): types newer than the
 * line are unknown; from 3.2 an array element may be named `name[idx]` (e8b7337d8).
 */
function cliDataType(profile: VersionProfile, name: string): { info: DataTypeInfo; index: number } | undefined {
  let index = 0;
  let typeName = name;
  if (profile.cliArrayIndex) {
    const m = /^([^[]*)\[([0-9]+)\]$/.exec(name);
    if (m !== null) {
      typeName = m[1]!;
      index = Number(m[2]);
    }
  }
  const info = dataTypeByName(typeName);
  if (info === undefined || info.id > profile.dataTypeIdMax) return undefined;
  if (typeName !== name && !info.isArray) return undefined;
  return { info, index };
}

/** HAProxy's `strl2llrc`: optional leading '-', digits only, within the signed 64-bit range. */
export function parseLongLong(text: string): bigint | undefined {
  if (text.length === 0) return undefined;
  const negative = text[0] === '-';
  const digits = negative ? text.slice(1) : text;
  if (!/^[0-9]*$/.test(digits)) return undefined;
  const magnitude = digits === '' ? 0n : BigInt(digits);
  const value = negative ? -magnitude : magnitude;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// data.<type> <op> <value> filters and the table walk
// ---------------------------------------------------------------------------------------------

function parseFilters(ctx: TableCommandContext, table: StickTable, args: CliArgs): DataFilter[] | string {
  const filters: DataFilter[] = [];
  let i = 0;
  for (; i < FILTERS_MAX; i++) {
    if (i > 0 && args.arg(3 + 3 * i) === '') break;
    const named = cliDataType(ctx.profile, args.argFrom(3 + 3 * i, 5));
    if (named === undefined) return `Filter entry #${i + 1}: Unknown data type\n`;
    const slot = table.slot(named.info.id);
    if (slot === undefined || named.index >= slot.count) return `Filter entry #${i + 1}: Data type not stored in this table\n`;
    const op = parseOp(args.arg(4 + 3 * i));
    if (op === undefined) {
      return `Filter entry #${i + 1}: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n`;
    }
    const value = parseLongLong(args.arg(5 + 3 * i));
    if (value === undefined) return `Filter entry #${i + 1}: Require a valid integer value to compare against\n`;
    filters.push({ slot, index: named.index, op, value });
  }
  if (args.arg(3 + 3 * i) !== '') {
    return `Detected extra data in filter, ${3 + 3 * i + 1}th word of input, after '${args.arg(2 + 3 * i)}'\n`;
  }
  return filters;
}

function parseOp(word: string): Op | undefined {
  return word === 'eq' || word === 'ne' || word === 'le' || word === 'ge' || word === 'lt' || word === 'gt'
    ? word
    : undefined;
}

function filterValue(table: StickTable, ref: EntryRef, slot: StoredSlot, now: Tick, index: number): bigint {
  switch (slot.info.std) {
    case 'sint':
      return BigInt(table.getSint(ref, slot, index));
    case 'uint':
      return BigInt(table.getUint(ref, slot, index));
    case 'ull':
      return BigInt.asIntN(64, table.getUll(ref, slot, index));
    case 'frqp':
      return BigInt(table.frqpRead(ref, slot, now, index));
    case 'dict':
      return 0n;
  }
}

function matches(table: StickTable, ref: EntryRef, filters: readonly DataFilter[], now: Tick): boolean {
  for (const f of filters) {
    const data = filterValue(table, ref, f.slot, now, f.index);
    const v = f.value;
    if (data < v && (f.op === 'eq' || f.op === 'gt' || f.op === 'ge')) return false;
    if (data === v && (f.op === 'ne' || f.op === 'gt' || f.op === 'lt')) return false;
    if (data > v && (f.op === 'eq' || f.op === 'lt' || f.op === 'le')) return false;
  }
  return true;
}

/**
 * The dump / clear walk over the key tree. `show` kills each visited entry if it is expired;
 * `clear` removes a matching entry only if the NEXT entry of the walk is unreferenced (2.6 quirk).
 */
function walk(ctx: TableCommandContext, table: StickTable, action: Action, filters: readonly DataFilter[]): string {
  const now = ctx.now();
  const show = action === 'show';
  let out = show ? header(table) : '';
  if (table.size === 0) return out;
  const order = table.refsInKeyOrder();
  for (let i = 0; i < order.length; i++) {
    const ref = order[i]!;
    const skip = filters.length > 0 && !matches(table, ref, filters, now);
    table.refInc(ref); // the dumper holds the entry while it looks at it
    if (show && !skip) out += entryLine(ctx, table, ref, now);
    table.refDec(ref);
    const next = order[i + 1];
    if (show) table.killIfExpired(ref, now);
    else if (!skip && table.refCount(next ?? ref) === 0) table.kill(ref, 'cleared');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One entry line
// ---------------------------------------------------------------------------------------------

/** `0x…: key=K use=U exp=E field=value…`; the caller holds one reference, not counted in `use`. */
function entryLine(ctx: TableCommandContext, table: StickTable, ref: EntryRef, now: Tick): string {
  const use = table.refCount(ref) - 1;
  let line = `${ctx.entryAddress(table, ref)}: key=${renderKey(table.spec.keyType, table.keyOf(ref))}`;
  line += ` use=${use} exp=${tickRemain(now, table.expireOf(ref))}`;
  if (table.bucketer !== undefined) line += ` shard=${table.peerShardOf(ref)}`;
  for (const slot of table.layout.stored) line += renderSlot(table, ref, slot, now);
  return line + '\n';
}

function renderSlot(table: StickTable, ref: EntryRef, slot: StoredSlot, now: Tick): string {
  const info = slot.info;
  const period = info.std === 'frqp' ? `(${slot.periodMs})` : '';
  if (!info.isArray) return ` ${info.name}${period}=${renderValue(table, ref, slot, now, 0)}`;
  const underscore = info.name.indexOf('_');
  const prefix = underscore < 0 ? info.name : info.name.slice(0, underscore);
  const suffix = underscore < 0 ? '' : info.name.slice(underscore);
  let out = '';
  for (let idx = 0; idx < slot.count; idx++) {
    out += ` ${prefix}${idx}${suffix}${period}=${renderValue(table, ref, slot, now, idx)}`;
  }
  return out;
}

function renderValue(table: StickTable, ref: EntryRef, slot: StoredSlot, now: Tick, idx: number): string {
  switch (slot.info.std) {
    case 'sint':
      return String(table.getSint(ref, slot, idx));
    case 'uint':
      return String(table.getUint(ref, slot, idx));
    case 'ull':
      return String(table.getUll(ref, slot, idx));
    case 'frqp':
      return String(table.frqpRead(ref, slot, now, idx));
    case 'dict':
      return table.getDict(ref, slot) ?? '-';
  }
}
