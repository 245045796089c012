/**
 * A simulated machine: a hostname, addresses on the simulated network, a clock (with drift),
 * and the haproxy processes it runs from one haproxy.cfg. The verbs are HAProxy operations:
 * start, reload (a new process; the old one hands its tables over and leaves), restart (hard:
 * tables lost), crash. Each process gets its own timers (cancelled when it dies), its own random
 * stream, and events stamped with the host and pid.
 */
import type { ByteStream, DeferredDetails, Env, Net, TimerHandle, Timers, TraceName } from '../engine/env.ts';
import { assert, fail } from '../lib/assert.ts';
import type { Config } from '../engine/config/types.ts';
import { HaproxyProcess } from '../engine/process/process.ts';
import type { CoverageMarks } from '../engine/peers/marks.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { PlantedBug } from '../engine/peers/planted-bug.ts';
import { HostClock, TIMER_LATENESS_MEASURED, type TickStart, type TimerLateness } from './host-clock.ts';
import { KernelTimerGroup, type Kernel } from './kernel.ts';
import type { Network } from './network.ts';
import type { SeededRandom, Seeds } from './seeds.ts';
import { ACCEPT_DELAY_MEASURED, AcceptDelayer, type AcceptDelay } from './accept-delay.ts';
import { taskWakeLatency, type TaskWakeDelay } from './task-wake.ts';
import { sinkWants, type TraceSink } from './trace.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

export interface SimHostOptions {
  name: string;
  addresses: readonly string[];
  config: Config;
  kernel: Kernel;
  network: Network;
  seeds: Seeds;
  sink: TraceSink;
  /** False when no one records engine events (trace off, no observers): emitters skip them. */
  eventsRecorded?: boolean;
  mergePolicy: MergePolicyName;
  /** The HAProxy release line the host's processes behave as (default 2.6). */
  haproxy?: HaproxyVersion;
  marks: CoverageMarks;
  /** A deliberately wrong peers behaviour for every process of this host (testing aid). */
  plantedBug?: PlantedBug | undefined;
  /** `-L` on the command line, when the scenario sets it. */
  cliLocalPeer?: string;
  tickStart?: TickStart;
  driftPpm?: number;
  /** How late its timers fire; default TIMER_LATENESS_MEASURED. */
  timerLateness?: TimerLateness;
  /** How long its processes take to process an accepted connection (sim/accept-delay.ts); default ACCEPT_DELAY_MEASURED. */
  acceptDelay?: AcceptDelay;
  /** See sim/task-wake.ts; default none. */
  taskWakeDelay?: TaskWakeDelay;
}

/**
 * The gate of a paused process (SIGSTOP): while closed, timer firings and socket callbacks wait
 * in order; on resume they run, in the order they came. Bounded like every queue.
 */
class PauseGate {
  private paused = false;
  private readonly waiting: (() => void)[] = [];
  static readonly WAITING_MAX = 1_000_000;

  isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  /** Runs `fn` now, or when the process resumes. */
  run(fn: () => void): void {
    if (!this.paused) return fn();
    assert(this.waiting.length < PauseGate.WAITING_MAX, 'a paused process queues a bounded number of callbacks');
    this.waiting.push(fn);
  }

  resume(): void {
    this.paused = false;
    const queued = this.waiting.splice(0);
    for (const fn of queued) fn();
  }
}

/** A process's view of the network: socket callbacks pass through its pause gate. */
function gatedNet(net: Net, gate: PauseGate, accepts: AcceptDelayer | undefined): Net {
  const wrap = (stream: ByteStream): ByteStream => ({
    write: (bytes) => stream.write(bytes),
    close: () => stream.close(),
    unreadBytes: () => stream.unreadBytes?.() ?? 0,
    roomBytes: () => stream.roomBytes?.() ?? Number.MAX_SAFE_INTEGER,
    // A paused process notices the room when it resumes, like its other callbacks.
    awaitRoom: (handler) => (stream.awaitRoom === undefined ? undefined : stream.awaitRoom(() => gate.run(handler))),
    // A running process takes its bytes at once (no closure per delivery); a paused one queues them.
    onData: (handler) => stream.onData((bytes) => (gate.isPaused() ? gate.run(() => handler(bytes)) : handler(bytes))),
    onConnect: (handler) => stream.onConnect(() => gate.run(handler)),
    onClose: (handler) => stream.onClose((reason) => gate.run(() => handler(reason))),
    get remoteAddress() {
      return stream.remoteAddress;
    },
    get remotePort() {
      return stream.remotePort;
    },
    get localAddress() {
      return stream.localAddress;
    },
    get localPort() {
      return stream.localPort;
    },
  });
  return {
    connect: (options) => wrap(net.connect(options)),
    listen: (options, onAccept) =>
      net.listen(options, (stream) => {
        const accept = (): void => gate.run(() => onAccept(wrap(stream)));
        if (accepts === undefined) accept();
        else accepts.run(stream, accept);
      }),
  };
}

