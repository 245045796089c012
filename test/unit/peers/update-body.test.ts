import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { ProtocolError } from '../../../engine/errors.ts';
import {
  decodeUpdateBody,
  DictRxCache,
  DictTxCache,
  encodeMessage,
  encodeUpdateBody,
  encodeUpdateMessage,
  layoutFromSpec,
  MessageDecoder,
  type RawUpdate,
  type StickUpdate,
  type UpdateLayout,
  type UpdateMessage,
} from '../../../engine/peers/messages.ts';
import { encodeVarint } from '../../../engine/peers/varint.ts';
import { appendAckMessage } from '../../../engine/peers/encode-message.ts';
import { appendUpdateMessage } from '../../../engine/peers/update-body.ts';
import { WireWriter } from '../../../engine/peers/wire.ts';
import fc from 'fast-check';
import { keyFromWireBytes, keyToWireBytes } from '../../../engine/table/keys.ts';
import { fromHex, hex, SPEC_ST, SPEC_T1, tableSpec } from './table-specs.ts';

const ST = layoutFromSpec(SPEC_ST);
const T1 = layoutFromSpec(SPEC_T1);
const VALUES = [5, 2, { ageMs: 1234, curr: 7, prev: 3 }] as const;
const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function decodeMessageHex(text: string): UpdateMessage {
  const msgs = new MessageDecoder({ expect: 'messages' }).feedAll(fromHex(text));
  expect(msgs).toHaveLength(1);
  const msg = msgs[0]!;
  if (msg.kind !== 'update') throw new Error(`expected an update, got ${msg.kind}`);
  return msg;
}

function raw(body: string, options: { withId?: boolean; timed?: boolean } = {}): RawUpdate {
  return { withId: options.withId ?? false, timed: options.timed ?? false, body: fromHex(body), bodyOffset: 100 };
}

function errorOf(run: () => unknown): ProtocolError {
  return thrown(run, ProtocolError);
}

describe('UPDATE family (spec §4.6.3 examples)', () => {
  const examples: [string, StickUpdate, UpdateLayout, string][] = [
    [
      'UPDATE id 42, key 192.168.0.1',
      { updateId: 42, expireMs: undefined, key: ip(192, 168, 0, 1), values: [...VALUES] },
      ST,
      '0a 80 0e 00 00 00 2a c0 a8 00 01 05 02 f2 3e 07 03',
    ],
    [
      'INCUPDATE key 192.168.0.2',
      { updateId: undefined, expireMs: undefined, key: ip(192, 168, 0, 2), values: [...VALUES] },
      ST,
      '0a 81 0a c0 a8 00 02 05 02 f2 3e 07 03',
    ],
    [
      'UPDATE TIMED id 7, 25000 ms left',
      { updateId: 7, expireMs: 25000, key: ip(192, 168, 0, 1), values: [...VALUES] },
      ST,
      '0a 85 12 00 00 00 07 00 00 61 a8 c0 a8 00 01 05 02 f2 3e 07 03',
    ],
    [
      'string table, key "hello", gpc0=1, id 1',
      { updateId: 1, expireMs: undefined, key: 'hello', values: [1] },
      T1,
      '0a 80 0b 00 00 00 01 05 68 65 6c 6c 6f 01',
    ],
  ];
  for (const [name, update, layout, bytes] of examples) {
    it(`${name}: encodes byte for byte and decodes back`, () => {
      expect(hex(encodeUpdateMessage(update, layout))).toBe(bytes);
      const msg = decodeMessageHex(bytes);
      expect(encodeMessage(msg)).toEqual(fromHex(bytes));
      expect(decodeUpdateBody(msg, layout)).toEqual(update);
    });
  }

  it('appendUpdateMessage and appendAckMessage append exactly what the encoders give, after what is there', () => {
    const out = new WireWriter(4);
    out.bytes(Uint8Array.of(0xee));
    for (const [, update, layout, bytes] of examples) appendUpdateMessage(out, update, layout);
    appendAckMessage(out, 300, 0x80000002);
    const expected = ['ee', ...examples.map(([, , , bytes]) => bytes), hex(encodeMessage({ kind: 'ack', tableId: 300, updateId: 0x80000002 }))].join(' ');
    expect(hex(out.buf.subarray(0, out.pos))).toBe(expected);
    // A body of 240 bytes or more takes a longer length varint: the body moves on to make room.
    const long: UpdateLayout = { keyType: 'string', keySizeBytes: 1024, fields: [] };
    for (const keyLength of [230, 236, 237, 300, 1000]) {
      const update: StickUpdate = { updateId: 9, expireMs: undefined, key: 'k'.repeat(keyLength), values: [] };
      const at = out.pos;
      appendUpdateMessage(out, update, long);
      expect(hex(out.buf.subarray(at, out.pos))).toBe(hex(encodeUpdateMessage(update, long)));
    }
    // A table id beyond uint32 is refused, as encodeMessage refuses it.
    expect(() => appendAckMessage(out, 2 ** 32, 1)).toThrow(/table id is a uint32/);
  });

  it('INCUPDATE TIMED carries expiry but no id', () => {
    const update: StickUpdate = { updateId: undefined, expireMs: 1, key: ip(10, 0, 0, 9), values: [0, 0, { ageMs: 0, curr: 0, prev: 0 }] };
    const bytes = encodeUpdateMessage(update, ST);
    expect(hex(bytes.subarray(0, 2))).toBe('0a 86');
    expect(decodeUpdateBody(decodeMessageHex(hex(bytes)), ST)).toEqual(update);
  });

  it('encodeUpdateBody is the message body', () => {
    const update: StickUpdate = { updateId: 42, expireMs: undefined, key: ip(192, 168, 0, 1), values: [...VALUES] };
    expect(hex(encodeUpdateBody(update, ST))).toBe('00 00 00 2a c0 a8 00 01 05 02 f2 3e 07 03');
  });

  it('writes ip and integer keys exactly as keyToWireBytes does', () => {
    for (const keyType of ['ip', 'integer'] as const) {
      const layout: UpdateLayout = { keyType, keySizeBytes: 4, fields: [] };
      for (const key of [0, 1, 0x01020304, 0xffffffff, 0x80000000]) {
        const body = encodeUpdateBody({ updateId: undefined, expireMs: undefined, key, values: [] }, layout);
        expect(body).toEqual(keyToWireBytes(keyType, 4, key));
      }
    }
  });
});

