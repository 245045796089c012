/**
 * A test-only TCP relay to put between two peers processes (real haproxy, `sticksim peer`): each
 * route listens on a loopback port for one node's connections (the initiator) and forwards them
 * to the other node's real endpoint (the acceptor), so the relay knows which side opened every
 * connection. Point each node's peer line for the other at `endpointFor(node, other)`.
 *
 * Verbs (each applies to the current connections and to those opened later):
 *   cut()      every relayed connection is reset (RST both ways) and the listener is closed, so
 *              new connects are refused at once: the lab's `iptables -j REJECT --reject-with
 *              tcp-reset` on the peer ports;
 *   heal()     the listeners are open again; with no selection also ends every drop and hold;
 *   reset()    resets the current connections once; new ones pass;
 *   drop()     stops forwarding the bytes a node sends, silently, without reading them (the
 *              sender's kernel buffers fill as on a dropped link); a FIN or RST from that sender is
 *              not passed on either. When the drop ends the bytes are delivered, as TCP would
 *              retransmit them after an iptables DROP is lifted;
 *   hold()     reads and buffers the bytes a node sends (bounded: past `holdBytesMax` the sender
 *              is paused) and release() delivers them in order, in one burst.
 * `{ initiator }` selects the routes of connections opened by that node (cut/heal/reset),
 * `{ sender }` the direction of the bytes that node sends (drop/undrop, hold/release).
 *
 * `onDelivered` (a start option) sees every chunk as it is handed on: a wire capture of both
 * directions of every connection.
 *
 * No timer of its own; `close()` destroys every socket and listener.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { assert } from '../../lib/assert.ts';
import type { LoopbackEndpoint } from './haproxy.ts';

const HOLD_BYTES_MAX_DEFAULT = 1024 * 1024;
/** Closed connections kept for `connections()`; older ones are forgotten. */
const CLOSED_KEPT_MAX = 1_000;
const ROUTES_MAX = 64;
/** Connections a route's listener accepts at once; more are closed by node at accept. */
const CONNECTIONS_PER_ROUTE_MAX = 256;

export interface RelayRouteOptions {
  /** The node that connects to this route's listener. */
  readonly from: string;
  /** The node whose real endpoint the relay connects to. */
  readonly to: string;
  readonly target: LoopbackEndpoint;
}

export interface StartRelayOptions {
  readonly routes: readonly RelayRouteOptions[];
  /** Where the listeners bind (each on a port the OS picks); default 127.0.0.1. */
  readonly listenAddress?: string;
  /** Bytes buffered per connection and direction by `hold`; past it the sender is paused. */
  readonly holdBytesMax?: number;
  /** Called with every chunk as it is handed to the receiving socket (a wire capture). */
  readonly onDelivered?: (chunk: DeliveredChunk) => void;
  /**
   * Connect to the acceptor only once the initiator's first bytes came, and hand them over as soon
   * as that connect completes: the acceptor's kernel has the connection and its first bytes
   * (nearly) together, before the acceptor process can have taken the connection. Default false
   * (the relay connects on accept).
   */
  readonly connectOnFirstBytes?: boolean;
}

/** One chunk the relay handed to a socket: which connection, who sent it, when. */
export interface DeliveredChunk {
  readonly connection: number;
  readonly sender: string;
  readonly atMs: number;
  readonly bytes: Buffer;
}

export interface RouteSelection {
  /** Only the route whose connections this node opens; all routes when absent. */
  readonly initiator?: string;
}

export interface FlowSelection {
  /** Only the bytes this node sends; both directions when absent. */
  readonly sender?: string;
}

export type RelayEnd = 'closed' | 'cut' | 'reset by relay' | 'reset by initiator' | 'reset by acceptor' | 'relay closed';

export interface RelayedConnectionInfo {
  readonly id: number;
  readonly initiator: string;
  readonly acceptor: string;
  /** ms since the relay started (performance.now based). */
  readonly openedAtMs: number;
  readonly closedAtMs: number | undefined;
  /** Bytes handed to the acceptor's / initiator's socket so far. */
  readonly bytesToAcceptor: number;
  readonly bytesToInitiator: number;
  /** Bytes read from each side and not delivered yet (hold). */
  readonly bytesHeldToAcceptor: number;
  readonly bytesHeldToInitiator: number;
  readonly end: RelayEnd | undefined;
}

