/**
 * UPDATE family bodies (spec §4.6.3, `peer_prepare_updatemsg` / `peer_treat_updatemsg`):
 *
 *   [update id u32 BE] [remaining expiry ms u32 BE] key values…
 *
 * Values follow the layout's fields: UINT varint(uint32); SINT varint of the int32
 * sign-extended to 64 bits; ULL varint(uint64); FRQP varint(age), varint(curr), varint(prev);
 * arrays repeat the element encoding `count` times; DICT (`server_key`) goes through the
 * session's 128-slot caches. Decoding reduces values as HAProxy's 32-bit variables do.
 */
import { assert } from '../../lib/assert.ts';
import type { StdType } from '../table/data-types.ts';
import { keyFromWireBytes, keyToWireBytes, bytesToLatin1, type StoredKey } from '../table/keys.ts';
import { DICT_CACHE_SLOTS, type DictRxCache, type DictTxCache } from './dict-cache.ts';
import type { UpdateLayout } from './layout.ts';
import { MSG_BODY_BYTES_MAX, MSG_CLASS_STICK_TABLE, updateTypeByte, type UpdateMessage } from './message-types.ts';
import { varintSizeOfNumber, writeVarintNumber } from './varint.ts';
import { WireReader, WireWriter } from './wire.ts';

/** A freq counter on the wire: `age = now - curr_tick` (uint32), the two counters (uint32). */
export interface FreqCounterWire {
  readonly ageMs: number;
  readonly curr: number;
  readonly prev: number;
}

/** One element: uint/sint → number, ull → bigint (number accepted when sending), frqp → object. */
export type ElementWireValue = number | bigint | FreqCounterWire;

/**
 * One field's value: an element, an array of elements, or for `server_key` a string —
 * undefined meaning "no value" when sending and "leave unchanged" when received.
 */
export type WireValue = ElementWireValue | readonly ElementWireValue[] | string | undefined;

export interface StickUpdate {
  /** Present for UPDATE / UPDATE_TIMED (uint32); undefined = previous + 1. */
  readonly updateId: number | undefined;
  /** Present for the timed variants: remaining expiry in ms (uint32). */
  readonly expireMs: number | undefined;
  readonly key: StoredKey;
  /** One value per layout field, in layout order. */
  readonly values: readonly WireValue[];
}

/** The part of an update message decodeUpdateBody needs. */
export type RawUpdate = Pick<UpdateMessage, 'withId' | 'timed' | 'body' | 'bodyOffset' | 'bodyStart' | 'bodyEnd'>;

/** `value_len + 1 >= chunk size` is rejected by HAProxy for dictionary strings. */
const DICT_VALUE_BYTES_MAX = MSG_BODY_BYTES_MAX - 2;
/** Room for class, type and the longest length varint before the body. */
const HEADER_RESERVE_BYTES = 7;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

const bodyWriter = new WireWriter(MSG_BODY_BYTES_MAX + HEADER_RESERVE_BYTES);

/** Appends the body of `update` to `w`. */
export function writeUpdateBody(w: WireWriter, update: StickUpdate, layout: UpdateLayout, dictTx?: DictTxCache): void {
  const fields = layout.fields;
  assert(update.values.length === fields.length, 'one value per layout field');
  if (update.updateId !== undefined) w.u32be(update.updateId);
  if (update.expireMs !== undefined) w.u32be(update.expireMs);
  writeKey(w, update.key, layout);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = update.values[i];
    if (field.std === 'dict') {
      assert(!field.isArray, 'server_key is not an array');
      writeDict(w, value, dictTx);
    } else if (field.isArray) {
      assert(Array.isArray(value) && value.length === field.count, 'an array value has the layout count of elements');
      const elements = value as readonly ElementWireValue[];
      for (let k = 0; k < elements.length; k++) writeElement(w, field.std, elements[k]!);
    } else {
      writeElement(w, field.std, value as ElementWireValue);
    }
  }
}

/** The body bytes alone. */
export function encodeUpdateBody(update: StickUpdate, layout: UpdateLayout, dictTx?: DictTxCache): Uint8Array {
  bodyWriter.pos = 0;
  writeUpdateBody(bodyWriter, update, layout, dictTx);
  return bodyWriter.buf.slice(0, bodyWriter.pos);
}

/** The whole message: `0a <type> <len> body`, type from the presence of id and expiry. */
export function encodeUpdateMessage(update: StickUpdate, layout: UpdateLayout, dictTx?: DictTxCache): Uint8Array {
  const start = frameUpdateMessage(update, layout, dictTx);
  return bodyWriter.buf.slice(start, bodyWriter.pos);
}

