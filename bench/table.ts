/**
 * Stick-table benchmark: track operations per second on a 1,000,000-entry ip table storing
 * http_req_rate(10s), conn_cur and gpc0, and bytes of memory per entry.
 * A "track operation" is what one tracked HTTP request does: track-sc (lookup or create,
 * conn_cur+1), count the request, sc-inc-gpc0, release (conn_cur-1), each with its local touch.
 * Prints JSON lines: {"bench":"table","metric":"ops_per_s",…} and {"metric":"bytes_per_entry",…}.
 */
import { StickTable } from '../engine/table/table.ts';
import { tickAdd, tickFromMs } from '../engine/ticks.ts';
import { countHttpRequest, incGpcLegacy, trackRelease, trackStart } from '../engine/table/tracking.ts';
import type { TableSpec } from '../engine/table/table-spec.ts';
import { emit, heapUsedBytes } from './emit.ts';

const ENTRIES = Number(process.env.BENCH_TABLE_ENTRIES ?? 1_000_000);
const OPS = Number(process.env.BENCH_TABLE_OPS ?? 5_000_000);

const spec: TableSpec = {
  name: 'st',
  wireName: 'st',
  keyType: 'ip',
  keySizeBytes: 4,
  sizeEntries: ENTRIES,
  expireMs: 60_000,
  nopurge: false,
  peersSection: undefined,
  srvkey: 'name',
  store: [
    { typeId: 2, count: 1, periodMs: 0 }, // gpc0
    { typeId: 6, count: 1, periodMs: 0 }, // conn_cur
    { typeId: 10, count: 1, periodMs: 10_000 }, // http_req_rate(10s)
  ],
  version: '2.6',
};

function main(): void {
  const heapBefore = heapUsedBytes();
  const table = new StickTable({ spec, capacityEntriesInitial: ENTRIES + 1 });
  let now = tickFromMs(1_000_000);
  for (let i = 0; i < ENTRIES; i++) {
    const ref = trackStart(table, (0x0a000000 + i) >>> 0, now);
    trackRelease(table, ref, now);
  }
  const heapAfter = heapUsedBytes();
  if (table.used !== ENTRIES) throw new Error(`table holds ${table.used} entries, expected ${ENTRIES}`);
  const bytesPerEntry = (heapAfter - heapBefore) / ENTRIES;

  // Deterministic key stream over the filled key space (an LCG), the clock moving 1 ms every 1000 ops.
  let x = 12345;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const key = (0x0a000000 + (x % ENTRIES)) >>> 0;
    if (i % 1000 === 0) now = tickAdd(now, 1);
    const ref = trackStart(table, key, now);
    countHttpRequest(table, ref, now);
    incGpcLegacy(table, ref, now, 0);
    trackRelease(table, ref, now);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  emit({ bench: 'table', metric: 'ops_per_s', value: Math.round(OPS / seconds), unit: 'op/s' });
  emit({ bench: 'table', metric: 'bytes_per_entry', value: Math.round(bytesPerEntry), unit: 'B' });
}

main();
