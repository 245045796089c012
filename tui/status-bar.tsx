/** The status line: mode, scenario, seed, policy, play state, cursor time and event, speed. */
import { Text } from 'ink';
import { cell, formatMs } from './format.ts';
import type { Mode } from './keys.ts';
import { SPEEDS, type Trace, type ViewState } from './state.ts';

/** The position part is always whole; the scenario name is cut to what is left of `width`. */
export function statusText(options: { trace: Trace; state: ViewState; mode: Mode; width: number }): string {
  const { trace, state, mode } = options;
  const h = trace.store.header;
  const play = state.playing ? '▶' : '⏸';
  const live = mode === 'explore' ? ` node=${state.selectedHost ?? '-'}${state.follow ? ' live' : ''}` : '';
  const right = ` ${play} ${formatMs(state.timeMs)}/${formatMs(trace.store.endMs())} ev ${state.cursor + 1}/${trace.store.count} ${SPEEDS[state.speedIndex]}x${live}`;
  const left = `${mode} ${h.scenario} seed=${String(h.seed)} ${h.mergePolicy}`;
  return `${cell(left, Math.max(8, options.width - right.length))}${right}`;
}

export function StatusBar(props: { trace: Trace; state: ViewState; mode: Mode; width: number }) {
  return <Text inverse>{cell(statusText(props), props.width)}</Text>;
}
