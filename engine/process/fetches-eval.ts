/**
 * Stick-counter fetches `sc_*(slot[,table])`, `scN_*([table])` and `src_*([table])` as HAProxy 2.6
 * evaluates them (`stick_table.c:smp_fetch_sc_stkctr` and the `smp_fetch_sc_*` family):
 *
 * - sc family, slot not tracked (or slot ≥ 3) → the fetch FAILS (an ACL term on it is false);
 * - sc family with a table argument → the tracked key is looked up in that table (never created);
 * - src family → the client address is looked up in the table argument, default the table of the
 *   proxy whose rule is evaluated (never created, except by src_inc_gpc*, src_clr_gpc*,
 *   src_updt_conn_cnt);
 * - a counter set but no entry (src_* or alternate table, key absent) → SUCCESS with value 0;
 * - an entry without the data type stored → the fetch FAILS (`parameter not stored`), except the
 *   inc_gpc* fetches which then succeed with 0;
 * - `scN_tracked` never fails: a boolean.
 * Rates are read at `now`. Reads never touch the entry; inc/clr/updt do a local touch.
 */
import type { Proxy, SampleExpr, StickCounterFetch } from '../config/types.ts';
import { DATA_TYPE_IDS as DT, incGpc, incGpcLegacy } from '../table/tracking.ts';
import { NO_ENTRY, type EntryRef, type StickTable } from '../table/table.ts';
import type { StoredSlot } from '../table/layout.ts';
import type { TableSet } from '../table/table-set.ts';
import type { Tick } from '../ticks.ts';
import { fetchRequestSample, sampleToKey, type RequestFacts, type SampleValue } from './samples-eval.ts';
import type { StickCounters } from './stick-counters.ts';

/** Everything a fetch may read. */
export interface FetchScope {
  readonly counters: StickCounters;
  readonly tables: TableSet;
  /** The proxy whose rule is evaluated: its table is the default of src_* fetches. */
  readonly proxy: Proxy;
  readonly facts: RequestFacts;
  readonly now: Tick;
}

/** The counter a fetch works on: a table, and an entry or NO_ENTRY (HAProxy's stkctr). */
interface Target {
  readonly table: StickTable;
  readonly ref: EntryRef;
  /** For src_*: the client key in `table` (to create the entry for inc/clr). */
  readonly srcKey: ReturnType<typeof sampleToKey>;
}

const int = (value: number): SampleValue => ({ type: 'sint', value });

/** Evaluates any sample expression; undefined when the fetch fails or is not modelled. */
export function fetchSample(expr: SampleExpr, scope: FetchScope): SampleValue | undefined {
  const sc = expr.stickCounter;
  if (sc === undefined) return fetchRequestSample(expr, scope.facts);
  if (expr.converters.length > 0) return undefined;
  if (sc.what === 'tracked') return { type: 'bool', value: resolveTarget(sc, scope) !== undefined };
  if (sc.what === 'updt_conn_cnt') return updtConnCnt(sc, scope);
  const target = resolveTarget(sc, scope);
  if (target === undefined) return undefined;
  return evalOnTarget(sc, target, scope);
}

/** `smp_fetch_sc_stkctr`. */
function resolveTarget(sc: StickCounterFetch, scope: FetchScope): Target | undefined {
  if (sc.family === 'src') {
    const table = scope.tables.get(sc.table ?? scope.proxy.tableName ?? scope.proxy.name);
    if (table === undefined) return undefined;
    const key = sampleToKey(scope.facts.src, table.spec);
    if (key === undefined) return undefined;
    return { table, ref: table.lookup(key), srcKey: key };
  }
  if (sc.slot === undefined) return undefined;
  const tracker = scope.counters.get(sc.slot);
  if (tracker === undefined) return undefined;
  if (sc.table === undefined) return { table: tracker.table, ref: tracker.ref, srcKey: undefined };
  const alt = scope.tables.get(sc.table);
  if (alt === undefined) return undefined;
  const sameKeys = alt.spec.keyType === tracker.table.spec.keyType && alt.spec.keySizeBytes === tracker.table.spec.keySizeBytes;
  const ref = sameKeys ? alt.lookup(tracker.table.keyOf(tracker.ref)) : NO_ENTRY;
  return { table: alt, ref, srcKey: undefined };
}

const UINT_FETCHES: ReadonlyMap<string, number> = new Map([
  ['conn_cnt', DT.connCnt],
  ['conn_cur', DT.connCur],
  ['sess_cnt', DT.sessCnt],
  ['http_req_cnt', DT.httpReqCnt],
  ['http_err_cnt', DT.httpErrCnt],
  ['http_fail_cnt', DT.httpFailCnt],
]);

const RATE_FETCHES: ReadonlyMap<string, number> = new Map([
  ['conn_rate', DT.connRate],
  ['sess_rate', DT.sessRate],
  ['http_req_rate', DT.httpReqRate],
  ['http_err_rate', DT.httpErrRate],
  ['http_fail_rate', DT.httpFailRate],
  ['bytes_in_rate', DT.bytesInRate],
  ['bytes_out_rate', DT.bytesOutRate],
]);

