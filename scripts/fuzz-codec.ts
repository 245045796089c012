/**
 * Mutation fuzzer for the peers codec: `node --import tsx scripts/fuzz-codec.ts [count] [seed]`
 * (default 1,000,000 inputs, seed 1).
 *
 * Corpus: the real HAProxy 2.6.12 streams of test/fixtures/lab08-peers-capture.txt and streams built by
 * the codec itself (hello, status, DEFINE, every update variant, ACK, SWITCH, control, error,
 * unknown messages, server_key blobs). Each input is a corpus stream with 1–4 mutations (byte
 * set, bit flip, insert, delete, duplicate, splice from another stream, truncate), fed in random
 * chunks; decoded updates are also read with several layouts and decoded definitions matched.
 * Only ProtocolError may come out; any other exception is printed and the exit code is 1. Every
 * 16th input is also decoded in one chunk and must give the same outcome.
 */
import { ProtocolError } from '../engine/errors.ts';
import { loadLabCapture } from '../test/helpers/lab-capture.ts';
import { concat, exerciseDecoded } from '../test/helpers/peers-exercise.ts';
import {
  definitionFromSpec,
  DictTxCache,
  encodeMessage,
  encodeUpdateMessage,
  helloLines,
  layoutFromSpec,
  MessageDecoder,
  type DecoderMode,
  type PeerMessage,
  type UpdateLayout,
} from '../engine/peers/messages.ts';
import type { TableSpec } from '../engine/table/table-spec.ts';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const SEED = Number(process.argv[3] ?? 1);

/** mulberry32: a small deterministic PRNG (scripts may not share the engine's Random). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (n: number): number => Math.floor(random() * n);

function spec(wireName: string, keyType: TableSpec['keyType'], keySizeBytes: number, store: [number, number, number][]): TableSpec {
  return {
    name: wireName,
    wireName,
    keyType,
    keySizeBytes,
    sizeEntries: 100,
    expireMs: 60000,
    nopurge: false,
    peersSection: 'mesh',
    srvkey: 'name',
    store: store.map(([typeId, count, periodMs]) => ({ typeId, count, periodMs })),
    version: '2.6',
  };
}

const SPECS: TableSpec[] = [
  spec('st', 'ip', 4, [[2, 1, 0], [4, 1, 0], [9, 1, 0], [10, 1, 10000]]),
  spec('/t1', 'string', 33, [[0, 1, 0], [13, 1, 0], [19, 1, 0], [23, 3, 0], [24, 2, 1000]]),
  spec('bin', 'binary', 8, [[1, 1, 0], [22, 2, 0]]),
  spec('v6', 'ipv6', 16, [[6, 1, 0], [3, 1, 5000]].sort((a, b) => a[0]! - b[0]!) as [number, number, number][]),
];
const LAYOUTS: UpdateLayout[] = SPECS.map(layoutFromSpec);

interface Seed {
  bytes: Uint8Array;
  mode: DecoderMode;
}

function builtSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const tx = new DictTxCache();
  const hello = encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'sim1', pid: 4242 }) });
  const parts: Uint8Array[] = [];
  SPECS.forEach((s, i) => {
    parts.push(encodeMessage({ kind: 'define', def: definitionFromSpec(s, i + 1) }));
    const layout = LAYOUTS[i]!;
    for (let k = 0; k < 3; k++) {
      const key =
        s.keyType === 'ip' ? 0x0a000000 + k : s.keyType === 'string' ? `key-${k}` : s.keyType === 'ipv6' ? '\x20\x01' + '\0'.repeat(13) + String.fromCharCode(k) : 'bin\0\0\0\0' + String.fromCharCode(k);
      const values = layout.fields.map((f) => {
        const one = f.std === 'frqp' ? { ageMs: 1234 * k, curr: 7, prev: 300 } : f.std === 'ull' ? 2n ** 40n : f.std === 'sint' ? -k : f.std === 'dict' ? (k === 2 ? undefined : `srv${k % 2}`) : 300 * k;
        return f.isArray ? new Array(f.count).fill(one) : one;
      });
      parts.push(encodeUpdateMessage({ updateId: k === 0 ? 7 : undefined, expireMs: k === 1 ? 25000 : undefined, key, values }, layout, tx));
    }
    parts.push(encodeMessage({ kind: 'ack', tableId: i + 1, updateId: 0x80000002 }));
  });
  parts.push(encodeMessage({ kind: 'switch', tableId: 2 }));
  for (const control of ['resyncRequest', 'resyncFinished', 'resyncPartial', 'resyncConfirm', 'heartbeat'] as const) {
    parts.push(encodeMessage({ kind: 'control', control }));
  }
  parts.push(encodeMessage({ kind: 'error', error: 'sizeLimit' }));
  parts.push(encodeMessage({ kind: 'ignored', classId: 10, typeId: 0x90, body: Uint8Array.of(1, 2, 3) }));
  seeds.push({ bytes: concat([hello, ...parts]), mode: 'hello' });
  seeds.push({ bytes: concat([encodeMessage({ kind: 'status', code: 200 }), ...parts]), mode: 'status' });
  seeds.push({ bytes: concat(parts), mode: 'messages' });
  return seeds;
}

/** The bytes of real haproxy 2.6.12 (test/fixtures/lab08-peers-capture.txt), one seed per stream and direction. */
function captureSeeds(): Seed[] {
  const streams = new Map<string, { hex: string[]; mode: DecoderMode }>();
  for (const segment of loadLabCapture()) {
    const key = `${segment.stream} ${segment.direction}`;
    const entry = streams.get(key) ?? { hex: [], mode: segment.direction === 'initiator->acceptor' ? 'hello' : 'status' };
    entry.hex.push(segment.hex);
    streams.set(key, entry);
  }
  return [...streams.values()].map(({ hex, mode }) => ({
    bytes: Uint8Array.from(hex.join(' ').split(' '), (h) => parseInt(h, 16)),
    mode,
  }));
}