/**
 * `encodeUpdateMessage` appended to `out` (a session's output), encoded in place: the body is
 * written after a one-byte length (bodies under 240 bytes, nearly all) and moved on in the rare
 * case its length takes more varint bytes. No message-sized allocation or copy.
 */
export function appendUpdateMessage(out: WireWriter, update: StickUpdate, layout: UpdateLayout, dictTx?: DictTxCache): void {
  const headerAt = out.pos;
  out.ensure(3);
  out.pos = headerAt + 3;
  writeUpdateBody(out, update, layout, dictTx);
  const bodyStart = headerAt + 3;
  const bodyLength = out.pos - bodyStart;
  const extraLengthBytes = varintSizeOfNumber(bodyLength) - 1;
  if (extraLengthBytes > 0) {
    out.ensure(extraLengthBytes);
    out.buf.copyWithin(bodyStart + extraLengthBytes, bodyStart, out.pos);
    out.pos += extraLengthBytes;
  }
  const buf = out.buf;
  buf[headerAt] = MSG_CLASS_STICK_TABLE;
  buf[headerAt + 1] = updateTypeByte(update.updateId !== undefined, update.expireMs !== undefined);
  const lengthEnd = writeVarintNumber(bodyLength, buf, headerAt + 2);
  assert(lengthEnd === bodyStart + extraLengthBytes, 'the length varint fills the room before the body');
}

/** Frames the message in `bodyWriter`; it is buf[returned start, pos). */
function frameUpdateMessage(update: StickUpdate, layout: UpdateLayout, dictTx: DictTxCache | undefined): number {
  const w = bodyWriter;
  w.pos = HEADER_RESERVE_BYTES;
  writeUpdateBody(w, update, layout, dictTx);
  const bodyLength = w.pos - HEADER_RESERVE_BYTES;
  const start = HEADER_RESERVE_BYTES - 2 - varintSizeOfNumber(bodyLength);
  const buf = w.buf;
  buf[start] = MSG_CLASS_STICK_TABLE;
  buf[start + 1] = updateTypeByte(update.updateId !== undefined, update.expireMs !== undefined);
  writeVarintNumber(bodyLength, buf, start + 2);
  return start;
}

function writeKey(w: WireWriter, key: StoredKey, layout: UpdateLayout): void {
  switch (layout.keyType) {
    case 'ip':
    case 'integer':
      // Same 4 bytes as keyToWireBytes (big-endian), written in place.
      assert(typeof key === 'number', 'ip/integer keys are numbers');
      w.u32be(key);
      return;
    case 'string':
      // keyToWireBytes gives the latin1 bytes of a string key; written in place here.
      assert(typeof key === 'string' && key.length <= layout.keySizeBytes - 1, 'string key fits the key size');
      w.varint(key.length);
      w.latin1(key);
      return;
    case 'ipv6':
    case 'binary':
      w.bytes(keyToWireBytes(layout.keyType, layout.keySizeBytes, key));
      return;
  }
}

function writeElement(w: WireWriter, std: StdType, value: ElementWireValue): void {
  switch (std) {
    case 'uint':
      assert(typeof value === 'number' && value >>> 0 === value, 'a uint value is a uint32 number');
      w.varint(value);
      return;
    case 'sint':
      assert(typeof value === 'number' && (value | 0) === value, 'a sint value is an int32 number');
      if (value >= 0) w.varint(value);
      else w.varintBig(BigInt.asUintN(64, BigInt(value)));
      return;
    case 'ull':
      if (typeof value === 'bigint') w.varintBig(value);
      else {
        assert(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0, 'an ull value is a uint64');
        w.varint(value);
      }
      return;
    case 'frqp': {
      assert(typeof value === 'object', 'a frqp value is a freq counter object');
      const f = value;
      assert(f.ageMs >>> 0 === f.ageMs && f.curr >>> 0 === f.curr && f.prev >>> 0 === f.prev, 'freq counter uint32s');
      w.varint(f.ageMs);
      w.varint(f.curr);
      w.varint(f.prev);
      return;
    }
    case 'dict':
      assert(false, 'dictionary values are written by writeDict');
  }
}