/** UINT_FETCHES and RATE_FETCHES in one map (one lookup on the hot path). */
const COUNTER_FETCHES: ReadonlyMap<string, number> = new Map([...UINT_FETCHES, ...RATE_FETCHES]);

/** A read of a number from a request's counters; undefined when the fetch fails. */
export type IntFetch = (scope: FetchScope) => number | undefined;

/**
 * The fetch of a counter or rate on a tracked slot's own entry (`sc_http_req_rate(0)`,
 * `sc1_conn_cur`: what rate-limit rules read on every request), compiled once: the same value
 * `fetchSample` gives as its `sint`, without the sample. Undefined for every other expression
 * (a converter, a table argument, the src family, any other fetch): those go through `fetchSample`.
 */
export function compileTrackedCounterRead(expr: SampleExpr): IntFetch | undefined {
  const sc = expr.stickCounter;
  if (sc === undefined || expr.converters.length > 0 || sc.family !== 'sc' || sc.table !== undefined) return undefined;
  const counterId = COUNTER_FETCHES.get(sc.what);
  const trackSlot = sc.slot;
  if (counterId === undefined || trackSlot === undefined) return undefined;
  return (scope) => {
    const tracker = scope.counters.get(trackSlot);
    if (tracker === undefined) return undefined;
    // A tracker always holds an entry (track-sc attaches none when it cannot get one).
    return readCounter(tracker.table, tracker.ref, counterId, scope.now);
  };
}

/** Element 0 of a stored counter or rate at `now`; undefined when the table does not store it. */
function readCounter(table: StickTable, ref: EntryRef, counterId: number, now: Tick): number | undefined {
  const slot = table.slot(counterId);
  if (slot === undefined) return undefined;
  if (slot.info.std === 'frqp') return table.frqpRead(ref, slot, now, 0);
  if (slot.info.std === 'ull') return Number(table.getUll(ref, slot, 0));
  return table.getUint(ref, slot, 0);
}

/** A stored slot and element: the scalar type, else element `idx` of the array type. */
interface SlotAt {
  readonly slot: StoredSlot;
  readonly index: number;
}

function scalarOrElement(table: StickTable, scalarId: number | undefined, arrayId: number, idx: number): SlotAt | undefined {
  const scalar = scalarId === undefined ? undefined : table.slot(scalarId);
  if (scalar !== undefined) return { slot: scalar, index: 0 };
  const arr = table.slot(arrayId);
  if (arr !== undefined && idx >= 0 && idx < arr.count) return { slot: arr, index: idx };
  return undefined;
}

function evalOnTarget(sc: StickCounterFetch, target: Target, scope: FetchScope): SampleValue | undefined {
  const what = sc.what;
  if (what === 'inc_gpc0' || what === 'inc_gpc1' || what === 'inc_gpc') return incFetch(sc, target, scope);
  if (what === 'clr_gpc0' || what === 'clr_gpc1' || what === 'clr_gpc') return clrFetch(sc, target, scope);
  const { table, ref } = target;
  if (what === 'trackers') return int(ref === NO_ENTRY ? 0 : table.refCount(ref));
  if (ref === NO_ENTRY) return knownReadFetch(what) ? int(0) : undefined;
  // The counters and rates (what rate-limit rules read on every request): one stored slot, element 0.
  const counterId = COUNTER_FETCHES.get(what);
  if (counterId !== undefined) {
    const value = readCounter(table, ref, counterId, scope.now);
    return value === undefined ? undefined : int(value);
  }
  const at = readSlot(what, sc.index ?? 0, table);
  if (at === undefined) return undefined;
  if (at.slot.info.std === 'frqp') return int(table.frqpRead(ref, at.slot, scope.now, at.index));
  if (at.slot.info.std === 'ull') {
    const shift = what === 'kbytes_in' || what === 'kbytes_out' ? 10n : 0n;
    return int(Number(table.getUll(ref, at.slot, at.index) >> shift));
  }
  return int(table.getUint(ref, at.slot, at.index));
}

/** The slot a read fetch uses, or undefined when the table does not store it (the fetch fails). */
function readSlot(what: string, idx: number, table: StickTable): SlotAt | undefined {
  const uintId = UINT_FETCHES.get(what) ?? RATE_FETCHES.get(what);
  if (uintId !== undefined) {
    const slot = table.slot(uintId);
    return slot === undefined ? undefined : { slot, index: 0 };
  }
  switch (what) {
    case 'kbytes_in':
      return scalarOrElement(table, DT.bytesInCnt, -1, 0);
    case 'kbytes_out':
      return scalarOrElement(table, DT.bytesOutCnt, -1, 0);
    case 'get_gpt0':
      return scalarOrElement(table, DT.gpt0, DT.gpt, 0);
    case 'get_gpc0':
      return scalarOrElement(table, DT.gpc0, DT.gpc, 0);
    case 'get_gpc1':
      return scalarOrElement(table, DT.gpc1, DT.gpc, 1);
    case 'gpc0_rate':
      return scalarOrElement(table, DT.gpc0Rate, DT.gpcRate, 0);
    case 'gpc1_rate':
      return scalarOrElement(table, DT.gpc1Rate, DT.gpcRate, 1);
    case 'get_gpt':
      return scalarOrElement(table, undefined, DT.gpt, idx);
    case 'get_gpc':
      return scalarOrElement(table, undefined, DT.gpc, idx);
    case 'gpc_rate':
      return scalarOrElement(table, undefined, DT.gpcRate, idx);
    default:
      return undefined;
  }
}

