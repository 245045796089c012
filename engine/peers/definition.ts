/**
 * TABLE DEFINITION (`0a 82`, spec §4.6.1): the typed definition, its body encoding from a
 * TableSpec, its decoding, and the receiver's acceptance checks (`peer_treat_definemsg`).
 *
 * HAProxy's outcome for a malformed DEFINE depends on the receiver's tables, so decoding keeps
 * HAProxy's split:
 * - table id, name length and name problems are always protocol errors (thrown);
 * - key type / key size / bitfield truncation is a protocol error only when the name matches
 *   a local table: returned as a `malformedDefine` message for the session to judge;
 * - a truncated or absent expire means "no parameter blocks"; parameter-block problems make the
 *   receiver ignore the definition: kept in `paramsDefect` for `matchDefinition`.
 */
import { ProtocolError } from '../errors.ts';
import { assert } from '../../lib/assert.ts';
import { DATA_TYPE_COUNT_26, DATA_TYPES, dataTypeById } from '../table/data-types.ts';
import { KEY_TYPE_BY_WIRE, WIRE_KEY_TYPE, bytesToLatin1 } from '../table/keys.ts';
import type { TableSpec } from '../table/table-spec.ts';
import { layoutField, type LayoutField, type UpdateLayout } from './layout.ts';
import type { DefineMessage, MalformedDefineMessage } from './message-types.ts';
import { WireReader, type WireWriter } from './wire.ts';

/** One parameter block: an array's element count and/or a freq counter's period. */
export interface DefineParam {
  readonly typeId: number;
  /** Array element count (arrays only). */
  readonly count: number | undefined;
  /** Freq counter period in ms (freq counters and arrays of them only). */
  readonly periodMs: number | undefined;
}

/** Why the receiver cannot read the parameter block of a type (it ignores the DEFINE then). */
export interface ParamsDefect {
  readonly typeId: number;
  readonly reason: string;
}

export interface TableDefinition {
  /** The sender's local table id (uint32). */
  readonly tableId: number;
  /** Wire name: proxy name, or `/<name>` for peers-section tables (latin1 byte string). */
  readonly wireName: string;
  /** 2 integer, 4 ip, 5 ipv6, 6 string, 7 binary (others are possible on the wire). */
  readonly keyTypeCode: number;
  readonly keySizeBytes: number;
  /** Bit i = data type id i is stored (uint64). */
  readonly dataTypes: bigint;
  /** Table expire in ms; undefined when the field is absent (then no parameter blocks follow). */
  readonly expireMs: number | undefined;
  /** Parameter blocks, ascending by type id, as far as they could be read. */
  readonly params: readonly DefineParam[];
  /** The first parameter block that could not be read, if any (always undefined for sending). */
  readonly paramsDefect: ParamsDefect | undefined;
}

const UINT64_MAX = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------------------------
// From a TableSpec, and encoding
// ---------------------------------------------------------------------------------------------

/** The definition HAProxy sends for `spec` registered as local table `tableId`. */
export function definitionFromSpec(spec: TableSpec, tableId: number): TableDefinition {
  let dataTypes = 0n;
  const params: DefineParam[] = [];
  for (const stored of spec.store) {
    const info = dataTypeById(stored.typeId);
    assert(info !== undefined, `stored data type ${stored.typeId} is known`);
    dataTypes |= 1n << BigInt(stored.typeId);
    const isFreq = info.std === 'frqp';
    if (info.isArray) {
      params.push({ typeId: stored.typeId, count: stored.count, periodMs: isFreq ? stored.periodMs : undefined });
    } else if (isFreq) {
      params.push({ typeId: stored.typeId, count: undefined, periodMs: stored.periodMs });
    }
  }
  return {
    tableId,
    wireName: spec.wireName,
    keyTypeCode: WIRE_KEY_TYPE[spec.keyType],
    keySizeBytes: spec.keySizeBytes,
    dataTypes,
    expireMs: spec.expireMs,
    params,
    paramsDefect: undefined,
  };
}

