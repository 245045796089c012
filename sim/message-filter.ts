/**
 * The per-message filter hook: a scenario decides, for every message a host writes on a
 * connection, whether it is delivered, dropped or held. Bytes in, verdict out; the caller
 * registers a framer that cuts the byte stream into messages (the peers layer gives one
 * that knows the handshake lines and the binary messages).
 */
import { assert, fail } from '../lib/assert.ts';

export type FilterVerdict = 'deliver' | 'drop' | 'hold';

/**
 * Given the bytes not yet framed (everything written so far minus the messages already
 * cut), returns the lengths of the complete messages at their front, in order. Bytes after
 * the last complete message wait for the next write. A framer may keep state (it is made
 * per connection direction).
 */
export type Framer = (pending: Uint8Array) => number[];

export interface StreamInfo {
  connectionId: number;
  fromHost: string;
  toHost: string;
  /** Addresses as the writing side sees them. */
  fromAddress: string;
  fromPort: number;
  toAddress: string;
  toPort: number;
}

export interface FilterMessage extends StreamInfo {
  /** Index of this message in its direction of the connection (0 = first). */
  index: number;
  bytes: Uint8Array;
}

export interface MessageFilter {
  /** Makes the framer for one direction of one connection; default: each write is one message. */
  createFramer?: (stream: StreamInfo) => Framer;
  decide(message: FilterMessage): FilterVerdict;
}

export const FRAMED_MESSAGES_MAX = 100_000;
const EMPTY = new Uint8Array(0);

/** Frames one direction of a connection and asks the filter about each message. */
export class FilterTap {
  private buffer: Uint8Array = new Uint8Array(0);
  private messagesSeen = 0;
  private readonly framer: Framer | undefined;

  constructor(
    private readonly filter: MessageFilter,
    private readonly stream: StreamInfo,
  ) {
    this.framer = filter.createFramer?.(stream);
  }

  /** Splits `bytes` into judged messages (incomplete trailing bytes are kept). */
  push(bytes: Uint8Array): Array<{ bytes: Uint8Array; verdict: FilterVerdict }> {
    if (this.framer === undefined) return [this.judge(bytes)];
    this.buffer = this.buffer.length === 0 ? bytes : concat(this.buffer, bytes);
    const lengths = this.framer(this.buffer);
    assert(lengths.length <= FRAMED_MESSAGES_MAX, 'framer returns a bounded number of messages');
    const judged: Array<{ bytes: Uint8Array; verdict: FilterVerdict }> = [];
    let offset = 0;
    for (const length of lengths) {
      if (!Number.isSafeInteger(length) || length <= 0) fail(`framer message length is a positive integer (got ${length})`);
      if (offset + length > this.buffer.length) fail(`framer cut ${offset + length} bytes of ${this.buffer.length} framed`);
      judged.push(this.judge(this.buffer.slice(offset, offset + length)));
      offset += length;
    }
    this.buffer = offset === this.buffer.length ? EMPTY : this.buffer.slice(offset);
    return judged;
  }

  /** Bytes written but not yet a complete message (sent as they are when the stream closes). */
  takeRemainder(): Uint8Array {
    const rest = this.buffer;
    this.buffer = new Uint8Array(0);
    return rest;
  }

  private judge(bytes: Uint8Array): { bytes: Uint8Array; verdict: FilterVerdict } {
    const s = this.stream;
    const message: FilterMessage = {
      connectionId: s.connectionId,
      fromHost: s.fromHost,
      toHost: s.toHost,
      fromAddress: s.fromAddress,
      fromPort: s.fromPort,
      toAddress: s.toAddress,
      toPort: s.toPort,
      index: this.messagesSeen,
      bytes,
    };
    const verdict = this.filter.decide(message);
    if (verdict !== 'deliver' && verdict !== 'drop' && verdict !== 'hold') fail(`filter verdict is deliver|drop|hold (got ${String(verdict)})`);
    this.messagesSeen += 1;
    return { bytes, verdict };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
