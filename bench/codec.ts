/**
 * Peers codec benchmark: UPDATE messages encoded + decoded per second on one core.
 * One message = encodeUpdateMessage → MessageDecoder.push/next → decodeUpdateBody, i.e. what a
 * sending and a receiving session each do per entry. Tables: ip (and a string-key variant)
 * storing gpc0, conn_cur, http_req_rate(10s).
 * Prints JSON lines: {"bench":"codec","metric":"msgs_per_s",…}, {"metric":"msgs_per_s_string_key",…},
 * and {"metric":"resync_ingest_ratio",…}: the time sticksim's engine (a live HaproxyProcess fed
 * through an in-memory stream: session decode + merge into the table) takes to learn a full resync
 * of RESYNC_ENTRIES ip entries (DEFINE, UPDATE_TIMED/INCUPDATE_TIMED…, RESYNCFINISHED, generated
 * once), divided by the time a real haproxy 2.6 takes to learn the same bytes from a fake teacher
 * peer over loopback (until `show table` reports them all). Without haproxy only a stderr line.
 * The table's keys are consecutive addresses (10.0.0.0, 10.0.0.1, …: clients cluster in real
 * tables, and a teacher walks its tree in order); {"metric":"resync_ingest_ratio_random_keys",…}
 * is the same with addresses spread over the whole space (a bijection of the index), where
 * neither side's index gets help from neighbouring keys.
 * Each figure is one entry of FIGURES; a new metric is a new entry.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../engine/config/parse.ts';
import type { Env, Net } from '../engine/env.ts';
import { NO_EVENTS } from '../engine/env.ts';
import { MessageDecoder } from '../engine/peers/decoder.ts';
import { definitionFromSpec } from '../engine/peers/definition.ts';
import { encodeMessage } from '../engine/peers/encode-message.ts';
import { HaproxyProcess } from '../engine/process/process.ts';
import { LiveClock, LiveTimers } from '../live/clock.ts';
import { LiveRandom } from '../live/random.ts';
import { cfgPreamble, findHaproxyPath, unixCli } from '../test/interop/haproxy.ts';
import { MemoryStream } from '../test/helpers/memory-stream.ts';
import { layoutFromSpec, type UpdateLayout } from '../engine/peers/layout.ts';
import { decodeUpdateBody, encodeUpdateMessage, type StickUpdate } from '../engine/peers/update-body.ts';
import type { KeyTypeName, TableSpec } from '../engine/table/table-spec.ts';
import { emit } from './emit.ts';

const MSGS = Number(process.env.BENCH_CODEC_MSGS ?? 3_000_000);
const ROUNDS = 5;
const WARMUP_MSGS = 300_000;
const DISTINCT_UPDATES = 4096;

interface Figure {
  readonly metric: string;
  readonly unit: string;
  /** undefined: the figure cannot be measured here (the reason went to stderr). */
  readonly measure: () => number | undefined | Promise<number | undefined>;
}

/** The lab table's store: gpc0, conn_cnt, http_req_cnt, http_req_rate(10s). */
const RESYNC_TABLE_STORE: TableSpec['store'] = [
  { typeId: 2, count: 1, periodMs: 0 },
  { typeId: 4, count: 1, periodMs: 0 },
  { typeId: 9, count: 1, periodMs: 0 },
  { typeId: 10, count: 1, periodMs: 10_000 },
];

function specFor(keyType: KeyTypeName, keySizeBytes: number, store?: TableSpec['store']): TableSpec {
  return {
    name: 'st',
    wireName: 'st',
    keyType,
    keySizeBytes,
    sizeEntries: 1_000_000,
    expireMs: 60_000,
    nopurge: false,
    peersSection: 'mesh',
    srvkey: 'name',
    store: store ?? [
      { typeId: 2, count: 1, periodMs: 0 }, // gpc0
      { typeId: 6, count: 1, periodMs: 0 }, // conn_cur
      { typeId: 10, count: 1, periodMs: 10_000 }, // http_req_rate(10s)
    ],
    version: '2.6',
  };
}

/** A deterministic spread of updates: some with ids, multi-byte varints, varied keys. */
function sampleUpdates(keyType: KeyTypeName): StickUpdate[] {
  const out: StickUpdate[] = [];
  let x = 12345;
  for (let i = 0; i < DISTINCT_UPDATES; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const key = keyType === 'ip' ? (0x0a000000 + (x & 0xffffff)) >>> 0 : `client-${x.toString(36)}.example`;
    out.push({
      updateId: i % 200 === 0 ? i + 1 : undefined, // first of each 200-update batch carries its id
      expireMs: undefined,
      key,
      values: [x & 0x3ff, (x >>> 10) & 0x7, { ageMs: (x >>> 13) & 0x1fff, curr: (x >>> 3) & 0xfff, prev: x & 0xfff }],
    });
  }
  return out;
}

