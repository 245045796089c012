import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../engine/errors.ts';
import {
  definitionFromSpec,
  encodeMessage,
  matchDefinition,
  MessageDecoder,
  type PeerMessage,
  type TableDefinition,
} from '../../../engine/peers/messages.ts';
import { fromHex, hex, SPEC_ST, SPEC_T1, tableSpec } from './table-specs.ts';

function decodeOne(text: string): PeerMessage {
  const msgs = new MessageDecoder({ expect: 'messages' }).feedAll(fromHex(text));
  expect(msgs).toHaveLength(1);
  return msgs[0]!;
}

function defOf(text: string): TableDefinition {
  const msg = decodeOne(text);
  if (msg.kind !== 'define') throw new Error(`expected a define, got ${msg.kind}`);
  return msg.def;
}

/** Frames a DEFINE body given as hex. */
function defineHex(body: string): string {
  const bytes = fromHex(body);
  return hex(Uint8Array.from([0x0a, 0x82, bytes.length, ...bytes]));
}

describe('TABLE DEFINITION (spec §4.6.1)', () => {
  it('encodes the proxy-table example byte for byte', () => {
    const bytes = encodeMessage({ kind: 'define', def: definitionFromSpec(SPEC_ST, 1) });
    expect(hex(bytes)).toBe('0a 82 0f 01 02 73 74 04 04 f4 35 f0 c4 0d 0a f0 e2 03');
  });

  it('encodes the peers-section table example byte for byte', () => {
    const bytes = encodeMessage({ kind: 'define', def: definitionFromSpec(SPEC_T1, 2) });
    expect(hex(bytes)).toBe('0a 82 09 02 03 2f 74 31 06 21 04 00');
  });

  it('decodes the proxy-table example field by field', () => {
    expect(defOf('0a 82 0f 01 02 73 74 04 04 f4 35 f0 c4 0d 0a f0 e2 03')).toEqual({
      tableId: 1,
      wireName: 'st',
      keyTypeCode: 4,
      keySizeBytes: 4,
      dataTypes: (1n << 2n) | (1n << 6n) | (1n << 10n),
      expireMs: 30000,
      params: [{ typeId: 10, count: undefined, periodMs: 10000 }],
      paramsDefect: undefined,
    });
  });

  it('encodes array parameter blocks: count, and period for freq-counter arrays', () => {
    const spec = tableSpec({
      wireName: 'arr',
      keyType: 'integer',
      keySizeBytes: 4,
      expireMs: 1000,
      store: [['gpc', 3], ['gpc_rate', 2, 500], ['gpc0_rate', 100]],
    });
    const def = definitionFromSpec(spec, 7);
    expect(def.params).toEqual([
      { typeId: 3, count: undefined, periodMs: 100 },
      { typeId: 23, count: 3, periodMs: undefined },
      { typeId: 24, count: 2, periodMs: 500 },
    ]);
    const bytes = encodeMessage({ kind: 'define', def });
    // parameter blocks: 03 64 (gpc0_rate, 100) | 17 03 (gpc, 3) | 18 02 f4 10 (gpc_rate, 2, 500)
    const bitfield = (1 << 3) | (1 << 23) | (1 << 24);
    expect(def.dataTypes).toBe(BigInt(bitfield));
    expect(defOf(hex(bytes))).toEqual(def);
    expect(hex(bytes).endsWith('03 64 17 03 18 02 f4 10')).toBe(true);
  });

  it('a 64-bit bitfield above 2^32 survives encode and decode', () => {
    const def: TableDefinition = {
      tableId: 3,
      wireName: 'x',
      keyTypeCode: 4,
      keySizeBytes: 4,
      dataTypes: (1n << 63n) | (1n << 40n) | 4n,
      expireMs: 0,
      params: [],
      paramsDefect: undefined,
    };
    expect(defOf(hex(encodeMessage({ kind: 'define', def })))).toEqual(def);
  });

  it('always-fatal defects throw ProtocolError with the body offset', () => {
    const cases: [string, number][] = [
      ['', 3], // no table id
      ['01', 4], // no name length
      ['01 00 04', 4], // name length 0
      ['01 02 73 74', 4], // name reaches the end of the body
      ['01 05 73 74', 4], // name past the end
    ];
    for (const [body, offset] of cases) {
      let err: unknown;
      try {
        new MessageDecoder({ expect: 'messages' }).feedAll(fromHex(defineHex(body)));
      } catch (e) {
        err = e;
      }
      expect(err, body).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).offset, body).toBe(offset);
      expect((err as ProtocolError).messageKind).toBe('define');
    }
  });

  it('truncation after the name is a malformedDefine carrying id and name', () => {
    const bodies: [string, number][] = [
      ['09 02 73 74 f4', 7], // key type truncated
      ['09 02 73 74 04', 8], // key size missing
      ['09 02 73 74 04 04', 9], // bitfield missing
      ['09 02 73 74 04 04 f4', 9], // bitfield truncated
    ];
    for (const [body, offset] of bodies) {
      const msg = decodeOne(defineHex(body));
      expect(msg.kind, body).toBe('malformedDefine');
      if (msg.kind === 'malformedDefine') {
        expect(msg.tableId).toBe(9);
        expect(msg.wireName).toBe('st');
        expect(msg.error.offset, body).toBe(offset);
      }
    }
  });

  it('a negative (int) name length gives a malformedDefine without name (HAProxy ignores it)', () => {
    // 2^32 - 1 as varint: ff f0 fe fe 7e → int -1
    const msg = decodeOne(defineHex('01 ff f0 fe fe 7e 73 74 04 04 04 00'));
    expect(msg).toMatchObject({ kind: 'malformedDefine', tableId: 1, wireName: undefined });
  });

  it('absent or truncated expire means no parameter blocks', () => {
    expect(defOf(defineHex('01 02 73 74 04 04 f4 35'))).toMatchObject({ expireMs: undefined, params: [] });
    expect(defOf(defineHex('01 02 73 74 04 04 f4 35 f0'))).toMatchObject({ expireMs: undefined, params: [] });
  });

  it('records the first unreadable parameter block', () => {
    expect(defOf(defineHex('01 02 73 74 04 04 f4 35 00')).paramsDefect).toEqual({
      typeId: 10,
      reason: 'missing parameter block',
    });
    expect(defOf(defineHex('01 02 73 74 04 04 f4 35 00 0b f0 e2 03')).paramsDefect?.typeId).toBe(10);
    expect(defOf(defineHex('01 02 73 74 04 04 f4 35 00 0a')).paramsDefect?.reason).toBe('missing freq counter period');
  });
});

