/**
 * Properties of the peers codec: every message kind round-trips through encode → streaming
 * decode (under any chunking), and arbitrary or mutated bytes only ever give messages or a
 * ProtocolError — the same ones whatever the chunking.
 */
import fc from 'fast-check';
import { concat, exerciseDecoded as exerciseShared } from '../helpers/peers-exercise.ts';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../engine/errors.ts';
import {
  CONTROL_NAMES,
  decodeUpdateBody,
  DictRxCache,
  DictTxCache,
  encodeMessage,
  encodeUpdateMessage,
  ERROR_NAMES,
  isIgnoredKind,
  MessageDecoder,
  type DecoderMode,
  type DefineParam,
  type EncodableMessage,
  type LayoutField,
  type PeerMessage,
  type StickUpdate,
  type TableDefinition,
  type UpdateLayout,
  type WireValue,
} from '../../engine/peers/messages.ts';
import { DATA_TYPES } from '../../engine/table/data-types.ts';
import { LAB_ST, SPEC_ST, SPEC_T1, tableSpec } from '../unit/peers/table-specs.ts';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 100);
const ROBUST_RUNS = Math.max(1000, Number(process.env.FC_NUM_RUNS ?? 0));
const U32 = fc.nat({ max: 0xffffffff });

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** A latin1 byte string of `min..max` bytes drawn from `codes`. */
function latin1(codes: fc.Arbitrary<number>, min: number, max: number): fc.Arbitrary<string> {
  return fc.array(codes, { minLength: min, maxLength: max }).map((cs) => String.fromCharCode(...cs));
}

const lineArb = latin1(fc.integer({ min: 0, max: 255 }).filter((c) => c !== 0x0a), 0, 30).map((s) =>
  s.endsWith('\r') ? `${s}x` : s,
);

const helloArb: fc.Arbitrary<EncodableMessage> = fc
  .tuple(lineArb, lineArb, lineArb)
  .map((lines) => ({ kind: 'hello', lines }));
const statusArb: fc.Arbitrary<EncodableMessage> = fc
  .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
  .map((code) => ({ kind: 'status', code }));
const controlArb: fc.Arbitrary<EncodableMessage> = fc
  .constantFrom(...CONTROL_NAMES)
  .map((control) => ({ kind: 'control', control }));
const errorArb: fc.Arbitrary<EncodableMessage> = fc
  .constantFrom(...ERROR_NAMES)
  .map((error) => ({ kind: 'error', error }));
const ignoredArb: fc.Arbitrary<EncodableMessage> = fc
  .tuple(fc.integer({ min: 0, max: 254 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }))
  .filter(([c, t]) => isIgnoredKind(c, t))
  .map(([classId, typeId, body]) => ({ kind: 'ignored', classId, typeId, body: typeId >= 0x80 ? body : undefined }));
const switchArb: fc.Arbitrary<EncodableMessage> = U32.map((tableId) => ({ kind: 'switch', tableId }));
const ackArb: fc.Arbitrary<EncodableMessage> = fc
  .tuple(U32, U32)
  .map(([tableId, updateId]) => ({ kind: 'ack', tableId, updateId }));
const rawUpdateArb: fc.Arbitrary<EncodableMessage> = fc
  .tuple(fc.boolean(), fc.boolean(), fc.uint8Array({ maxLength: 60 }))
  .map(([withId, timed, body]) => ({ kind: 'update', withId, timed, body, bodyOffset: 0 }));