function mutate(bytes: Uint8Array, seeds: readonly Seed[]): Uint8Array {
  const b = [...bytes];
  const ops = 1 + int(4);
  for (let k = 0; k < ops; k++) {
    const at = b.length === 0 ? 0 : int(b.length);
    switch (int(7)) {
      case 0:
        if (b.length > 0) b[at] = int(256);
        break;
      case 1:
        if (b.length > 0) b[at] = b[at]! ^ (1 << int(8));
        break;
      case 2:
        b.splice(at, 0, ...Array.from({ length: 1 + int(4) }, () => int(256)));
        break;
      case 3:
        b.splice(at, 1 + int(4));
        break;
      case 4:
        b.splice(at, 0, ...b.slice(at, at + 1 + int(12)));
        break;
      case 5: {
        const other = seeds[int(seeds.length)]!.bytes;
        const from = int(other.length);
        b.splice(at, int(8), ...other.subarray(from, from + 1 + int(24)));
        break;
      }
      case 6:
        b.length = at;
        break;
    }
  }
  return Uint8Array.from(b);
}

interface Outcome {
  messages: PeerMessage[];
  error: ProtocolError | undefined;
}

function decode(bytes: Uint8Array, mode: DecoderMode, chunked: boolean): Outcome {
  const decoder = new MessageDecoder({ expect: mode });
  const messages: PeerMessage[] = [];
  let at = 0;
  try {
    while (at < bytes.length) {
      const size = chunked ? 1 + int(Math.max(1, bytes.length - at)) : bytes.length;
      for (const m of decoder.feed(bytes.subarray(at, at + size))) messages.push(m);
      at += size;
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { messages, error: err };
  }
  return { messages, error: undefined };
}

/** Reads update bodies and matches definitions; returns the ProtocolErrors met. */
function exercise(messages: readonly PeerMessage[]): number {
  return exerciseDecoded(messages, { specs: SPECS, layouts: LAYOUTS });
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.messages.length !== b.messages.length) return false;
  if ((a.error === undefined) !== (b.error === undefined)) return false;
  if (a.error !== undefined && b.error !== undefined && (a.error.offset !== b.error.offset || a.error.message !== b.error.message)) {
    return false;
  }
  return a.messages.every((m, i) => m.kind === b.messages[i]!.kind);
}

function main(): number {
  const seeds = [...captureSeeds(), ...builtSeeds()];
  let streamErrors = 0;
  let bodyErrors = 0;
  let messages = 0;
  let other = 0;
  const startNs = process.hrtime.bigint();
  for (let i = 0; i < COUNT; i++) {
    const seed = seeds[int(seeds.length)]!;
    const bytes = mutate(seed.bytes, seeds);
    const mode: DecoderMode = int(10) === 0 ? (['hello', 'status', 'messages'] as const)[int(3)]! : seed.mode;
    try {
      const out = decode(bytes, mode, true);
      if (out.error !== undefined) streamErrors++;
      messages += out.messages.length;
      bodyErrors += exercise(out.messages);
      if (i % 16 === 0 && !sameOutcome(out, decode(bytes, mode, false))) {
        throw new Error(`chunking changed the outcome for input ${i}`);
      }
    } catch (err) {
      other++;
      const hex = Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
      process.stderr.write(`input ${i} (mode ${mode}) threw ${String(err)}\n  bytes: ${hex}\n`);
      if (err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
      if (other >= 10) break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ inputs: COUNT, seed: SEED, protocolErrors: streamErrors, updateBodyProtocolErrors: bodyErrors, messagesDecoded: messages, otherExceptions: other, seconds: Math.round(seconds * 10) / 10 })}\n`,
  );
  return other === 0 ? 0 : 1;
}

process.exitCode = main();