/** Writes the DEFINE body (fields 1–8 of §4.6.1). */
export function writeDefineBody(w: WireWriter, def: TableDefinition): void {
  assert(def.paramsDefect === undefined, 'a definition to send has readable parameter blocks');
  assert(def.wireName.length > 0, 'a table wire name is not empty');
  assert(def.dataTypes >= 0n && def.dataTypes <= UINT64_MAX, 'data type bitfield is a uint64');
  assert(def.expireMs !== undefined || def.params.length === 0, 'parameter blocks need the expire field');
  w.varint(def.tableId);
  w.varint(def.wireName.length);
  w.latin1(def.wireName);
  w.varint(def.keyTypeCode);
  w.varint(def.keySizeBytes);
  w.varintBig(def.dataTypes);
  if (def.expireMs === undefined) return;
  w.varint(def.expireMs);
  for (const p of def.params) {
    w.varint(p.typeId);
    if (p.count !== undefined) w.varint(p.count);
    if (p.periodMs !== undefined) w.varint(p.periodMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

const reader = new WireReader();

/** Decodes a DEFINE body whose first byte is at stream offset `bodyOffset`. */
export function decodeDefineBody(body: Uint8Array, bodyOffset: number): DefineMessage | MalformedDefineMessage {
  const r = reader.reset(body, bodyOffset, 'define');
  const tableId = r.varintU32('table id');
  const nameLenAt = r.pos;
  // HAProxy keeps the name length in an int.
  const nameLength = Number(BigInt.asIntN(32, r.varintU64('table name length')));
  if (nameLength === 0) r.fail('table name length is 0', nameLenAt);
  if (nameLength < 0) {
    // No local name has a negative length: HAProxy ignores such a definition.
    const error = new ProtocolError(bodyOffset + nameLenAt, 'define', 'negative table name length');
    return { kind: 'malformedDefine', tableId, wireName: undefined, error };
  }
  if (r.pos + nameLength >= r.end) r.fail('table name runs to or past the end of the body', nameLenAt);
  const wireName = bytesToLatin1(r.take(nameLength, 'table name'));
  let keyTypeCode: number;
  let keySizeBytes: number;
  let dataTypes: bigint;
  try {
    keyTypeCode = r.varintU32('key type');
    keySizeBytes = r.varintU32('key size');
    dataTypes = r.varintU64('data type bitfield');
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { kind: 'malformedDefine', tableId, wireName, error: err };
  }
  const expireMs = r.tryVarintU64Number();
  const blocks = expireMs === undefined ? { params: [], defect: undefined } : readParams(r, dataTypes);
  const def: TableDefinition = {
    tableId,
    wireName,
    keyTypeCode,
    keySizeBytes,
    dataTypes,
    expireMs,
    params: blocks.params,
    paramsDefect: blocks.defect,
  };
  return { kind: 'define', def };
}

/**
 * Reads parameter blocks driven by the bitfield, for every type sticksim knows (the receiver's
 * version decides in matchDefinition which of them matter). Stops at the first defect.
 */
function readParams(r: WireReader, dataTypes: bigint): { params: DefineParam[]; defect: ParamsDefect | undefined } {
  const params: DefineParam[] = [];
  for (const info of DATA_TYPES) {
    if ((dataTypes & (1n << BigInt(info.id))) === 0n) continue;
    const isFreq = info.std === 'frqp';
    if (!info.isArray && !isFreq) continue;
    const defect = (reason: string): { params: DefineParam[]; defect: ParamsDefect } => ({
      params,
      defect: { typeId: info.id, reason },
    });
    const typeId = r.tryVarintU64Number();
    if (typeId === undefined) return defect('missing parameter block');
    if (typeId !== info.id) return defect(`parameter block announces type ${typeId}`);
    let count: number | undefined;
    if (info.isArray) {
      const c = r.tryVarintU64Number();
      if (c === undefined) return defect('missing array element count');
      count = c % 0x1_0000_0000; // HAProxy keeps the count in an unsigned int
    }
    let periodMs: number | undefined;
    if (isFreq) {
      periodMs = r.tryVarintU64Number();
      if (periodMs === undefined) return defect('missing freq counter period');
    }
    params.push({ typeId: info.id, count, periodMs });
  }
  return { params, defect: undefined };
}

// ---------------------------------------------------------------------------------------------
// Receiver acceptance (peer_treat_definemsg after the name lookup)
// ---------------------------------------------------------------------------------------------

export type DefinitionMatch =
  | { readonly result: 'accepted'; readonly remoteTableId: number; readonly layout: UpdateLayout }
  | { readonly result: 'ignored'; readonly reason: string };

/**
 * HAProxy's checks of a received definition against the local table with the same wire name
 * (`localSpec`; undefined when there is none). `accepted` gives the layout to decode this
 * sender's updates with: its types known to the local version, its array counts, and the local
 * key type and size (equal to the sender's by then).
 */
export function matchDefinition(def: TableDefinition, localSpec: TableSpec | undefined): DefinitionMatch {
  if (localSpec === undefined) return { result: 'ignored', reason: `no local table named '${def.wireName}'` };
  assert(localSpec.wireName === def.wireName, 'the local table is looked up by wire name');
  const keyType = KEY_TYPE_BY_WIRE.get(def.keyTypeCode);
  if (keyType !== localSpec.keyType) {
    return { result: 'ignored', reason: `key type ${def.keyTypeCode} differs from local ${localSpec.keyType}` };
  }
  if (def.keySizeBytes !== localSpec.keySizeBytes) {
    return { result: 'ignored', reason: `key size ${def.keySizeBytes} differs from local ${localSpec.keySizeBytes}` };
  }
  const knownTypes = localSpec.version === '2.6' ? DATA_TYPE_COUNT_26 : DATA_TYPES.length;
  if (def.paramsDefect !== undefined && def.paramsDefect.typeId < knownTypes) {
    return { result: 'ignored', reason: `type ${def.paramsDefect.typeId}: ${def.paramsDefect.reason}` };
  }
  const countByType = new Map<number, number>();
  for (const p of def.params) if (p.count !== undefined) countByType.set(p.typeId, p.count);
  const fields: LayoutField[] = [];
  for (let id = 0; id < knownTypes; id++) {
    if ((def.dataTypes & (1n << BigInt(id))) === 0n) continue;
    const info = DATA_TYPES[id]!;
    const count = countByType.get(id);
    if (info.isArray && count === undefined) {
      return { result: 'ignored', reason: `array type ${id} without element count (no expire field)` };
    }
    fields.push(layoutField(id, count ?? 1));
  }
  return {
    result: 'accepted',
    remoteTableId: def.tableId,
    layout: { keyType: localSpec.keyType, keySizeBytes: localSpec.keySizeBytes, fields },
  };
}
