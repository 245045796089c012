/**
 * The chosen table on every node side by side, one field at a time (f cycles): a row per key,
 * '≠' before rows whose nodes differ and the differing values in red (bold without colour).
 */
import { Box, Text } from 'ink';
import { cell, formatMs } from './format.ts';
import { rowDiffers, type TablesView } from './tables.ts';

const KEY_WIDTH = 16;

/** The field shown: the chosen one, else the first that differs somewhere, else the first. */
export function shownField(view: TablesView, chosen: string | undefined): string | undefined {
  if (chosen !== undefined) return chosen;
  for (const f of view.fields) for (const key of view.rows.keys()) if (rowDiffers(view, key, f)) return f;
  return view.fields[0];
}

export function TablesPanel(props: { view: TablesView | undefined; field: string | undefined; width: number; height: number; color: boolean; pending: boolean; note?: string }) {
  const { view, width } = props;
  if (view === undefined) {
    return (
      <Box flexDirection="column" width={width}>
        <Text bold>{cell('tables', width)}</Text>
        <Text>{cell(props.note ?? (props.pending ? 'replaying…' : 'no table in this trace'), width)}</Text>
      </Box>
    );
  }
  const field = shownField(view, props.field);
  const hostWidth = Math.max(5, Math.floor((width - KEY_WIDTH - 2) / Math.max(1, view.hosts.length)));
  const keys = [...view.rows.keys()].sort();
  const rowsShown = Math.max(0, props.height - 2);
  const diffCount = keys.filter((k) => rowDiffers(view, k)).length;
  const title = `table ${view.table} @ ${formatMs(view.atMs)} (${view.source}${props.pending ? ', updating' : ''}) ${field ?? ''} ${diffCount > 0 ? `${diffCount}≠` : ''}`;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>{cell(title, width)}</Text>
      <Text>
        {cell('  key', KEY_WIDTH)}
        {view.hosts.map((h) => cell(h, hostWidth)).join('')}
      </Text>
      {keys.length === 0 ? <Text>{cell('  (empty)', width)}</Text> : null}
      {keys.slice(0, rowsShown).map((key) => {
        const differs = field !== undefined && rowDiffers(view, key, field);
        const row = view.rows.get(key)!;
        return (
          <Text key={key}>
            {cell(`${differs ? '≠' : ' '} ${key}`, KEY_WIDTH)}
            {view.hosts.map((h) => {
              const values = row.get(h);
              const text = values === undefined ? '-' : field === undefined ? '' : (values.get(field) ?? '');
              return differs ? (
                <Text key={h} color={props.color ? 'red' : undefined} bold>
                  {cell(text, hostWidth)}
                </Text>
              ) : (
                <Text key={h}>{cell(text, hostWidth)}</Text>
              );
            })}
          </Text>
        );
      })}
      {keys.length > rowsShown ? <Text dimColor>{cell(`  … ${keys.length - rowsShown} more keys`, width)}</Text> : null}
    </Box>
  );
}
