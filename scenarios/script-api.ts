/**
 * The verbs a scenario script uses, bound to one World. Every verb that changes the world is a
 * trace event (the World records faults; hosts record their own life cycle).
 */
import { assert } from '../lib/assert.ts';
import { dataTypeByName } from '../engine/table/data-types.ts';
import { inetaddrHost, parseIpv6, utf8ToLatin1, type StoredKey } from '../engine/table/keys.ts';
import { NO_ENTRY, type EntryRef, type StickTable } from '../engine/table/table.ts';
import type { Tick } from '../engine/ticks.ts';
import type { DeferredDetails } from '../engine/env.ts';
import type { TraceEntry } from '../sim/trace.ts';
import { Traffic, type ClassStats, type ClientClassSpec } from '../sim/traffic.ts';
import type { World } from '../sim/world.ts';
import type { SeededRandom } from '../sim/seeds.ts';
import { runSequence, sleepStep, untilStep, type SequenceBody, type Step } from './sequence.ts';
import type { ExpectationKind, FigureValue } from './results.ts';
import { ScenarioScriptError } from './user-error.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

export type CheckResult = true | string;

export interface ExpectationDef {
  name: string;
  kind: ExpectationKind;
  /** always: evaluated at every sample and at the end; must return true. */
  always?: () => CheckResult;
  /** eventually: true at some sample within [afterMs, afterMs + withinMs]. */
  eventually?: { afterMs: number; withinMs: number; check: () => boolean; describe: string };
  /** count: a figure compared with bounds at the end. */
  count?: { value: () => number; atMost?: number; atLeast?: number; equals?: number };
}

export interface Bound {
  atMost?: number;
  atLeast?: number;
  equals?: number;
}

/** The stream `s.random` draws from (derived from the root seed like every other). */
export const SCRIPT_STREAM = 'script';

export interface RejectOptions {
  /**
   * The RST is rejected on its way back too, as with the lab-04 rules (REJECT on every packet
   * from or to a node's peer port): nothing is reset, the connections' packets are as good as
   * dropped (sessions end by their timeouts, connects time out), on these connections only.
   */
  rstLost?: boolean;
}

/** An observer of deferred details (observeDetails): the host that emitted them, and them. */
export type DetailObserver = (host: string, details: DeferredDetails) => void;

export class ScriptApi {
  readonly expectations: ExpectationDef[] = [];
  readonly figures = new Map<string, () => FigureValue>();
  /** Observers by kind, each list in registration order. */
  private readonly observers = new Map<string, ((entry: TraceEntry) => void)[]>();
  /** Observers of deferred details by kind (observeDetails), each list in registration order. */
  private readonly detailObservers = new Map<string, DetailObserver[]>();
  /** Every kind some observer wants, plain or deferred (asked on every event the engine may build). */
  private readonly observedKinds = new Set<string>();

  constructor(
    readonly world: World,
    /** The merge policy this run uses (a scenario may expect different outcomes per policy). */
    readonly policy: 'haproxy' | 'aggregate' | 'max' = 'haproxy',
    /** The HAProxy release line this run models (a scenario may expect different outcomes per line). */
    readonly haproxy: HaproxyVersion = '2.6',
  ) {}

  /** Calls `fn` for every trace event of `kind` from now on (e.g. 'session.accept'). */
  observe(kind: string, fn: (entry: TraceEntry) => void): void {
    this.register(this.observers, kind, fn);
  }

  /**
   * Calls `fn` with the details object the engine handed over unrendered (engine/env.ts
   * DeferredDetails: `update.tx`, `update.rx`, `ack.tx`, `ack.rx`) for every such event of `kind`,
   * before any `observe` observer of it: a check that reads the raw key and values skips rendering
   * them, which costs more than the simulation of the update. Events of `kind` emitted as plain
   * objects (a dropped update's `update.rx`) go to `observe` only. `pid` is set on the details.
   */
  observeDetails(kind: string, fn: DetailObserver): void {
    this.register(this.detailObservers, kind, fn);
  }

