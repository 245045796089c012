/**
 * The peers-protocol messages (spec §4.2–§4.6) as the codec yields and accepts them.
 *
 * UPDATE bodies stay raw here: they can only be read with the sender's definition
 * (`decodeUpdateBody` in update-body.ts). `malformedDefine` / `malformedAck` are decode-only:
 * HAProxy treats those bytes as a protocol error or ignores them depending on session state
 * (a DEFINE whose name matches no local table; an ACK received while teaching).
 */
import type { ProtocolError } from '../errors.ts';
import type { TableDefinition } from './definition.ts';

export const MSG_CLASS_CONTROL = 0;
export const MSG_CLASS_ERROR = 1;
export const MSG_CLASS_STICK_TABLE = 10;
export const MSG_CLASS_RESERVED = 255;

/** Control types in wire order: `00 00` … `00 04` (§4.4). */
export const CONTROL_NAMES = ['resyncRequest', 'resyncFinished', 'resyncPartial', 'resyncConfirm', 'heartbeat'] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

/** Error types in wire order: `01 00`, `01 01` (§4.5). */
export const ERROR_NAMES = ['protocol', 'sizeLimit'] as const;
export type ErrorName = (typeof ERROR_NAMES)[number];

/** Stick-table message types (§4.6). Bit 7 set = a varint length and a body follow. */
export const STKT_UPDATE = 0x80;
export const STKT_INCUPDATE = 0x81;
export const STKT_DEFINE = 0x82;
export const STKT_SWITCH = 0x83;
export const STKT_ACK = 0x84;
export const STKT_UPDATE_TIMED = 0x85;
export const STKT_INCUPDATE_TIMED = 0x86;
export const TYPE_HAS_BODY_MASK = 0x80;

/** Receive buffer = largest body (`tune.bufsize` default, `peer_recv_msg`). */
export const MSG_BODY_BYTES_MAX = 16384;
/** Longest encoding of a body length (`PEER_MSG_ENC_LENGTH_MAXLEN`). */
export const MSG_LENGTH_VARINT_BYTES_MAX = 5;

/** The three hello lines, without their `\n` (§4.2.1). */
export interface HelloMessage {
  readonly kind: 'hello';
  readonly lines: readonly [string, string, string];
}

/** The acceptor's one-line reply; `code` is `atoi(line)` as the initiator reads it. */
export interface StatusMessage {
  readonly kind: 'status';
  readonly code: number;
}

export interface ControlMessage {
  readonly kind: 'control';
  readonly control: ControlName;
}

export interface ErrorMessage {
  readonly kind: 'error';
  readonly error: ErrorName;
}

/** A message of an unknown class (not 255) or an unknown type: skipped by length. */
export interface IgnoredMessage {
  readonly kind: 'ignored';
  readonly classId: number;
  readonly typeId: number;
  /** The body when the type has bit 7 set, else undefined. */
  readonly body: Uint8Array | undefined;
}

export interface DefineMessage {
  readonly kind: 'define';
  readonly def: TableDefinition;
}

/**
 * A DEFINE whose name was read but whose key type, key size or bitfield is truncated
 * (`wireName` set), or whose name length is negative as an int (`wireName` undefined).
 * HAProxy first forgets any table mapped to `tableId`; then, if a local table has that wire
 * name, `error` is a protocol error, else the message is ignored.
 */
export interface MalformedDefineMessage {
  readonly kind: 'malformedDefine';
  readonly tableId: number;
  readonly wireName: string | undefined;
  readonly error: ProtocolError;
}

export interface SwitchMessage {
  readonly kind: 'switch';
  readonly tableId: number;
}

/** UPDATE (0x80), INCUPDATE (0x81), UPDATE_TIMED (0x85), INCUPDATE_TIMED (0x86), body raw. */
export interface UpdateMessage {
  readonly kind: 'update';
  /** Carries an update id (0x80, 0x85). */
  readonly withId: boolean;
  /** Carries the remaining expiry (0x85, 0x86). */
  readonly timed: boolean;
  /**
   * The bytes holding the body: the body itself (decoded messages own a copy), or with
   * `bodyStart`/`bodyEnd` a buffer the body lies in (a decoder reading updates in place).
   */
  readonly body: Uint8Array;
  /** Stream offset of body[0] (0 for messages built to be sent). */
  readonly bodyOffset: number;
  /** Where the body starts in `body` (0 when absent). */
  readonly bodyStart?: number;
  /** Where the body ends in `body` (`body.length` when absent). */
  readonly bodyEnd?: number;
}

/** The body bytes of an update message (a copy only when it lies in a larger buffer). */
export function updateBodyBytes(msg: Pick<UpdateMessage, 'body' | 'bodyStart' | 'bodyEnd'>): Uint8Array {
  if (msg.bodyStart === undefined && msg.bodyEnd === undefined) return msg.body;
  return msg.body.slice(msg.bodyStart ?? 0, msg.bodyEnd ?? msg.body.length);
}

export interface AckMessage {
  readonly kind: 'ack';
  /** The acked table's id as its sender announced it (our local id when we receive it). */
  readonly tableId: number;
  readonly updateId: number;
}

/** A truncated ACK: a protocol error unless the receiver is teaching this peer (then ignored). */
export interface MalformedAckMessage {
  readonly kind: 'malformedAck';
  readonly error: ProtocolError;
}

export type EncodableMessage =
  | HelloMessage
  | StatusMessage
  | ControlMessage
  | ErrorMessage
  | IgnoredMessage
  | DefineMessage
  | SwitchMessage
  | UpdateMessage
  | AckMessage;

export type PeerMessage = EncodableMessage | MalformedDefineMessage | MalformedAckMessage;

export type PeerMessageKind = PeerMessage['kind'];

/** The wire type byte of an update message. */
export function updateTypeByte(withId: boolean, timed: boolean): number {
  if (timed) return withId ? STKT_UPDATE_TIMED : STKT_INCUPDATE_TIMED;
  return withId ? STKT_UPDATE : STKT_INCUPDATE;
}

/** True when (classId, typeId) is a message the decoder yields as `ignored`. */
export function isIgnoredKind(classId: number, typeId: number): boolean {
  if (classId === MSG_CLASS_RESERVED) return false;
  if (classId === MSG_CLASS_CONTROL) return typeId >= CONTROL_NAMES.length;
  if (classId === MSG_CLASS_ERROR) return typeId >= ERROR_NAMES.length;
  if (classId === MSG_CLASS_STICK_TABLE) return typeId < STKT_UPDATE || typeId > STKT_INCUPDATE_TIMED;
  return true;
}
