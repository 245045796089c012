/**
 * The plain summary printed instead of drawing when stdout is not a terminal: what the trace is,
 * its faults and divergences in order, the expectations, and the last sample of each key.
 */
import { formatMs, summarize } from './format.ts';
import type { Trace } from './state.ts';

const MARKS_SHOWN_MAX = 200;

export function plainSummary(trace: Trace): string {
  const { store, index } = trace;
  const h = store.header;
  const out: string[] = [];
  out.push(`trace: scenario ${h.scenario}, seed ${String(h.seed)}, policy ${h.mergePolicy}, sticksim ${h.sticksimVersion}`);
  out.push(`events: ${store.count}, simulated ${formatMs(store.endMs())}, hosts: ${index.hosts().join(', ')}`);
  if (store.problemCount > 0) out.push(`problems: ${store.problemCount} bad line(s), first at line ${store.problems[0]?.line}: ${store.problems[0]?.message}`);
  out.push('', 'bands:');
  for (const b of index.bands) out.push(`  ${formatMs(b.startMs)} .. ${b.endMs === undefined ? 'end' : formatMs(b.endMs)}  ${b.kind.padEnd(9)} ${b.label}`);
  out.push('', 'faults and divergences:');
  for (const m of index.marks.slice(0, MARKS_SHOWN_MAX)) out.push(`  ${formatMs(store.time(m.index))}  ${m.kind.padEnd(10)} ${m.label}`);
  if (index.marks.length > MARKS_SHOWN_MAX) out.push(`  … ${index.marks.length - MARKS_SHOWN_MAX} more`);
  const expectations: string[] = [];
  const expectKind = store.kindIdOf('expect.result');
  if (expectKind !== undefined) {
    for (let i = store.count - 1, n = 0; i >= 0 && n < 10_000; i--, n++) {
      if (store.kindId(i) === expectKind) {
        const d = store.details(i);
        expectations.unshift(`  ${d['passed'] === true ? 'pass' : 'FAIL'} ${String(d['name'])}: ${String(d['message'])}`);
      }
    }
  }
  if (expectations.length > 0) out.push('', 'expectations:', ...expectations);
  const lastSamples: string[] = [];
  for (const table of index.sampleTables) {
    for (const key of index.sampleKeys(table)) {
      const at = index.sampleAt(table, key, store.count - 1);
      if (at >= 0) lastSamples.push(`  ${formatMs(store.time(at))}  ${summarize('table.sample', store.details(at))}`);
    }
  }
  if (lastSamples.length > 0) out.push('', 'last samples:', ...lastSamples);
  return `${out.join('\n')}\n`;
}
