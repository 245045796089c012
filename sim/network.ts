/**
 * The simulated network: hosts with addresses, listeners, TCP connections (sim/connection.ts),
 * per-link latency and bandwidth, partitions (two-way and one-way), link holds (clogs),
 * NAT (source and destination), a per-message filter, and resets. Every change and every
 * delivery is an event in the trace.
 *
 * Partition model (documented choice, close to iptables DROP): a blocked direction loses
 * packets, TCP retransmits. So bytes written into a partition wait and the connection
 * stalls without closing; after the heal they arrive in order. A one-way partition A->B
 * stalls A's bytes to B while B's bytes still reach A. Making a connection needs both
 * directions (SYN and SYN-ACK), so connecting across any partition, or a held link,
 * retransmits SYNs and then fails with 'timeout'. A held link behaves the same but is
 * meant as a temporary clog: release lets the queued bytes through, in order.
 * An address no host owns swallows SYNs ('timeout').
 *
 * Reject model (iptables REJECT --reject-with tcp-reset on the listener's port, as the lab's
 * cut_node/cut_link rules): a reject rule names connections by who opens them (client hosts ->
 * server hosts), and every packet of such a connection is refused by the sender's own kernel. So
 * a SYN is refused at once ('refused'), and an established connection is not touched until one
 * of its ends next sends: that end is reset there and then; the other end learns it at its own
 * next send (refused the same way while the rule lasts, or answered by a RST from the dead
 * socket after a heal). `healLink` lifts partitions and rejects for one pair of hosts or one
 * direction only: for partitions the direction is where packets go, for rejects who connects.
 * With `rstLost` the RST is rejected on its way back too (the lab-04 rules hit every packet from
 * or to a node's peer port, so the reset a REJECT sends matches the next rule and is dropped):
 * the connection's packets are then as good as dropped (stall, SYNs lost), on those connections
 * only, which is what lets the lab heal one node's port before the other.
 */
import { assert, fail } from '../lib/assert.ts';
import { TraceName, type ByteStream, type DeferredDetails, type Listener, type Net } from '../engine/env.ts';
import { Connection, type ConnectionWorld, type ListenerRecord, type RejectMode } from './connection.ts';
import type { Kernel } from './kernel.ts';
import { assertLatencySpec, sampleLatencyMs, type LatencySpec } from './latency.ts';
import type { MessageFilter } from './message-filter.ts';
import type { SeededRandom } from './seeds.ts';
import { formatSocketAddress, type SocketAddress } from './tcp.ts';
import { sinkWants, WORLD_HOST, type TraceSink } from './trace.ts';

/** Linux with tcp_syn_retries=6: SYNs at 0, 1, 3, 7, 15, 31, 63 s; 'timeout' at 127 s. */
export const SYN_RETRY_DELAYS_MS_LINUX: readonly number[] = [1000, 2000, 4000, 8000, 16000, 32000, 64000];
export const CONNECTIONS_MAX_DEFAULT = 100_000;
export const EPHEMERAL_PORT_MIN = 32768;
export const EPHEMERAL_PORT_MAX = 60999;
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '*', '']);

export interface LinkSpec {
  /** One-way delay in ms: fixed, or drawn from a distribution (latency.ts). Default 1 (0 to itself). */
  latencyMs?: LatencySpec;
  /** Serialization rate of the link direction; unset = infinite. */
  bandwidthBytesPerS?: number;
  /** Larger writes are split into segments of at most this many bytes. */
  segmentBytesMax?: number;
  /**
   * A sender's socket buffer on this direction: bytes written and not yet delivered. A writer
   * that respects `roomBytes` waits once it is full (default SEND_BUFFER_BYTES_DEFAULT).
   */
  sendBufferBytes?: number;
}

/** A typical autotuned TCP send buffer plus HAProxy's 16 KB channel. */
export const SEND_BUFFER_BYTES_DEFAULT = 256 * 1024;
/** Room for two of the largest peers messages: a smaller buffer could never take one. */
export const SEND_BUFFER_BYTES_MIN = 32 * 1024;

/**
 * One direction of a link. Its identity is stable for the network's life (setLink updates it in
 * place), so a connection's pipes hold theirs and never look it up by host names per segment.
 */