function writeDict(w: WireWriter, value: WireValue, dictTx: DictTxCache | undefined): void {
  if (value === undefined) {
    w.varint(0);
    return;
  }
  assert(typeof value === 'string' && !value.includes('\0'), 'server_key value is a string without NUL');
  assert(dictTx !== undefined, 'a dictionary cache is given for server_key');
  const { slot, isNew } = dictTx.slotFor(value);
  const id = slot + 1;
  if (!isNew) {
    w.varint(1);
    w.varint(id);
    return;
  }
  w.varint(varintSizeOfNumber(id) + varintSizeOfNumber(value.length) + value.length);
  w.varint(id);
  w.varint(value.length);
  w.latin1(value);
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

const reader = new WireReader();

/**
 * Reads an update body with the sender's layout (from matchDefinition). Throws ProtocolError
 * (kind 'update', stream offset) where HAProxy declares the message malformed. Trailing bytes
 * after the last field are ignored. `dictRx` is required when the layout has `server_key`.
 */
export function decodeUpdateBody(msg: RawUpdate, layout: UpdateLayout, dictRx?: DictRxCache): StickUpdate {
  const r = reader.resetRange(msg.body, msg.bodyStart ?? 0, msg.bodyEnd ?? msg.body.length, msg.bodyOffset, 'update');
  const updateId = msg.withId ? r.u32be('update id') : undefined;
  const expireMs = msg.timed ? r.u32be('expiry') : undefined;
  const key = readKey(r, layout);
  const fields = layout.fields;
  // Built by push: a packed array, as the sender's (engine/peers/session-send.ts), so readers of values see one kind.
  const values: WireValue[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.std === 'dict') {
      values.push(readDict(r, dictRx));
    } else if (field.isArray) {
      const elements: ElementWireValue[] = [];
      for (let k = 0; k < field.count; k++) elements.push(readElement(r, field.std));
      values.push(elements);
    } else {
      values.push(readElement(r, field.std));
    }
  }
  return { updateId, expireMs, key, values };
}

function readKey(r: WireReader, layout: UpdateLayout): StoredKey {
  switch (layout.keyType) {
    case 'ip':
    case 'integer':
      return r.u32be('key');
    case 'string': {
      const at = r.pos;
      const lengthRead = r.varintU32('key length');
      const lengthKept = Math.min(lengthRead, layout.keySizeBytes - 1);
      if (r.pos + lengthKept > r.end) r.fail(`string key of ${lengthRead} bytes runs past the body`, at);
      // keyFromWireBytes('string', …) on these bytes: latin1, cut at the first NUL.
      const key = latin1UpToNul(r.bytes, r.pos, r.pos + lengthKept);
      // HAProxy skips the whole announced length, even past the body end (later reads then fail).
      r.pos += lengthRead;
      return key;
    }
    case 'ipv6':
    case 'binary':
      return keyFromWireBytes(layout.keyType, layout.keySizeBytes, r.take(layout.keySizeBytes, 'key'));
  }
}

/** The latin1 string of bytes[start, end) up to the first NUL. */
function latin1UpToNul(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0) break;
    text += String.fromCharCode(code);
  }
  return text;
}

function readElement(r: WireReader, std: StdType): ElementWireValue {
  switch (std) {
    case 'uint':
      return r.varintU32('uint value');
    case 'sint':
      return r.varintU32('sint value') | 0;
    case 'ull':
      return r.varintU64('ull value');
    case 'frqp': {
      const ageMs = r.varintU32('freq counter age');
      const curr = r.varintU32('freq counter current');
      const prev = r.varintU32('freq counter previous');
      return { ageMs, curr, prev };
    }
    case 'dict':
      return r.fail('dictionary arrays do not exist');
  }
}

/** `server_key`: 0 = no value; else a blob of id [+ string], bounded by its own length. */
function readDict(r: WireReader, dictRx: DictRxCache | undefined): string | undefined {
  const at = r.pos;
  const dataLength = r.varintU64Number('server_key length');
  if (dataLength === 0) return undefined;
  assert(dictRx !== undefined, 'a dictionary cache is given for server_key');
  const blobEnd = r.pos + dataLength;
  if (blobEnd > r.end) r.fail('server_key data runs past the body', at);
  const bodyEnd = r.end;
  r.end = blobEnd;
  const idAt = r.pos;
  const id = r.varintU32('server_key id');
  if (id === 0) r.fail('server_key id 0', idAt);
  // HAProxy 2.6 checks the bound only for an id without string (it writes out of bounds
  // otherwise); sticksim rejects both.
  if (id > DICT_CACHE_SLOTS) r.fail(`server_key id ${id} > ${DICT_CACHE_SLOTS}`, idAt);
  let value: string | undefined;
  if (r.pos === blobEnd) {
    value = dictRx.get(id);
  } else {
    const lengthAt = r.pos;
    const valueLength = r.varintU64Number('server_key string length');
    if (r.pos + valueLength > blobEnd || valueLength > DICT_VALUE_BYTES_MAX) {
      r.fail(`server_key string of ${valueLength} bytes does not fit`, lengthAt);
    }
    const text = bytesToLatin1(r.take(valueLength, 'server_key string'));
    const nul = text.indexOf('\0');
    value = nul < 0 ? text : text.slice(0, nul);
    dictRx.set(id, value);
  }
  // Like HAProxy, continue right after what was read, not at the blob's announced end.
  r.end = bodyEnd;
  return value;
}
