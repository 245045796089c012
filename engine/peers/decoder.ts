/**
 * Streaming decoder of one direction of a peer session (spec §4.2, §4.3, `peer_getline`,
 * `peer_recv_msg`, `peer_treat_awaited_msg`): push byte chunks of any size, pull complete
 * messages. It starts in one of three modes — `hello` (acceptor: three lines), `status`
 * (initiator: one line) or `messages` — and moves to `messages` after the text part.
 *
 * Malformed input throws ProtocolError (stream offset, message kind) from `next()`, after every
 * message before it was returned; the decoder then stays failed. A body larger than
 * `maxBodyBytes` throws SizeLimitError (a ProtocolError; HAProxy answers `01 01`). How bytes
 * are chunked never changes the messages nor the error.
 */
import { InputOverflowError, ProtocolError } from '../errors.ts';
import { assert } from '../../lib/assert.ts';
import { decodeDefineBody } from './definition.ts';
import { LINE_BYTES_MAX, parseStatusCode } from './hello.ts';
import {
  CONTROL_NAMES,
  ERROR_NAMES,
  MSG_BODY_BYTES_MAX,
  MSG_CLASS_CONTROL,
  MSG_CLASS_ERROR,
  MSG_CLASS_RESERVED,
  MSG_CLASS_STICK_TABLE,
  MSG_LENGTH_VARINT_BYTES_MAX,
  STKT_ACK,
  STKT_DEFINE,
  STKT_INCUPDATE,
  STKT_INCUPDATE_TIMED,
  STKT_SWITCH,
  STKT_UPDATE,
  STKT_UPDATE_TIMED,
  TYPE_HAS_BODY_MASK,
  type AckMessage,
  type MalformedAckMessage,
  type PeerMessage,
} from './message-types.ts';
import { readVarintU32, VARINT_TRUNCATED, type VarintSpan } from './varint.ts';
import { WireReader } from './wire.ts';

/** A body over the receive buffer size: HAProxy sends `01 01` (size limit) and closes. */
export class SizeLimitError extends ProtocolError {
  constructor(offset: number, messageKind: string, detail: string) {
    super(offset, messageKind, detail);
    this.name = 'SizeLimitError';
  }
}

export type DecoderMode = 'hello' | 'status' | 'messages';

export interface MessageDecoderOptions {
  /** What the stream starts with: acceptor side 'hello', initiator side 'status'. */
  readonly expect: DecoderMode;
  /** Largest body accepted (tune.bufsize); default 16384. */
  readonly maxBodyBytes?: number;
  /** Bound on bytes still unconsumed when more are pushed (a caller must drain); default 4 MiB. */
  readonly bufferedBytesMax?: number;
  /**
   * Update messages are returned as a range of the decoder's buffer (`bodyStart`, `bodyEnd`)
   * instead of a copy of their body: valid until the next `push`, for a caller that treats each
   * message before it pushes more (a session). Default false: every body is the message's own.
   */
  readonly inPlaceUpdates?: boolean;
}

const HELLO_LINE_COUNT = 3;

export class MessageDecoder {
  private mode: DecoderMode;
  private readonly maxBodyBytes: number;
  private readonly bufferedBytesMax: number;
  private readonly inPlaceUpdates: boolean;
  /** Pending bytes are buf[start, end). */
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Whether buf is ours (reused across pushes) or the caller's chunk (never written). */
  private owned = false;
  /** Stream offset of buf[start]. */
  private startOffset = 0;
  private readonly helloLines: string[] = [];
  private failure: ProtocolError | undefined;
  private readonly span: VarintSpan = { next: 0 };
  private readonly reader = new WireReader();

  constructor(options: MessageDecoderOptions) {
    this.mode = options.expect;
    this.maxBodyBytes = options.maxBodyBytes ?? MSG_BODY_BYTES_MAX;
    this.bufferedBytesMax = options.bufferedBytesMax ?? 4 * 1024 * 1024;
    this.inPlaceUpdates = options.inPlaceUpdates ?? false;
    assert(this.maxBodyBytes > 0, 'maxBodyBytes is positive');
  }

  /** The mode the next bytes are read in. */
  get expecting(): DecoderMode {
    return this.mode;
  }