export interface LinkState {
  latencyMs: LatencySpec;
  bandwidthBytesPerS: number | undefined;
  segmentBytesMax: number;
  sendBufferBytes: number;
  /** When the link direction finishes sending what it was given (bandwidth). */
  txFreeMs: number;
}

export interface NetworkOptions {
  kernel: Kernel;
  /** The `network` stream: latency draws. */
  random: SeededRandom;
  sink: TraceSink;
  /** Every host pair without its own link (default: 1 ms fixed). */
  link?: LinkSpec;
  /** A host to itself (default: 0 ms fixed). */
  selfLink?: LinkSpec;
  synRetryDelaysMs?: readonly number[];
  /** Several listeners of one host on one address:port (SO_REUSEPORT, HAProxy's default); the newest gets new connections. */
  reusePort?: boolean;
  connectionsMax?: number;
}

/** Binding failed; `code` matches node's error codes so callers can treat sim and live alike. */
export class BindError extends Error {
  constructor(
    readonly code: 'EADDRNOTAVAIL' | 'EADDRINUSE',
    readonly host: string,
    readonly address: string,
    readonly port: number,
  ) {
    const why = code === 'EADDRNOTAVAIL' ? 'the host does not own this address' : 'address already in use';
    super(`${host}: cannot listen on ${address}:${port}: ${why} (${code})`);
    this.name = 'BindError';
  }
}

interface DirectedRule {
  from: ReadonlySet<string>;
  to: ReadonlySet<string>;
}

interface Rule {
  id: number;
  kind: 'partition' | 'hold' | 'reject';
  directed: DirectedRule[];
  /** Host pairs (`from\u0000to`) a link heal lifted from this rule. */
  healed?: Set<string>;
  /** A reject rule whose RST is itself rejected (see reject()). */
  rstLost?: boolean;
}

function pairKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function ruleCovers(rule: Rule, from: string, to: string): boolean {
  for (const directed of rule.directed) {
    if (directed.from.has(from) && directed.to.has(to)) return rule.healed === undefined || !rule.healed.has(pairKey(from, to));
  }
  return false;
}

export interface SourceNatRule {
  /** Connections made by this host... */
  host: string;
  /** ...appear to come from this address... */
  asAddress: string;
  /** ...when they go to one of these hosts (default: any). */
  toHosts?: readonly string[];
}

export interface DestinationNatRule {
  /** Connecting to this address (and port, if given)... */
  address: string;
  port?: number;
  /** ...reaches this host, at `toAddress` (default: its first address) and `toPort` (default: same). */
  toHost: string;
  toAddress?: string;
  toPort?: number;
}

export interface ConnectionInfo {
  id: number;
  clientHost: string;
  serverHost: string | undefined;
  client: string;
  dialed: string;
  server: string;
  state: 'syn' | 'established' | 'dead';
  upSegmentsQueued: number;
  downSegmentsQueued: number;
  /** Data bytes written and not yet delivered, each way (the senders' socket buffers in use). */
  upBytesQueued: number;
  downBytesQueued: number;
}

function setOf(hosts: readonly string[]): ReadonlySet<string> {
  return new Set(hosts);
}

export class Network implements ConnectionWorld {
  readonly kernel: Kernel;
  readonly synRetryDelaysMs: readonly number[];
  private readonly random: SeededRandom;
  private readonly sink: TraceSink;
  private readonly defaultLink: LinkSpec;
  private readonly selfLink: LinkSpec;
  private readonly reusePort: boolean;
  private readonly connectionsMax: number;
  private readonly hosts = new Map<string, string[]>();
  private readonly addressOwner = new Map<string, string>();
  /** Link state by sending host, then receiving host (no key string built per segment). */
  private readonly links = new Map<string, Map<string, LinkState>>();
  private readonly rules = new Map<number, Rule>();
  private readonly listeners = new Map<string, ListenerRecord[]>();
  private readonly live = new Map<number, Connection>();
  private readonly portNext = new Map<string, number>();
  private readonly portsInUse = new Set<string>();
  /** Hosts' names as deferred events carry them, made once per name (as many as there are host names). */
  private readonly traceNames = new Map<string, TraceName>();
  private readonly sourceNat: SourceNatRule[] = [];
  private readonly destinationNat: DestinationNatRule[] = [];
  private filter: MessageFilter | undefined;
  private ruleIdNext = 1;
  private connectionIdNext = 1;
  private listenerIdNext = 1;

