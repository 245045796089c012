/**
 * The view state of replay and explore, and the pure reducer that moves it: a cursor over the
 * trace's events (and the time between them while playing), speed, filters of the event log,
 * the chosen table and field, key search, help. Testable without Ink: (state, action, trace) ->
 * state.
 */
import type { TraceIndex } from './trace-index.ts';
import type { TraceStore } from './trace-store.ts';

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000] as const;
const SPEED_DEFAULT_INDEX = 3;
export const JUMP_MS = 1000;

export type KindGroup = 'all' | 'faults' | 'sessions' | 'updates' | 'resync' | 'samples' | 'net' | 'other';
export const KIND_GROUPS: readonly KindGroup[] = ['all', 'faults', 'sessions', 'updates', 'resync', 'samples', 'net', 'other'];

export function kindGroupOf(kind: string): Exclude<KindGroup, 'all'> {
  if (kind.startsWith('fault.') || kind.startsWith('host.') || kind === 'explore.action' || kind === 'expect.result') return 'faults';
  if (kind.startsWith('session.') || kind.startsWith('hello.') || kind === 'peer.dead' || kind === 'collision' || kind.startsWith('heartbeat.')) return 'sessions';
  if (kind.startsWith('update.') || kind.startsWith('ack.') || kind === 'cli' || kind.startsWith('define.')) return 'updates';
  if (kind.startsWith('resync')) return 'resync';
  if (kind === 'table.sample') return 'samples';
  if (kind.startsWith('net.')) return 'net';
  return 'other';
}

export interface ViewState {
  /** Index of the event the cursor is on; -1 before the first. */
  cursor: number;
  /** Simulated time of the cursor (between events while playing). */
  timeMs: number;
  playing: boolean;
  speedIndex: number;
  table: string | undefined;
  field: string | undefined;
  hostFilter: string | undefined;
  kindFilter: KindGroup;
  keyFilter: string | undefined;
  /** The text typed after '/', while searching. */
  search: string | undefined;
  help: boolean;
  message: string | undefined;
  /** Explore: the node the verbs apply to. */
  selectedHost: string | undefined;
  /** Explore: the cursor follows new events. */
  follow: boolean;
  quit: boolean;
}

export type ViewAction =
  | { type: 'step'; by: number }
  | { type: 'jumpMs'; byMs: number }
  | { type: 'mark'; direction: 1 | -1 }
  | { type: 'togglePlay' }
  | { type: 'speed'; by: 1 | -1 }
  | { type: 'tick'; wallMs: number }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'searchStart' }
  | { type: 'searchText'; text: string }
  | { type: 'searchSubmit' }
  | { type: 'searchCancel' }
  | { type: 'searchAgain'; direction: 1 | -1 }
  | { type: 'cycleHost' }
  | { type: 'cycleKind' }
  | { type: 'clearFilters' }
  | { type: 'cycleTable'; tables: readonly string[] }
  | { type: 'cycleField'; fields: readonly string[] }
  | { type: 'selectHost'; number: number }
  | { type: 'toEnd' }
  | { type: 'appended' }
  | { type: 'message'; text: string | undefined };

export interface Trace {
  store: TraceStore;
  index: TraceIndex;
}

export function initialState(trace: Trace, options: { cursor?: number; table?: string; follow?: boolean } = {}): ViewState {
  const cursor = clampCursor(trace, options.cursor ?? (trace.store.count > 0 ? 0 : -1));
  const hosts = trace.index.hosts();
  const tables = [...trace.index.sampleTables];
  return {
    cursor,
    timeMs: cursor < 0 ? 0 : trace.store.time(cursor),
    playing: false,
    speedIndex: SPEED_DEFAULT_INDEX,
    table: options.table ?? tables[0],
    field: undefined,
    hostFilter: undefined,
    kindFilter: 'all',
    keyFilter: undefined,
    search: undefined,
    help: false,
    message: undefined,
    selectedHost: hosts[0],
    follow: options.follow ?? false,
    quit: false,
  };
}

function clampCursor(trace: Trace, cursor: number): number {
  return Math.max(trace.store.count > 0 ? 0 : -1, Math.min(trace.store.count - 1, cursor));
}

function at(trace: Trace, state: ViewState, cursor: number): ViewState {
  const c = clampCursor(trace, cursor);
  return { ...state, cursor: c, timeMs: c < 0 ? 0 : trace.store.time(c), follow: c === trace.store.count - 1 && state.follow, message: undefined };
}

