/**
 * Simulated TCP connections: two endpoints (the engine's `ByteStream`) and two pipes
 * (one per direction) carrying real bytes in order. The network (sim/network.ts) decides
 * latency and whether a direction is blocked; this file keeps the byte streams faithful.
 *
 * The model, in TCP terms:
 * - A pipe is a reliable ordered queue of segments (ACK-of-handshake, data, FIN). While its
 *   direction is blocked (partition, link hold) nothing is delivered and segments already
 *   "in flight" go back to waiting: they are retransmitted once the block lifts, in order,
 *   each after a fresh latency. The connection stalls; it never closes by itself.
 * - A message held by the filter blocks its pipe from that message on (bytes behind it
 *   wait too, as in TCP); bytes sent before it still arrive.
 * - Closing sends a FIN after the pending bytes. A FIN received closes the other side too
 *   (like node's allowHalfOpen=false): each endpoint's onClose fires once, with 'closed'.
 * - A reset drops everything queued both ways; both endpoints see 'reset'.
 */
import { assert, fail } from '../lib/assert.ts';
import type { ByteStream, StreamCloseReason } from '../engine/env.ts';
import type { Kernel, KernelTimer } from './kernel.ts';
import type { LinkState } from './network.ts';

export const PIPE_SEGMENTS_MAX = 100_000;

export interface SocketAddress {
  address: string;
  port: number;
}

export function formatSocketAddress(socket: SocketAddress): string {
  return `${socket.address}:${socket.port}`;
}

export type Segment =
  | { kind: 'ack' }
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'fin' };

interface QueuedSegment {
  segment: Segment;
  /** Set when this segment (and everything after it) waits for a filter release. */
  heldByFilter: boolean;
  /** The delivery event while in flight. */
  timer: KernelTimer | undefined;
}

/** Bound on writers waiting for room on one pipe (one session per endpoint, in practice). */
const ROOM_WAITERS_MAX = 64;

/** What pipes ask of the network. */
export interface PipeWorld {
  kernel: Kernel;
  /** True when bytes from `fromHost` to `toHost` cannot pass (partition or link hold). */
  isBlocked(fromHost: string, toHost: string): boolean;
  /** The link `fromHost` -> `toHost` (the same object for the network's life). */
  linkFor(fromHost: string, toHost: string): LinkState;
  /** Absolute arrival time for `byteCount` bytes sent now over `link`. */
  arrivalOver(link: LinkState, byteCount: number): number;
  emit(host: string, kind: string, details: Record<string, unknown>): void;
  /** False when nobody records events of `kind` (a hot emitter then skips building them). */
  wants(kind: string): boolean;
  /** `emit` after the caller asked `wants`. */
  emitWanted(host: string, kind: string, details: Record<string, unknown>): void;
}

export type PipeDirection = 'up' | 'down';

/** One direction of a connection. */
export class Pipe {
  private readonly queue: QueuedSegment[] = [];
  private lastArrivalMs = 0;
  private stalled = false;
  /** Data bytes sent and not yet delivered (the sender's socket buffer in use). */
  private dataBytesQueued = 0;
  /** One-shot callbacks for the next delivery of data (room in the send buffer). */
  private roomWaiters: (() => void)[] = [];
  /** The link this pipe's bytes travel over, looked up once (on first use). */
  private linkState: LinkState | undefined;

  constructor(
    private readonly world: PipeWorld,
    readonly connectionId: number,
    readonly direction: PipeDirection,
    readonly fromHost: string,
    readonly toHost: string,
    private readonly deliver: (segment: Segment) => void,
  ) {
    this.label = `net:${connectionId}:${direction}`;
  }

  /** The kernel label of this pipe's arrivals. */
  private readonly label: string;

  /** The link from this pipe's sender to its receiver. */
  link(): LinkState {
    this.linkState ??= this.world.linkFor(this.fromHost, this.toHost);
    return this.linkState;
  }

  length(): number {
    return this.queue.length;
  }

  queuedBytes(): number {
    return this.dataBytesQueued;
  }