/** Timers of one process: all cancelled at once when the process dies; held while paused. */
class ProcessTimers implements Timers {
  // A paused process runs its expired timers on resume, in order, unless it died meanwhile.
  private readonly live: KernelTimerGroup;
  private dead = false;
  constructor(
    private readonly clock: HostClock,
    private readonly gate: PauseGate,
    kernel: Kernel,
  ) {
    this.live = new KernelTimerGroup(kernel, (fire) => {
      if (this.dead) return;
      if (this.gate.isPaused()) this.gate.run(() => !this.dead && fire());
      else fire();
    });
  }

  schedule(delayMs: number, fire: () => void): TimerHandle {
    if (this.dead) return { cancel: () => {} };
    return this.clock.schedule(delayMs, fire, this.live);
  }

  /** A woken task's run `delayMs` later, without timer lateness (sim/task-wake.ts). */
  scheduleExact(delayMs: number, fire: () => void): TimerHandle {
    if (this.dead) return { cancel: () => {} };
    return this.clock.scheduleExact(delayMs, fire, this.live);
  }

  killAll(): void {
    this.dead = true;
    this.live.cancelAll();
  }
}

interface RunningProcess {
  pid: number;
  process: HaproxyProcess;
  timers: ProcessTimers;
  gate: PauseGate;
  accepts: AcceptDelayer | undefined;
}

export class SimHost {
  readonly name: string;
  readonly clock: HostClock;
  private readonly options: SimHostOptions;
  private current: RunningProcess | undefined;
  private readonly leaving = new Set<RunningProcess>();
  private pidNext = 1000;
  /** The `accept:<host>` stream: its accept delays. */
  private readonly acceptRandom: SeededRandom;
  /** The `tasks:<host>` stream, when the host has a task wake delay. */
  private readonly taskRandom: SeededRandom | undefined;

  constructor(options: SimHostOptions) {
    this.options = options;
    this.name = options.name;
    options.network.addHost({ name: options.name, addresses: options.addresses });
    this.clock = new HostClock({
      kernel: options.kernel,
      random: options.seeds.stream(`clock:${options.name}`),
      host: options.name,
      ...(options.tickStart === undefined ? {} : { tickStart: options.tickStart }),
      ...(options.driftPpm === undefined ? {} : { driftPpm: options.driftPpm }),
      timerLateness: { lateness: options.timerLateness ?? TIMER_LATENESS_MEASURED, random: options.seeds.stream(`timers:${options.name}`) },
    });
    this.acceptRandom = options.seeds.stream(`accept:${options.name}`);
    this.taskRandom = options.taskWakeDelay === undefined ? undefined : options.seeds.stream(`tasks:${options.name}`);
  }

  /** How long this host's processes take to process an accepted connection (the seeded per-host knob). */
  get acceptDelay(): AcceptDelay {
    return this.options.acceptDelay ?? ACCEPT_DELAY_MEASURED;
  }

  /** How late this host's timers fire after their expiry (the seeded per-host knob). */
  get timerLateness(): TimerLateness {
    return this.options.timerLateness ?? TIMER_LATENESS_MEASURED;
  }

