/**
 * Message → bytes (spec §4.2–§4.6). Long messages are framed as `class type varint(len) body`
 * with the body written first after a 7-byte reserve and the header placed right before it.
 */
import { assert, fail } from '../../lib/assert.ts';
import { writeDefineBody } from './definition.ts';
import {
  CONTROL_NAMES,
  ERROR_NAMES,
  MSG_CLASS_CONTROL,
  MSG_CLASS_ERROR,
  MSG_CLASS_STICK_TABLE,
  STKT_ACK,
  STKT_DEFINE,
  STKT_SWITCH,
  TYPE_HAS_BODY_MASK,
  isIgnoredKind,
  updateBodyBytes,
  updateTypeByte,
  type EncodableMessage,
} from './message-types.ts';
import { varintSizeOfNumber, writeVarintNumber } from './varint.ts';
import { WireWriter } from './wire.ts';

const HEADER_RESERVE_BYTES = 7;
const writer = new WireWriter(16384 + HEADER_RESERVE_BYTES);

export function encodeMessage(msg: EncodableMessage): Uint8Array {
  switch (msg.kind) {
    case 'hello':
      return encodeLines(msg.lines);
    case 'status':
      assert(Number.isInteger(msg.code) && (msg.code | 0) === msg.code, 'status code is an int');
      return encodeLines([String(msg.code)]);
    case 'control':
      return Uint8Array.of(MSG_CLASS_CONTROL, CONTROL_NAMES.indexOf(msg.control));
    case 'error':
      return Uint8Array.of(MSG_CLASS_ERROR, ERROR_NAMES.indexOf(msg.error));
    case 'ignored':
      return encodeIgnored(msg.classId, msg.typeId, msg.body);
    case 'define':
      return frame(STKT_DEFINE, (w) => writeDefineBody(w, msg.def));
    case 'switch':
      return frame(STKT_SWITCH, (w) => w.varint(checkedUint32(msg.tableId, 'table id')));
    case 'ack':
      return frame(STKT_ACK, (w) => {
        w.varint(checkedUint32(msg.tableId, 'table id'));
        w.u32be(msg.updateId);
      });
    case 'update':
      return frame(updateTypeByte(msg.withId, msg.timed), (w) => w.bytes(updateBodyBytes(msg)));
  }
}

/**
 * An ACK (`0a 84 <len> varint(table id) u32be(update id)`) appended to `out`, byte for byte what
 * `encodeMessage({ kind: 'ack', … })` gives, without the intermediate message.
 */
export function appendAckMessage(out: WireWriter, tableId: number, updateId: number): void {
  const bodyLength = varintSizeOfNumber(checkedUint32(tableId, 'table id')) + 4;
  out.u8(MSG_CLASS_STICK_TABLE);
  out.u8(STKT_ACK);
  out.varint(bodyLength);
  out.varint(tableId);
  out.u32be(updateId);
}

function encodeLines(lines: readonly string[]): Uint8Array {
  let text = '';
  for (const line of lines) {
    assert(!line.includes('\n') && !line.endsWith('\r'), 'a handshake line holds no newline');
    text += line + '\n';
  }
  writer.pos = 0;
  writer.latin1(text);
  return writer.buf.slice(0, writer.pos);
}

function encodeIgnored(classId: number, typeId: number, body: Uint8Array | undefined): Uint8Array {
  assert(classId >>> 0 === classId && classId <= 0xff && typeId >>> 0 === typeId && typeId <= 0xff, 'byte class/type');
  assert(isIgnoredKind(classId, typeId), 'an ignored message has an unknown class or type');
  const hasBody = (typeId & TYPE_HAS_BODY_MASK) !== 0;
  assert(hasBody === (body !== undefined), 'a body exactly when the type has bit 7 set');
  if (body === undefined) return Uint8Array.of(classId, typeId);
  return frameWithClass(classId, typeId, (w) => w.bytes(body));
}

function frame(typeId: number, writeBody: (w: WireWriter) => void): Uint8Array {
  return frameWithClass(MSG_CLASS_STICK_TABLE, typeId, writeBody);
}

function frameWithClass(classId: number, typeId: number, writeBody: (w: WireWriter) => void): Uint8Array {
  writer.pos = HEADER_RESERVE_BYTES;
  writeBody(writer);
  const bodyLength = writer.pos - HEADER_RESERVE_BYTES;
  const start = HEADER_RESERVE_BYTES - 2 - varintSizeOfNumber(bodyLength);
  assert(start >= 0, 'a body length needs at most 5 varint bytes');
  writer.buf[start] = classId;
  writer.buf[start + 1] = typeId;
  writeVarintNumber(bodyLength, writer.buf, start + 2);
  return writer.buf.slice(start, writer.pos);
}

function checkedUint32(value: number, what: string): number {
  if (value >>> 0 !== value) fail(`${what} is a uint32`);
  return value;
}
