/**
 * Wiring of the screens: the App's props for a replay (tables from a replayed run, or from the
 * trace's samples when the scenario is unknown) and for an explore session (tables from the
 * live world at the live end, replayed from the session's own trace when looking back).
 */
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import type { AppProps, ScreenSize } from './app.tsx';
import { ExploreSession } from './explore-session.ts';
import { Replayer } from './replayer.ts';
import { tablesFromSamples } from './tables.ts';
import { TraceIndex } from './trace-index.ts';
import type { TraceStore } from './trace-store.ts';
import type { Trace } from './state.ts';

export interface ScreenOptions {
  size: ScreenSize;
  color: boolean;
  tablesDelayMs: number;
  onQuit?: () => void;
}

export type ScreenProps = Omit<AppProps, 'onFork'>;

export function openTrace(store: TraceStore): Trace {
  return { store, index: new TraceIndex(store) };
}

export function replayScreen(options: ScreenOptions & { trace: Trace; spec: ScenarioSpec | string; initialCursor?: number }): ScreenProps {
  const { trace, spec } = options;
  const replayer = typeof spec === 'string' ? undefined : new Replayer(spec, trace.store, trace.index);
  const note = typeof spec === 'string' ? `${spec}: tables from table.sample` : undefined;
  return {
    mode: 'replay',
    trace,
    size: options.size,
    color: options.color,
    tablesDelayMs: options.tablesDelayMs,
    ...(options.initialCursor === undefined ? {} : { initialCursor: options.initialCursor }),
    ...(options.onQuit === undefined ? {} : { onQuit: options.onQuit }),
    tableNames: () => {
      const sampled = [...trace.index.sampleTables];
      if (replayer === undefined || sampled.length > 0) return sampled;
      return ['st'];
    },
    tablesAt: (table, cursor) =>
      replayer === undefined ? tablesFromSamples({ store: trace.store, index: trace.index, table, cursor, ...(note === undefined ? {} : { note }) }) : replayer.tablesAt(table, cursor),
  };
}

export function exploreScreen(options: ScreenOptions & { session: ExploreSession; spec: ScenarioSpec; savePath: string }): ScreenProps {
  const { session, spec } = options;
  const trace: Trace = { store: session.store, index: session.index };
  const replayer = new Replayer(spec, session.store, session.index);
  return {
    mode: 'explore',
    trace,
    session,
    savePath: options.savePath,
    size: options.size,
    color: options.color,
    tablesDelayMs: options.tablesDelayMs,
    initialCursor: session.store.count - 1,
    ...(options.onQuit === undefined ? {} : { onQuit: options.onQuit }),
    tableNames: () => session.tableNames(),
    tablesAt: (table, cursor) => (cursor >= session.store.count - 1 ? session.tablesNow(table) : replayer.tablesAt(table, cursor)),
  };
}

/** The branch of a replay at `cursor`, as an explore screen. */
export function forkScreen(options: ScreenOptions & { trace: Trace; spec: ScenarioSpec | string; cursor: number; savePath: string }): { explore: ScreenProps } | string {
  if (typeof options.spec === 'string') return `cannot branch: ${options.spec}`;
  const session = ExploreSession.fork(options.spec, { ...options.trace, cursor: options.cursor });
  return { explore: exploreScreen({ ...options, session, spec: options.spec }) };
}
