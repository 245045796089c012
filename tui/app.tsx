/**
 * The replay and explore screen: status bar, timeline, tables and links side by side, the event
 * log, a message line and a key hint; `?` swaps the body for help. State moves only through the
 * reducer (state.ts); keys are bound in keys.ts; the session (explore) or the fork callback
 * (replay) does what the reducer cannot.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { ExploreSession } from './explore-session.ts';
import { cell } from './format.ts';
import { EventLog } from './event-log.tsx';
import { HelpPanel } from './help-view.tsx';
import { bindKey, type Mode, type SessionCommand } from './keys.ts';
import { LinksPanel } from './links-view.tsx';
import { initialState, reduce, type Trace, type ViewAction, type ViewState } from './state.ts';
import { StatusBar } from './status-bar.tsx';
import type { TablesView } from './tables.ts';
import { TablesPanel } from './tables-view.tsx';
import { Timeline } from './timeline.tsx';

export const PLAY_TICK_MS = 100;

export interface ScreenSize {
  columns: number;
  rows: number;
}

export interface AppProps {
  mode: Mode;
  trace: Trace;
  size: ScreenSize;
  color: boolean;
  /** The tables the tables view can show. */
  tableNames: () => string[];
  /** The tables at event `cursor` (may take a while: a replay). */
  tablesAt: (table: string, cursor: number) => TablesView | undefined;
  /** Delay before computing tables after the cursor moved (0: at once). */
  tablesDelayMs: number;
  initialCursor?: number;
  /** Explore: the live session. */
  session?: ExploreSession;
  /** Explore: where `w` writes the trace. */
  savePath?: string;
  /** Replay: branch at the cursor; returns an error message, or undefined when it switched. */
  onFork?: (cursor: number) => string | undefined;
  onQuit?: () => void;
}