describe('matchDefinition (spec §4.6.1 receiver)', () => {
  const remote = definitionFromSpec(SPEC_ST, 5);

  it('accepts an identical definition; layout = sender types with local key', () => {
    const match = matchDefinition(remote, SPEC_ST);
    expect(match).toEqual({
      result: 'accepted',
      remoteTableId: 5,
      layout: {
        keyType: 'ip',
        keySizeBytes: 4,
        fields: [
          { typeId: 2, std: 'uint', isArray: false, count: 1 },
          { typeId: 6, std: 'uint', isArray: false, count: 1 },
          { typeId: 10, std: 'frqp', isArray: false, count: 1 },
        ],
      },
    });
  });

  it('uses the sender types even when the local table stores others', () => {
    const local = tableSpec({ wireName: 'st', keyType: 'ip', keySizeBytes: 4, store: ['gpc1'] });
    const match = matchDefinition(remote, local);
    expect(match.result === 'accepted' && match.layout.fields.map((f) => f.typeId)).toEqual([2, 6, 10]);
  });

  it('ignores without a local table, on key type or key size mismatch', () => {
    expect(matchDefinition(remote, undefined).result).toBe('ignored');
    const ipv6 = tableSpec({ wireName: 'st', keyType: 'ipv6', keySizeBytes: 16, store: [] });
    expect(matchDefinition(remote, ipv6)).toMatchObject({ result: 'ignored', reason: expect.stringContaining('key type') });
    // `type string` (32) and `type string len 32` (33) differ (spec §1.2).
    const s32 = tableSpec({ wireName: '/t1', keyType: 'string', keySizeBytes: 32, store: ['gpc0'] });
    expect(matchDefinition(definitionFromSpec(SPEC_T1, 2), s32)).toMatchObject({
      result: 'ignored',
      reason: expect.stringContaining('key size'),
    });
    const unknownCode = { ...remote, keyTypeCode: 3 };
    expect(matchDefinition(unknownCode, SPEC_ST).result).toBe('ignored');
  });

  it('ignores an array type without expire field, accepts scalars without it', () => {
    const arrays = tableSpec({ wireName: 'a', keyType: 'ip', keySizeBytes: 4, store: [['gpc', 2]] });
    const noExpire = { ...definitionFromSpec(arrays, 1), expireMs: undefined, params: [] };
    expect(matchDefinition(noExpire, arrays)).toMatchObject({ result: 'ignored' });
    const scalars = { ...remote, expireMs: undefined, params: [] };
    expect(matchDefinition(scalars, SPEC_ST).result).toBe('accepted');
  });

  it('takes array counts from the sender', () => {
    const local = tableSpec({ wireName: 'a', keyType: 'ip', keySizeBytes: 4, store: [['gpc', 2]] });
    const sender = tableSpec({ wireName: 'a', keyType: 'ip', keySizeBytes: 4, store: [['gpc', 5]] });
    const match = matchDefinition(definitionFromSpec(sender, 1), local);
    expect(match.result === 'accepted' && match.layout.fields[0]?.count).toBe(5);
  });

  it('a parameter defect ignores the DEFINE only if the local version knows that type', () => {
    const v30 = tableSpec({ wireName: 'g', keyType: 'ip', keySizeBytes: 4, store: ['gpc0'], version: '3.0' });
    const v26 = { ...v30, version: '2.6' as const };
    const def: TableDefinition = {
      ...definitionFromSpec(v30, 1),
      dataTypes: (1n << 2n) | (1n << 26n), // glitch_rate (3.0 only) with its block missing
      paramsDefect: { typeId: 26, reason: 'missing parameter block' },
    };
    expect(matchDefinition(def, v26)).toMatchObject({ result: 'accepted' });
    expect(matchDefinition(def, v26).result === 'accepted' && matchDefinition(def, v26)).toMatchObject({
      layout: { fields: [{ typeId: 2 }] },
    });
    expect(matchDefinition(def, v30)).toMatchObject({ result: 'ignored' });
  });
});