  /** Calls `handler` once, after the next data segment is delivered. */
  awaitDelivery(handler: () => void): void {
    assert(this.roomWaiters.length < ROOM_WAITERS_MAX, 'room waiters on a pipe are bounded');
    this.roomWaiters.push(handler);
  }

  heldByFilterCount(): number {
    return this.queue.filter((item) => item.heldByFilter).length;
  }

  send(segment: Segment, heldByFilter = false): void {
    if (this.queue.length >= PIPE_SEGMENTS_MAX) fail(`connection ${this.connectionId} ${this.direction}: more than ${PIPE_SEGMENTS_MAX} segments queued`);
    this.queue.push({ segment, heldByFilter, timer: undefined });
    if (segment.kind === 'data') this.dataBytesQueued += segment.bytes.length;
    this.refresh();
  }

  /** Clears every filter hold and lets the held segments go; returns how many were held. */
  releaseFilterHolds(): number {
    let released = 0;
    for (const item of this.queue) {
      if (item.heldByFilter) released += 1;
      item.heldByFilter = false;
    }
    this.refresh();
    return released;
  }

  /** Drops everything (reset). */
  clear(): void {
    for (const item of this.queue) item.timer?.cancel();
    this.queue.length = 0;
    this.dataBytesQueued = 0;
    this.roomWaiters = [];
  }

  /** Re-evaluates blocking: stalls in-flight segments or schedules waiting ones. */
  refresh(): void {
    const kernel = this.world.kernel;
    if (this.world.isBlocked(this.fromHost, this.toHost)) {
      this.stall();
      return;
    }
    if (this.stalled) {
      this.stalled = false;
      this.world.emit(this.fromHost, 'net.resume', { conn: this.connectionId, dir: this.direction, segments: this.queue.length });
    }
    const queue = this.queue;
    for (let i = 0; i < queue.length; i++) {
      const item = queue[i]!;
      if (item.heldByFilter) break;
      if (item.timer !== undefined) continue;
      const bytes = item.segment.kind === 'data' ? item.segment.bytes.length : 0;
      const arrival = Math.max(this.world.arrivalOver(this.link(), bytes), this.lastArrivalMs, kernel.nowMs());
      this.lastArrivalMs = arrival;
      // Segments arrive in queue order (arrival times never decrease, and the kernel keeps the
      // order of events due at the same time): one handler for all, no closure per segment.
      item.timer = kernel.scheduleAt(arrival, this.arriveHead, this.label);
    }
  }

  private stall(): void {
    let inFlight = 0;
    for (const item of this.queue) {
      if (item.timer === undefined) continue;
      item.timer.cancel();
      item.timer = undefined;
      inFlight += 1;
    }
    this.lastArrivalMs = 0;
    if (this.stalled || this.queue.length === 0) {
      this.stalled = this.stalled || this.queue.length > 0;
      return;
    }
    this.stalled = true;
    this.world.emit(this.fromHost, 'net.stall', {
      conn: this.connectionId,
      dir: this.direction,
      segments: this.queue.length,
      inFlight,
      bytes: this.queuedBytes(),
    });
  }

  /** The delivery event of the segment at the head of the queue. */
  private readonly arriveHead = (): void => {
    const item = this.queue.shift();
    if (item === undefined || item.timer === undefined || item.timer.pending) fail(`connection ${this.connectionId} ${this.direction}: segments arrive in order`);
    item.timer = undefined;
    if (item.segment.kind === 'data') this.dataBytesQueued -= item.segment.bytes.length;
    assert(this.dataBytesQueued >= 0, 'queued bytes never go negative');
    this.deliver(item.segment);
    if (item.segment.kind === 'data' && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const waiter of waiters) waiter();
    }
  };
}

export type EndpointState = 'connecting' | 'open' | 'closing' | 'closed';