export function App(props: AppProps) {
  const { trace, mode, size } = props;
  const app = useApp();
  const [version, setVersion] = useState(0);
  const [state, dispatch] = useReducer(
    (s: ViewState, a: ViewAction) => reduce(s, a, trace),
    undefined,
    () => initialState(trace, { ...(props.initialCursor === undefined ? {} : { cursor: props.initialCursor }), table: props.tableNames()[0], follow: mode === 'explore' }),
  );
  const [tablesLater, setTables] = useState<{ view: TablesView | undefined; forCursor: number; forTable: string | undefined }>({ view: undefined, forCursor: -2, forTable: undefined });

  useEffect(() => {
    if (!state.playing) return;
    const timer = setInterval(() => dispatch({ type: 'tick', wallMs: PLAY_TICK_MS }), PLAY_TICK_MS);
    return () => clearInterval(timer);
  }, [state.playing]);

  useEffect(() => {
    if (state.quit) {
      props.onQuit?.();
      app.exit();
    }
  }, [state.quit]);

  const table = state.table ?? props.tableNames()[0];
  const immediate = props.tablesDelayMs <= 0;
  // Without a delay the tables are computed while rendering (tests, the bench); with one, after
  // the cursor rests, so stepping never waits for a replay.
  const tablesNow = useMemo(
    () => (immediate && table !== undefined ? { view: props.tablesAt(table, state.cursor), forCursor: state.cursor, forTable: table } : undefined),
    [immediate, state.cursor, table, version],
  );
  useEffect(() => {
    if (immediate || table === undefined) return;
    const timer = setTimeout(() => setTables({ view: props.tablesAt(table, state.cursor), forCursor: state.cursor, forTable: table }), props.tablesDelayMs);
    return () => clearTimeout(timer);
  }, [state.cursor, table, version]);
  const tables = tablesNow ?? tablesLater;

  const runCommand = (command: SessionCommand): void => {
    if (command.type === 'fork') {
      const error = props.onFork === undefined ? 'branching is not available here' : props.onFork(latest.current.state.cursor);
      if (error !== undefined) dispatch({ type: 'message', text: error });
      return;
    }
    const session = props.session;
    if (session === undefined) return;
    if (command.type === 'explore') session.perform(command.action);
    else if (command.type === 'advance') session.advance(command.ms);
    else {
      const path = props.savePath ?? 'sticksim-explore.jsonl';
      const events = session.save(path);
      dispatch({ type: 'message', text: `written ${events} events to ${path}` });
      return;
    }
    dispatch({ type: 'appended' });
    setVersion((v) => v + 1);
    if (command.type === 'explore') dispatch({ type: 'message', text: `${command.action.verb}${'host' in command.action ? ` ${command.action.host}` : ''} at ${session.nowMs()} ms` });
  };

  // Ink re-attaches the input handler after each render; a key that arrives before that must
  // still see the latest state, so the handler reads it through a ref.
  const latest = useRef({ state, fields: [] as readonly string[] });
  latest.current = { state, fields: tables.view?.fields ?? [] };
  useInput((input, key) => {
    const binding = bindKey({
      input,
      key,
      state: latest.current.state,
      mode,
      attackRunning: (h) => props.session?.attacks.isRunning(h) ?? false,
      tables: props.tableNames(),
      fields: latest.current.fields,
    });
    if (binding === undefined) return;
    if ('view' in binding) dispatch(binding.view);
    else runCommand(binding.session);
  });

  const hosts = trace.index.hosts();
  const width = Math.max(40, size.columns);
  const linksWidth = Math.min(Math.floor(width / 2), 7 + hosts.length * 11);
  const tablesWidth = width - linksWidth - 1;
  const timelineRows = 3 + hosts.length;
  const middleRows = Math.max(5, Math.min(8, hosts.length + 3));
  const logRowsCount = Math.max(2, size.rows - 1 - timelineRows - middleRows - 2);
  const pending = tables.forCursor !== state.cursor || tables.forTable !== table;
  const hint = state.search !== undefined ? `/${state.search}▏ (enter: search key, esc: cancel)` : (state.message ?? (mode === 'replay' ? 'space play ←/→ step S-←/→ 1s [ ] marks / key b branch ? help q quit' : '1-9 node p part H heal c crash r restart l reload a attack . g G run w save ? help'));
  return (
    <Box flexDirection="column" width={width}>
      <StatusBar trace={trace} state={state} mode={mode} width={width} />
      {state.help ? (
        <HelpPanel mode={mode} width={width} />
      ) : (
        <>
          <Timeline index={trace.index} hosts={hosts} endMs={trace.store.endMs()} cursorMs={state.timeMs} width={width} color={props.color} timeAt={(i) => trace.store.time(i)} />
          <Box flexDirection="row" height={middleRows}>
            <TablesPanel view={tables.view} field={state.field} width={tablesWidth} height={middleRows} color={props.color} pending={pending} />
            <Text> </Text>
            <LinksPanel index={trace.index} hosts={hosts} cursor={state.cursor} width={linksWidth} color={props.color} />
          </Box>
          <EventLog trace={trace} state={state} width={width} height={logRowsCount} color={props.color} />
        </>
      )}
      <Text>{cell(hint, width)}</Text>
    </Box>
  );
}

/** Replay with branching: shows the replay until `b`, then the explore session of the branch. */
export function ReplayRoot(props: { replay: Omit<AppProps, 'onFork'>; fork: (cursor: number) => { explore: Omit<AppProps, 'onFork'> } | string }) {
  const [branch, setBranch] = useState<Omit<AppProps, 'onFork'> | undefined>(undefined);
  if (branch !== undefined) return <App key="explore" {...branch} />;
  return (
    <App
      key="replay"
      {...props.replay}
      onFork={(cursor) => {
        const result = props.fork(cursor);
        if (typeof result === 'string') return result;
        setBranch(result.explore);
        return undefined;
      }}
    />
  );
}
