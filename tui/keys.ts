/**
 * Key bindings: what a key press means in replay and in explore. Pure: (input, key, state) ->
 * a view action (for the reducer) or a command for the session (explore verbs, time, save, fork).
 */
import type { Key } from 'ink';
import { ATTACK_RATE_PER_S, ATTACK_SOURCE, type ExploreAction } from './actions.ts';
import { JUMP_MS, type ViewAction, type ViewState } from './state.ts';

export type Mode = 'replay' | 'explore';

export type SessionCommand =
  | { type: 'explore'; action: ExploreAction }
  | { type: 'advance'; ms: number }
  | { type: 'save' }
  | { type: 'fork' };

export type Binding = { view: ViewAction } | { session: SessionCommand } | undefined;

export const STEP_MS = 100;
export const RUN_MS = 1000;
export const RUN_LONG_MS = 10_000;

export interface KeyHelp {
  keys: string;
  does: string;
  mode?: Mode;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: 'space', does: 'play / pause' },
  { keys: '← →', does: 'step one event' },
  { keys: 'shift+← →', does: 'jump one second' },
  { keys: '[ ]', does: 'previous / next fault or divergence' },
  { keys: '/', does: 'search a key (enter: go, esc: cancel)' },
  { keys: 'n N', does: 'next / previous event of the key' },
  { keys: '+ -', does: 'speed up / down' },
  { keys: 'h k x', does: 'filter log by host / kind; clear filters' },
  { keys: 't f', does: 'next table / field of the tables view' },
  { keys: 'b', does: 'branch here: explore from the cursor', mode: 'replay' },
  { keys: '1-9', does: 'select node', mode: 'explore' },
  { keys: 'p H', does: 'partition selected node / heal all', mode: 'explore' },
  { keys: 'c r l', does: 'crash / restart / reload selected node', mode: 'explore' },
  { keys: 'a', does: 'start / stop an attack on selected node', mode: 'explore' },
  { keys: '. g G', does: 'run 100 ms / 1 s / 10 s', mode: 'explore' },
  { keys: 'e', does: 'follow the live end', mode: 'explore' },
  { keys: 'w', does: 'write the session trace', mode: 'explore' },
  { keys: '?', does: 'help' },
  { keys: 'q', does: 'quit' },
];

export interface BindOptions {
  input: string;
  key: Key;
  state: ViewState;
  mode: Mode;
  attackRunning: (host: string) => boolean;
  /** Tables and fields the tables view can show (for t and f). */
  tables: readonly string[];
  fields: readonly string[];
}

export function bindKey(options: BindOptions): Binding {
  const { input, key, state, mode } = options;
  if (state.search !== undefined) return searchBinding(input, key, state.search);
  if (key.leftArrow) return { view: key.shift ? { type: 'jumpMs', byMs: -JUMP_MS } : { type: 'step', by: -1 } };
  if (key.rightArrow) return { view: key.shift ? { type: 'jumpMs', byMs: JUMP_MS } : { type: 'step', by: 1 } };
  if (state.help && input !== '?' && input !== 'q') return { view: { type: 'help' } };
  switch (input) {
    case ' ':
      return { view: { type: 'togglePlay' } };
    case '[':
      return { view: { type: 'mark', direction: -1 } };
    case ']':
      return { view: { type: 'mark', direction: 1 } };
    case '/':
      return { view: { type: 'searchStart' } };
    case 'n':
      return { view: { type: 'searchAgain', direction: 1 } };
    case 'N':
      return { view: { type: 'searchAgain', direction: -1 } };
    case '+':
    case '=':
      return { view: { type: 'speed', by: 1 } };
    case '-':
      return { view: { type: 'speed', by: -1 } };
    case '?':
      return { view: { type: 'help' } };
    case 'q':
      return { view: { type: 'quit' } };
    case 'h':
      return { view: { type: 'cycleHost' } };
    case 'k':
      return { view: { type: 'cycleKind' } };
    case 'x':
      return { view: { type: 'clearFilters' } };
    case 't':
      return { view: { type: 'cycleTable', tables: options.tables } };
    case 'f':
      return { view: { type: 'cycleField', fields: options.fields } };
  }
  return mode === 'replay' ? (input === 'b' ? { session: { type: 'fork' } } : undefined) : exploreBinding(input, state, options.attackRunning);
}

function searchBinding(input: string, key: Key, text: string): Binding {
  if (key.return) return { view: { type: 'searchSubmit' } };
  if (key.escape) return { view: { type: 'searchCancel' } };
  if (key.backspace || key.delete) return { view: { type: 'searchText', text: text.slice(0, -1) } };
  if (input.length > 0 && !key.ctrl && !key.meta) return { view: { type: 'searchText', text: text + input } };
  return undefined;
}

function exploreBinding(input: string, state: ViewState, attackRunning: (host: string) => boolean): Binding {
  if (/^[1-9]$/.test(input)) return { view: { type: 'selectHost', number: Number(input) } };
  if (input === '.') return { session: { type: 'advance', ms: STEP_MS } };
  if (input === 'g') return { session: { type: 'advance', ms: RUN_MS } };
  if (input === 'G') return { session: { type: 'advance', ms: RUN_LONG_MS } };
  if (input === 'w') return { session: { type: 'save' } };
  if (input === 'e') return { view: { type: 'toEnd' } };
  if (input === 'H') return { session: { type: 'explore', action: { verb: 'heal' } } };
  const host = state.selectedHost;
  if (host === undefined) return undefined;
  switch (input) {
    case 'p':
      return { session: { type: 'explore', action: { verb: 'partition', host } } };
    case 'c':
      return { session: { type: 'explore', action: { verb: 'crash', host } } };
    case 'r':
      return { session: { type: 'explore', action: { verb: 'restart', host } } };
    case 'l':
      return { session: { type: 'explore', action: { verb: 'reload', host } } };
    case 'a':
      return {
        session: {
          type: 'explore',
          action: attackRunning(host) ? { verb: 'attack.stop', host } : { verb: 'attack.start', host, ratePerS: ATTACK_RATE_PER_S, src: ATTACK_SOURCE },
        },
      };
  }
  return undefined;
}