  /** Stream offset of the first byte not yet consumed. */
  get streamOffset(): number {
    return this.startOffset;
  }

  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Hello lines read so far while fewer than three arrived (for validateHello's early reply). */
  peekHelloLines(): readonly string[] {
    return this.helloLines;
  }

  /**
   * Adds bytes. The decoder reads `chunk` until its bytes are consumed: do not mutate it before.
   * Throws InputOverflowError (and keeps nothing of `chunk`) when the unread bytes would pass
   * `bufferedBytesMax`: a reader that falls that far behind must end the stream.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const pending = this.end - this.start;
    if (pending + chunk.length > this.bufferedBytesMax) throw new InputOverflowError(pending, chunk.length, this.bufferedBytesMax);
    if (pending === 0) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    const needed = pending + chunk.length;
    if (!this.owned || this.buf.length < needed) {
      const grown = new Uint8Array(Math.max(needed, 2 * pending, 256));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.owned = true;
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.buf.set(chunk, pending);
    this.start = 0;
    this.end = needed;
  }

  /** The next complete message, or undefined when more bytes are needed. */
  next(): PeerMessage | undefined {
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.mode === 'messages' ? this.decodeMessage() : this.decodeText();
    } catch (err) {
      if (err instanceof ProtocolError) this.failure = err;
      throw err;
    }
  }

  /** Pushes `chunk` and yields every message now complete. */
  *feed(chunk: Uint8Array): Generator<PeerMessage, void, void> {
    this.push(chunk);
    for (;;) {
      const msg = this.next();
      if (msg === undefined) return;
      yield msg;
    }
  }

  /** Pushes `chunk` and returns every message now complete (throws like next()). */
  feedAll(chunk: Uint8Array): PeerMessage[] {
    const out: PeerMessage[] = [];
    for (const msg of this.feed(chunk)) out.push(msg);
    return out;
  }

  /** The text part: the acceptor's hello, or the initiator's status line. */
  private decodeText(): PeerMessage | undefined {
    if (this.mode === 'hello') return this.decodeHello();
    const line = this.readLine('status');
    if (line === undefined) return undefined;
    this.mode = 'messages';
    return { kind: 'status', code: parseStatusCode(line) };
  }

  private decodeHello(): PeerMessage | undefined {
    while (this.helloLines.length < HELLO_LINE_COUNT) {
      const line = this.readLine('hello');
      if (line === undefined) return undefined;
      this.helloLines.push(line);
    }
    const [a, b, c] = this.helloLines as [string, string, string];
    this.helloLines.length = 0;
    this.mode = 'messages';
    return { kind: 'hello', lines: [a, b, c] };
  }

  /** One `\n`-terminated line without `\n` (and without a `\r` before it), or undefined. */
  private readLine(kind: string): string | undefined {
    const limit = Math.min(this.end, this.start + LINE_BYTES_MAX);
    const found = this.buf.indexOf(0x0a, this.start);
    const newline = found < 0 || found >= limit ? -1 : found - this.start;
    if (newline < 0) {
      if (limit - this.start >= LINE_BYTES_MAX) {
        throw new ProtocolError(this.startOffset, kind, `no newline within ${LINE_BYTES_MAX} bytes`);
      }
      return undefined;
    }
    let lineEnd = this.start + newline;
    if (newline > 0 && this.buf[lineEnd - 1] === 0x0d) lineEnd--;
    let line = '';
    for (let i = this.start; i < lineEnd; i++) line += String.fromCharCode(this.buf[i]!);
    this.consume(newline + 1);
    return line;
  }

  private consume(n: number): void {
    this.start += n;
    this.startOffset += n;
  }

  private decodeMessage(): PeerMessage | undefined {
    const buf = this.buf;
    const at = this.start;
    if (this.end - at < 2) return undefined;
    const classId = buf[at]!;
    const typeId = buf[at + 1]!;
    const offset = this.startOffset;
    if ((typeId & TYPE_HAS_BODY_MASK) === 0) {
      this.consume(2);
      return shortMessage(classId, typeId, offset);
    }
    const lengthEnd = Math.min(this.end, at + 2 + MSG_LENGTH_VARINT_BYTES_MAX);
    const bodyLength = readVarintU32(buf, at + 2, lengthEnd, this.span);
    if (bodyLength < 0) {
      if (bodyLength === VARINT_TRUNCATED && lengthEnd - (at + 2) < MSG_LENGTH_VARINT_BYTES_MAX) return undefined;
      throw new ProtocolError(offset + 2, kindName(classId, typeId), 'length varint longer than 5 bytes');
    }
    if (bodyLength > this.maxBodyBytes) {
      throw new SizeLimitError(offset, kindName(classId, typeId), `body of ${bodyLength} bytes > ${this.maxBodyBytes}`);
    }
    const bodyStart = this.span.next;
    if (this.end - bodyStart < bodyLength) return undefined;
    if (classId === MSG_CLASS_STICK_TABLE && typeId === STKT_ACK) {
      // Read where it lies: an ACK keeps nothing of its body (one per wake-up of every sender).
      const ack = this.decodeAck(buf, bodyStart, bodyStart + bodyLength, offset + (bodyStart - at) - bodyStart);
      this.consume(bodyStart + bodyLength - at);
      return ack;
    }
    if (this.inPlaceUpdates && classId === MSG_CLASS_STICK_TABLE && isUpdateType(typeId)) {
      // Read where it lies (the caller treats it before the next push): one per received update.
      const withId = typeId === STKT_UPDATE || typeId === STKT_UPDATE_TIMED;
      const timed = typeId === STKT_UPDATE_TIMED || typeId === STKT_INCUPDATE_TIMED;
      const bufOffset = offset - at;
      this.consume(bodyStart + bodyLength - at);
      return { kind: 'update', withId, timed, body: buf, bodyOffset: bufOffset, bodyStart, bodyEnd: bodyStart + bodyLength };
    }
    // A copy: a view would alias the caller's chunk or our reused buffer (and a view of a small
    // on-heap array costs V8 more than copying it).
    const body = buf.slice(bodyStart, bodyStart + bodyLength);
    const bodyOffset = offset + (bodyStart - at);
    this.consume(bodyStart + bodyLength - at);
    return this.longMessage(classId, typeId, body, bodyOffset, offset);
  }

