/**
 * Test helper: HAProxy-like processes (stick tables + one peers section) on simulated hosts,
 * exchanging real peers-protocol bytes over the simulated network.
 */
import type { VersionProfile } from '../../../engine/version/profile.ts';
import type { ByteStream, EngineEvent, Env } from '../../../engine/env.ts';
import { PEER_SESS_ST_WAITMSG, SC_SUCCESS } from '../../../engine/peers/constants.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { MarkCounter } from '../../../engine/peers/marks.ts';
import type { MergePolicyName } from '../../../engine/peers/merge.ts';
import { PeersSection } from '../../../engine/peers/section.ts';
import { parseIpv4Strict, type StoredKey } from '../../../engine/table/keys.ts';
import { NO_ENTRY, StickTable } from '../../../engine/table/table.ts';
import type { TableSpec } from '../../../engine/table/table-spec.ts';
import { HostClock } from '../../../sim/host-clock.ts';
import { Kernel } from '../../../sim/kernel.ts';
import { Network, type LinkSpec } from '../../../sim/network.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { MemorySink } from '../../../sim/trace.ts';
import { specOf } from '../../helpers/spec.ts';

export const PEER_PORT = 10000;

export interface RecordedEvent extends EngineEvent {
  t: number;
  host: string;
  pid: number;
}

export interface Proc {
  host: string;
  pid: number;
  env: Env;
  tables: StickTable[];
  section: PeersSection;
  marks: MarkCounter;
  exited: boolean;
}

export interface ClusterOptions {
  /** Host names; host i+1 gets address 10.0.0.(i+1). */
  hosts: readonly string[];
  /** Names in the peers section (default: all hosts). */
  sectionPeers?: readonly string[];
  spec?: TableSpec;
  mergePolicy?: MergePolicyName;
  link?: LinkSpec;
  seed?: string;
  /** The release line every process runs (default 2.6). */
  profile?: VersionProfile;
}

export class Cluster {
  readonly kernel = new Kernel();
  readonly seeds: Seeds;
  readonly network: Network;
  readonly events: RecordedEvent[] = [];
  readonly procs: Proc[] = [];
  readonly spec: TableSpec;
  private readonly clocks = new Map<string, HostClock>();
  private pidNext = 100;

  constructor(readonly options: ClusterOptions) {
    this.seeds = new Seeds(options.seed ?? 'peers-test');
    this.network = new Network({ kernel: this.kernel, random: this.seeds.stream('network'), sink: new MemorySink(), link: options.link ?? { latencyMs: 1 } });
    options.hosts.forEach((host, i) => {
      this.network.addHost({ name: host, addresses: [addressOf(i)] });
      this.clocks.set(host, new HostClock({ kernel: this.kernel, random: this.seeds.stream(`clock:${host}`), host }));
    });
    this.spec = options.spec ?? specOf({ name: 'st', store: 'gpc0,conn_cur,conn_cnt,http_req_cnt,http_req_rate(10000)', expireMs: 60000 });
  }

  /** Starts a process on `host` (optionally as the new process of a reload). */
  start(
    host: string,
    options: { hasOldProcess?: boolean; localName?: string; calledAddressOf?: Record<string, string>; sectionPeers?: readonly string[] } = {},
  ): Proc {
    const clock = this.clocks.get(host)!;
    const pid = this.pidNext++;
    const proc: Proc = { host, pid, env: undefined as unknown as Env, tables: [], section: undefined as unknown as PeersSection, marks: new MarkCounter(), exited: false };
    const env: Env = {
      clock,
      timers: clock,
      random: this.seeds.stream(`host:${host}:${pid}`),
      net: this.network.netFor(host),
      events: { emit: (kind, details) => this.events.push({ ...details, kind, t: this.kernel.nowMs(), host, pid }) },
    };
    proc.env = env;
    proc.tables = [new StickTable({ spec: this.spec })];
    const names = options.sectionPeers ?? this.options.sectionPeers ?? this.options.hosts;
    const peers = names.map((name) => ({
      name,
      address: options.calledAddressOf?.[name] ?? addressOf(this.options.hosts.indexOf(name)),
      port: PEER_PORT,
    }));
    proc.section = new PeersSection({
      env,
      name: 'mypeers',
      localName: options.localName ?? host,
      peers,
      tables: proc.tables,
      mergePolicy: this.options.mergePolicy,
      marks: proc.marks,
      hasOldProcess: options.hasOldProcess,
      pid,
      ...(this.options.profile === undefined ? {} : { profile: this.options.profile }),
      onMayExit: () => {
        proc.exited = true;
        proc.section.stop();
      },
    });
    proc.section.start();
    this.procs.push(proc);
    return proc;
  }