describe('value encodings (spec §4.6.3 table)', () => {
  const ALL = tableSpec({
    wireName: 'all',
    keyType: 'integer',
    keySizeBytes: 4,
    expireMs: 1000,
    store: ['server_id', 'gpt0', 'bytes_in_cnt', ['gpt', 2], ['gpc_rate', 2, 1000]],
  });
  const layout = layoutFromSpec(ALL);

  it('SINT -1 is sign-extended to 10 bytes; the receiver gets back -1', () => {
    const update: StickUpdate = {
      updateId: undefined,
      expireMs: undefined,
      key: 7,
      values: [-1, 0xffffffff, 2n ** 64n - 1n, [1, 2], [{ ageMs: 1, curr: 2, prev: 3 }, { ageMs: 4, curr: 5, prev: 6 }]],
    };
    const body = encodeUpdateBody(update, layout);
    expect(hex(body)).toBe(
      [
        '00 00 00 07', // integer key, big-endian
        'ff f0 fe fe fe fe fe fe fe 0e', // server_id -1 as uint64
        'ff f0 fe fe 7e', // gpt0 2^32-1
        'ff f0 fe fe fe fe fe fe fe 0e', // bytes_in_cnt 2^64-1
        '01 02', // gpt[2]
        '01 02 03 04 05 06', // gpc_rate[2]
      ].join(' '),
    );
    expect(decodeUpdateBody({ withId: false, timed: false, body, bodyOffset: 0 }, layout)).toEqual(update);
  });

  it('the receiver keeps 32 bits of UINT/SINT and 64 of ULL, as HAProxy stores them', () => {
    const small: UpdateLayout = { keyType: 'ip', keySizeBytes: 4, fields: layoutFromSpec(ALL).fields.slice(0, 3) };
    // server_id = 2^32 + 5 → 5; gpt0 = 2^32 + 7 → 7; bytes_in = 2^40 kept whole.
    const enc = (x: bigint): number[] => [...encodeVarint(x)];
    const full = Uint8Array.from([0, 0, 0, 1, ...enc(2n ** 32n + 5n), ...enc(2n ** 32n + 7n), ...enc(2n ** 40n)]);
    const got = decodeUpdateBody({ withId: false, timed: false, body: full, bodyOffset: 0 }, small);
    expect(got.values).toEqual([5, 7, 2n ** 40n]);
  });

  it('an ULL given as a number encodes like the bigint', () => {
    const a = encodeUpdateBody({ updateId: undefined, expireMs: undefined, key: 1, values: [0, 0, 2 ** 40, [0, 0], [z(), z()]] }, layout);
    const b = encodeUpdateBody({ updateId: undefined, expireMs: undefined, key: 1, values: [0, 0, 2n ** 40n, [0, 0], [z(), z()]] }, layout);
    expect(a).toEqual(b);
  });
});