export function reduce(state: ViewState, action: ViewAction, trace: Trace): ViewState {
  const { store, index } = trace;
  switch (action.type) {
    case 'step':
      return at(trace, { ...state, playing: false }, state.cursor + action.by);
    case 'jumpMs': {
      const timeMs = Math.max(0, Math.min(store.endMs(), state.timeMs + action.byMs));
      const cursor = store.lastAtOrBefore(timeMs);
      return { ...state, cursor: clampCursor(trace, cursor), timeMs, message: undefined };
    }
    case 'mark': {
      const marks = index.marks;
      const found = action.direction === 1 ? marks.find((m) => m.index > state.cursor) : [...marks].reverse().find((m) => m.index < state.cursor);
      if (found === undefined) return { ...state, message: action.direction === 1 ? 'no later fault or divergence' : 'no earlier fault or divergence' };
      return { ...at(trace, { ...state, playing: false }, found.index), message: found.label };
    }
    case 'togglePlay':
      return { ...state, playing: !state.playing && store.count > 0, message: undefined };
    case 'speed': {
      const speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, state.speedIndex + action.by));
      return { ...state, speedIndex };
    }
    case 'tick': {
      if (!state.playing) return state;
      const timeMs = state.timeMs + action.wallMs * SPEEDS[state.speedIndex]!;
      const end = store.endMs();
      const cursor = clampCursor(trace, store.lastAtOrBefore(timeMs));
      if (timeMs >= end) return { ...state, cursor: store.count - 1, timeMs: end, playing: false, message: 'end of trace' };
      return { ...state, cursor, timeMs };
    }
    case 'help':
      return { ...state, help: !state.help };
    case 'quit':
      return { ...state, quit: true };
    case 'searchStart':
      return { ...state, search: '', playing: false };
    case 'searchText':
      return { ...state, search: action.text };
    case 'searchCancel':
      return { ...state, search: undefined };
    case 'searchSubmit': {
      const key = (state.search ?? '').trim();
      if (key === '') return { ...state, search: undefined, keyFilter: undefined };
      return searchKey({ ...state, search: undefined, keyFilter: key }, trace, 1, { fromCursor: state.cursor - 1 });
    }
    case 'searchAgain':
      if (state.keyFilter === undefined) return { ...state, message: 'no key searched yet (/ to search)' };
      return searchKey(state, trace, action.direction, { fromCursor: state.cursor });
    case 'cycleHost': {
      const hosts = index.hosts();
      const i = state.hostFilter === undefined ? -1 : hosts.indexOf(state.hostFilter);
      return { ...state, hostFilter: i + 1 < hosts.length ? hosts[i + 1] : undefined };
    }
    case 'cycleKind':
      return { ...state, kindFilter: KIND_GROUPS[(KIND_GROUPS.indexOf(state.kindFilter) + 1) % KIND_GROUPS.length]! };
    case 'clearFilters':
      return { ...state, hostFilter: undefined, kindFilter: 'all', keyFilter: undefined, message: 'filters cleared' };
    case 'cycleTable':
      return { ...state, table: cycle(action.tables, state.table) ?? state.table, field: undefined };
    case 'cycleField':
      return { ...state, field: cycle([undefined, ...action.fields], state.field) };
    case 'selectHost': {
      const host = index.hosts()[action.number - 1];
      return host === undefined ? { ...state, message: `no node ${action.number}` } : { ...state, selectedHost: host, message: `node ${host} selected` };
    }
    case 'toEnd':
      return { ...at(trace, state, store.count - 1), follow: true };
    case 'appended':
      return state.follow ? { ...at(trace, state, store.count - 1), follow: true, message: state.message } : state;
    case 'message':
      return { ...state, message: action.text };
  }
}

function cycle<T>(list: readonly T[], current: T): T | undefined {
  if (list.length === 0) return undefined;
  const i = list.indexOf(current);
  return list[(i + 1) % list.length];
}

/** Moves to the next (previous) event that names the key (`"key":"K"`, or a `cli` command with `key K`). */
function searchKey(state: ViewState, trace: Trace, direction: 1 | -1, options: { fromCursor: number }): ViewState {
  const key = state.keyFilter!;
  const needles = [`"key":${JSON.stringify(key)}`, `key ${key}`];
  let best = -1;
  for (const needle of needles) {
    const found = trace.store.findText(needle, { from: options.fromCursor, direction });
    if (found >= 0 && (best < 0 || (direction === 1 ? found < best : found > best))) best = found;
  }
  if (best < 0) return { ...state, message: `key ${key}: no ${direction === 1 ? 'later' : 'earlier'} event` };
  return { ...at(trace, { ...state, playing: false }, best), keyFilter: key, message: `key ${key} at event ${best + 1}` };
}

/** True when event `i` passes the event log's filters. */
export function eventPasses(state: ViewState, trace: Trace, i: number): boolean {
  const { store } = trace;
  if (state.hostFilter !== undefined && store.host(i) !== state.hostFilter) return false;
  if (state.kindFilter !== 'all' && kindGroupOf(store.kind(i)) !== state.kindFilter) return false;
  if (state.keyFilter !== undefined) {
    const line = store.lineText(i);
    if (!line.includes(`"key":${JSON.stringify(state.keyFilter)}`) && !line.includes(`key ${state.keyFilter}`)) return false;
  }
  return true;
}

const LOG_SCAN_MAX = 200_000;

/** The last `rows` events at or before the cursor that pass the filters (oldest first), bounded scan. */
export function logRows(state: ViewState, trace: Trace, rows: number): number[] {
  const out: number[] = [];
  for (let i = state.cursor, scanned = 0; i >= 0 && out.length < rows && scanned < LOG_SCAN_MAX; i--, scanned++) {
    if (eventPasses(state, trace, i)) out.push(i);
  }
  return out.reverse();
}