  private longMessage(classId: number, typeId: number, body: Uint8Array, bodyOffset: number, offset: number): PeerMessage {
    if (classId === MSG_CLASS_RESERVED) throw reservedClassError(offset);
    if (classId !== MSG_CLASS_STICK_TABLE) return { kind: 'ignored', classId, typeId, body };
    switch (typeId) {
      case STKT_UPDATE:
      case STKT_INCUPDATE:
      case STKT_UPDATE_TIMED:
      case STKT_INCUPDATE_TIMED: {
        const withId = typeId === STKT_UPDATE || typeId === STKT_UPDATE_TIMED;
        const timed = typeId === STKT_UPDATE_TIMED || typeId === STKT_INCUPDATE_TIMED;
        return { kind: 'update', withId, timed, body, bodyOffset };
      }
      case STKT_DEFINE:
        return decodeDefineBody(body, bodyOffset);
      case STKT_SWITCH: {
        const r = this.reader.reset(body, bodyOffset, 'switch');
        return { kind: 'switch', tableId: r.varintU32('table id') };
      }
      case STKT_ACK:
        // Reached by no stream decode (ACKs are read in place before); kept for completeness.
        return this.decodeAck(body, 0, body.length, bodyOffset);
      default:
        return { kind: 'ignored', classId, typeId, body };
    }
  }

  /** The ACK whose body is bytes[start, end); `offsetBase` is the stream offset of bytes[0]. */
  private decodeAck(bytes: Uint8Array, start: number, end: number, offsetBase: number): AckMessage | MalformedAckMessage {
    const r = this.reader.resetRange(bytes, start, end, offsetBase, 'ack');
    try {
      const tableId = r.varintU32('table id');
      const updateId = r.u32be('update id');
      return { kind: 'ack', tableId, updateId };
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return { kind: 'malformedAck', error: err };
    }
  }
}

function isUpdateType(typeId: number): boolean {
  return typeId === STKT_UPDATE || typeId === STKT_INCUPDATE || typeId === STKT_UPDATE_TIMED || typeId === STKT_INCUPDATE_TIMED;
}

function shortMessage(classId: number, typeId: number, offset: number): PeerMessage {
  if (classId === MSG_CLASS_CONTROL) {
    const control = CONTROL_NAMES[typeId];
    if (control !== undefined) return { kind: 'control', control };
  } else if (classId === MSG_CLASS_ERROR) {
    const error = ERROR_NAMES[typeId];
    if (error !== undefined) return { kind: 'error', error };
  } else if (classId === MSG_CLASS_RESERVED) {
    throw reservedClassError(offset);
  }
  return { kind: 'ignored', classId, typeId, body: undefined };
}

function reservedClassError(offset: number): ProtocolError {
  return new ProtocolError(offset, 'reserved class 255', 'class 255 is reserved (protocol error)');
}

/** A readable name for the message whose header is (classId, typeId), for errors. */
function kindName(classId: number, typeId: number): string {
  if (classId === MSG_CLASS_STICK_TABLE) {
    switch (typeId) {
      case STKT_DEFINE:
        return 'define';
      case STKT_SWITCH:
        return 'switch';
      case STKT_ACK:
        return 'ack';
      case STKT_UPDATE:
      case STKT_INCUPDATE:
      case STKT_UPDATE_TIMED:
      case STKT_INCUPDATE_TIMED:
        return 'update';
    }
  }
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `message ${hex(classId)} ${hex(typeId)}`;
}