/** Destroys a socket with an RST when it is connected, plainly otherwise. */
function hardClose(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.readyState === 'closed') socket.destroy();
  else socket.resetAndDestroy();
}

/** One direction of one relayed connection: bytes `sender` writes on `source`, delivered to `sink`. */
class Flow {
  private held: Buffer[] = [];
  heldBytes = 0;
  /** The source ended (FIN) or broke (RST / error) and that has not been passed on yet. */
  private endPending: 'fin' | 'reset' | undefined;
  private sinkBlocked = false;
  private finished = false;
  bytesDelivered = 0;

  constructor(
    readonly connectionId: number,
    readonly sender: string,
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly relay: TcpRelay,
    private readonly holdBytesMax: number,
    private readonly onSourceReset: () => void,
  ) {
    source.on('data', (chunk: Buffer) => {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      this.pump();
    });
    source.on('end', () => {
      this.endPending ??= 'fin';
      this.pump();
    });
    sink.on('drain', () => {
      this.sinkBlocked = false;
      this.pump();
    });
  }

  /** The source closed without a FIN having been passed on: a reset or an error. */
  sourceBroke(): void {
    if (this.endPending === undefined) this.endPending = 'reset';
    this.pump();
  }

  private get delivering(): boolean {
    return !this.relay.isDropped(this.sender) && !this.relay.isHeld(this.sender);
  }

  /** Delivers what may be delivered, then pauses or resumes the source. */
  pump(): void {
    if (this.finished || this.sink.destroyed) return;
    if (this.delivering) {
      for (let i = 0; i < this.held.length; i++) {
        const chunk = this.held[i]!;
        this.bytesDelivered += chunk.length;
        this.relay.delivered(this.connectionId, this.sender, chunk);
        if (!this.sink.write(chunk)) this.sinkBlocked = true;
      }
      this.held = [];
      this.heldBytes = 0;
      if (this.endPending === 'fin') {
        this.finished = true;
        this.sink.end();
      } else if (this.endPending === 'reset') {
        this.finished = true;
        this.onSourceReset();
        return;
      }
    }
    const reading = !this.relay.isDropped(this.sender) && !this.sinkBlocked && this.heldBytes < this.holdBytesMax;
    if (this.source.destroyed) return;
    if (reading) this.source.resume();
    else this.source.pause();
  }
}

class RelayedConnection {
  readonly openedAtMs: number;
  closedAtMs: number | undefined;
  end: RelayEnd | undefined;
  private readonly toAcceptor: Flow;
  private readonly toInitiator: Flow;
  private socketsOpen = 2;

  constructor(
    readonly id: number,
    readonly route: Route,
    readonly inbound: Socket,
    readonly outbound: Socket,
    private readonly relay: TcpRelay,
    holdBytesMax: number,
  ) {
    this.openedAtMs = relay.nowMs();
    this.toAcceptor = new Flow(id, route.from, inbound, outbound, relay, holdBytesMax, () => this.abort('reset by initiator'));
    this.toInitiator = new Flow(id, route.to, outbound, inbound, relay, holdBytesMax, () => this.abort('reset by acceptor'));
    for (const [socket, flow] of [
      [inbound, this.toAcceptor],
      [outbound, this.toInitiator],
    ] as const) {
      socket.on('error', () => {});
      socket.on('close', () => {
        // a socket that closes before its FIN went through broke: pass the reset on (when its sender's bytes flow)
        flow.sourceBroke();
        this.socketsOpen--;
        if (this.socketsOpen === 0) this.markClosed('closed');
      });
    }
    this.pump();
  }

  pump(): void {
    this.toAcceptor.pump();
    this.toInitiator.pump();
  }

  /** Resets both sockets (RST where connected). */
  abort(end: RelayEnd): void {
    this.end ??= end;
    hardClose(this.inbound);
    hardClose(this.outbound);
  }

  private markClosed(end: RelayEnd): void {
    this.end ??= end;
    this.closedAtMs ??= this.relay.nowMs();
    this.relay.connectionClosed(this);
  }

  info(): RelayedConnectionInfo {
    return {
      id: this.id,
      initiator: this.route.from,
      acceptor: this.route.to,
      openedAtMs: this.openedAtMs,
      closedAtMs: this.closedAtMs,
      bytesToAcceptor: this.toAcceptor.bytesDelivered,
      bytesToInitiator: this.toInitiator.bytesDelivered,
      bytesHeldToAcceptor: this.toAcceptor.heldBytes,
      bytesHeldToInitiator: this.toInitiator.heldBytes,
      end: this.end,
    };
  }
}