/** What an endpoint asks of its connection. */
export interface EndpointOwner {
  kernel: Kernel;
  id: number;
  /** Hands written bytes to the connection (filter, framing, pipe). */
  transmit(from: Endpoint, bytes: Uint8Array): void;
  /** The application closed this endpoint. */
  appClose(from: Endpoint): void;
  /** Bytes `from` may still write before its send buffer is full. */
  sendRoom(from: Endpoint): number;
  /** Calls `handler` once, when bytes `from` wrote leave its send buffer. */
  awaitRoom(from: Endpoint, handler: () => void): void;
  emit(host: string, kind: string, details: Record<string, unknown>): void;
}

/** One end of a connection; implements the engine's ByteStream. */
export class Endpoint implements ByteStream {
  state: EndpointState;
  private readonly dataHandlers: Array<(bytes: Uint8Array) => void> = [];
  private readonly closeHandlers: Array<(reason: StreamCloseReason) => void> = [];
  private readonly connectHandlers: Array<() => void> = [];
  private readonly unread: Uint8Array[] = [];
  private closeReason: StreamCloseReason | undefined;
  /** Bytes written while the connection was still being made. */
  readonly pendingWrites: Uint8Array[] = [];

  constructor(
    private readonly owner: EndpointOwner,
    readonly host: string,
    readonly side: 'client' | 'server',
    readonly local: SocketAddress,
    readonly remote: SocketAddress,
    initialState: EndpointState,
  ) {
    this.state = initialState;
  }

  get connectionId(): number {
    return this.owner.id;
  }
  get remoteAddress(): string {
    return this.remote.address;
  }
  get remotePort(): number {
    return this.remote.port;
  }
  get localAddress(): string {
    return this.local.address;
  }
  get localPort(): number {
    return this.local.port;
  }

  write(bytes: Uint8Array): void {
    if (this.state === 'connecting') {
      this.pendingWrites.push(bytes);
      return;
    }
    if (this.state !== 'open') {
      this.owner.emit(this.host, 'net.write-after-close', { conn: this.owner.id, size: bytes.length });
      return;
    }
    if (bytes.length === 0) return;
    this.owner.transmit(this, bytes);
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.owner.appClose(this);
  }

  roomBytes(): number {
    return this.owner.sendRoom(this);
  }

  awaitRoom(handler: () => void): void {
    this.owner.awaitRoom(this, handler);
  }

  unreadBytes(): number {
    let bytes = 0;
    for (const chunk of this.unread) bytes += chunk.length;
    return bytes;
  }

  onData(handler: (bytes: Uint8Array) => void): void {
    this.dataHandlers.push(handler);
    if (this.unread.length > 0) this.owner.kernel.schedule(0, () => this.flushUnread(), 'net:unread');
  }

  onConnect(handler: () => void): void {
    if (this.state === 'connecting') {
      this.connectHandlers.push(handler);
      return;
    }
    if (this.state === 'closed') return;
    this.owner.kernel.schedule(0, () => {
      if (this.state !== 'closed') handler();
    }, 'net:late-connect');
  }

  /** The handshake completed (client side): the connect handlers run once. */
  connected(): void {
    const handlers = this.connectHandlers.splice(0, this.connectHandlers.length);
    for (const handler of handlers) handler();
  }

  onClose(handler: (reason: StreamCloseReason) => void): void {
    this.closeHandlers.push(handler);
    const reason = this.closeReason;
    if (reason !== undefined) this.owner.kernel.schedule(0, () => handler(reason), 'net:late-close');
  }

  /** Data arrived from the peer. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.dataHandlers.length === 0) {
      this.unread.push(bytes);
      return;
    }
    for (const handler of this.dataHandlers) handler(bytes);
  }

  /** The endpoint is done: fires onClose once. */
  finish(reason: StreamCloseReason): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    this.owner.emit(this.host, 'net.close', { conn: this.owner.id, side: this.side, reason });
    for (const handler of this.closeHandlers) handler(reason);
  }

  private flushUnread(): void {
    const chunks = this.unread.splice(0, this.unread.length);
    for (const chunk of chunks) for (const handler of this.dataHandlers) handler(chunk);
  }
}