  /** Soft reload: a new process starts, then the old one is told to stop softly. */
  reload(old: Proc): Proc {
    const fresh = this.start(old.host, { hasOldProcess: true });
    old.section.softStop();
    return fresh;
  }

  /** A REJECT-like cut: two-way partition and every live connection between the sides reset. */
  cut(sideA: readonly string[], sideB: readonly string[]): number {
    const id = this.network.partition({ sides: [sideA, sideB] });
    for (const conn of this.network.connections()) {
      const between =
        conn.serverHost !== undefined &&
        ((sideA.includes(conn.clientHost) && sideB.includes(conn.serverHost)) ||
          (sideB.includes(conn.clientHost) && sideA.includes(conn.serverHost)));
      if (between && conn.state !== 'dead') this.network.reset(conn.id, 'test-cut');
    }
    return id;
  }

  /** Runs until `done()` holds (checked every 10 ms) or `maxMs` passed; returns the time taken. */
  runUntil(done: () => boolean, maxMs: number): number {
    const start = this.nowMs();
    while (!done() && this.nowMs() - start < maxMs) this.kernel.runFor(10);
    return this.nowMs() - start;
  }

  run(ms: number): void {
    this.kernel.runFor(ms);
  }

  nowMs(): number {
    return this.kernel.nowMs();
  }

  kinds(kind: string, filter: (e: RecordedEvent) => boolean = () => true): RecordedEvent[] {
    return this.events.filter((e) => e.kind === kind && filter(e));
  }
}

export function addressOf(index: number): string {
  return `10.0.0.${index + 1}`;
}

export function ip(text: string): StoredKey {
  const v = parseIpv4Strict(text);
  if (v === undefined) throw new Error(`bad ip ${text}`);
  return v;
}

/** `set table st key K data.<name> V`: create if missing, assign, local touch. */
export function setField(proc: Proc, key: string, name: string, value: number): void {
  const table = proc.tables[0]!;
  const now = proc.env.clock.nowTick();
  const ref = table.getEntry(ip(key), now);
  if (ref === NO_ENTRY) throw new Error('cannot allocate');
  const slot = table.layout.stored.find((s) => s.info.name === name);
  if (slot === undefined) throw new Error(`not stored: ${name}`);
  if (slot.info.std === 'frqp') table.frqpSet(ref, slot, now, value);
  else if (slot.info.std === 'ull') table.setUll(ref, slot, BigInt(value));
  else table.setUint32(ref, slot, value);
  table.touchLocal(ref, now);
}

/** Adds to a counter like a tracked request would (value += delta), local touch. */
export function addField(proc: Proc, key: string, name: string, delta: number): void {
  const table = proc.tables[0]!;
  const now = proc.env.clock.nowTick();
  const ref = table.getEntry(ip(key), now);
  const slot = table.layout.stored.find((s) => s.info.name === name)!;
  if (slot.info.std === 'frqp') table.frqpUpdate(ref, slot, now, delta);
  else table.addUint(ref, slot, delta);
  table.touchLocal(ref, now);
}

export function getField(proc: Proc, key: string, name: string): number | undefined {
  const table = proc.tables[0]!;
  const ref = table.lookup(ip(key));
  if (ref === NO_ENTRY) return undefined;
  const slot = table.layout.stored.find((s) => s.info.name === name)!;
  if (slot.info.std === 'frqp') return table.frqpRead(ref, slot, proc.env.clock.nowTick());
  return table.getUint(ref, slot);
}

/** The established session between two processes' sections, if any. */
export function isEstablished(a: Proc, peerName: string): boolean {
  const peer = a.section.findPeer(peerName)!;
  return peer.session !== undefined && peer.statusCode === SC_SUCCESS && peer.session.st0 === PEER_SESS_ST_WAITMSG;
}

/**
 * A hand-written remote peer's first answer: to the first bytes it receives (the caller's hello) it
 * replies `200` and then "resync finished" (nothing to teach; the peer is alive), once.
 */
export function answerHelloAsFinishedPeer(stream: ByteStream): void {
  let answered = false;
  stream.onData(() => {
    if (answered) return;
    answered = true;
    stream.write(encodeMessage({ kind: 'status', code: 200 }));
    stream.write(encodeMessage({ kind: 'control', control: 'resyncFinished' }));
  });
}
