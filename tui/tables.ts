/**
 * The nodes' tables side by side: from `show table <name>` answers of each host (a replayed or
 * live world), or, when the run cannot be replayed, from the trace's latest `table.sample`
 * of each watched key. Values are kept as text, as `show table` prints them.
 */
import type { TraceIndex } from './trace-index.ts';
import type { TraceStore } from './trace-store.ts';

export type TablesSource = 'replay' | 'live' | 'samples';

export interface TablesView {
  table: string;
  atMs: number;
  source: TablesSource;
  hosts: string[];
  /** key -> host -> field -> value text; a host without the entry is absent. */
  rows: Map<string, Map<string, Map<string, string>>>;
  /** Field names in first-seen order (without use/exp, which differ between nodes by nature). */
  fields: string[];
  note?: string;
}

export interface ShowTable {
  entries: Map<string, Map<string, string>>;
}

const ENTRY_LINE = /^0x[0-9a-f]+: key=(.*?) use=\d+ exp=\S+(.*)$/;
const ROWS_MAX = 10_000;

/** Reads `show table <name>` text: one entry a line (`0x…: key=K use=U exp=E f=v …`). */
export function parseShowTable(text: string): ShowTable {
  const entries = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    const m = ENTRY_LINE.exec(line);
    if (m === null || entries.size >= ROWS_MAX) continue;
    const fields = new Map<string, string>();
    for (const token of (m[2] ?? '').trim().split(' ')) {
      const eq = token.indexOf('=');
      if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
    }
    entries.set(m[1]!, fields);
  }
  return { entries };
}

/** Builds the view from each host's `show table` answer (undefined: the host runs no process). */
export function tablesFromAnswers(options: {
  table: string;
  atMs: number;
  source: TablesSource;
  answers: ReadonlyMap<string, string | undefined>;
}): TablesView {
  const rows = new Map<string, Map<string, Map<string, string>>>();
  const fields: string[] = [];
  const hosts = [...options.answers.keys()];
  for (const [host, answer] of options.answers) {
    if (answer === undefined) continue;
    for (const [key, values] of parseShowTable(answer).entries) {
      let row = rows.get(key);
      if (row === undefined) rows.set(key, (row = new Map()));
      row.set(host, values);
      for (const f of values.keys()) if (!fields.includes(f)) fields.push(f);
    }
  }
  return { table: options.table, atMs: options.atMs, source: options.source, hosts, rows, fields };
}

/** The latest table.sample of every sampled key of `table` at or before event `cursor`. */
export function tablesFromSamples(options: { store: TraceStore; index: TraceIndex; table: string; cursor: number; note?: string }): TablesView {
  const { store, index, table, cursor } = options;
  const rows = new Map<string, Map<string, Map<string, string>>>();
  const fields: string[] = [];
  for (const key of index.sampleKeys(table)) {
    const at = index.sampleAt(table, key, cursor);
    if (at < 0) continue;
    const values = store.details(at)['values'];
    if (values === null || typeof values !== 'object') continue;
    const row = new Map<string, Map<string, string>>();
    for (const [host, hv] of Object.entries(values as Record<string, unknown>)) {
      if (hv === null || typeof hv !== 'object') continue;
      const m = new Map<string, string>();
      for (const [f, v] of Object.entries(hv as Record<string, unknown>)) {
        m.set(f, String(v));
        if (!fields.includes(f)) fields.push(f);
      }
      row.set(host, m);
    }
    rows.set(key, row);
  }
  const atMs = cursor < 0 ? 0 : store.time(cursor);
  return { table, atMs, source: 'samples', hosts: index.hosts(), rows, fields, ...(options.note === undefined ? {} : { note: options.note }) };
}

/** True when the hosts hold different values of `field` for this row (or only some hold it). */
export function rowDiffers(view: TablesView, key: string, field?: string): boolean {
  const row = view.rows.get(key);
  if (row === undefined) return false;
  const texts = view.hosts.map((h) => {
    const values = row.get(h);
    if (values === undefined) return '\u0000absent';
    if (field !== undefined) return values.get(field) ?? '';
    return [...values.entries()].map(([f, v]) => `${f}=${v}`).join(' ');
  });
  return texts.some((t) => t !== texts[0]);
}

/** `show table`-like text of a view (the `show` command's fallback when replay is impossible). */
export function formatTablesView(view: TablesView, host: string): string {
  const lines = [`# table: ${view.table} (from table.sample at ${view.atMs} ms; the run could not be replayed)`];
  for (const [key, row] of view.rows) {
    const values = row.get(host);
    if (values === undefined) continue;
    lines.push(`key=${key} ${[...values.entries()].map(([f, v]) => `${f}=${v}`).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
