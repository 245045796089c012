/**
 * A fault schedule: a list of timed faults, plain data (JSON), applied to a run through the
 * ScriptApi/World verbs. Each fault with a duration undoes itself at `atMs + durationMs` (heal,
 * release, restart, filter off); overlapping faults are named so each undo touches only its own.
 * Verbs that would be meaningless in the host's state at that instant (reload a crashed host,
 * start a running one) are skipped and counted, never asserted: the shrinker moves faults freely.
 */
import type { ScriptApi } from '../script-api.ts';
import { peersFramer, peersMessageKind, type PeersMessageKind } from './peers-framer.ts';

export type Sides = [string[], string[]];

export type Fault =
  /** Two-way partition: bytes wait (TCP retransmits) until the heal. */
  | { kind: 'partition'; atMs: number; durationMs: number; sides: Sides }
  /** A partition plus a reset of every connection across it (a REJECT). */
  | { kind: 'cut'; atMs: number; durationMs: number; sides: Sides }
  /** What `sides[0]` sends to `sides[1]` is lost; the other direction flows. */
  | { kind: 'partition-one-way'; atMs: number; durationMs: number; sides: Sides }
  /** A clogged link both ways: bytes queue in order until the release. */
  | { kind: 'hold'; atMs: number; durationMs: number; sides: Sides }
  /** The machine dies; haproxy starts again after `durationMs`. */
  | { kind: 'crash'; atMs: number; durationMs: number; host: string }
  /** Hard restart: the process is killed (table lost) and a fresh one starts. */
  | { kind: 'restart'; atMs: number; host: string }
  /** Soft reload: the old process teaches the new one. */
  | { kind: 'reload'; atMs: number; host: string }
  /** Source NAT from now on: the host's connections appear from another address. */
  | { kind: 'nat-source'; atMs: number; host: string; asAddress: string }
  /** Peers messages of these kinds are dropped, on every connection, for `durationMs`. */
  | { kind: 'drop-messages'; atMs: number; durationMs: number; messages: FilterableKind[] };

export type FaultKind = Fault['kind'];
export type FilterableKind = Extract<PeersMessageKind, 'ack' | 'heartbeat' | 'resync-control'>;
export const FILTERABLE_KINDS: readonly FilterableKind[] = ['ack', 'heartbeat', 'resync-control'];
export const FAULTS_MAX = 64;

export interface FaultSchedule {
  faults: Fault[];
}

/** When the fault stops acting (its undo), or its instant for one-shot faults. */
export function faultEndMs(fault: Fault): number {
  return 'durationMs' in fault ? fault.atMs + fault.durationMs : fault.atMs;
}

/** The end of the last fault (0 for an empty schedule). */
export function scheduleEndMs(schedule: FaultSchedule): number {
  return schedule.faults.reduce((end, f) => Math.max(end, faultEndMs(f)), 0);
}

/** The hosts a fault names. */
export function faultHosts(fault: Fault): string[] {
  if ('sides' in fault) return [...fault.sides[0], ...fault.sides[1]];
  if ('host' in fault) return [fault.host];
  return [];
}

/** One line a person reads: `12.300 s cut [hap1] | [hap2, hap3] for 6.000 s`. */
export function describeFault(fault: Fault): string {
  const at = `${(fault.atMs / 1000).toFixed(3)} s`;
  const span = 'durationMs' in fault ? ` for ${(fault.durationMs / 1000).toFixed(3)} s` : '';
  if ('sides' in fault) return `${at} ${fault.kind} [${fault.sides[0].join(', ')}] | [${fault.sides[1].join(', ')}]${span}`;
  if (fault.kind === 'nat-source') return `${at} nat-source ${fault.host} as ${fault.asAddress}`;
  if (fault.kind === 'drop-messages') return `${at} drop-messages ${fault.messages.join(', ')}${span}`;
  return `${at} ${fault.kind} ${fault.host}${span}`;
}

export interface AppliedSchedule {
  /** Verbs skipped because the host's state made them meaningless (e.g. reload while down). */
  skipped: () => number;
}

