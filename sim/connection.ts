/**
 * One simulated TCP connection: the three-way handshake with SYN retransmission, then two
 * pipes of segments between a client and a server endpoint. Blocking, latency and
 * listener lookup are the network's (sim/network.ts); the byte-stream model is in tcp.ts.
 *
 * Handshake (Linux-like): the client sends a SYN; a SYN or SYN-ACK meeting a blocked
 * direction is lost and the SYN is retransmitted after `synRetryDelaysMs[i]`; after the
 * last delay the connect fails with 'timeout'. A SYN reaching a port with no listener is
 * answered by RST: 'refused'. The SYN-ACK makes the client 'open'; its ACK travels first
 * on the client->server pipe and the server accepts when it arrives (if the listener is
 * gone by then, the server answers RST: the client sees 'reset').
 *
 * Rejected connections (network.ts, reject model): a SYN is refused at once; an end that sends
 * (data or FIN) while the rule holds is reset at that instant and the other end stays open until
 * it sends too. A segment that reaches an end reset this way is answered by a RST that resets
 * its sender one latency later.
 */
import { assert } from '../lib/assert.ts';
import type { DeferredDetails, StreamCloseReason, TraceName } from '../engine/env.ts';
import type { Kernel, KernelTimer } from './kernel.ts';
import { FilterTap, type MessageFilter, type StreamInfo } from './message-filter.ts';
import { Endpoint, Pipe, formatSocketAddress, type PipeWorld, type Segment, type SocketAddress } from './tcp.ts';
import { DELIVER_KIND, DeliverDetails } from './deliver-details.ts';

/** See ConnectionWorld.isRejected. */
export type RejectMode = 'reset' | 'lost';

export interface ListenerRecord {
  readonly id: number;
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly onAccept: (stream: Endpoint) => void;
  open: boolean;
}

/** What a connection asks of the network. */
export interface ConnectionWorld extends PipeWorld {
  synRetryDelaysMs: readonly number[];
  messageFilter(): MessageFilter | undefined;
  /** Absolute arrival time of a handshake packet sent now from `fromHost` to `toHost`. */
  arrivalMs(fromHost: string, toHost: string, byteCount: number): number;
  findListener(host: string, target: SocketAddress): ListenerRecord | undefined;
  /**
   * How connections `clientHost` opens to `serverHost` are rejected now: 'reset' (the RST reaches
   * the sender), 'lost' (the RST is rejected too: the packets are as good as dropped), or undefined.
   */
  isRejected(clientHost: string, serverHost: string): RejectMode | undefined;
  /** The connection is gone: free its ports, forget it. */
  retire(connection: Connection): void;
  /** `emitWanted` with deferred details (rendered only for who needs the plain object). */
  emitDeferred(host: TraceName, kind: TraceName, details: DeferredDetails): void;
  /** A host's name as deferred events carry it, one object per host (engine/env.ts TraceName). */
  hostTraceName(host: string): TraceName;
}

export interface ConnectionEnds {
  clientHost: string;
  /** Undefined when no host owns the dialed address (SYNs go nowhere). */
  serverHost: string | undefined;
  /** The client's own socket. */
  clientLocal: SocketAddress;
  /** What the client dialed. */
  dialed: SocketAddress;
  /** Where the connection really lands (after destination mapping). */
  target: SocketAddress;
  /** The client as the server sees it (after source NAT). */
  clientSeen: SocketAddress;
}

type ConnectionState = 'syn' | 'established' | 'dead';

export class Connection {
  readonly client: Endpoint;
  server: Endpoint | undefined;
  readonly up: Pipe;
  readonly down: Pipe;
  state: ConnectionState = 'syn';
  private synTimer: KernelTimer | undefined;
  private upTap: FilterTap | undefined;
  private downTap: FilterTap | undefined;
  /** Ends reset by a reject rule while the other end stayed open (half-dead connection). */
  private rejectedEnds: Endpoint[] = [];
  readonly kernel: Kernel;
  /** The hosts of the two ends as `net.deliver` names its receiver. */
  private readonly clientTraceName: TraceName;
  private readonly serverTraceName: TraceName;