/** A definition as a sender writes it: parameter blocks exactly as the bitfield requires. */
const definitionArb: fc.Arbitrary<TableDefinition> = fc
  .record({
    tableId: U32,
    wireName: latin1(fc.integer({ min: 0, max: 255 }), 1, 20),
    keyTypeCode: fc.oneof(fc.constantFrom(2, 4, 5, 6, 7), U32),
    keySizeBytes: U32,
    dataTypes: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    expireMs: fc.option(U32, { nil: undefined }),
    counts: fc.array(U32, { minLength: 27, maxLength: 27 }),
    periods: fc.array(U32, { minLength: 27, maxLength: 27 }),
  })
  .map((r) => {
    const params: DefineParam[] = [];
    if (r.expireMs !== undefined) {
      for (const info of DATA_TYPES) {
        if ((r.dataTypes & (1n << BigInt(info.id))) === 0n) continue;
        const isFreq = info.std === 'frqp';
        if (!info.isArray && !isFreq) continue;
        params.push({
          typeId: info.id,
          count: info.isArray ? r.counts[info.id]! : undefined,
          periodMs: isFreq ? r.periods[info.id]! : undefined,
        });
      }
    }
    return {
      tableId: r.tableId,
      wireName: r.wireName,
      keyTypeCode: r.keyTypeCode,
      keySizeBytes: r.keySizeBytes,
      dataTypes: r.dataTypes,
      expireMs: r.expireMs,
      params,
      paramsDefect: undefined,
    };
  });
const defineArb: fc.Arbitrary<EncodableMessage> = definitionArb.map((def) => ({ kind: 'define', def }));

const bodyMessageArb: fc.Arbitrary<EncodableMessage> = fc.oneof(
  controlArb,
  errorArb,
  ignoredArb,
  switchArb,
  ackArb,
  rawUpdateArb,
  defineArb,
);

/** A stream: optional hello or status line first, then binary messages. */
const streamArb = fc.record({
  head: fc.oneof(fc.constant(undefined), helloArb, statusArb),
  body: fc.array(bodyMessageArb, { maxLength: 12 }),
});

/** Cut points for splitting a byte string into chunks. */
const cutsArb = fc.array(fc.nat({ max: 4000 }), { maxLength: 8 });

// Layouts and typed updates -------------------------------------------------------------------

const layoutArb: fc.Arbitrary<UpdateLayout> = fc
  .record({
    key: fc.oneof(
      fc.constant({ keyType: 'ip' as const, keySizeBytes: 4 }),
      fc.constant({ keyType: 'integer' as const, keySizeBytes: 4 }),
      fc.constant({ keyType: 'ipv6' as const, keySizeBytes: 16 }),
      fc.integer({ min: 1, max: 40 }).map((keySizeBytes) => ({ keyType: 'string' as const, keySizeBytes })),
      fc.integer({ min: 1, max: 40 }).map((keySizeBytes) => ({ keyType: 'binary' as const, keySizeBytes })),
    ),
    types: fc.subarray(DATA_TYPES.map((t) => t.id)),
    counts: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 27, maxLength: 27 }),
  })
  .map(({ key, types, counts }) => {
    const fields: LayoutField[] = [...types]
      .sort((a, b) => a - b)
      .map((id) => {
        const info = DATA_TYPES[id]!;
        return { typeId: id, std: info.std, isArray: info.isArray, count: info.isArray ? counts[id]! : 1 };
      });
    return { ...key, fields };
  });

const freqArb = fc.record({ ageMs: U32, curr: U32, prev: U32 });
const DICT_NAMES = ['srv1', 'srv2', 'backend-a/s3', '10.0.0.1:80'];

function elementArb(std: LayoutField['std']): fc.Arbitrary<WireValue> {
  switch (std) {
    case 'uint':
      return U32;
    case 'sint':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'ull':
      return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    case 'frqp':
      return freqArb;
    case 'dict':
      return fc.option(fc.constantFrom(...DICT_NAMES), { nil: undefined });
  }
}

function keyArb(layout: UpdateLayout): fc.Arbitrary<number | string> {
  const byte = fc.integer({ min: 0, max: 255 });
  switch (layout.keyType) {
    case 'ip':
    case 'integer':
      return U32;
    case 'ipv6':
      return latin1(byte, 16, 16);
    case 'binary':
      return latin1(byte, layout.keySizeBytes, layout.keySizeBytes);
    case 'string':
      return latin1(fc.integer({ min: 1, max: 255 }), 0, layout.keySizeBytes - 1);
  }
}