/** Callbacks around the faults properties must see happen (a reload's hand-over). */
export interface ScheduleHooks {
  beforeReload?: (host: string) => void;
  afterReload?: (host: string) => void;
}

/** Schedules every fault of `schedule` on the run behind `s`. */
export function applySchedule(s: ScriptApi, schedule: FaultSchedule, hooks: ScheduleHooks = {}): AppliedSchedule {
  if (schedule.faults.length > FAULTS_MAX) throw new Error(`a fault schedule has at most ${FAULTS_MAX} faults`);
  let skipped = 0;
  const filters = new DropFilters(s, schedule);
  schedule.faults.forEach((fault, index) => {
    const name = `fuzz-${index}`;
    s.at(fault.atMs, () => {
      if (!start(s, fault, name, filters, hooks)) skipped++;
    });
    if ('durationMs' in fault) {
      s.at(fault.atMs + fault.durationMs, () => {
        if (!stop(s, fault, name, filters)) skipped++;
      });
    }
  });
  return { skipped: () => skipped };
}

function start(s: ScriptApi, fault: Fault, name: string, filters: DropFilters, hooks: ScheduleHooks): boolean {
  const world = s.world;
  switch (fault.kind) {
    case 'partition':
      world.partition({ sides: fault.sides, name });
      return true;
    case 'cut':
      world.partition({ sides: fault.sides, name });
      world.resetConnections({ between: fault.sides[0], and: fault.sides[1] });
      return true;
    case 'partition-one-way':
      world.partitionOneWay({ from: fault.sides[0], to: fault.sides[1], name });
      return true;
    case 'hold':
      world.hold({ from: fault.sides[0], to: fault.sides[1], bothWays: true, name });
      return true;
    case 'crash':
      if (!world.host(fault.host).isUp()) return false;
      world.crash(fault.host);
      return true;
    case 'restart':
      world.restart(fault.host);
      return true;
    case 'reload':
      if (!world.host(fault.host).isUp()) return false;
      hooks.beforeReload?.(fault.host);
      world.reload(fault.host);
      hooks.afterReload?.(fault.host);
      return true;
    case 'nat-source':
      world.natSource({ host: fault.host, asAddress: fault.asAddress });
      return true;
    case 'drop-messages':
      filters.add(name, fault.messages);
      return true;
  }
}

function stop(s: ScriptApi, fault: Fault, name: string, filters: DropFilters): boolean {
  const world = s.world;
  switch (fault.kind) {
    case 'partition':
    case 'cut':
    case 'partition-one-way':
      world.heal(name);
      return true;
    case 'hold':
      world.release(name);
      return true;
    case 'crash':
      if (world.host(fault.host).isUp()) return false;
      world.start(fault.host);
      return true;
    case 'drop-messages':
      filters.remove(name);
      return true;
    default:
      return true;
  }
}

/**
 * The union of the active drop-messages faults. The network binds its message filter to each
 * connection when it opens, so one filter is installed before the run (only when the schedule has
 * drop-messages faults: framing costs time) and consults the active set for every message.
 */
class DropFilters {
  private readonly active = new Map<string, readonly FilterableKind[]>();
  private readonly dropped = new Set<PeersMessageKind>();

  constructor(s: ScriptApi, schedule: FaultSchedule) {
    if (!schedule.faults.some((f) => f.kind === 'drop-messages')) return;
    const dropped = this.dropped;
    s.world.network.setMessageFilter({
      createFramer: () => peersFramer,
      decide: (message) => (dropped.size > 0 && dropped.has(peersMessageKind(message.bytes)) ? 'drop' : 'deliver'),
    });
  }

  add(name: string, kinds: readonly FilterableKind[]): void {
    this.active.set(name, kinds);
    this.refresh();
  }

  remove(name: string): void {
    this.active.delete(name);
    this.refresh();
  }

  private refresh(): void {
    this.dropped.clear();
    for (const kinds of this.active.values()) for (const k of kinds) this.dropped.add(k);
  }
}