  constructor(
    private readonly world: ConnectionWorld,
    readonly id: number,
    readonly ends: ConnectionEnds,
  ) {
    this.kernel = world.kernel;
    const serverHost = ends.serverHost ?? '?';
    this.clientTraceName = world.hostTraceName(ends.clientHost);
    this.serverTraceName = world.hostTraceName(serverHost);
    this.client = new Endpoint(this, ends.clientHost, 'client', ends.clientLocal, ends.dialed, 'connecting');
    // The pipes see this connection's 'lost' rejects as blocked directions (its packets are dropped).
    const pipeWorld: PipeWorld = {
      kernel: world.kernel,
      isBlocked: (fromHost, toHost) => this.blocked(fromHost, toHost),
      linkFor: (fromHost, toHost) => world.linkFor(fromHost, toHost),
      arrivalOver: (link, byteCount) => world.arrivalOver(link, byteCount),
      emit: (host, kind, details) => world.emit(host, kind, details),
      wants: (kind) => world.wants(kind),
      emitWanted: (host, kind, details) => world.emitWanted(host, kind, details),
    };
    this.up = new Pipe(pipeWorld, id, 'up', ends.clientHost, serverHost, (segment) => this.arriveAtServer(segment));
    this.down = new Pipe(pipeWorld, id, 'down', serverHost, ends.clientHost, (segment) => this.arriveAtClient(segment));
    const filter = world.messageFilter();
    if (filter !== undefined && ends.serverHost !== undefined) {
      this.upTap = new FilterTap(filter, this.streamInfo('up', ends.serverHost));
      this.downTap = new FilterTap(filter, this.streamInfo('down', ends.serverHost));
    }
  }

  emit(host: string, kind: string, details: Record<string, unknown>): void {
    this.world.emit(host, kind, details);
  }

  start(): void {
    const { clientHost, clientLocal, dialed, target } = this.ends;
    this.emit(clientHost, 'net.connect', {
      conn: this.id,
      from: formatSocketAddress(clientLocal),
      to: formatSocketAddress(dialed),
      via: formatSocketAddress(target),
    });
    this.sendSyn(0);
  }

  /** Re-evaluates both directions after the network changed. */
  refresh(): void {
    if (this.state !== 'established') return;
    this.up.refresh();
    this.down.refresh();
  }

  releaseFilterHolds(): number {
    if (this.state === 'dead') return 0;
    return this.up.releaseFilterHolds() + this.down.releaseFilterHolds();
  }

  /** Drops the connection: both ends see 'reset' (in a 0 ms event). */
  reset(cause: string): void {
    if (this.state === 'dead') return;
    this.emit(this.ends.clientHost, 'net.reset', { conn: this.id, cause });
    const ends = [this.client, this.server];
    this.die();
    this.kernel.schedule(0, () => {
      for (const end of ends) end?.finish('reset');
    }, `net:${this.id}:reset`);
  }

  // --- EndpointOwner ----------------------------------------------------------------

  transmit(from: Endpoint, bytes: Uint8Array): void {
    if (this.state === 'dead') return;
    if (this.rejectsSend(from)) return;
    const toServer = from.side === 'client';
    const pipe = toServer ? this.up : this.down;
    const tap = toServer ? this.upTap : this.downTap;
    if (tap === undefined) {
      this.sendData(pipe, bytes, false);
      return;
    }
    for (const message of tap.push(bytes)) {
      if (message.verdict === 'drop') {
        this.emit(from.host, 'net.drop', { conn: this.id, dir: pipe.direction, bytes: message.bytes });
        continue;
      }
      const held = message.verdict === 'hold';
      if (held) this.emit(from.host, 'net.hold', { conn: this.id, dir: pipe.direction, bytes: message.bytes });
      this.sendData(pipe, message.bytes, held);
    }
  }

  sendRoom(from: Endpoint): number {
    const pipe = from === this.client ? this.up : this.down;
    let used = pipe.queuedBytes();
    for (const bytes of from.pendingWrites) used += bytes.length;
    return Math.max(0, pipe.link().sendBufferBytes - used);
  }

  awaitRoom(from: Endpoint, handler: () => void): void {
    (from === this.client ? this.up : this.down).awaitDelivery(handler);
  }

  appClose(from: Endpoint): void {
    if (this.state === 'dead') return;
    if (this.state === 'syn') {
      this.emit(from.host, 'net.connect-abort', { conn: this.id });
      this.die();
      this.kernel.schedule(0, () => from.finish('closed'), `net:${this.id}:abort`);
      return;
    }
    this.sendFin(from);
  }

  // --- handshake -----------------------------------------------------------------------

