/**
 * The peer links as a matrix: row = the node, column = the peer it sees, HAProxy's
 * `last_status` word (ESTA, CONN, HSHK, NAME, UNKN, …; NONE without a session) and
 * "partitioned"/"held" when a fault stops that direction at the cursor.
 */
import { Box, Text } from 'ink';
import { cell } from './format.ts';
import type { LinkLabel, TraceIndex } from './trace-index.ts';

export interface LinkCell {
  label: LinkLabel;
  fault: 'partitioned' | 'held' | undefined;
}

/** Pure: the matrix at event `cursor`. */
export function linkMatrix(index: TraceIndex, hosts: readonly string[], cursor: number): (LinkCell | undefined)[][] {
  return hosts.map((from) => hosts.map((to) => (from === to ? undefined : { label: index.linkLabelAt(from, to, cursor), fault: index.linkFaultAt(from, to, cursor) })));
}

export function cellText(c: LinkCell | undefined): string {
  if (c === undefined) return '·';
  if (c.fault === undefined) return c.label;
  return `${c.label} ${c.fault === 'partitioned' ? 'part' : 'held'}`;
}

const LABEL_COLORS: Partial<Record<LinkLabel, string>> = { ESTA: 'green', CONN: 'yellow', HSHK: 'yellow', NONE: 'gray' };

export function LinksPanel(props: { index: TraceIndex; hosts: readonly string[]; cursor: number; width: number; color: boolean }) {
  const matrix = linkMatrix(props.index, props.hosts, props.cursor);
  const colWidth = Math.max(6, Math.min(12, Math.floor((props.width - 7) / Math.max(1, props.hosts.length))));
  return (
    <Box flexDirection="column" width={props.width}>
      <Text bold>{cell('links (row sees column)', props.width)}</Text>
      <Text>
        {cell('', 7)}
        {props.hosts.map((h) => cell(h, colWidth)).join('')}
      </Text>
      {props.hosts.map((from, r) => (
        <Text key={from}>
          {cell(from, 7)}
          {matrix[r]!.map((c, k) => {
            const text = cell(cellText(c), colWidth);
            const color = !props.color || c === undefined ? undefined : c.fault !== undefined ? 'red' : LABEL_COLORS[c.label] ?? 'magenta';
            return (
              <Text key={k} color={color}>
                {text}
              </Text>
            );
          })}
        </Text>
      ))}
    </Box>
  );
}