function z(): { ageMs: number; curr: number; prev: number } {
  return { ageMs: 0, curr: 0, prev: 0 };
}


describe('keys on the wire', () => {
  it('string keys are written and read exactly as keyToWireBytes / keyFromWireBytes define', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.uint8Array({ maxLength: 50 }), (keySizeBytes, wire) => {
        const layout: UpdateLayout = { keyType: 'string', keySizeBytes, fields: [] };
        const body = Uint8Array.from([...encodeVarint(wire.length), ...wire]);
        const expected = keyFromWireBytes('string', keySizeBytes, wire.subarray(0, Math.min(wire.length, keySizeBytes - 1)));
        const got = decodeUpdateBody({ withId: false, timed: false, body, bodyOffset: 0 }, layout).key;
        expect(got).toBe(expected);
        const sent = encodeUpdateBody({ updateId: undefined, expireMs: undefined, key: got, values: [] }, layout);
        const bytes = keyToWireBytes('string', keySizeBytes, got);
        expect(sent).toEqual(Uint8Array.from([...encodeVarint(bytes.length), ...bytes]));
      }),
      { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) },
    );
  });

  it('string keys: varint length + bytes; the receiver keeps keySize-1 bytes and skips the rest', () => {
    const short = tableSpec({ wireName: 's', keyType: 'string', keySizeBytes: 4, store: ['gpc0'] }); // 3 chars
    const layout = layoutFromSpec(short);
    // key "abcdef" (6 bytes) then gpc0 = 9
    const got = decodeUpdateBody(raw('06 61 62 63 64 65 66 09'), layout);
    expect(got).toEqual({ updateId: undefined, expireMs: undefined, key: 'abc', values: [9] });
  });

  it('a NUL inside a received string key cuts it', () => {
    const got = decodeUpdateBody(raw('03 61 00 62 01'), T1);
    expect(got.key).toBe('a');
  });

  it('only the kept bytes must be in the body; the skipped length may run past it', () => {
    const noValues: UpdateLayout = { keyType: 'string', keySizeBytes: 4, fields: [] };
    expect(decodeUpdateBody(raw('0a 61 62 63'), noValues).key).toBe('abc');
    // …but a value after it then cannot be read.
    const err = errorOf(() => decodeUpdateBody(raw('0a 61 62 63'), layoutFromSpec(SPEC_T1)));
    expect(err.messageKind).toBe('update');
    // Kept bytes beyond the body are an error at the length's offset.
    expect(errorOf(() => decodeUpdateBody(raw('05 61 62'), T1)).offset).toBe(100);
  });

  it('ipv6 and binary keys are key_size raw bytes', () => {
    const v6 = tableSpec({ wireName: 'v6', keyType: 'ipv6', keySizeBytes: 16, store: [] });
    const key = '\x20\x01\x0d\xb8' + '\0'.repeat(11) + '\x01';
    const body = encodeUpdateBody({ updateId: 3, expireMs: undefined, key, values: [] }, layoutFromSpec(v6));
    expect(hex(body)).toBe('00 00 00 03 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01');
    expect(decodeUpdateBody({ withId: true, timed: false, body, bodyOffset: 0 }, layoutFromSpec(v6)).key).toBe(key);
    const bin = tableSpec({ wireName: 'b', keyType: 'binary', keySizeBytes: 3, store: [] });
    expect(decodeUpdateBody(raw('00 ff 01'), layoutFromSpec(bin)).key).toBe('\0\xff\x01');
  });
});

describe('malformed update bodies (spec §4.7 step 6/8)', () => {
  const cases: [string, RawUpdate, number][] = [
    ['no update id', raw('00 00 00', { withId: true }), 100],
    ['no expiry', raw('00 00 00 01 00 00', { withId: true, timed: true }), 104],
    ['short ip key', raw('c0 a8 00'), 100],
    ['missing value', raw('c0 a8 00 01 05 02'), 106],
    ['truncated freq counter', raw('c0 a8 00 01 05 02 f2 3e 07'), 109],
    ['truncated varint', raw('c0 a8 00 01 f5'), 104],
  ];
  for (const [name, input, offset] of cases) {
    it(`${name} → ProtocolError at stream offset ${offset}`, () => {
      const err = errorOf(() => decodeUpdateBody(input, ST));
      expect(err.offset).toBe(offset);
      expect(err.messageKind).toBe('update');
    });
  }

  it('a body read in place (a range of a larger buffer) fails at the same stream offsets, and reads no byte past its end', () => {
    for (const [, input, offset] of cases) {
      // Three bytes before the body, valid-looking bytes after it: the range alone is read.
      const buffer = new Uint8Array([0xaa, 0xbb, 0xcc, ...input.body, 0x05, 0x02, 0xf2, 0x3e, 0x07, 0x03]);
      const inPlace: RawUpdate = { withId: input.withId, timed: input.timed, body: buffer, bodyOffset: input.bodyOffset - 3, bodyStart: 3, bodyEnd: 3 + input.body.length };
      expect(errorOf(() => decodeUpdateBody(inPlace, ST)).offset).toBe(offset);
    }
  });

  it('trailing bytes after the last field are ignored', () => {
    expect(decodeUpdateBody(raw('c0 a8 00 01 05 02 f2 3e 07 03 ee ee'), ST).values).toEqual([...VALUES]);
  });
});

