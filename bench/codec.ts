/**
 * Peers codec benchmark: UPDATE messages encoded + decoded per second on one core.
 * One message = encodeUpdateMessage → MessageDecoder.push/next → decodeUpdateBody, i.e. what a
 * sending and a receiving session each do per entry. Tables: ip (and a string-key variant)
 * storing gpc0, conn_cur, http_req_rate(10s).
 * Prints JSON lines: {"bench":"codec","metric":"msgs_per_s",…}, {"metric":"msgs_per_s_string_key",…}.
 * Each figure is one entry of FIGURES; a new metric is a new entry.
 */
import { MessageDecoder } from '../engine/peers/decoder.ts';
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
  readonly measure: () => number;
}

function specFor(keyType: KeyTypeName, keySizeBytes: number): TableSpec {
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
    store: [
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

const FIGURES: readonly Figure[] = [
  { metric: 'msgs_per_s', unit: 'msg/s', measure: measureMsgsPerS('ip', 4) },
  { metric: 'msgs_per_s_string_key', unit: 'msg/s', measure: measureMsgsPerS('string', 33) },
];

for (const figure of FIGURES) {
  emit({ bench: 'codec', metric: figure.metric, value: figure.measure(), unit: figure.unit });
}