/** Encodes and decodes `count` updates; returns a checksum of decoded gpc0 values. */
function run(layout: UpdateLayout, updates: readonly StickUpdate[], count: number): number {
  const decoder = new MessageDecoder({ expect: 'messages' });
  let checksum = 0;
  for (let i = 0; i < count; i++) {
    const bytes = encodeUpdateMessage(updates[i % updates.length]!, layout);
    decoder.push(bytes);
    const msg = decoder.next();
    if (msg === undefined || msg.kind !== 'update') throw new Error('codec bench: an update was not decoded');
    const update = decodeUpdateBody(msg, layout);
    checksum = (checksum + (update.values[0] as number)) >>> 0;
  }
  return checksum;
}

function expectedChecksum(updates: readonly StickUpdate[], count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum = (sum + (updates[i % updates.length]!.values[0] as number)) >>> 0;
  return sum;
}

/** Best of ROUNDS timed rounds (the least disturbed by other processes on the machine). */
function measureMsgsPerS(keyType: KeyTypeName, keySizeBytes: number): () => number {
  return () => {
    const layout = layoutFromSpec(specFor(keyType, keySizeBytes));
    const updates = sampleUpdates(keyType);
    run(layout, updates, WARMUP_MSGS);
    const perRound = Math.ceil(MSGS / ROUNDS);
    const expected = expectedChecksum(updates, perRound);
    let best = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.hrtime.bigint();
      const checksum = run(layout, updates, perRound);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (checksum !== expected) throw new Error('codec bench: decoded values differ from encoded');
      best = Math.max(best, perRound / seconds);
    }
    return Math.round(best);
  };
}

// ---------------------------------------------------------------------------------------------
// resync_ingest_ratio
// ---------------------------------------------------------------------------------------------

const RESYNC_ENTRIES = Number(process.env.BENCH_RESYNC_ENTRIES ?? 1_000_000);
const RESYNC_CHUNK_BYTES = 64 * 1024;
const RESYNC_TRIES = 5;
const RESYNC_WAIT_MS_MAX = 120_000;
/** The lab's table, sized for the resync. */
const RESYNC_TABLE = `type ip size ${Math.ceil((RESYNC_ENTRIES * 1.1) / 1000)}k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt`;

function resyncConfig(teacher: { address: string; port: number }, learner: { address: string; port: number }): string {
  return [
    ...cfgPreamble({ clientTimeoutS: 30 }),
    'peers mesh',
    `    peer learner ${learner.address}:${learner.port}`,
    `    peer teacher ${teacher.address}:${teacher.port}`,
    '',
    'backend st',
    `    stick-table ${RESYNC_TABLE} peers mesh`,
    '',
  ].join('\n');
}

type KeyOrder = 'consecutive' | 'random';