  private sendSyn(attempt: number): void {
    if (this.state !== 'syn') return;
    const delays = this.world.synRetryDelaysMs;
    const delayMs = delays[attempt];
    if (delayMs === undefined) {
      this.emit(this.ends.clientHost, 'net.connect-timeout', { conn: this.id, attempts: attempt });
      const client = this.client;
      this.die();
      client.finish('timeout');
      return;
    }
    this.synTimer = this.kernel.schedule(delayMs, () => this.sendSyn(attempt + 1), `net:${this.id}:syn-retry`);
    const serverHost = this.ends.serverHost;
    if (serverHost === undefined) {
      this.emit(this.ends.clientHost, 'net.syn-lost', { conn: this.id, attempt, cause: 'no-route' });
      return;
    }
    if (this.world.isRejected(this.ends.clientHost, serverHost) === 'reset') {
      // The local kernel answers the SYN with a RST: refused without a round trip.
      this.emit(this.ends.clientHost, 'net.rejected', { conn: this.id, side: 'client', packet: 'syn' });
      this.synTimer.cancel();
      this.kernel.schedule(0, () => {
        if (this.state === 'syn') this.refused();
      }, `net:${this.id}:rejected`);
      return;
    }
    this.sendHandshake(this.ends.clientHost, serverHost, attempt, 'syn', () => this.arriveSyn(attempt));
  }

  /** A direction is blocked by a partition or hold, or this connection is rejected with its RST lost. */
  private blocked(fromHost: string, toHost: string): boolean {
    if (this.world.isBlocked(fromHost, toHost)) return true;
    const serverHost = this.ends.serverHost;
    return serverHost !== undefined && this.world.isRejected(this.ends.clientHost, serverHost) === 'lost';
  }

  /**
   * A send by `from` on an established connection that a reject rule covers: `from` is reset now
   * (true: the bytes go nowhere). Once the other end was reset that way, this end's segments still
   * travel and are answered by a RST on arrival (see `arrive`).
   */
  private rejectsSend(from: Endpoint): boolean {
    const serverHost = this.ends.serverHost;
    if (this.state !== 'established' || serverHost === undefined || this.world.isRejected(this.ends.clientHost, serverHost) !== 'reset') return false;
    this.emit(from.host, 'net.rejected', { conn: this.id, side: from.side, packet: 'data' });
    this.resetEnd(from);
    return true;
  }

  /** One end is reset (in a 0 ms event); the connection dies once no end is left open. */
  private resetEnd(end: Endpoint): void {
    this.rejectedEnds.push(end);
    const other = end === this.client ? this.server : this.client;
    const otherLeft = other !== undefined && other.state !== 'closed' && !this.rejectedEnds.includes(other);
    if (!otherLeft) this.die();
    this.kernel.schedule(0, () => end.finish('reset'), `net:${this.id}:reject`);
  }

  /** A handshake packet: lost if its direction is blocked when sent or when it arrives. */
  private sendHandshake(fromHost: string, toHost: string, attempt: number, packet: string, arrive: () => void): void {
    const lost = (): void => this.emit(fromHost, 'net.syn-lost', { conn: this.id, attempt, packet, cause: 'blocked' });
    if (this.blocked(fromHost, toHost)) {
      lost();
      return;
    }
    const arrivalMs = this.world.arrivalMs(fromHost, toHost, 0);
    this.kernel.scheduleAt(arrivalMs, () => {
      if (this.state !== 'syn') return;
      if (this.blocked(fromHost, toHost)) {
        lost();
        return;
      }
      arrive();
    }, `net:${this.id}:${packet}`);
  }

  private arriveSyn(attempt: number): void {
    const serverHost = this.ends.serverHost;
    assert(serverHost !== undefined, 'a SYN arrives only at a known host');
    const listener = this.world.findListener(serverHost, this.ends.target);
    if (listener === undefined) {
      this.sendHandshake(serverHost, this.ends.clientHost, attempt, 'rst', () => this.refused());
      return;
    }
    this.sendHandshake(serverHost, this.ends.clientHost, attempt, 'syn-ack', () => this.established());
  }

  private refused(): void {
    this.emit(this.ends.clientHost, 'net.refused', { conn: this.id, to: formatSocketAddress(this.ends.dialed) });
    const client = this.client;
    this.die();
    client.finish('refused');
  }

  private established(): void {
    this.state = 'established';
    this.synTimer?.cancel();
    this.synTimer = undefined;
    this.client.state = 'open';
    this.emit(this.ends.clientHost, 'net.connected', { conn: this.id });
    this.up.send({ kind: 'ack' });
    const pending = this.client.pendingWrites.splice(0, this.client.pendingWrites.length);
    for (const bytes of pending) this.transmit(this.client, bytes);
    this.client.connected();
  }