  constructor(options: NetworkOptions) {
    this.kernel = options.kernel;
    this.random = options.random;
    this.sink = options.sink;
    this.defaultLink = options.link ?? { latencyMs: 1 };
    this.selfLink = options.selfLink ?? { latencyMs: 0 };
    this.synRetryDelaysMs = options.synRetryDelaysMs ?? SYN_RETRY_DELAYS_MS_LINUX;
    this.reusePort = options.reusePort ?? true;
    this.connectionsMax = options.connectionsMax ?? CONNECTIONS_MAX_DEFAULT;
    assert(this.synRetryDelaysMs.every((d) => Number.isSafeInteger(d) && d > 0), 'SYN retry delays are positive integers');
    assertLinkSpec(this.defaultLink);
    assertLinkSpec(this.selfLink);
  }

  // --- topology --------------------------------------------------------------------------

  addHost(options: { name: string; addresses: readonly string[] }): void {
    if (options.name === WORLD_HOST || options.name.length === 0) fail(`host name '${options.name}' is usable`);
    if (this.hosts.has(options.name)) fail(`host ${options.name} is added once`);
    this.hosts.set(options.name, []);
    for (const address of options.addresses) this.addAddress(options.name, address);
  }

  addAddress(host: string, address: string): void {
    const addresses = this.hostAddresses(host);
    if (WILDCARD_ADDRESSES.has(address)) fail(`${address} is not a wildcard`);
    const owner = this.addressOwner.get(address);
    if (owner !== undefined) fail(`address ${address} already belongs to ${owner ?? ''}`);
    addresses.push(address);
    this.addressOwner.set(address, host);
    this.emit(host, 'net.address-add', { address });
  }

  removeAddress(address: string): void {
    const owner = this.addressOwner.get(address);
    if (owner === undefined) fail(`address ${address} is owned`);
    const addresses = this.hostAddresses(owner);
    addresses.splice(addresses.indexOf(address), 1);
    this.addressOwner.delete(address);
    this.emit(owner, 'net.address-remove', { address });
  }

  hostAddresses(host: string): string[] {
    const addresses = this.hosts.get(host);
    if (addresses === undefined) fail(`host ${host} exists`);
    return addresses;
  }

  ownerOf(address: string): string | undefined {
    return this.addressOwner.get(address);
  }

  /** Sets the link between two hosts (both directions unless `oneWay`: then a -> b only). */
  setLink(options: { between: readonly [string, string]; oneWay?: boolean } & LinkSpec): void {
    const [a, b] = options.between;
    this.hostAddresses(a);
    this.hostAddresses(b);
    const spec: LinkSpec = {};
    if (options.latencyMs !== undefined) spec.latencyMs = options.latencyMs;
    if (options.bandwidthBytesPerS !== undefined) spec.bandwidthBytesPerS = options.bandwidthBytesPerS;
    if (options.segmentBytesMax !== undefined) spec.segmentBytesMax = options.segmentBytesMax;
    if (options.sendBufferBytes !== undefined) spec.sendBufferBytes = options.sendBufferBytes;
    assertLinkSpec(spec);
    this.replaceLink(a, b, this.linkState(spec, a === b));
    if (options.oneWay !== true) this.replaceLink(b, a, this.linkState(spec, a === b));
  }

  /** Gives the link `from` -> `to` the state `next` (in place: pipes hold the object). */
  private replaceLink(from: string, to: string, next: LinkState): void {
    const known = this.linksFrom(from).get(to);
    if (known === undefined) this.linksFrom(from).set(to, next);
    else Object.assign(known, next);
  }

  // --- faults ------------------------------------------------------------------------------

  /** Two-way partition: no host of one side reaches a host of another side. */
  partition(options: { sides: ReadonlyArray<readonly string[]> }): number {
    const sides = options.sides;
    assert(sides.length >= 2, 'a partition has at least two sides');
    const seen = new Set<string>();
    for (const side of sides) {
      for (const host of side) {
        this.hostAddresses(host);
        if (seen.has(host)) fail(`host ${host} is on one side of the partition only`);
        seen.add(host);
      }
    }
    const directed: DirectedRule[] = [];
    sides.forEach((from, i) => {
      sides.forEach((to, j) => {
        if (i !== j) directed.push({ from: setOf(from), to: setOf(to) });
      });
    });
    return this.addRule('partition', directed, { sides: sides.map((s) => [...s]) });
  }