function updateArb(layout: UpdateLayout): fc.Arbitrary<StickUpdate> {
  const values = layout.fields.map((f) =>
    f.isArray ? fc.array(elementArb(f.std), { minLength: f.count, maxLength: f.count }) : elementArb(f.std),
  );
  return fc.record({
    updateId: fc.option(U32, { nil: undefined }),
    expireMs: fc.option(U32, { nil: undefined }),
    key: keyArb(layout),
    values: fc.tuple(...values),
  }) as fc.Arbitrary<StickUpdate>;
}

const layoutWithUpdatesArb = layoutArb.chain((layout) =>
  fc.tuple(fc.constant(layout), fc.array(updateArb(layout), { minLength: 1, maxLength: 8 })),
);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function chunk(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

interface Outcome {
  messages: PeerMessage[];
  error: { offset: number; kind: string; detail: string; name: string } | undefined;
}

/** Feeds the chunks; anything thrown that is not a ProtocolError fails the property. */
function decodeChunks(chunks: readonly Uint8Array[], expect: DecoderMode): Outcome {
  const decoder = new MessageDecoder({ expect });
  const messages: PeerMessage[] = [];
  try {
    for (const c of chunks) for (const m of decoder.feed(c)) messages.push(m);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { messages, error: { offset: err.offset, kind: err.messageKind, detail: err.detail, name: err.name } };
  }
  return { messages, error: undefined };
}

/** Update messages carry their stream offset; the encoded side has 0. */
function withoutOffsets(msgs: readonly PeerMessage[]): PeerMessage[] {
  return msgs.map((m) => (m.kind === 'update' ? { ...m, bodyOffset: 0 } : m));
}

const FIXED_LAYOUTS: UpdateLayout[] = [
  { keyType: 'ip', keySizeBytes: 4, fields: [{ typeId: 2, std: 'uint', isArray: false, count: 1 }, { typeId: 10, std: 'frqp', isArray: false, count: 1 }] },
  { keyType: 'string', keySizeBytes: 33, fields: [{ typeId: 19, std: 'dict', isArray: false, count: 1 }, { typeId: 24, std: 'frqp', isArray: true, count: 3 }] },
  { keyType: 'binary', keySizeBytes: 8, fields: [{ typeId: 0, std: 'sint', isArray: false, count: 1 }, { typeId: 13, std: 'ull', isArray: false, count: 1 }] },
];
const LOCAL_SPECS = [SPEC_ST, SPEC_T1, LAB_ST, tableSpec({ wireName: 'st', keyType: 'string', keySizeBytes: 32, store: [['gpc', 2]], version: '3.0' })];

const exerciseDecoded = (msgs: readonly PeerMessage[]): number => exerciseShared(msgs, { specs: LOCAL_SPECS, layouts: FIXED_LAYOUTS });

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('peers codec round trips', () => {
  it('every message kind: encode → decode under any chunking gives the messages back', () => {
    fc.assert(
      fc.property(streamArb, cutsArb, ({ head, body }, cuts) => {
        const all = head === undefined ? body : [head, ...body];
        const bytes = concat(all.map((m) => encodeMessage(m)));
        const mode: DecoderMode = head === undefined ? 'messages' : head.kind === 'hello' ? 'hello' : 'status';
        const whole = decodeChunks([bytes], mode);
        const split = decodeChunks(chunk(bytes, cuts), mode);
        expect(whole.error).toBeUndefined();
        expect(withoutOffsets(whole.messages)).toEqual(all);
        expect(split).toEqual(whole);
      }),
      { seed: 42, numRuns: RUNS },
    );
  });

  it('typed updates: encodeUpdateMessage → decode → decodeUpdateBody is the identity (dict caches in step)', () => {
    fc.assert(
      fc.property(layoutWithUpdatesArb, cutsArb, ([layout, updates], cuts) => {
        const tx = new DictTxCache();
        const bytes = concat(updates.map((u) => encodeUpdateMessage(u, layout, tx)));
        const { messages, error } = decodeChunks(chunk(bytes, cuts), 'messages');
        expect(error).toBeUndefined();
        const rx = new DictRxCache();
        const decoded = messages.map((m) => {
          if (m.kind !== 'update') throw new Error(`expected update, got ${m.kind}`);
          return decodeUpdateBody(m, layout, rx);
        });
        expect(decoded).toEqual(updates);
      }),
      { seed: 42, numRuns: RUNS },
    );
  });

  it('definitions: decode(encode(def)) = def, and a definition always matches its own spec shape', () => {
    fc.assert(
      fc.property(definitionArb, (def) => {
        const [msg] = new MessageDecoder({ expect: 'messages' }).feedAll(encodeMessage({ kind: 'define', def }));
        expect(msg).toEqual({ kind: 'define', def });
      }),
      { seed: 42, numRuns: RUNS },
    );
  });
});

describe('peers codec robustness', () => {
  const modeArb = fc.constantFrom<DecoderMode>('hello', 'status', 'messages');

  it('arbitrary bytes: only messages or ProtocolError, identical under any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), modeArb, cutsArb, (bytes, mode, cuts) => {
        const whole = decodeChunks([bytes], mode);
        expect(decodeChunks(chunk(bytes, cuts), mode)).toEqual(whole);
        exerciseDecoded(whole.messages);
      }),
      { seed: 42, numRuns: ROBUST_RUNS },
    );
  });

  const mutationArb = fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
  );

  it('mutated valid streams: only messages or ProtocolError, identical under any chunking', () => {
    let withError = 0;
    let withMessages = 0;
    fc.assert(
      fc.property(streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), cutsArb, ({ head, body }, mutations, cuts) => {
        const all = head === undefined ? body : [head, ...body];
        const bytes = [...concat(all.map((m) => encodeMessage(m)))];
        for (const { op, at, value } of mutations) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (op === 'flip' && bytes.length > 0) bytes[i] = value;
          else if (op === 'insert') bytes.splice(i, 0, value);
          else if (op === 'delete') bytes.splice(i, 1);
          else if (op === 'truncate') bytes.length = i;
        }
        const mutated = Uint8Array.from(bytes);
        const mode: DecoderMode = head === undefined ? 'messages' : head.kind === 'hello' ? 'hello' : 'status';
        const whole = decodeChunks([mutated], mode);
        expect(decodeChunks(chunk(mutated, cuts), mode)).toEqual(whole);
        exerciseDecoded(whole.messages);
        if (whole.error !== undefined) withError++;
        if (whole.messages.length > 0) withMessages++;
      }),
      { seed: 42, numRuns: ROBUST_RUNS },
    );
    // The mutations reach both outcomes (the generator is not degenerate).
    expect(withError).toBeGreaterThan(ROBUST_RUNS / 50);
    expect(withMessages).toBeGreaterThan(ROBUST_RUNS / 5);
  });

  it('update bodies: arbitrary bytes under arbitrary layouts give an update or ProtocolError', () => {
    fc.assert(
      fc.property(layoutArb, fc.uint8Array({ maxLength: 120 }), fc.boolean(), fc.boolean(), (layout, body, withId, timed) => {
        try {
          decodeUpdateBody({ withId, timed, body, bodyOffset: 7 }, layout, new DictRxCache());
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
          expect((err as ProtocolError).offset).toBeGreaterThanOrEqual(7);
          expect((err as ProtocolError).offset).toBeLessThanOrEqual(7 + body.length);
        }
      }),
      { seed: 42, numRuns: ROBUST_RUNS },
    );
  });
});
