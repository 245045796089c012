/**
 * The deterministic world a scenario runs in: one kernel (virtual time), one root seed and its
 * derived streams, one simulated network, the hosts, and the trace. Its methods are the
 * scripting verbs, symmetric and addressed by host name, each one a trace event:
 * partition/heal, partitionOneWay, hold/release, crash/restart, reload, nat, drift.
 */
import { assert, fail } from '../lib/assert.ts';
import type { Config } from '../engine/config/types.ts';
import { MarkCounter } from '../engine/peers/marks.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { PlantedBug } from '../engine/peers/planted-bug.ts';
import { SimHost } from './host.ts';
import type { TickStart, TimerLateness } from './host-clock.ts';
import { Kernel } from './kernel.ts';
import { Network, type LinkSpec } from './network.ts';
import { Seeds } from './seeds.ts';
import type { AcceptDelay } from './accept-delay.ts';
import type { TaskWakeDelay } from './task-wake.ts';
import { sinkWants, WORLD_HOST, type TraceEntry, type TraceSink } from './trace.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

export interface WorldHostSpec {
  name: string;
  addresses: readonly string[];
  config: Config;
  cliLocalPeer?: string;
  tickStart?: TickStart;
  driftPpm?: number;
  timerLateness?: TimerLateness;
  /** See sim/accept-delay.ts; default ACCEPT_DELAY_MEASURED. */
  acceptDelay?: AcceptDelay;
  /** See sim/task-wake.ts; default none. */
  taskWakeDelay?: TaskWakeDelay;
}

export interface WorldOptions {
  seed: string | number;
  mergePolicy: MergePolicyName;
  /** The HAProxy release line every process behaves as (default 2.6). */
  haproxy?: HaproxyVersion;
  hosts: readonly WorldHostSpec[];
  link?: LinkSpec;
  /** Where trace entries go (a TraceWriter, a MemorySink, or both through a tee). */
  sink: TraceSink;
  /** False when engine events go nowhere (benchmarks): the engine skips building them. */
  engineEventsRecorded?: boolean;
  /** A deliberately wrong peers behaviour in every host (testing aid, engine/peers/planted-bug.ts). */
  plantedBug?: PlantedBug | undefined;
}

export class World {
  readonly kernel = new Kernel();
  readonly seeds: Seeds;
  readonly network: Network;
  readonly hosts = new Map<string, SimHost>();
  readonly marks = new MarkCounter();
  readonly sink: TraceSink;
  private readonly faultIds = new Map<string, number>();