  /** One-way partition: bytes from `from` hosts to `to` hosts are lost (the reverse passes). */
  partitionOneWay(options: { from: readonly string[]; to: readonly string[] }): number {
    this.assertDisjointHosts(options.from, options.to);
    return this.addRule('partition', [{ from: setOf(options.from), to: setOf(options.to) }], {
      from: [...options.from],
      to: [...options.to],
      oneWay: true,
    });
  }

  /** Clogs links: bytes from `from` to `to` (and back, with bothWays) queue until released. */
  holdLink(options: { from: readonly string[]; to: readonly string[]; bothWays?: boolean }): number {
    this.assertDisjointHosts(options.from, options.to);
    const directed: DirectedRule[] = [{ from: setOf(options.from), to: setOf(options.to) }];
    if (options.bothWays === true) directed.push({ from: setOf(options.to), to: setOf(options.from) });
    return this.addRule('hold', directed, { from: [...options.from], to: [...options.to], bothWays: options.bothWays === true });
  }

  /** Heals one partition, or every partition when no id is given. */
  heal(id?: number): void {
    this.removeRules('partition', id);
  }

  /**
   * Rejects the connections `from` hosts open to `to` hosts (and the reverse with bothWays): a
   * SYN is refused at once, a live connection's end is reset when it next sends.
   */
  reject(options: { from: readonly string[]; to: readonly string[]; bothWays?: boolean; rstLost?: boolean }): number {
    this.assertDisjointHosts(options.from, options.to);
    const directed: DirectedRule[] = [{ from: setOf(options.from), to: setOf(options.to) }];
    if (options.bothWays === true) directed.push({ from: setOf(options.to), to: setOf(options.from) });
    const rstLost = options.rstLost === true;
    return this.addRule('reject', directed, { from: [...options.from], to: [...options.to], bothWays: options.bothWays === true, ...(rstLost ? { rstLost } : {}) }, rstLost);
  }

  /** Lifts every reject rule (none: nothing happens, no event). */
  unrejectAll(): void {
    if ([...this.rules.values()].some((r) => r.kind === 'reject')) this.removeRules('reject', undefined);
  }

  /**
   * Lifts partitions and rejects between two hosts only: `from` -> `to`, and back unless oneWay
   * (other links stay cut). Returns how many rules it touched.
   */
  healLink(options: { from: string; to: string; oneWay?: boolean }): number {
    this.hostAddresses(options.from);
    this.hostAddresses(options.to);
    const pairs: [string, string][] = [[options.from, options.to]];
    if (options.oneWay !== true) pairs.push([options.to, options.from]);
    const touched: number[] = [];
    for (const rule of this.rules.values()) {
      if (rule.kind === 'hold') continue;
      let hit = false;
      for (const [from, to] of pairs) {
        if (!ruleCovers(rule, from, to)) continue;
        rule.healed ??= new Set();
        rule.healed.add(pairKey(from, to));
        hit = true;
      }
      if (hit) touched.push(rule.id);
    }
    this.emit(WORLD_HOST, 'net.heal-link', { from: options.from, to: options.to, oneWay: options.oneWay === true, rules: touched });
    this.refreshAll();
    return touched.length;
  }

  /** How connections `clientHost` opens to `serverHost` are rejected now ('lost' wins over 'reset'). */
  isRejected(clientHost: string, serverHost: string): RejectMode | undefined {
    if (this.rules.size === 0) return undefined;
    let mode: RejectMode | undefined;
    for (const rule of this.rules.values()) {
      if (rule.kind !== 'reject' || !ruleCovers(rule, clientHost, serverHost)) continue;
      if (rule.rstLost === true) return 'lost';
      mode = 'reset';
    }
    return mode;
  }

  /** Releases one link hold, or all of them. */
  releaseLink(id?: number): void {
    this.removeRules('hold', id);
  }

  isBlocked(fromHost: string, toHost: string): boolean {
    if (this.rules.size === 0) return false;
    for (const rule of this.rules.values()) {
      if (rule.kind !== 'reject' && ruleCovers(rule, fromHost, toHost)) return true;
    }
    return false;
  }

  /** Resets a connection: both ends see 'reset'. */
  reset(connectionId: number, cause = 'injected'): void {
    const connection = this.live.get(connectionId);
    if (connection === undefined) fail(`connection ${connectionId} is live`);
    connection.reset(cause);
  }

