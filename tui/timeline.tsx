/**
 * The timeline: a time axis, one band row for the network (partitions '#', holds '=') and one
 * per host (crash 'X', pause 'P', resync window '~', reload 'R', restart 'S'), marks of
 * divergences ('!') on the axis, and the cursor column.
 */
import { Box, Text } from 'ink';
import { cell, formatMs } from './format.ts';
import type { TraceIndex } from './trace-index.ts';

export const LABEL_WIDTH = 6;

export interface TimelineModel {
  axis: string;
  rows: { label: string; cells: string }[];
  cursorColumn: number;
}

/** Pure: the rows as text, `width` columns for time (cell c covers [c, c+1) * endMs / width). */
export function timelineRows(options: {
  index: TraceIndex;
  hosts: readonly string[];
  endMs: number;
  width: number;
  cursorMs: number;
  /** Time of event i (marks are events). */
  timeAt: (i: number) => number;
}): TimelineModel {
  const { index, hosts, width } = options;
  const endMs = Math.max(1, options.endMs);
  const col = (ms: number): number => Math.max(0, Math.min(width - 1, Math.floor((ms / endMs) * width)));
  const blank = (): string[] => Array.from({ length: width }, () => '·');
  const net = blank();
  const perHost = new Map(hosts.map((h) => [h, blank()]));
  const fill = (cells: string[], startMs: number, endBandMs: number | undefined, ch: string): void => {
    const to = col(endBandMs ?? endMs);
    for (let c = col(startMs); c <= to; c++) cells[c] = ch;
  };
  for (const band of index.bands) {
    if (band.host === '*') fill(net, band.startMs, band.endMs, band.kind === 'partition' ? '#' : '=');
    else {
      const cells = perHost.get(band.host);
      if (cells !== undefined) fill(cells, band.startMs, band.endMs, band.kind === 'crash' ? 'X' : band.kind === 'pause' ? 'P' : '~');
    }
  }
  for (const instant of index.instants) {
    const cells = perHost.get(instant.host);
    if (cells !== undefined && instant.kind !== 'start') cells[col(instant.atMs)] = instant.kind === 'reload' ? 'R' : 'S';
  }
  const axisCells = Array.from({ length: width }, () => '─');
  for (const mark of index.marks) if (mark.kind === 'divergence' || mark.kind === 'expect') axisCells[col(options.timeAt(mark.index))] = '!';
  const cursorColumn = col(options.cursorMs);
  axisCells[cursorColumn] = '▼';
  const rows = [{ label: 'net', cells: net.join('') }, ...hosts.map((h) => ({ label: h, cells: perHost.get(h)!.join('') }))];
  return { axis: axisCells.join(''), rows, cursorColumn };
}

export function Timeline(props: { index: TraceIndex; hosts: readonly string[]; endMs: number; cursorMs: number; width: number; color: boolean; timeAt: (i: number) => number }) {
  const width = Math.max(10, props.width - LABEL_WIDTH - 1);
  const model = timelineRows({ ...props, width });
  const end = formatMs(props.endMs);
  const axisLabel = `${cell('0s', width - end.length)}${end}`;
  return (
    <Box flexDirection="column">
      <Text>
        {cell('time', LABEL_WIDTH)} {axisLabel}
      </Text>
      <Text>
        {cell('', LABEL_WIDTH)} {model.axis}
      </Text>
      {model.rows.map((row) => (
        <BandRow key={row.label} label={row.label} cells={row.cells} cursorColumn={model.cursorColumn} color={props.color} />
      ))}
    </Box>
  );
}

function BandRow(props: { label: string; cells: string; cursorColumn: number; color: boolean }) {
  const before = props.cells.slice(0, props.cursorColumn);
  const at = props.cells.slice(props.cursorColumn, props.cursorColumn + 1);
  const after = props.cells.slice(props.cursorColumn + 1);
  return (
    <Text>
      {cell(props.label, LABEL_WIDTH)} {colorBands(before, props.color)}
      <Text inverse>{at}</Text>
      {colorBands(after, props.color)}
    </Text>
  );
}

const BAND_COLORS: Record<string, string> = { '#': 'red', '=': 'yellow', X: 'red', P: 'magenta', '~': 'cyan', R: 'green', S: 'green' };

function colorBands(text: string, color: boolean) {
  if (!color) return text;
  const parts: { ch: string; text: string }[] = [];
  for (const ch of text) {
    const last = parts[parts.length - 1];
    if (last !== undefined && last.ch === ch) last.text += ch;
    else parts.push({ ch, text: ch });
  }
  return parts.map((p, i) => {
    const c = BAND_COLORS[p.ch];
    return c === undefined ? <Text key={i} dimColor>{p.text}</Text> : <Text key={i} color={c}>{p.text}</Text>;
  });
}