/** Read fetches 2.6 has (so a missing entry gives 0); anything else (3.0 glitch_*) fails. */
function knownReadFetch(what: string): boolean {
  if (UINT_FETCHES.has(what) || RATE_FETCHES.has(what)) return true;
  return [
    'kbytes_in', 'kbytes_out', 'get_gpt0', 'get_gpc0', 'get_gpc1', 'gpc0_rate', 'gpc1_rate',
    'get_gpt', 'get_gpc', 'gpc_rate',
  ].includes(what);
}

/** The entry to modify: the target's, else (src_* only) a new one (`smp_create_src_stkctr`). */
function entryForWrite(sc: StickCounterFetch, target: Target, now: Tick): EntryRef {
  if (target.ref !== NO_ENTRY) return target.ref;
  if (sc.family !== 'src' || target.srcKey === undefined) return NO_ENTRY;
  return target.table.getEntry(target.srcKey, now);
}

/** curr_ctr of a freq counter (what inc_gpc* returns when only the rate is stored). */
function rateCurrCtr(table: StickTable, ref: EntryRef, at: SlotAt): number {
  return table.wordsView()[table.wordAt(ref, at.slot, at.index) + 1]!;
}

/** `scN_inc_gpc0|1`, `sc_inc_gpc(idx,…)`, `src_inc_gpc*`: increment, return the new value. */
function incFetch(sc: StickCounterFetch, target: Target, scope: FetchScope): SampleValue {
  const { table } = target;
  const ref = entryForWrite(sc, target, scope.now);
  if (ref === NO_ENTRY) return int(0);
  const which = sc.what === 'inc_gpc0' ? 0 : sc.what === 'inc_gpc1' ? 1 : (sc.index ?? 0);
  const legacy = sc.what !== 'inc_gpc';
  const cnt = legacy
    ? scalarOrElement(table, which === 0 ? DT.gpc0 : DT.gpc1, DT.gpc, which)
    : scalarOrElement(table, undefined, DT.gpc, which);
  const rate = legacy
    ? scalarOrElement(table, which === 0 ? DT.gpc0Rate : DT.gpc1Rate, DT.gpcRate, which)
    : scalarOrElement(table, undefined, DT.gpcRate, which);
  if (legacy) incGpcLegacy(table, ref, scope.now, which === 0 ? 0 : 1);
  else incGpc(table, ref, scope.now, which);
  if (cnt !== undefined) return int(table.getUint(ref, cnt.slot, cnt.index));
  if (rate !== undefined) return int(rateCurrCtr(table, ref, rate));
  return int(0);
}

/** `scN_clr_gpc0|1`, `sc_clr_gpc(idx,…)`, `src_clr_gpc*`: set to 0, return the previous value. */
function clrFetch(sc: StickCounterFetch, target: Target, scope: FetchScope): SampleValue | undefined {
  const { table } = target;
  const ref = entryForWrite(sc, target, scope.now);
  if (ref === NO_ENTRY) return int(0);
  const which = sc.what === 'clr_gpc0' ? 0 : sc.what === 'clr_gpc1' ? 1 : (sc.index ?? 0);
  const at = sc.what === 'clr_gpc'
    ? scalarOrElement(table, undefined, DT.gpc, which)
    : scalarOrElement(table, which === 0 ? DT.gpc0 : DT.gpc1, DT.gpc, which);
  if (at === undefined) return undefined;
  const previous = table.getUint(ref, at.slot, at.index);
  table.setUint32(ref, at.slot, 0, at.index);
  table.touchLocal(ref, scope.now);
  return int(previous);
}

/** `src_updt_conn_cnt([table])`: creates the entry if missing, conn_cnt + 1, returns it. */
function updtConnCnt(sc: StickCounterFetch, scope: FetchScope): SampleValue | undefined {
  const table = scope.tables.get(sc.table ?? scope.proxy.tableName ?? scope.proxy.name);
  if (table === undefined) return undefined;
  const key = sampleToKey(scope.facts.src, table.spec);
  if (key === undefined) return undefined;
  const ref = table.getEntry(key, scope.now);
  if (ref === NO_ENTRY) return undefined;
  const slot = table.slot(DT.connCnt);
  if (slot === undefined) return undefined;
  const value = table.addUint(ref, slot, 1);
  table.touchLocal(ref, scope.now);
  return int(value);
}