  setMessageFilter(filter: MessageFilter | undefined): void {
    this.filter = filter;
    this.emit(WORLD_HOST, 'net.filter', { active: filter !== undefined });
  }

  /** Lets every message held by the filter go (on one connection, or all). */
  releaseFiltered(options: { connectionId?: number } = {}): number {
    let released = 0;
    for (const connection of this.live.values()) {
      if (options.connectionId !== undefined && connection.id !== options.connectionId) continue;
      const count = connection.releaseFilterHolds();
      if (count > 0) this.emit(connection.ends.clientHost, 'net.release', { conn: connection.id, messages: count });
      released += count;
    }
    return released;
  }

  addSourceNat(rule: SourceNatRule): void {
    this.hostAddresses(rule.host);
    for (const host of rule.toHosts ?? []) this.hostAddresses(host);
    this.sourceNat.push({ ...rule });
    this.emit(WORLD_HOST, 'net.nat-source', { natHost: rule.host, asAddress: rule.asAddress, toHosts: rule.toHosts ?? null });
  }

  addDestinationNat(rule: DestinationNatRule): void {
    const addresses = this.hostAddresses(rule.toHost);
    if (rule.toAddress !== undefined) assert(addresses.includes(rule.toAddress), `${rule.toHost} owns ${rule.toAddress}`);
    this.destinationNat.push({ ...rule });
    this.emit(WORLD_HOST, 'net.nat-destination', {
      address: rule.address,
      port: rule.port ?? null,
      toHost: rule.toHost,
      toAddress: rule.toAddress ?? null,
      toPort: rule.toPort ?? null,
    });
  }

  connections(): ConnectionInfo[] {
    return [...this.live.values()].map((c) => ({
      id: c.id,
      clientHost: c.ends.clientHost,
      serverHost: c.ends.serverHost,
      client: formatSocketAddress(c.ends.clientLocal),
      dialed: formatSocketAddress(c.ends.dialed),
      server: formatSocketAddress(c.ends.target),
      state: c.state,
      upSegmentsQueued: c.up.length(),
      downSegmentsQueued: c.down.length(),
      upBytesQueued: c.up.queuedBytes(),
      downBytesQueued: c.down.queuedBytes(),
    }));
  }

  /** The engine's `Net` for one host. */
  netFor(host: string): Net {
    this.hostAddresses(host);
    return {
      connect: (options) => this.connect(host, options),
      listen: (options, onAccept) => this.listen(host, options, onAccept),
    };
  }

  // --- ConnectionWorld -----------------------------------------------------------------------

  wants(kind: string): boolean {
    return sinkWants(this.sink, kind);
  }

  emit(host: string, kind: string, details: Record<string, unknown>): void {
    if (!sinkWants(this.sink, kind)) return;
    this.sink.record({ t: this.kernel.nowMs(), host, kind, details });
  }

  /** `emit` for a caller that asked `wants` itself. */
  emitWanted(host: string, kind: string, details: Record<string, unknown>): void {
    this.sink.record({ t: this.kernel.nowMs(), host, kind, details });
  }

  emitDeferred(host: TraceName, kind: TraceName, details: DeferredDetails): void {
    if (this.sink.recordDeferred === undefined) this.sink.record({ t: this.kernel.nowMs(), host: host.text, kind: kind.text, details: details.render() });
    else this.sink.recordDeferred(this.kernel.nowMs(), host, kind, details);
  }

  hostTraceName(host: string): TraceName {
    const known = this.traceNames.get(host);
    if (known !== undefined) return known;
    const made = new TraceName(host);
    this.traceNames.set(host, made);
    return made;
  }

  messageFilter(): MessageFilter | undefined {
    return this.filter;
  }

  linkFor(fromHost: string, toHost: string): LinkState {
    return this.link(fromHost, toHost);
  }

  arrivalMs(fromHost: string, toHost: string, byteCount: number): number {
    return this.arrivalOver(this.link(fromHost, toHost), byteCount);
  }

  arrivalOver(link: LinkState, byteCount: number): number {
    const now = this.kernel.nowMs();
    const latencyMs = sampleLatencyMs(link.latencyMs, this.random);
    if (link.bandwidthBytesPerS === undefined || byteCount === 0) return now + latencyMs;
    const startMs = Math.max(now, link.txFreeMs);
    link.txFreeMs = startMs + Math.ceil((byteCount * 1000) / link.bandwidthBytesPerS);
    return link.txFreeMs + latencyMs;
  }

