/**
 * Tracking actions that drive traffic into a table (spec §1.5, §1.6): what `track-sc`, the
 * per-event counters, `sc-inc-gpc*`, `sc-set-gpt*` and `stick store` write, each ending with
 * HAProxy's local touch. Pure functions over a table and an entry ref.
 */
import type { Tick } from '../ticks.ts';
import { NO_ENTRY, type EntryRef, type StickTable } from './table.ts';
import type { StoredKey } from './keys.ts';

const DT = {
  serverId: 0,
  gpt0: 1,
  gpc0: 2,
  gpc0Rate: 3,
  connCnt: 4,
  connRate: 5,
  connCur: 6,
  sessCnt: 7,
  sessRate: 8,
  httpReqCnt: 9,
  httpReqRate: 10,
  httpErrCnt: 11,
  httpErrRate: 12,
  bytesInCnt: 13,
  bytesInRate: 14,
  bytesOutCnt: 15,
  bytesOutRate: 16,
  gpc1: 17,
  gpc1Rate: 18,
  serverKey: 19,
  httpFailCnt: 20,
  httpFailRate: 21,
  gpt: 22,
  gpc: 23,
  gpcRate: 24,
} as const;

/**
 * `track-sc`: looks the key up or creates it (subject to eviction / nopurge), takes a reference
 * and starts the counters (`stream_start_counters`). NO_ENTRY when no entry could be had.
 */
export function trackStart(table: StickTable, key: StoredKey, now: Tick): EntryRef {
  const ref = table.getEntry(key, now);
  if (ref === NO_ENTRY) return NO_ENTRY;
  table.refInc(ref);
  const connCur = table.slot(DT.connCur);
  if (connCur) table.addUint(ref, connCur, 1);
  const connCnt = table.slot(DT.connCnt);
  if (connCnt) table.addUint(ref, connCnt, 1);
  const connRate = table.slot(DT.connRate);
  if (connRate) table.frqpUpdate(ref, connRate, now, 1);
  // HAProxy also sets expire = now + table.expire here; the local touch below sets the same value.
  table.touchLocal(ref, now);
  return ref;
}

/** Releasing a tracker (`stream_store_counters`): conn_cur - 1 (not below 0), then unref. */
export function trackRelease(table: StickTable, ref: EntryRef, now: Tick): void {
  const connCur = table.slot(DT.connCur);
  if (connCur) {
    if (table.getUint(ref, connCur) > 0) table.addUint(ref, connCur, -1);
    table.touchLocal(ref, now);
  }
  table.release(ref, now);
}

/** Adds `inc` to a counter/rate pair; touches when either is stored. */
function countPair(table: StickTable, ref: EntryRef, now: Tick, cntId: number, rateId: number, inc: number): boolean {
  const cnt = table.slot(cntId);
  const rate = table.slot(rateId);
  if (cnt) table.addUint(ref, cnt, inc);
  if (rate) table.frqpUpdate(ref, rate, now, inc);
  return cnt !== undefined || rate !== undefined;
}

/** One HTTP request on a tracked entry (`stkctr_inc_http_req_ctr`). */
export function countHttpRequest(table: StickTable, ref: EntryRef, now: Tick): void {
  if (countPair(table, ref, now, DT.httpReqCnt, DT.httpReqRate, 1)) table.touchLocal(ref, now);
}

/** A 4xx / denied / bad request (`stkctr_inc_http_err_ctr`). */
export function countHttpError(table: StickTable, ref: EntryRef, now: Tick): void {
  if (countPair(table, ref, now, DT.httpErrCnt, DT.httpErrRate, 1)) table.touchLocal(ref, now);
}

/** A server 5xx other than 501/505 (`stkctr_inc_http_fail_ctr`). */
export function countHttpFailure(table: StickTable, ref: EntryRef, now: Tick): void {
  if (countPair(table, ref, now, DT.httpFailCnt, DT.httpFailRate, 1)) table.touchLocal(ref, now);
}

/**
 * `http-response track-sc` on a new tracker (`http_action_track_sc`, response side): counts the
 * current request, plus http_err for a 4xx status and http_fail for a 5xx other than 501/505,
 * all under ONE local touch (as HAProxy does; two touches would hand out two update ids).
 */
export function countTrackedResponse(table: StickTable, ref: EntryRef, now: Tick, status: number): void {
  let stored = countPair(table, ref, now, DT.httpReqCnt, DT.httpReqRate, 1);
  if (status >= 400 && status < 500) stored = countPair(table, ref, now, DT.httpErrCnt, DT.httpErrRate, 1) || stored;
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) {
    stored = countPair(table, ref, now, DT.httpFailCnt, DT.httpFailRate, 1) || stored;
  }
  if (stored) table.touchLocal(ref, now);
}