  /** The process serving traffic and the runtime API (the newest one), if any. */
  get process(): HaproxyProcess | undefined {
    return this.current?.process;
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  isUp(): boolean {
    return this.current !== undefined;
  }

  /** True while the machine is paused (SIGSTOP of haproxy, a VM freeze). */
  isPaused(): boolean {
    return this.current?.gate.isPaused() ?? false;
  }

  /** Freezes every process: timers and socket events wait; clients are not served. */
  pause(): void {
    for (const p of this.all()) p.gate.pause();
    this.emit('host.pause', {});
  }

  /** Thaws the processes: what waited runs now, in order. */
  resume(): void {
    this.emit('host.resume', {});
    for (const p of this.all()) p.gate.resume();
  }

  private all(): RunningProcess[] {
    return [...this.leaving, ...(this.current === undefined ? [] : [this.current])];
  }

  /** Starts haproxy (fresh: no old process to learn from). */
  start(): void {
    if (this.current !== undefined) fail(`${this.name} runs no process when started`);
    this.current = this.spawn({ hasOldProcess: false });
    this.emit('host.start', { pid: this.current.pid });
  }

  /** Soft reload (`-sf`): a new process starts; the old one teaches it, then leaves. */
  reload(): void {
    const old = this.current;
    if (old === undefined) fail(`${this.name} runs a process to reload`);
    this.current = this.spawn({ hasOldProcess: true });
    this.emit('host.reload', { oldPid: old.pid, pid: this.current.pid });
    this.leaving.add(old);
    old.process.softStop(() => this.retire(old));
  }

  /** Hard restart: the process is killed (its tables lost) and a fresh one starts. */
  restart(): void {
    this.killAll();
    this.current = this.spawn({ hasOldProcess: false });
    this.emit('host.restart', { pid: this.current.pid });
  }

  /** The machine dies: every process is gone, nothing is said on the wire. */
  crash(): void {
    this.killAll();
    this.emit('host.crash', {});
  }

  setDriftPpm(driftPpm: number): void {
    this.clock.setDriftPpm(driftPpm);
    this.emit('host.drift', { driftPpm });
  }

  /** A runtime-API command on the current process (the stats socket). */
  cli(line: string): string {
    const p = this.current;
    if (p === undefined || p.gate.isPaused()) return '';
    return p.process.cli(line);
  }

  private spawn(options: { hasOldProcess: boolean }): RunningProcess {
    const pid = this.pidNext++;
    const gate = new PauseGate();
    const hostName = this.name;
    const hostTraceName = this.options.network.hostTraceName(hostName);
    const kernel = this.options.kernel;
    const timers = new ProcessTimers(this.clock, gate, kernel);
    const accepts = new AcceptDelayer({ delay: this.acceptDelay, random: this.acceptRandom, kernel, host: hostName });
    const sink = this.options.sink;
    const env: Env = {
      clock: this.clock,
      timers,
      random: this.options.seeds.stream(`host:${hostName}:${pid}`),
      net: gatedNet(this.options.network.netFor(hostName), gate, accepts),
      ...(this.options.taskWakeDelay === undefined || this.taskRandom === undefined
        ? {}
        : {
            taskWake: taskWakeLatency({
              delay: this.options.taskWakeDelay,
              random: this.taskRandom,
              scheduleExact: (delayMs, fire) => timers.scheduleExact(delayMs, fire),
              host: hostName,
            }),
          }),
      events: {
        recording: this.options.eventsRecorded ?? true,
        ...(sink.wants === undefined ? {} : { wants: (kind: string) => sinkWants(sink, kind) }),
        // The details are the emitter's own object: tagged with the pid, not copied.
        emit: (kind, details) => {
          details['pid'] = pid;
          sink.record({ t: kernel.nowMs(), host: hostName, kind, details });
        },
        ...(sink.recordDeferred === undefined
          ? {}
          : {
              emitDeferred: (kind: TraceName, details: DeferredDetails) => {
                details.pid = pid;
                sink.recordDeferred?.(kernel.nowMs(), hostTraceName, kind, details);
              },
            }),
      },
    };
    const haproxyProcess = new HaproxyProcess({
      env,
      config: this.options.config,
      hostname: hostName,
      ...(this.options.cliLocalPeer === undefined ? {} : { cliLocalPeer: this.options.cliLocalPeer }),
      hasOldProcess: options.hasOldProcess,
      mergePolicy: this.options.mergePolicy,
      marks: this.options.marks,
      pid,
      ...(this.options.plantedBug === undefined ? {} : { plantedBug: this.options.plantedBug }),
      ...(this.options.haproxy === undefined ? {} : { haproxy: this.options.haproxy }),
    });
    haproxyProcess.start();
    return { pid, process: haproxyProcess, timers, gate, accepts };
  }

  private retire(p: RunningProcess): void {
    if (!this.leaving.delete(p)) return;
    p.process.kill();
    p.timers.killAll();
    p.accepts?.closeAll();
    this.emit('host.process-exit', { pid: p.pid });
  }

  private killAll(): void {
    for (const p of [...this.leaving]) this.retire(p);
    if (this.current !== undefined) {
      this.current.process.kill();
      this.current.timers.killAll();
      this.current.accepts?.closeAll();
      this.current = undefined;
    }
  }

  private emit(kind: string, details: Record<string, unknown>): void {
    if (!sinkWants(this.options.sink, kind)) return;
    this.options.sink.record({ t: this.options.kernel.nowMs(), host: this.name, kind, details });
  }
}