  findListener(host: string, target: SocketAddress): ListenerRecord | undefined {
    const exact = this.listeners.get(`${target.address}|${target.port}`) ?? [];
    const wildcard = this.listeners.get(`${host}|*|${target.port}`) ?? [];
    const open = (list: ListenerRecord[]): ListenerRecord | undefined =>
      [...list].reverse().find((l) => l.open && l.host === host);
    return open(exact) ?? open(wildcard);
  }

  retire(connection: Connection): void {
    this.live.delete(connection.id);
    this.portsInUse.delete(formatSocketAddress(connection.ends.clientLocal));
    this.portsInUse.delete(formatSocketAddress(connection.ends.clientSeen));
  }

  // --- internals -------------------------------------------------------------------------------

  private connect(host: string, options: { address: string; port: number }): ByteStream {
    if (!Number.isSafeInteger(options.port) || options.port <= 0 || options.port > 65535) fail(`port ${options.port} in 1..65535`);
    if (this.live.size >= this.connectionsMax) fail(`more than ${this.connectionsMax} live connections`);
    const dialed: SocketAddress = { address: options.address, port: options.port };
    const { serverHost, target } = this.resolveDestination(dialed);
    const clientAddress = this.sourceAddressFor(host, target);
    const clientLocal = { address: clientAddress, port: this.allocatePort(clientAddress) };
    const nat = this.sourceNat.find((r) => r.host === host && (r.toHosts === undefined || (serverHost !== undefined && r.toHosts.includes(serverHost))));
    const clientSeen = nat === undefined ? clientLocal : { address: nat.asAddress, port: this.allocatePort(nat.asAddress) };
    const connection = new Connection(this, this.connectionIdNext, { clientHost: host, serverHost, clientLocal, dialed, target, clientSeen });
    this.connectionIdNext += 1;
    this.live.set(connection.id, connection);
    connection.start();
    return connection.client;
  }

  private resolveDestination(dialed: SocketAddress): { serverHost: string | undefined; target: SocketAddress } {
    const rule = this.destinationNat.find((r) => r.address === dialed.address && (r.port === undefined || r.port === dialed.port));
    if (rule === undefined) return { serverHost: this.addressOwner.get(dialed.address), target: dialed };
    const toAddress = rule.toAddress ?? this.hostAddresses(rule.toHost)[0];
    if (toAddress === undefined) fail(`host ${rule.toHost} has an address`);
    return { serverHost: rule.toHost, target: { address: toAddress, port: rule.toPort ?? dialed.port } };
  }

  /** The host's own address toward `target`: the target itself when local, else its first address. */
  private sourceAddressFor(host: string, target: SocketAddress): string {
    const addresses = this.hostAddresses(host);
    if (addresses.includes(target.address)) return target.address;
    const first = addresses[0];
    if (first === undefined) fail(`host ${host} has an address to connect from`);
    return first;
  }

  private allocatePort(address: string): number {
    const span = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    let port = this.portNext.get(address) ?? EPHEMERAL_PORT_MIN;
    for (let tries = 0; tries < span; tries += 1) {
      const candidate = port;
      port = port === EPHEMERAL_PORT_MAX ? EPHEMERAL_PORT_MIN : port + 1;
      const key = `${address}:${candidate}`;
      if (this.portsInUse.has(key)) continue;
      this.portsInUse.add(key);
      this.portNext.set(address, port);
      return candidate;
    }
    fail(`no free ephemeral port on ${address}`);
  }

  private listen(host: string, options: { address: string; port: number }, onAccept: (stream: ByteStream) => void): Listener {
    const { address, port } = options;
    if (!Number.isSafeInteger(port) || port <= 0 || port > 65535) fail(`port ${port} in 1..65535`);
    const wildcard = WILDCARD_ADDRESSES.has(address);
    if (!wildcard && this.addressOwner.get(address) !== host) throw new BindError('EADDRNOTAVAIL', host, address, port);
    const key = wildcard ? `${host}|*|${port}` : `${address}|${port}`;
    const list = this.listeners.get(key) ?? [];
    if (!this.reusePort && list.some((l) => l.open)) throw new BindError('EADDRINUSE', host, address, port);
    const record: ListenerRecord = { id: this.listenerIdNext, host, address: wildcard ? '*' : address, port, onAccept, open: true };
    this.listenerIdNext += 1;
    list.push(record);
    this.listeners.set(key, list);
    this.emit(host, 'net.listen', { listener: record.id, address: record.address, port });
    return {
      close: () => {
        if (!record.open) return;
        record.open = false;
        list.splice(list.indexOf(record), 1);
        this.emit(host, 'net.unlisten', { listener: record.id, address: record.address, port });
      },
    };
  }