  private accept(): void {
    const serverHost = this.ends.serverHost;
    assert(serverHost !== undefined, 'accept on a known host');
    const listener = this.world.findListener(serverHost, this.ends.target);
    if (listener === undefined) {
      this.reset('no-listener-at-accept');
      return;
    }
    const server = new Endpoint(this, serverHost, 'server', this.ends.target, this.ends.clientSeen, 'open');
    this.server = server;
    this.emit(serverHost, 'net.accept', {
      conn: this.id,
      listener: listener.id,
      from: formatSocketAddress(this.ends.clientSeen),
      to: formatSocketAddress(this.ends.target),
    });
    listener.onAccept(server);
  }

  // --- data and close ----------------------------------------------------------------------

  private sendData(pipe: Pipe, bytes: Uint8Array, heldByFilter: boolean): void {
    const pieceMax = pipe.link().segmentBytesMax;
    if (bytes.length <= pieceMax) {
      pipe.send({ kind: 'data', bytes }, heldByFilter);
      return;
    }
    for (let offset = 0; offset < bytes.length; offset += pieceMax) {
      const piece = bytes.subarray(offset, Math.min(bytes.length, offset + pieceMax));
      pipe.send({ kind: 'data', bytes: piece }, heldByFilter && offset === 0);
    }
  }

  private sendFin(from: Endpoint): void {
    if (from.state !== 'open') return;
    if (this.rejectsSend(from)) return;
    from.state = 'closing';
    const toServer = from.side === 'client';
    const pipe = toServer ? this.up : this.down;
    const rest = (toServer ? this.upTap : this.downTap)?.takeRemainder();
    if (rest !== undefined && rest.length > 0) this.sendData(pipe, rest, false);
    this.emit(from.host, 'net.fin', { conn: this.id, dir: pipe.direction });
    pipe.send({ kind: 'fin' });
  }

  private arriveAtServer(segment: Segment): void {
    if (segment.kind === 'ack') {
      this.accept();
      return;
    }
    const server = this.server;
    assert(server !== undefined, 'data reaches the server only after accept');
    this.arrive(server, 'up', segment);
  }

  private arriveAtClient(segment: Segment): void {
    assert(segment.kind !== 'ack', 'no ACK segment travels down');
    this.arrive(this.client, 'down', segment);
  }

  private arrive(receiver: Endpoint, dir: 'up' | 'down', segment: Segment): void {
    if (this.rejectedEnds.includes(receiver)) {
      this.answerRst(receiver, dir);
      return;
    }
    if (segment.kind === 'data') {
      if (this.world.wants('net.deliver')) {
        const host = receiver === this.client ? this.clientTraceName : this.serverTraceName;
        this.world.emitDeferred(host, DELIVER_KIND, new DeliverDetails(this.id, dir, segment.bytes));
      }
      receiver.receive(segment.bytes);
      return;
    }
    assert(segment.kind === 'fin', 'a data pipe carries data and FIN');
    if (receiver.state === 'open') this.sendFin(receiver);
    this.closeEnd(receiver, 'closed');
  }

  /** A segment reached an end a reject reset: its socket is gone, the RST resets the sender. */
  private answerRst(deadEnd: Endpoint, dir: 'up' | 'down'): void {
    const sender = dir === 'up' ? this.client : this.server;
    if (sender === undefined || this.rejectedEnds.includes(sender)) return;
    this.emit(deadEnd.host, 'net.rst', { conn: this.id, dir });
    const arrivalMs = this.world.arrivalMs(deadEnd.host, sender.host, 0);
    this.kernel.scheduleAt(arrivalMs, () => {
      this.emit(sender.host, 'net.reset', { conn: this.id, cause: 'rst-from-closed-socket' });
      this.die();
      sender.finish('reset');
    }, `net:${this.id}:rst`);
  }

  private closeEnd(end: Endpoint, reason: StreamCloseReason): void {
    end.finish(reason);
    const server = this.server;
    if (this.client.state === 'closed' && (server === undefined || server.state === 'closed')) this.die();
  }

  private die(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.synTimer?.cancel();
    this.synTimer = undefined;
    this.up.clear();
    this.down.clear();
    this.world.retire(this);
  }

  private streamInfo(dir: 'up' | 'down', serverHost: string): StreamInfo {
    const { clientHost, clientLocal, dialed, clientSeen, target } = this.ends;
    if (dir === 'up') {
      return {
        connectionId: this.id, fromHost: clientHost, toHost: serverHost,
        fromAddress: clientLocal.address, fromPort: clientLocal.port, toAddress: dialed.address, toPort: dialed.port,
      };
    }
    return {
      connectionId: this.id, fromHost: serverHost, toHost: clientHost,
      fromAddress: target.address, fromPort: target.port, toAddress: clientSeen.address, toPort: clientSeen.port,
    };
  }
}