  /** Adds `fn` to the observers of `kind` in `by`, in registration order. */
  private register<F>(by: Map<string, F[]>, kind: string, fn: F): void {
    const list = by.get(kind);
    if (list === undefined) by.set(kind, [fn]);
    else list.push(fn);
    this.observedKinds.add(kind);
  }

  /** True when some observer wants events of `kind`, plain or deferred. */
  observes(kind: string): boolean {
    return this.observedKinds.has(kind);
  }

  /** True when some `observe` observer wants events of `kind` as plain objects. */
  observesPlain(kind: string): boolean {
    // Most scripts observe nothing: no lookup by kind on every event then.
    return this.observers.size !== 0 && this.observers.has(kind);
  }

  /** Called by the runner for every trace entry. */
  dispatch(entry: TraceEntry): void {
    const list = this.observers.get(entry.kind);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i]!(entry);
  }

  /** Called by the runner for every event handed over as deferred details, before `dispatch`. */
  dispatchDetails(host: string, kind: string, details: DeferredDetails): void {
    if (this.detailObservers.size === 0) return;
    const list = this.detailObservers.get(kind);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i]!(host, details);
  }

  nowMs(): number {
    return this.world.nowMs();
  }

  private handedOver = false;

  /**
   * A person takes over (a TUI branch): scripted actions that have not run yet never will.
   * Traffic, expectations and the world's own timers go on.
   */
  handOver(): void {
    this.handedOver = true;
    this.world.record('script.hand-over', {});
  }

  /** Runs `action` at simulated time `ms` (unless the script was handed over by then). */
  at(ms: number, action: () => void): void {
    this.world.at(ms, () => {
      if (!this.handedOver) action();
    });
  }

  /** Runs `action` every `everyMs` from `startMs` until `untilMs` (exclusive). */
  every(options: { startMs: number; everyMs: number; untilMs: number }, action: (ms: number) => void): void {
    const count = options.untilMs > options.startMs ? Math.ceil((options.untilMs - options.startMs) / options.everyMs) : 0;
    this.world.kernel.scheduleSeries({ startMs: options.startMs, everyMs: options.everyMs, count }, (_, ms) => {
      if (!this.handedOver) action(ms);
    });
  }

  /**
   * Polls `predicate` every `everyMs` from `startMs`; runs `then` at the first instant it holds,
   * or at `startMs + withinMs` with `timedOut` true.
   */
  until(options: { startMs: number; everyMs: number; withinMs: number }, predicate: () => boolean, then: (timedOut: boolean) => void): void {
    const poll = (ms: number): void => {
      if (predicate()) return then(false);
      if (ms + options.everyMs > options.startMs + options.withinMs) return then(true);
      this.at(ms + options.everyMs, () => poll(ms + options.everyMs));
    };
    this.at(options.startMs, () => poll(options.startMs));
  }

  // --- faults ----------------------------------------------------------------------------------

  partition(...sides: string[][]): void {
    this.known('s.partition', ...sides);
    this.world.partition({ sides });
  }

  partitionOneWay(from: string[], to: string[]): void {
    this.known('s.partitionOneWay', from, to);
    this.world.partitionOneWay({ from, to });
  }

  /**
   * Heals every partition and reject; with two hosts, only the link between them (both ways),
   * the other cuts stay.
   */
  heal(a?: string, b?: string): void {
    if (a === undefined && b === undefined) {
      this.world.heal();
      return;
    }
    if (a === undefined || b === undefined) throw new ScenarioScriptError('s.heal: give no host (heal all) or two hosts (one link)');
    this.known('s.heal', [a, b]);
    this.world.healLink({ from: a, to: b });
  }

  /**
   * Heals one direction of the link between two hosts: for a partition, what `from` sends to `to`
   * passes again; for a reject, the connections `from` opens to `to` do.
   */
  healOneWay(from: string, to: string): void {
    this.known('s.healOneWay', [from, to]);
    this.world.healLink({ from, to, oneWay: true });
  }

  /**
   * The lab's REJECT cut (iptables REJECT --reject-with tcp-reset on the peer ports): connecting
   * across it is refused at once, and a live session is untouched until one of its ends next
   * sends (a heartbeat, an update), which resets that end. Compare `cut`, which resets every
   * session at the instant, and `partition` (DROP), which resets nothing.
   */
  reject(a: string[], b: string[], options: RejectOptions = {}): void {
    this.known('s.reject', a, b);
    this.world.reject({ from: a, to: b, rstLost: options.rstLost === true });
  }

  /** `reject` of only the connections `from` hosts open to `to` hosts. */
  rejectOneWay(from: string[], to: string[], options: RejectOptions = {}): void {
    this.known('s.rejectOneWay', from, to);
    this.world.reject({ from, to, oneWay: true, rstLost: options.rstLost === true });
  }

  /** A REJECT-like cut: the partition plus a reset of every live connection across it. */
  cut(a: string[], b: string[]): void {
    this.known('s.cut', a, b);
    this.world.partition({ sides: [a, b] });
    this.world.resetConnections({ between: a, and: b });
  }

  hold(a: string[], b: string[]): void {
    this.known('s.hold', a, b);
    this.world.hold({ from: a, to: b, bothWays: true });
  }

  release(): void {
    this.world.release();
  }

  crash(host: string): void {
    this.known('s.crash', [host]);
    this.world.crash(host);
  }

  restart(host: string): void {
    this.known('s.restart', [host]);
    this.world.restart(host);
  }

  start(host: string): void {
    this.known('s.start', [host]);
    this.world.start(host);
  }

  reload(host: string): void {
    this.known('s.reload', [host]);
    this.world.reload(host);
  }

  pause(host: string): void {
    this.known('s.pause', [host]);
    this.world.pause(host);
  }

  resume(host: string): void {
    this.known('s.resume', [host]);
    this.world.resume(host);
  }

  natDestination(options: { address: string; port?: number; toHost: string }): void {
    this.known('s.natDestination', [options.toHost]);
    this.world.natDestination(options);
  }

  natSource(options: { host: string; asAddress: string }): void {
    this.known('s.natSource', [options.host]);
    this.world.natSource(options);
  }

  drift(host: string, driftPpm: number): void {
    this.known('s.drift', [host]);
    this.world.host(host).setDriftPpm(driftPpm);
  }

  // --- traffic ------------------------------------------------------------------------------------

  private trafficStarted = false;
  private readonly trafficClasses: ClientClassSpec[] = [];
  private traffic: Traffic | undefined;

  /**
   * Client traffic: each class of clients (by source addresses) sends requests to a host through
   * its frontend's rules. All classes start together at time 0 (each from its own startMs).
   */
  clients(spec: ClientClassSpec): void {
    if (this.trafficStarted) throw new ScenarioScriptError('s.clients: traffic classes are declared in the script itself, not in s.at(...) actions');
    this.known('s.clients', [spec.targetHost]);
    this.trafficClasses.push(spec);
  }

  /** Counters of a class: sent, allowed, denied, rejected, returned, dropped (+ refused when the host is down). */
  stats(name: string): ClassStats & { refused: number } {
    const base = this.traffic?.stats(name) ?? { sent: 0, allowed: 0, denied: 0, rejected: 0, returned: 0, dropped: 0 };
    return { ...base, refused: this.refused.get(name) ?? 0 };
  }

  private readonly refused = new Map<string, number>();

  /** Called by the runner once the script is read: starts the declared traffic. */
  startTraffic(): void {
    this.trafficStarted = true;
    if (this.trafficClasses.length === 0) return;
    this.traffic = new Traffic({
      kernel: this.world.kernel,
      random: this.world.seeds.stream('traffic'),
      classes: this.trafficClasses,
      send: (event) => {
        const host = this.world.host(event.targetHost);
        const result = host.isPaused() ? undefined : host.process?.handleRequest({ srcAddress: event.srcAddress, srcIpv4: event.srcIpv4 });
        if (result === undefined) {
          this.refused.set(event.clientClass, (this.refused.get(event.clientClass) ?? 0) + 1);
          return { action: 'refused' };
        }
        return result;
      },
    });
    this.traffic.start();
  }

  /**
   * One HTTP request from `src` to `host`'s frontend, now or at `atMs`: the action the frontend
   * took ('allow', 'deny', ...), or 'refused' when the host runs no process (undefined when
   * scheduled for later). A trace event `script.request`.
   */
  request(host: string, src: string, atMs?: number): string | undefined {
    this.known('s.request', [host]);
    if (atMs !== undefined) {
      this.at(atMs, () => this.request(host, src));
      return undefined;
    }
    const h = this.world.host(host);
    const result = h.isPaused() ? undefined : h.process?.handleRequest({ srcAddress: src });
    const action = result?.action ?? 'refused';
    this.world.hostRecord(host, 'script.request', { src, action });
    return action;
  }

  private scriptRandom: SeededRandom | undefined;

  /**
   * The script's own random stream ('script', derived from the root seed by name like the
   * network's or a host's), so drawing from it moves no other stream. Its seed is printed as a
   * `script.random` trace event at the first use (and listed in the run's streams).
   */
  get random(): SeededRandom {
    if (this.scriptRandom === undefined) {
      this.scriptRandom = this.world.seeds.stream(SCRIPT_STREAM);
      this.world.record('script.random', { stream: SCRIPT_STREAM, seed: this.scriptRandom.seed });
    }
    return this.scriptRandom;
  }

  /**
   * A script written as a sequence of steps, run on the virtual clock from `startMs` (default
   * now): the body is a generator that yields `s.sleep(ms)`, `s.waitUntil(...)` or
   * `s.waitFor(ms)`, and resumes at that simulated instant (scenarios/sequence.ts). Generators,
   * not async functions: a promise would resume after the whole kernel run, not at its instant.
   */
  sequence(body: SequenceBody, options: { startMs?: number } = {}): void {
    runSequence(this, body, options.startMs ?? this.nowMs());
  }

  /** In a `sequence`: `yield s.sleep(ms)` resumes `ms` later. */
  sleep(ms: number): Step {
    return sleepStep(ms);
  }

  /**
   * In a `sequence`: `const timedOut = yield s.waitUntil(check, { everyMs, withinMs })` resumes at
   * the first poll where `check` holds (false), or after `withinMs` (true).
   */
  waitUntil(check: () => boolean, options: { everyMs: number; withinMs: number }): Step {
    return untilStep(check, options);
  }

  // --- the runtime API and table reads -----------------------------------------------------------

  /** A stats-socket command on a host's current process; '' when no process runs. */
  cli(host: string, command: string): string {
    this.known('s.cli', [host]);
    const answer = this.world.host(host).cli(utf8ToLatin1(command));
    this.world.hostRecord(host, 'cli', { command, answer });
    return answer;
  }

  /** `set table <table> key <key> data.<f> <v>…` on a host. */
  set(host: string, table: string, key: string, data: Record<string, number>): void {
    this.known('s.set', [host]);
    this.tableOf('s.set', host, table);
    const assignments = Object.entries(data).map(([f, v]) => ` data.${f} ${v}`).join('');
    this.cli(host, `set table ${table} key ${key}${assignments}`);
  }

  /** A field of an entry as `show table` would print it (rates read now); undefined if absent. */
  read(host: string, table: string, key: string, field: string): number | undefined {
    return this.entryOf('s.read', host, table, key)?.read(field);
  }

  /**
   * An entry of a host's current table, looked up once for several reads (a check comparing
   * many fields); undefined when the host runs no process or the entry is absent.
   */
  entry(host: string, table: string, key: string): EntryView | undefined {
    return this.entryOf('s.entry', host, table, key);
  }

  /** `entry` by the key as the table stores it (a deferred event's raw key), not its text. */
  entryByStoredKey(host: string, table: string, key: StoredKey): EntryView | undefined {
    return this.entryOfStored('s.entryByStoredKey', host, table, key);
  }

  private entryOf(verb: string, host: string, table: string, keyText: string): EntryView | undefined {
    const t = this.liveTable(verb, host, table);
    return t === undefined ? undefined : this.viewOf(host, t, parseKey(t.spec.keyType, keyText));
  }

  private entryOfStored(verb: string, host: string, table: string, key: StoredKey): EntryView | undefined {
    const t = this.liveTable(verb, host, table);
    return t === undefined ? undefined : this.viewOf(host, t, key);
  }

  /** The host's current table (undefined when it runs no process), the host named checked. */
  private liveTable(verb: string, host: string, table: string): StickTable | undefined {
    this.known(verb, [host]);
    return this.tableOf(verb, host, table);
  }

  private viewOf(host: string, t: StickTable, key: StoredKey): EntryView | undefined {
    const haproxyProcess = this.world.host(host).process;
    assert(haproxyProcess !== undefined, 'a live table belongs to a running process');
    const ref = t.lookup(key);
    if (ref === NO_ENTRY) return undefined;
    return new EntryView(t, ref, haproxyProcess.env.clock.nowTick());
  }

  /** Number of entries in a host's table (0 when the host runs no process). */
  used(host: string, table: string): number {
    this.known('s.used', [host]);
    return this.tableOf('s.used', host, table)?.used ?? 0;
  }

  /** Throws the script's mistake when a verb names a host the scenario does not have. */
  private known(verb: string, ...groups: readonly (readonly string[])[]): void {
    for (const group of groups) {
      for (const name of group) {
        if (this.world.hosts.has(name)) continue;
        throw new ScenarioScriptError(`${verb}: no host '${name}' in this scenario (hosts: ${[...this.world.hosts.keys()].join(', ')})`);
      }
    }
  }

  /**
   * The host's current table `table`; undefined when the host runs no process. Throws the
   * script's mistake when the running process has no such table.
   */
  private tableOf(verb: string, host: string, table: string): StickTable | undefined {
    const haproxyProcess = this.world.host(host).process;
    if (haproxyProcess === undefined) return undefined;
    const t = haproxyProcess.tables.get(table);
    if (t !== undefined) return t;
    const names = haproxyProcess.tables.tables.map((x) => x.spec.name);
    throw new ScenarioScriptError(`${verb}: host '${host}' has no table '${table}' (tables: ${names.length === 0 ? 'none' : names.join(', ')})`);
  }

  // --- expectations and figures ------------------------------------------------------------------

  always(name: string, check: () => CheckResult): void {
    this.expectations.push({ name, kind: 'always', always: check });
  }

  eventually(name: string, options: { afterMs: number; withinMs: number; describe: string }, check: () => boolean): void {
    this.expectations.push({ name, kind: 'eventually', eventually: { ...options, check } });
  }

  count(name: string, value: () => number, bound: Bound): void {
    this.expectations.push({ name, kind: 'count', count: { value, ...bound } });
    this.figures.set(name, value);
  }

  /** A figure for the reports: a number, a string (an outcome) or a small record of them. */
  figure(name: string, value: () => FigureValue): void {
    this.figures.set(name, value);
  }
}

/** One entry of a table at one instant: its fields as `show table` prints them. */
export class EntryView {
  constructor(
    private readonly table: StickTable,
    private readonly ref: EntryRef,
    private readonly now: Tick,
  ) {}

  /** The field's value (a rate read at this instant); undefined when the table lacks it. */
  read(field: string): number | undefined {
    const info = dataTypeByName(field);
    const slot = info === undefined ? undefined : this.table.slot(info.id);
    if (slot === undefined) return undefined;
    switch (slot.info.std) {
      case 'frqp':
        return this.table.frqpRead(this.ref, slot, this.now);
      case 'ull':
        return Number(this.table.getUll(this.ref, slot));
      case 'sint':
        return this.table.getSint(this.ref, slot);
      default:
        return this.table.getUint(this.ref, slot);
    }
  }
}

function parseKey(type: string, text: string): StoredKey {
  if (type === 'ip') return inetaddrHost(text);
  if (type === 'ipv6') return parseIpv6(text) ?? '';
  if (type === 'integer') return Number(text) >>> 0;
  return utf8ToLatin1(text);
}
