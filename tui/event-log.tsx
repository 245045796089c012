/**
 * The event log: the events up to the cursor that pass the filters (host, kind group, key),
 * newest at the bottom, the cursor's event marked '>'.
 */
import { Box, Text } from 'ink';
import { cell, summarize } from './format.ts';
import { logRows, type Trace, type ViewState } from './state.ts';

export function EventLog(props: { trace: Trace; state: ViewState; width: number; height: number; color: boolean }) {
  const { trace, state, width } = props;
  const rows = logRows(state, trace, Math.max(0, props.height - 1));
  const filters = `host=${state.hostFilter ?? '*'} kind=${state.kindFilter} key=${state.keyFilter ?? '*'}`;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>{cell(`events  ${filters}`, width)}</Text>
      {rows.map((i) => {
        const { store } = trace;
        const mark = i === state.cursor ? '>' : ' ';
        const text = `${mark}${(store.time(i) / 1000).toFixed(3).padStart(9)} ${cell(store.host(i), 6)} ${cell(store.kind(i), 16)} ${summarize(store.kind(i), store.details(i))}`;
        return i === state.cursor ? (
          <Text key={i} inverse>
            {cell(text, width)}
          </Text>
        ) : (
          <Text key={i}>{cell(text, width)}</Text>
        );
      })}
    </Box>
  );
}