  private link(fromHost: string, toHost: string): LinkState {
    const from = this.linksFrom(fromHost);
    const known = from.get(toHost);
    if (known !== undefined) return known;
    const created = this.linkState({}, fromHost === toHost);
    from.set(toHost, created);
    return created;
  }

  private linksFrom(fromHost: string): Map<string, LinkState> {
    let from = this.links.get(fromHost);
    if (from === undefined) {
      from = new Map();
      this.links.set(fromHost, from);
    }
    return from;
  }

  private linkState(spec: LinkSpec, self: boolean): LinkState {
    const base = self ? this.selfLink : this.defaultLink;
    return {
      latencyMs: spec.latencyMs ?? base.latencyMs ?? 1,
      bandwidthBytesPerS: spec.bandwidthBytesPerS ?? base.bandwidthBytesPerS,
      segmentBytesMax: spec.segmentBytesMax ?? base.segmentBytesMax ?? Number.MAX_SAFE_INTEGER,
      sendBufferBytes: spec.sendBufferBytes ?? base.sendBufferBytes ?? SEND_BUFFER_BYTES_DEFAULT,
      txFreeMs: 0,
    };
  }

  private addRule(kind: Rule['kind'], directed: DirectedRule[], details: Record<string, unknown>, rstLost = false): number {
    const id = this.ruleIdNext;
    this.ruleIdNext += 1;
    this.rules.set(id, rstLost ? { id, kind, directed, rstLost } : { id, kind, directed });
    this.emit(WORLD_HOST, RULE_ADD_EVENT[kind], { id, ...details });
    this.refreshAll();
    return id;
  }

  private removeRules(kind: Rule['kind'], id: number | undefined): void {
    const removed: number[] = [];
    for (const rule of this.rules.values()) {
      if (rule.kind === kind && (id === undefined || rule.id === id)) removed.push(rule.id);
    }
    if (id !== undefined && removed.length !== 1) fail(`${kind} ${id ?? ''} exists`);
    for (const ruleId of removed) {
      this.rules.delete(ruleId);
      this.emit(WORLD_HOST, RULE_REMOVE_EVENT[kind], { id: ruleId });
    }
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const connection of [...this.live.values()]) connection.refresh();
  }

  private assertDisjointHosts(from: readonly string[], to: readonly string[]): void {
    assert(from.length > 0 && to.length > 0, 'both host groups are non-empty');
    for (const host of [...from, ...to]) this.hostAddresses(host);
    for (const host of from) assert(!to.includes(host), `host ${host} is not on both sides`);
  }
}

const RULE_ADD_EVENT: Record<Rule['kind'], string> = { partition: 'net.partition', hold: 'net.link-hold', reject: 'net.reject' };
const RULE_REMOVE_EVENT: Record<Rule['kind'], string> = { partition: 'net.heal', hold: 'net.link-release', reject: 'net.unreject' };

function assertLinkSpec(spec: LinkSpec): void {
  if (spec.latencyMs !== undefined) assertLatencySpec(spec.latencyMs);
  if (spec.bandwidthBytesPerS !== undefined) assert(spec.bandwidthBytesPerS > 0, 'bandwidthBytesPerS is positive');
  if (spec.segmentBytesMax !== undefined) {
    assert(Number.isSafeInteger(spec.segmentBytesMax) && spec.segmentBytesMax > 0, 'segmentBytesMax is a positive integer');
  }
  if (spec.sendBufferBytes !== undefined) {
    if (!Number.isSafeInteger(spec.sendBufferBytes) || spec.sendBufferBytes < SEND_BUFFER_BYTES_MIN) fail(`sendBufferBytes is an integer >= ${SEND_BUFFER_BYTES_MIN}`);
  }
}
