import { describe, expect, it } from 'vitest';
import { tickFromMs } from '../../../engine/ticks.ts';
import { StickTable, NO_ENTRY } from '../../../engine/table/table.ts';
import {
  countBytesIn,
  countBytesOut,
  countHttpError,
  countHttpFailure,
  countHttpRequest,
  countSession,
  incGpc,
  incGpcLegacy,
  setGpt0,
  stickStore,
  trackRelease,
  trackStart,
} from '../../../engine/table/tracking.ts';
import { specOf } from '../../helpers/spec.ts';
import { OfflineSession } from '../../../engine/runtime-api/offline-session.ts';

const NOW = tickFromMs(5_000_000);

function table(store: string, extra: Parameters<typeof specOf>[0] = {}): StickTable {
  return new StickTable({ spec: specOf({ store, ...extra }) });
}

const u = (t: StickTable, ref: number, id: number, idx = 0): number => t.getUint(ref, t.slot(id)!, idx);
const r = (t: StickTable, ref: number, id: number, idx = 0): number => t.frqpRead(ref, t.slot(id)!, NOW, idx);

describe('tracking actions (spec §1.5, §1.6)', () => {
  it('track-sc starts conn_cur, conn_cnt, conn_rate and holds a reference until released', () => {
    const t = table('conn_cnt,conn_rate(10000),conn_cur');
    const ref = trackStart(t, 1, NOW);
    expect([u(t, ref, 4), r(t, ref, 5), u(t, ref, 6), t.refCount(ref)]).toEqual([1, 1, 1, 1]);
    const again = trackStart(t, 1, NOW);
    expect(again).toBe(ref);
    expect([u(t, ref, 4), u(t, ref, 6), t.refCount(ref)]).toEqual([2, 2, 2]);
    trackRelease(t, ref, NOW);
    trackRelease(t, ref, NOW);
    expect([u(t, ref, 4), u(t, ref, 6), t.refCount(ref)]).toEqual([2, 0, 0]);
  });

  it('conn_cur never goes below zero on release', () => {
    const t = table('conn_cur');
    const ref = trackStart(t, 1, NOW);
    t.setUint32(ref, t.slot(6)!, 0);
    trackRelease(t, ref, NOW);
    expect(u(t, ref, 6)).toBe(0);
  });

  it('http requests, errors and failures count into their cnt/rate pairs', () => {
    const t = table('http_req_cnt,http_req_rate(10000),http_err_cnt,http_err_rate(10000),http_fail_cnt,http_fail_rate(10000)');
    const ref = trackStart(t, 7, NOW);
    countHttpRequest(t, ref, NOW);
    countHttpRequest(t, ref, NOW);
    countHttpError(t, ref, NOW);
    countHttpFailure(t, ref, NOW);
    expect([u(t, ref, 9), r(t, ref, 10), u(t, ref, 11), r(t, ref, 12), u(t, ref, 20), r(t, ref, 21)]).toEqual([
      2, 2, 1, 1, 1, 1,
    ]);
  });

  it('sessions count without touching; bytes are 64-bit counters', () => {
    const t = table('sess_cnt,sess_rate(10000),bytes_in_cnt,bytes_in_rate(10000),bytes_out_cnt');
    const ref = trackStart(t, 7, NOW);
    countSession(t, ref, NOW);
    expect(u(t, ref, 7)).toBe(1);
    countBytesIn(t, ref, NOW, 0xffff_ffff);
    countBytesIn(t, ref, NOW, 2);
    countBytesOut(t, ref, NOW, 10);
    expect(t.getUll(ref, t.slot(13)!)).toBe(0x1_0000_0001n);
    expect(t.getUll(ref, t.slot(15)!)).toBe(10n);
  });

  it('sc-inc-gpc0/1 update rate then counter, falling back to the gpc arrays', () => {
    const scalar = table('gpc0,gpc0_rate(10000),gpc1');
    const a = trackStart(scalar, 1, NOW);
    incGpcLegacy(scalar, a, NOW, 0);
    incGpcLegacy(scalar, a, NOW, 1);
    expect([u(scalar, a, 2), r(scalar, a, 3), u(scalar, a, 17)]).toEqual([1, 1, 1]);
    const arrays = table('gpc(2),gpc_rate(2,10000)');
    const b = trackStart(arrays, 1, NOW);
    incGpcLegacy(arrays, b, NOW, 1);
    incGpc(arrays, b, NOW, 0);
    incGpc(arrays, b, NOW, 5); // out of range: nothing
    expect([u(arrays, b, 23, 0), u(arrays, b, 23, 1), r(arrays, b, 24, 0), r(arrays, b, 24, 1)]).toEqual([1, 1, 1, 1]);
  });

  it('sc-set-gpt0 overwrites with the value cast to uint32, falling back to gpt[0]', () => {
    const t = table('gpt0');
    const ref = trackStart(t, 1, NOW);
    setGpt0(t, ref, NOW, -1);
    expect(u(t, ref, 1)).toBe(0xffff_ffff);
    const arr = table('gpt(2)');
    const ref2 = trackStart(arr, 1, NOW);
    setGpt0(arr, ref2, NOW, 0x1_0000_0005n);
    expect(u(arr, ref2, 22, 0)).toBe(5);
  });

  it('stick store sets server_id and server_key and refreshes the entry', () => {
    const t = table('server_id,server_key', { expireMs: 1000 });
    expect(stickStore(t, 9, NOW, { id: 3, key: 'srv3' })).toBe(true);
    const ref = t.lookup(9);
    expect(t.getSint(ref, t.slot(0)!)).toBe(3);
    expect(t.getDict(ref, t.slot(19)!)).toBe('srv3');
    expect(t.expireOf(ref)).toBe(NOW + 1000);
  });

  it('stick store on a full nopurge table is dropped even for an existing key (candidate first)', () => {
    const t = table('server_id', { size: 1, nopurge: true });
    expect(stickStore(t, 1, NOW, { id: 1, key: 'a' })).toBe(true);
    expect(stickStore(t, 1, NOW, { id: 2, key: 'a' })).toBe(false);
    expect(t.getSint(t.lookup(1), t.slot(0)!)).toBe(1);
    expect(trackStart(t, 1, NOW)).not.toBe(NO_ENTRY); // track-sc looks up first
  });

  it('a set on a full table evicts a batch even for an existing key, and the slots handed out are those of a candidate taken and freed', () => {
    const t = table('server_id', { size: 4 });
    const refs = [1, 2, 3, 4].map((key, i) => {
      expect(stickStore(t, key, tickFromMs(NOW + i), { id: 1, key: 'a' })).toBe(true);
      return t.lookup(key);
    });
    expect(t.used).toBe(4);
    // Key 4 exists: the candidate still makes room (a batch of one: the oldest, key 1, goes).
    expect(t.setEntryAllocatingFirst(4, tickFromMs(NOW + 10))).toBe(refs[3]);
    expect(t.lastSetCreated).toBe(false);
    expect([t.stats.evictionBatches, t.stats.evicted, t.used, t.lookup(1)]).toEqual([1, 1, 3, NO_ENTRY]);
    // The next new entry takes the slot key 1 left (the one the candidate took and gave back).
    expect(t.setEntryAllocatingFirst(5, tickFromMs(NOW + 11))).toBe(refs[0]);
    expect(t.lastSetCreated).toBe(true);
  });

  it('every local write refreshes the expiry to now + expire', () => {
    const t = table('gpc0', { expireMs: 30_000 });
    const ref = trackStart(t, 1, NOW);
    trackRelease(t, ref, NOW);
    const later = NOW + 10_000;
    const again = trackStart(t, 1, tickFromMs(later));
    expect(t.expireOf(again)).toBe(later + 30_000);
  });
});

describe('sticksim cli extras: advance and track', () => {
  it('track x5 counts five requests; advance moves the clock and expiry removes the entry', () => {
    const s = new OfflineSession({ tables: [specOf({ name: 'st', expireMs: 10_000, store: 'conn_cnt,http_req_cnt,http_err_cnt' })] });
    expect(s.execute('track st 10.0.0.1 x5')).toEqual(['\n']);
    expect(s.execute('track st 10.0.0.1 err')).toEqual(['\n']);
    expect(s.execute('show table st')[0]).toMatch(/conn_cnt=6 http_req_cnt=6 http_err_cnt=1\n\n$/);
    expect(s.execute('advance 9999ms show')[0]).toMatch(/^Usage: advance/);
    s.execute('advance 10s');
    expect(s.execute('show table st')).toEqual(['# table: st, type: ip, size:1024, used:0\n\n']);
    expect(s.execute('track nosuch 1.2.3.4')).toEqual(['No such table\n\n']);
  });
});
