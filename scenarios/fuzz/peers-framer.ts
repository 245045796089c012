/**
 * Cuts a peers byte stream into messages for the simulator's message filter (sim/message-filter.ts)
 * and names their kind. Handshake lines are text (they start with a printable byte and end at
 * '\n'); binary messages start with their class byte (0 control, 1 error, 10 stick table, all
 * below 0x20), then a type byte, then — when the type has bit 7 set — a varint body length.
 */
import { VARINT_TRUNCATED, readVarintU32 } from '../../engine/peers/varint.ts';
import { CONTROL_NAMES, MSG_CLASS_CONTROL, MSG_CLASS_STICK_TABLE, STKT_ACK, STKT_DEFINE, STKT_SWITCH, TYPE_HAS_BODY_MASK } from '../../engine/peers/message-types.ts';
import type { Framer } from '../../sim/message-filter.ts';

export type PeersMessageKind = 'line' | 'heartbeat' | 'resync-control' | 'ack' | 'update' | 'define' | 'switch' | 'error' | 'other';

const MESSAGES_PER_PUSH_MAX = 100_000;
const LINE_BYTES_MAX = 4096;
const NEWLINE = 0x0a;

export const peersFramer: Framer = (pending) => {
  const lengths: number[] = [];
  let at = 0;
  const span = { next: 0 };
  while (at < pending.length && lengths.length < MESSAGES_PER_PUSH_MAX) {
    const first = pending[at]!;
    if (first >= 0x20) {
      const end = pending.indexOf(NEWLINE, at);
      if (end < 0) {
        // An over-long "line" is garbage: pass it as one message rather than buffering for ever.
        if (pending.length - at > LINE_BYTES_MAX) lengths.push(pending.length - at);
        break;
      }
      lengths.push(end + 1 - at);
      at = end + 1;
      continue;
    }
    if (at + 2 > pending.length) break;
    const type = pending[at + 1]!;
    if ((type & TYPE_HAS_BODY_MASK) === 0) {
      lengths.push(2);
      at += 2;
      continue;
    }
    const bodyLength = readVarintU32(pending, at + 2, pending.length, span);
    if (bodyLength === VARINT_TRUNCATED) break;
    if (bodyLength < 0) {
      lengths.push(pending.length - at);
      break;
    }
    const total = span.next - at + bodyLength;
    if (at + total > pending.length) break;
    lengths.push(total);
    at += total;
  }
  return lengths;
};

/** The kind of one framed message. */
export function peersMessageKind(bytes: Uint8Array): PeersMessageKind {
  const first = bytes[0];
  if (first === undefined) return 'other';
  if (first >= 0x20) return 'line';
  const type = bytes[1] ?? 0;
  if (first === MSG_CLASS_CONTROL) return CONTROL_NAMES[type] === 'heartbeat' ? 'heartbeat' : 'resync-control';
  if (first === 1) return 'error';
  if (first !== MSG_CLASS_STICK_TABLE) return 'other';
  if (type === STKT_ACK) return 'ack';
  if (type === STKT_DEFINE) return 'define';
  if (type === STKT_SWITCH) return 'switch';
  return 'update';
}