describe('server_key dictionary cache (spec §4.6.3)', () => {
  const SK = tableSpec({ wireName: 'sk', keyType: 'ip', keySizeBytes: 4, store: ['server_key'] });
  const layout = layoutFromSpec(SK);
  const upd = (value: string | undefined): StickUpdate => ({ updateId: undefined, expireMs: undefined, key: 1, values: [value] });

  it('first use sends id and string, then only the id; none is 0', () => {
    const tx = new DictTxCache();
    expect(hex(encodeUpdateBody(upd('srv1'), layout, tx))).toBe('00 00 00 01 06 01 04 73 72 76 31');
    expect(hex(encodeUpdateBody(upd('srv2'), layout, tx))).toBe('00 00 00 01 06 02 04 73 72 76 32');
    expect(hex(encodeUpdateBody(upd('srv1'), layout, tx))).toBe('00 00 00 01 01 01');
    expect(hex(encodeUpdateBody(upd(undefined), layout, tx))).toBe('00 00 00 01 00');
  });

  it('the receiver resolves ids through its cache; unknown ids leave the field unchanged', () => {
    const rx = new DictRxCache();
    expect(decodeUpdateBody(raw('00 00 00 01 01 05'), layout, rx).values).toEqual([undefined]);
    expect(decodeUpdateBody(raw('00 00 00 01 06 05 04 73 72 76 31'), layout, rx).values).toEqual(['srv1']);
    expect(decodeUpdateBody(raw('00 00 00 01 01 05'), layout, rx).values).toEqual(['srv1']);
    expect(decodeUpdateBody(raw('00 00 00 01 00'), layout, rx).values).toEqual([undefined]);
  });

  it('128 slots round-robin: the 129th string evicts slot 1, and both sides agree', () => {
    const tx = new DictTxCache();
    const rx = new DictRxCache();
    const names = Array.from({ length: 130 }, (_, i) => `s${i}`);
    const send = (name: string): string | undefined =>
      decodeUpdateBody({ withId: false, timed: false, body: encodeUpdateBody(upd(name), layout, tx), bodyOffset: 0 }, layout, rx)
        .values[0] as string | undefined;
    for (const n of names) expect(send(n)).toBe(n);
    // s0 was evicted by s128 (slot 0) → sent again with its string, into slot 2 (after s129 in slot 1).
    const again = encodeUpdateBody(upd('s0'), layout, tx);
    expect(hex(again.subarray(4, 6))).toBe('04 03');
    // s3 is still cached in slot 3 (wire id 4).
    expect(hex(encodeUpdateBody(upd('s3'), layout, tx).subarray(4))).toBe('01 04');
  });

  it('rejects id 0, ids over 128 and blobs past the body', () => {
    const rx = new DictRxCache();
    expect(errorOf(() => decodeUpdateBody(raw('00 00 00 01 01 00'), layout, rx)).offset).toBe(105);
    expect(errorOf(() => decodeUpdateBody(raw('00 00 00 01 02 f0 01'), layout, rx)).offset).toBe(105);
    expect(errorOf(() => decodeUpdateBody(raw('00 00 00 01 05 01 04 73'), layout, rx)).offset).toBe(104);
    // string length larger than its blob
    expect(errorOf(() => decodeUpdateBody(raw('00 00 00 01 03 01 05 73'), layout, rx)).offset).toBe(106);
  });

  it('clear() empties both caches', () => {
    const tx = new DictTxCache();
    encodeUpdateBody(upd('a'), layout, tx);
    tx.clear();
    expect(hex(encodeUpdateBody(upd('a'), layout, tx))).toBe('00 00 00 01 03 01 01 61');
    const rx = new DictRxCache();
    decodeUpdateBody(raw('00 00 00 01 03 01 01 61'), layout, rx);
    rx.clear();
    expect(decodeUpdateBody(raw('00 00 00 01 01 01'), layout, rx).values).toEqual([undefined]);
  });
});