/** A session accepted, session-level trackers only (`session_count_new`: no touch). */
export function countSession(table: StickTable, ref: EntryRef, now: Tick): void {
  countPair(table, ref, now, DT.sessCnt, DT.sessRate, 1);
}

function countBytes(table: StickTable, ref: EntryRef, now: Tick, cntId: number, rateId: number, bytes: number): void {
  const cnt = table.slot(cntId);
  const rate = table.slot(rateId);
  if (cnt) table.addUll(ref, cnt, bytes);
  if (rate) table.frqpUpdate(ref, rate, now, bytes);
  if (cnt || rate) table.touchLocal(ref, now);
}

export function countBytesIn(table: StickTable, ref: EntryRef, now: Tick, bytes: number): void {
  countBytes(table, ref, now, DT.bytesInCnt, DT.bytesInRate, bytes);
}

export function countBytesOut(table: StickTable, ref: EntryRef, now: Tick, bytes: number): void {
  countBytes(table, ref, now, DT.bytesOutCnt, DT.bytesOutRate, bytes);
}

/**
 * `sc-inc-gpc0` / `sc-inc-gpc1` (`which` 0 or 1): the rate first, then the counter, each
 * falling back to element `which` of the gpc / gpc_rate arrays when the scalar is not stored.
 */
export function incGpcLegacy(table: StickTable, ref: EntryRef, now: Tick, which: 0 | 1): void {
  const rateSlot = table.slot(which === 0 ? DT.gpc0Rate : DT.gpc1Rate);
  const cntSlot = table.slot(which === 0 ? DT.gpc0 : DT.gpc1);
  const rateArr = table.slot(DT.gpcRate);
  const cntArr = table.slot(DT.gpc);
  let touched = false;
  if (rateSlot) {
    table.frqpUpdate(ref, rateSlot, now, 1);
    touched = true;
  } else if (rateArr && which < rateArr.count) {
    table.frqpUpdate(ref, rateArr, now, 1, which);
    touched = true;
  }
  if (cntSlot) {
    table.addUint(ref, cntSlot, 1);
    touched = true;
  } else if (cntArr && which < cntArr.count) {
    table.addUint(ref, cntArr, 1, which);
    touched = true;
  }
  if (touched) table.touchLocal(ref, now);
}

/** `sc-inc-gpc(<idx>,<sc>)`: only the arrays. */
export function incGpc(table: StickTable, ref: EntryRef, now: Tick, idx: number): void {
  const rateArr = table.slot(DT.gpcRate);
  const cntArr = table.slot(DT.gpc);
  const hasRate = rateArr !== undefined && idx < rateArr.count;
  const hasCnt = cntArr !== undefined && idx < cntArr.count;
  if (hasRate) table.frqpUpdate(ref, rateArr, now, 1, idx);
  if (hasCnt) table.addUint(ref, cntArr, 1, idx);
  if (hasRate || hasCnt) table.touchLocal(ref, now);
}

/** `sc-set-gpt0(<sc>) <value>`: overwrite (cast to uint32), falling back to gpt[0]. */
export function setGpt0(table: StickTable, ref: EntryRef, now: Tick, value: number | bigint): void {
  const v = Number(BigInt.asUintN(32, BigInt(value)));
  const scalar = table.slot(DT.gpt0);
  const arr = table.slot(DT.gpt);
  if (scalar) table.setUint32(ref, scalar, v);
  else if (arr) table.setUint32(ref, arr, v, 0);
  else return;
  table.touchLocal(ref, now);
}

/** `sc-set-gpt(<idx>,<sc>) <value>`. */
export function setGpt(table: StickTable, ref: EntryRef, now: Tick, idx: number, value: number | bigint): void {
  const arr = table.slot(DT.gpt);
  if (!arr || idx >= arr.count) return;
  table.setUint32(ref, arr, Number(BigInt.asUintN(32, BigInt(value))), idx);
  table.touchLocal(ref, now);
}

/**
 * `stick store-request` / `stick on` after server selection: allocates a candidate first (the
 * §3.3 quirk), sets server_id and server_key, local touch. False when the store was dropped.
 */
export function stickStore(
  table: StickTable,
  key: StoredKey,
  now: Tick,
  server: { id: number; key: string },
): boolean {
  const ref = table.setEntryAllocatingFirst(key, now);
  if (ref === NO_ENTRY) return false;
  const idSlot = table.slot(DT.serverId);
  if (idSlot) table.setUint32(ref, idSlot, server.id);
  const keySlot = table.slot(DT.serverKey);
  if (keySlot) table.setDict(ref, keySlot, server.key);
  table.touchLocal(ref, now);
  return true;
}

/** `stick match` hit: refreshes the entry without changing data. */
export function stickMatch(table: StickTable, key: StoredKey, now: Tick): EntryRef {
  const ref = table.lookup(key);
  if (ref !== NO_ENTRY) table.touchLocal(ref, now);
  return ref;
}

export const DATA_TYPE_IDS = DT;
