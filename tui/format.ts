/**
 * Small pure text helpers of the views: times, fixed-width cells, one-line event summaries,
 * and whether colours are allowed (NO_COLOR).
 */
import type { Details } from './trace-store.ts';

/** NO_COLOR (https://no-color.org): any non-empty value turns colours off. */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env['NO_COLOR'];
  return v === undefined || v === '';
}

export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/** `text` cut or padded to exactly `width` columns. */
export function cell(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? text.slice(0, 1) : `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
}

const QUIET = new Set(['local', 'pid', 'section', 'session', 'values', 'bytes', 'answer', 'streams', 'config']);

function scalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.includes(' ') ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => Array.isArray(v) || typeof v === 'string')) {
    return value.map((v) => (Array.isArray(v) ? v.join(',') : String(v))).join('|');
  }
  return undefined;
}

/** The values of an update or sample, compact: `gpc0=5 conn_cnt=0` (rates as their current count). */
export function compactValues(values: unknown): string {
  if (values === null || typeof values !== 'object') return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    if (typeof v === 'number') parts.push(`${k}=${v}`);
    else if (Array.isArray(v) && typeof v[1] === 'number') parts.push(`${k}=${String(v[1])}`);
    else if (v !== null && typeof v === 'object') parts.push(`${k}{${compactValues(v)}}`);
  }
  return parts.join(' ');
}

/** One line about an event's details, most telling fields first. */
export function summarize(kind: string, details: Details): string {
  if (kind === 'cli') return `${String(details['command'])}`;
  if (kind === 'table.sample') return `${String(details['table'])} ${String(details['key'])} ${compactValues(details['values'])}`;
  const parts: string[] = [];
  const first = ['key', 'peer', 'verb', 'node', 'role', 'code', 'name', 'sides', 'reason', 'updateId', 'state'];
  for (const k of first) {
    const s = scalar(details[k]);
    if (s !== undefined) parts.push(`${k}=${s}`);
  }
  if (details['values'] !== undefined && kind !== 'table.sample') parts.push(compactValues(details['values']));
  for (const [k, v] of Object.entries(details)) {
    if (first.includes(k) || QUIET.has(k)) continue;
    const s = scalar(v);
    if (s !== undefined) parts.push(`${k}=${s}`);
  }
  return parts.join(' ');
}
