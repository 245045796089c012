/** Names and formats of run figures, shared by the Markdown and HTML reports. */
import { formatFigureValue, type FigureValue, type ScenarioRunResult } from '../scenarios/results.ts';

const KNOWN_ORDER = ['attackerLetThrough', 'legitDenied', 'convergeMs'];
const KNOWN_LABELS: ReadonlyMap<string, string> = new Map([
  ['attackerLetThrough', 'attacker let through'],
  ['legitDenied', 'legit denied'],
  ['convergeMs', 'time to converge'],
]);

/** `convergeMs` → "time to converge", `resyncPeakMs` → "resync peak". */
export function figureLabel(name: string): string {
  const known = KNOWN_LABELS.get(name);
  if (known !== undefined) return known;
  const base = name.endsWith('Ms') ? name.slice(0, -2) : name;
  return base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** `convergeMs` 5120 → "5.12 s"; counts as integers with thousands separators; strings and records as they are. */
export function formatFigure(name: string, value: FigureValue): string {
  if (typeof value !== 'number') return formatFigureValue(value);
  if (name.endsWith('Ms')) return `${Number((value / 1000).toFixed(3))} s`;
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Number(value.toPrecision(6)));
}

/** The figure names to show as columns: the known ones first, then by how many runs have them. */
export function figureColumns(runs: readonly ScenarioRunResult[], columnsMax: number): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) for (const name of Object.keys(run.figures)) counts.set(name, (counts.get(name) ?? 0) + 1);
  const names = [...counts.keys()];
  names.sort((a, b) => {
    const ka = KNOWN_ORDER.indexOf(a);
    const kb = KNOWN_ORDER.indexOf(b);
    if (ka !== kb) return (ka === -1 ? Infinity : ka) - (kb === -1 ? Infinity : kb);
    return (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return names.slice(0, columnsMax);
}