  constructor(options: WorldOptions) {
    this.seeds = new Seeds(options.seed);
    this.sink = options.sink;
    this.network = new Network({
      kernel: this.kernel,
      random: this.seeds.stream('network'),
      sink: options.sink,
      link: options.link ?? { latencyMs: 1 },
    });
    for (const spec of options.hosts) {
      if (this.hosts.has(spec.name)) fail(`host ${spec.name} is declared once`);
      this.hosts.set(
        spec.name,
        new SimHost({
          ...spec,
          kernel: this.kernel,
          network: this.network,
          seeds: this.seeds,
          sink: options.sink,
          eventsRecorded: options.engineEventsRecorded ?? true,
          mergePolicy: options.mergePolicy,
          ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }),
          marks: this.marks,
          ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
        }),
      );
    }
  }

  host(name: string): SimHost {
    const h = this.hosts.get(name);
    if (h === undefined) fail(`host ${name} exists`);
    return h;
  }

  nowMs(): number {
    return this.kernel.nowMs();
  }

  // --- verbs ---------------------------------------------------------------------------------

  /** Cuts the network between groups of hosts, both ways; `name` lets `heal` undo this one. */
  partition(options: { sides: readonly (readonly string[])[]; name?: string }): void {
    const id = this.network.partition({ sides: options.sides });
    this.remember(options.name ?? `partition-${id}`, id);
    this.record('fault.partition', { id, name: options.name ?? `partition-${id}`, sides: options.sides.map((s) => [...s]), oneWay: false });
  }

  /** Drops what `from` sends to `to` (the other direction still flows). */
  partitionOneWay(options: { from: readonly string[]; to: readonly string[]; name?: string }): void {
    const id = this.network.partitionOneWay({ from: options.from, to: options.to });
    this.remember(options.name ?? `partition-${id}`, id);
    this.record('fault.partition', { id, name: options.name ?? `partition-${id}`, sides: [[...options.from], [...options.to]], oneWay: true });
  }

  /** Heals one named partition, or all of them (and every reject). */
  heal(name?: string): void {
    const id = name === undefined ? undefined : this.faultIds.get(name);
    if (name !== undefined && id === undefined) fail(`partition ${name} exists`);
    this.network.heal(id);
    if (name === undefined) this.network.unrejectAll();
    this.record('fault.heal', { id: id ?? -1, name: name ?? 'all' });
  }

  /**
   * REJECT with tcp-reset of the connections between two groups (both ways unless oneWay: then
   * only those `from` opens to `to`): new ones are refused at once, a live one dies at its ends'
   * next sends.
   */
  reject(options: { from: readonly string[]; to: readonly string[]; oneWay?: boolean; rstLost?: boolean; name?: string }): void {
    const rstLost = options.rstLost === true;
    const id = this.network.reject({ from: options.from, to: options.to, bothWays: options.oneWay !== true, rstLost });
    this.remember(options.name ?? `reject-${id}`, id);
    this.record('fault.reject', { id, name: options.name ?? `reject-${id}`, from: [...options.from], to: [...options.to], oneWay: options.oneWay === true, rstLost });
  }

  /** Lifts partitions and rejects between two hosts only (one direction with oneWay). */
  healLink(options: { from: string; to: string; oneWay?: boolean }): void {
    const rules = this.network.healLink(options);
    this.record('fault.heal-link', { from: options.from, to: options.to, oneWay: options.oneWay === true, rules });
  }

  /** Clogs a link: bytes queue, in order, until release. */
  hold(options: { from: readonly string[]; to: readonly string[]; bothWays?: boolean; name?: string }): void {
    const id = this.network.holdLink({ from: options.from, to: options.to, bothWays: options.bothWays ?? true });
    this.remember(options.name ?? `hold-${id}`, id);
    this.record('fault.hold', { id, name: options.name ?? `hold-${id}`, from: [...options.from], to: [...options.to] });
  }

  release(name?: string): void {
    const id = name === undefined ? undefined : this.faultIds.get(name);
    this.network.releaseLink(id);
    this.record('fault.release', { id: id ?? -1, name: name ?? 'all' });
  }

  /** Resets every live connection between two groups (a REJECT with TCP reset). */
  resetConnections(options: { between: readonly string[]; and: readonly string[] }): number {
    const a = new Set(options.between);
    const b = new Set(options.and);
    let count = 0;
    for (const c of this.network.connections()) {
      const server = c.serverHost ?? '';
      const crosses = (a.has(c.clientHost) && b.has(server)) || (b.has(c.clientHost) && a.has(server));
      if (crosses) {
        this.network.reset(c.id, 'scenario');
        count++;
      }
    }
    this.record('fault.reset', { between: [...options.between], and: [...options.and], connections: count });
    return count;
  }

  crash(host: string): void {
    this.host(host).crash();
  }

  restart(host: string): void {
    this.host(host).restart();
  }

  start(host: string): void {
    this.host(host).start();
  }

  reload(host: string): void {
    this.host(host).reload();
  }

  pause(host: string): void {
    this.host(host).pause();
  }

  resume(host: string): void {
    this.host(host).resume();
  }

  /** Destination NAT: connecting to `address` reaches `toHost`. */
  natDestination(options: { address: string; port?: number; toHost: string; toAddress?: string }): void {
    this.network.addDestinationNat(options);
    this.record('fault.nat', { nat: 'destination', ...options });
  }

  /** Source NAT: `host`'s connections appear from `asAddress`. */
  natSource(options: { host: string; asAddress: string }): void {
    this.network.addSourceNat(options);
    this.record('fault.nat', { nat: 'source', natHost: options.host, asAddress: options.asAddress });
  }

  // --- time ----------------------------------------------------------------------------------

  runUntil(ms: number): void {
    this.kernel.run({ untilMs: ms });
  }

  at(ms: number, action: () => void): void {
    this.kernel.scheduleAt(ms, action);
  }

  private remember(name: string, id: number): void {
    this.faultIds.set(name, id);
  }

  /** An event about one host (e.g. a runtime-API command typed on it). */
  hostRecord(host: string, kind: string, details: Record<string, unknown>): void {
    if (!sinkWants(this.sink, kind)) return;
    this.sink.record({ t: this.kernel.nowMs(), host, kind, details });
  }

  record(kind: string, details: Record<string, unknown>): void {
    if (!sinkWants(this.sink, kind)) return;
    const entry: TraceEntry = { t: this.kernel.nowMs(), host: WORLD_HOST, kind, details };
    this.sink.record(entry);
  }
}