/** A bijection of uint32 (distinct indices give distinct keys), for keys spread over the space. */
function spread32(i: number): number {
  let x = i >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** What a teacher sends after the learner's RESYNCREQ: DEFINE, every entry (timed), RESYNCFINISHED. */
function resyncStream(spec: TableSpec, order: KeyOrder = 'consecutive'): Buffer {
  const layout = layoutFromSpec(spec);
  const parts: Uint8Array[] = [encodeMessage({ kind: 'define', def: definitionFromSpec(spec, 1) })];
  let x = 99;
  for (let i = 0; i < RESYNC_ENTRIES; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    // layout order: gpc0, conn_cnt, http_req_cnt, http_req_rate(10s)
    const values = [x & 0xff, (x >>> 8) & 0x3f, (x >>> 4) & 0xfff, { ageMs: (x >>> 12) & 0x1fff, curr: (x >>> 3) & 0x3f, prev: x & 0x3f }];
    const key = order === 'consecutive' ? (0x0a000000 + i) >>> 0 : spread32(i);
    parts.push(encodeUpdateMessage({ updateId: i === 0 ? 1 : undefined, expireMs: 30_000 + (x & 0x7fff), key, values }, layout));
  }
  parts.push(encodeMessage({ kind: 'control', control: 'resyncFinished' }));
  return Buffer.concat(parts);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function sticksimIngestMs(stream: Buffer): Promise<number> {
  let connection: MemoryStream | undefined;
  const net: Net = {
    connect: () => (connection = new MemoryStream()),
    listen: () => ({ close: () => {} }),
  };
  const env: Env = { clock: new LiveClock(), timers: new LiveTimers(), random: new LiveRandom(), net, events: NO_EVENTS };
  const parsed = parseConfig(resyncConfig({ address: '127.0.0.2', port: 1 }, { address: '127.0.0.1', port: 2 }), { file: 'bench.cfg' });
  if (!parsed.ok) throw new Error(`resync bench config: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const proc = new HaproxyProcess({ env, config: parsed.config, hostname: 'learner', cliLocalPeer: 'learner' });
  const table = proc.tables.tables[0]!;
  proc.start();
  for (let i = 0; i < 10_000 && connection === undefined; i++) await tick();
  const conn = connection!;
  conn.push(Buffer.from('200\n'));
  for (let i = 0; i < 10_000 && !conn.writtenText().includes('\x00\x00'); i++) await tick();
  const start = process.hrtime.bigint();
  // one socket read per event-loop turn, as from a real socket (the session consumes each first)
  for (let at = 0; at < stream.length; at += RESYNC_CHUNK_BYTES) {
    for (let i = 0; i < 1_000_000 && conn.paused; i++) await tick();
    conn.push(stream.subarray(at, at + RESYNC_CHUNK_BYTES));
    await tick();
  }
  for (let i = 0; i < 1_000_000 && table.used < RESYNC_ENTRIES; i++) await tick();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (table.used !== RESYNC_ENTRIES) throw new Error(`resync bench: sticksim learned ${table.used} of ${RESYNC_ENTRIES}`);
  proc.kill();
  return ms;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      server.close(() => (a !== null && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** A fake teacher on loopback: haproxy connects, gets 200, asks RESYNCREQ, receives the stream. */
async function haproxyIngestMs(haproxyPath: string, stream: Buffer): Promise<number> {
  const teacher = { address: '127.0.0.2', port: await freePort('127.0.0.2') };
  const learner = { address: '127.0.0.3', port: await freePort('127.0.0.3') };
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-bench-'));
  const sock = join(dir, 'admin.sock');
  writeFileSync(join(dir, 'haproxy.cfg'), resyncConfig(teacher, learner).replace('global\n', `global\n    stats socket ${sock} level admin\n`));
  let startNs = 0n;
  let sent = false;
  const server = createServer((socket: Socket) => {
    let seen = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\n200') && seen.split('\n').length > 3 && !seen.includes('\x00')) {
        socket.write('200\n');
        seen += '\n200';
      }
      if (!sent && seen.includes('\x00\x00')) {
        sent = true;
        startNs = process.hrtime.bigint();
        socket.write(stream);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: teacher.address, port: teacher.port }, resolve));
  const child = spawn(haproxyPath, ['-db', '-f', join(dir, 'haproxy.cfg'), '-L', 'learner'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const deadline = Date.now() + RESYNC_WAIT_MS_MAX;
    for (;;) {
      if (Date.now() > deadline) throw new Error('resync bench: haproxy did not learn the table in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!sent) continue;
      const header = await unixCli(sock, 'show table').catch(() => '');
      const used = Number(/# table: st, type: ip, size:\d+, used:(\d+)/.exec(header)?.[1] ?? -1);
      if (used === RESYNC_ENTRIES) return Number(process.hrtime.bigint() - startNs) / 1e6;
    }
  } finally {
    child.kill('SIGTERM');
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function measureResyncIngestRatio(order: KeyOrder): () => Promise<number | undefined> {
  return () => resyncIngestRatio(order);
}

async function resyncIngestRatio(order: KeyOrder): Promise<number | undefined> {
  if (process.env['BENCH_RESYNC_STICKSIM_ONLY'] === '1') {
    // profiling aid: sticksim's ingest alone, printed on stderr
    const ms = await sticksimIngestMs(resyncStream(specFor('ip', 4, RESYNC_TABLE_STORE), order));
    process.stderr.write(`bench codec: sticksim ingest of ${RESYNC_ENTRIES} entries: ${ms.toFixed(0)} ms\n`);
    return undefined;
  }
  const haproxyPath = findHaproxyPath();
  if (haproxyPath === undefined) {
    process.stderr.write('bench codec: resync_ingest_ratio skipped: no haproxy binary (install haproxy 2.6 or set HAPROXY_BIN)\n');
    return undefined;
  }
  const stream = resyncStream(specFor('ip', 4, RESYNC_TABLE_STORE), order);
  // The best of RESYNC_TRIES for each side, alternating, so a noisy moment on a shared machine
  // does not decide the ratio either way.
  let sticksimMs = Infinity;
  let haproxyMs = Infinity;
  for (let i = 0; i < RESYNC_TRIES; i++) {
    sticksimMs = Math.min(sticksimMs, await sticksimIngestMs(stream));
    haproxyMs = Math.min(haproxyMs, await haproxyIngestMs(haproxyPath, stream));
  }
  process.stderr.write(`bench codec: resync of ${RESYNC_ENTRIES} entries, ${order} keys (${stream.length} bytes): sticksim ${sticksimMs.toFixed(0)} ms, haproxy ${haproxyMs.toFixed(0)} ms\n`);
  return Math.round((sticksimMs / haproxyMs) * 100) / 100;
}

const FIGURES: readonly Figure[] = [
  { metric: 'msgs_per_s', unit: 'msg/s', measure: measureMsgsPerS('ip', 4) },
  { metric: 'msgs_per_s_string_key', unit: 'msg/s', measure: measureMsgsPerS('string', 33) },
  { metric: 'resync_ingest_ratio', unit: 'ratio', measure: measureResyncIngestRatio('consecutive') },
  { metric: 'resync_ingest_ratio_random_keys', unit: 'ratio', measure: measureResyncIngestRatio('random') },
];

const only = process.env.BENCH_CODEC_ONLY;
for (const figure of FIGURES) {
  if (only !== undefined && only !== figure.metric) continue;
  const value = await figure.measure();
  if (value !== undefined) emit({ bench: 'codec', metric: figure.metric, value, unit: figure.unit });
}