interface Route {
  readonly from: string;
  readonly to: string;
  readonly target: LoopbackEndpoint;
  /** Port 0 until the first listen, then the port the OS picked (kept across cut and heal). */
  listen: LoopbackEndpoint;
  server: Server | undefined;
  cut: boolean;
}

export class TcpRelay {
  private readonly startMs = performance.now();
  private readonly open = new Set<RelayedConnection>();
  private readonly closed: RelayedConnectionInfo[] = [];
  private readonly dropped = new Set<string>();
  private readonly heldSenders = new Set<string>();
  private nextId = 1;
  private closing = false;

  private constructor(
    private readonly routes: readonly Route[],
    private readonly holdBytesMax: number,
    private readonly onDelivered: ((chunk: DeliveredChunk) => void) | undefined,
    private readonly connectOnFirstBytes: boolean,
  ) {}

  /** Opens one listener per route (ports the OS picks) and returns once all listen. */
  static async start(options: StartRelayOptions): Promise<TcpRelay> {
    assert(options.routes.length >= 1 && options.routes.length <= ROUTES_MAX, `a relay has 1..${ROUTES_MAX} routes, got ${options.routes.length}`);
    const holdBytesMax = options.holdBytesMax ?? HOLD_BYTES_MAX_DEFAULT;
    assert(Number.isInteger(holdBytesMax) && holdBytesMax > 0, `holdBytesMax must be a positive integer: ${holdBytesMax}`);
    const seen = new Set<string>();
    for (const r of options.routes) {
      assert(r.from !== '' && r.to !== '' && r.from !== r.to, `a route joins two named nodes: ${r.from} -> ${r.to}`);
      assert(!seen.has(`${r.from}->${r.to}`), `route ${r.from} -> ${r.to} given twice`);
      seen.add(`${r.from}->${r.to}`);
    }
    const address = options.listenAddress ?? '127.0.0.1';
    const routes: Route[] = [];
    const relay = new TcpRelay(routes, holdBytesMax, options.onDelivered, options.connectOnFirstBytes ?? false);
    try {
      for (const r of options.routes) {
        const route: Route = { from: r.from, to: r.to, target: r.target, listen: { address, port: 0 }, server: undefined, cut: false };
        routes.push(route);
        route.server = await relay.listen(route);
        const bound = route.server.address();
        assert(bound !== null && typeof bound === 'object', 'a listening server has an address');
        route.listen = { address, port: bound.port };
      }
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  nowMs(): number {
    return performance.now() - this.startMs;
  }

  /** Where `from` must connect to reach `to` through the relay. */
  endpointFor(from: string, to: string): LoopbackEndpoint {
    const route = this.routes.find((r) => r.from === from && r.to === to);
    assert(route !== undefined, `the relay has no route ${from} -> ${to}`);
    return route.listen;
  }

  /** Every connection still open, then the most recent closed ones, oldest first within each. */
  connections(): RelayedConnectionInfo[] {
    return [...this.closed, ...[...this.open].map((c) => c.info())].sort((a, b) => a.id - b.id);
  }

  /** The connections not closed yet, oldest first. */
  openConnections(): RelayedConnectionInfo[] {
    return [...this.open].map((c) => c.info()).sort((a, b) => a.id - b.id);
  }

  isDropped(sender: string): boolean {
    return this.dropped.has(sender);
  }

  isHeld(sender: string): boolean {
    return this.heldSenders.has(sender);
  }

  /** Resets every selected connection and refuses new ones (listener closed) until heal(). */
  async cut(selection: RouteSelection = {}): Promise<void> {
    const routes = this.selectRoutes(selection);
    for (const route of routes) {
      route.cut = true;
      const server = route.server;
      route.server = undefined;
      server?.close();
    }
    for (const c of [...this.open]) if (routes.includes(c.route)) c.abort('cut');
  }

  /** Opens the selected listeners again; with no selection, also ends every drop and hold. */
  async heal(selection: RouteSelection = {}): Promise<void> {
    assert(!this.closing, 'heal() after close()');
    for (const route of this.selectRoutes(selection)) {
      if (!route.cut) continue;
      route.server = await this.listen(route);
      route.cut = false;
    }
    if (selection.initiator === undefined) {
      this.dropped.clear();
      this.heldSenders.clear();
      this.pumpAll();
    }
  }

  /** Resets the selected connections open now; new connections pass. */
  reset(selection: RouteSelection = {}): void {
    const routes = this.selectRoutes(selection);
    for (const c of [...this.open]) if (routes.includes(c.route)) c.abort('reset by relay');
  }

  drop(selection: FlowSelection = {}): void {
    for (const sender of this.selectSenders(selection)) this.dropped.add(sender);
    this.pumpAll();
  }

  undrop(selection: FlowSelection = {}): void {
    for (const sender of this.selectSenders(selection)) this.dropped.delete(sender);
    this.pumpAll();
  }

  hold(selection: FlowSelection = {}): void {
    for (const sender of this.selectSenders(selection)) this.heldSenders.add(sender);
    this.pumpAll();
  }

  release(selection: FlowSelection = {}): void {
    for (const sender of this.selectSenders(selection)) this.heldSenders.delete(sender);
    this.pumpAll();
  }

  /** Closes every listener and destroys every socket; resolves when all are closed. */
  async close(): Promise<void> {
    this.closing = true;
    const closedListeners = this.routes.map(
      (route) =>
        new Promise<void>((resolve) => {
          const server = route.server;
          route.server = undefined;
          if (server === undefined) resolve();
          else server.close(() => resolve());
        }),
    );
    const closedSockets = [...this.open].map(
      (c) =>
        new Promise<void>((resolve) => {
          let left = 0;
          for (const s of [c.inbound, c.outbound]) {
            if (s.closed) continue;
            left++;
            s.once('close', () => {
              left--;
              if (left === 0) resolve();
            });
          }
          if (left === 0) resolve();
          c.abort('relay closed');
        }),
    );
    await Promise.all([...closedSockets, ...closedListeners]);
  }

  /** Called by a flow for every chunk it hands to its sink. */
  delivered(connection: number, sender: string, bytes: Buffer): void {
    this.onDelivered?.({ connection, sender, atMs: this.nowMs(), bytes });
  }

  /** Called by a connection once both its sockets closed. */
  connectionClosed(connection: RelayedConnection): void {
    if (!this.open.delete(connection)) return;
    this.closed.push(connection.info());
    if (this.closed.length > CLOSED_KEPT_MAX) this.closed.splice(0, this.closed.length - CLOSED_KEPT_MAX);
  }

  private pumpAll(): void {
    for (const c of this.open) c.pump();
  }

  private selectRoutes(selection: RouteSelection): Route[] {
    if (selection.initiator === undefined) return [...this.routes];
    const routes = this.routes.filter((r) => r.from === selection.initiator);
    assert(routes.length > 0, `the relay has no route opened by ${selection.initiator}`);
    return routes;
  }

  private selectSenders(selection: FlowSelection): string[] {
    const nodes = new Set<string>();
    for (const r of this.routes) nodes.add(r.from).add(r.to);
    if (selection.sender === undefined) return [...nodes];
    assert(nodes.has(selection.sender), `the relay knows no node ${selection.sender}`);
    return [selection.sender];
  }

  private listen(route: Route): Promise<Server> {
    return new Promise<Server>((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (inbound) => this.accept(route, server, inbound));
      server.maxConnections = CONNECTIONS_PER_ROUTE_MAX;
      server.once('error', reject);
      server.listen({ host: route.listen.address, port: route.listen.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve(server);
      });
    });
  }

  private accept(route: Route, server: Server, inbound: Socket): void {
    if (this.closing || route.cut || (route.server !== undefined && route.server !== server)) {
      inbound.on('error', () => {});
      hardClose(inbound);
      return;
    }
    inbound.setNoDelay(true);
    if (this.connectOnFirstBytes) {
      inbound.on('error', () => {});
      inbound.once('data', (first: Buffer) => {
        // Put the chunk back; the connection's flow reads it first once it resumes the socket.
        inbound.pause();
        inbound.unshift(first);
        if (this.closing || route.cut) hardClose(inbound);
        else this.connectAcceptor(route, inbound);
      });
      inbound.resume();
      return;
    }
    this.connectAcceptor(route, inbound);
  }

  private connectAcceptor(route: Route, inbound: Socket): void {
    const outbound = createConnection({ host: route.target.address, port: route.target.port, allowHalfOpen: true });
    outbound.setNoDelay(true);
    this.open.add(new RelayedConnection(this.nextId++, route, inbound, outbound, this, this.holdBytesMax));
  }
}
