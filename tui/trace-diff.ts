/**
 * Where two futures part: the first event at which two traces differ (time, host, kind or any
 * detail), and how the nodes' tables differ at the end of each.
 */
import { formatMs, summarize } from './format.ts';
import { rowDiffers, type TablesView } from './tables.ts';
import type { TraceStore } from './trace-store.ts';

export interface Divergence {
  /** Index of the first differing event (equal to the shorter length when one is a prefix). */
  index: number;
  /** Time of the last common event (0 if none). */
  commonMs: number;
}

export function firstDifference(a: TraceStore, b: TraceStore): Divergence | undefined {
  const n = Math.min(a.count, b.count);
  let i = 0;
  while (i < n && a.lineText(i) === b.lineText(i)) i++;
  if (i === n && a.count === b.count) return undefined;
  return { index: i, commonMs: i === 0 ? 0 : a.time(i - 1) };
}

function describe(store: TraceStore, i: number): string {
  if (i >= store.count) return '(trace ends)';
  return `${formatMs(store.time(i))} ${store.host(i)} ${store.kind(i)} ${summarize(store.kind(i), store.details(i))}`;
}

/** Rows of `table` that differ between A and B on some node: `key node field: A -> B`. */
export function tableDifferences(a: TablesView, b: TablesView): string[] {
  const out: string[] = [];
  const keys = [...new Set([...a.rows.keys(), ...b.rows.keys()])].sort();
  const hosts = [...new Set([...a.hosts, ...b.hosts])];
  for (const key of keys) {
    for (const host of hosts) {
      const va = a.rows.get(key)?.get(host);
      const vb = b.rows.get(key)?.get(host);
      if (va === undefined && vb === undefined) continue;
      if (va === undefined || vb === undefined) {
        out.push(`${key} ${host}: ${va === undefined ? 'absent' : 'present'} -> ${vb === undefined ? 'absent' : 'present'}`);
        continue;
      }
      for (const f of new Set([...va.keys(), ...vb.keys()])) {
        if (va.get(f) !== vb.get(f)) out.push(`${key} ${host} ${f}: ${va.get(f) ?? '-'} -> ${vb.get(f) ?? '-'}`);
      }
    }
  }
  return out;
}

export function diffReport(options: { nameA: string; nameB: string; a: TraceStore; b: TraceStore; tablesA: TablesView[]; tablesB: TablesView[] }): string {
  const { a, b } = options;
  const out: string[] = [];
  const d = firstDifference(a, b);
  if (d === undefined) {
    out.push(`identical: ${a.count} events in both`);
  } else {
    out.push(`common: ${d.index} events, up to ${formatMs(d.commonMs)}`);
    out.push(`futures part at event ${d.index + 1}:`);
    out.push(`  A ${options.nameA}: ${describe(a, d.index)}`);
    out.push(`  B ${options.nameB}: ${describe(b, d.index)}`);
    out.push(`after: A has ${a.count - d.index} more events (to ${formatMs(a.endMs())}), B has ${b.count - d.index} (to ${formatMs(b.endMs())})`);
  }
  for (const ta of options.tablesA) {
    const tb = options.tablesB.find((t) => t.table === ta.table);
    if (tb === undefined) continue;
    const rows = tableDifferences(ta, tb);
    out.push('', `table ${ta.table} at the end (A ${formatMs(ta.atMs)} ${ta.source}, B ${formatMs(tb.atMs)} ${tb.source}): ${rows.length === 0 ? 'same on every node' : `${rows.length} difference(s)`}`);
    for (const r of rows) out.push(`  ${r}`);
    const split = (v: TablesView): string[] => [...v.rows.keys()].filter((k) => rowDiffers(v, k));
    out.push(`  keys that differ between nodes: A [${split(ta).join(', ')}]  B [${split(tb).join(', ')}]`);
  }
  return `${out.join('\n')}\n`;
}
