/**
 * From samples to plottable numbers: which field is "the counter", which key diverged most,
 * per-node series of a key, and the divergence grid (key × node × time bucket).
 */
import { assert } from '../../lib/assert.ts';
import type { Sample } from '../trace-data.ts';

/** Fields tried in this order when choosing the counter to plot. */
const FIELD_PREFERENCE: readonly RegExp[] = [/^gpc\(?0\)?$/, /^gpc/, /_cnt$/, /_rate/, /./];

export function keyId(sample: Pick<Sample, 'table' | 'key'>): string {
  return `${sample.table}/${sample.key}`;
}

/** Every field name seen, sorted. */
export function fieldsOf(samples: readonly Sample[]): string[] {
  const fields = new Set<string>();
  for (const sample of samples) for (const byField of sample.values.values()) for (const field of byField.keys()) fields.add(field);
  return [...fields].sort();
}

export function preferredField(samples: readonly Sample[]): string | undefined {
  const fields = fieldsOf(samples);
  for (const pattern of FIELD_PREFERENCE) {
    const found = fields.find((field) => pattern.test(field));
    if (found !== undefined) return found;
  }
  return undefined;
}

export function median(values: readonly number[]): number {
  assert(values.length > 0, 'median of at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fieldValues(sample: Sample, field: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [host, byField] of sample.values) {
    const value = byField.get(field);
    if (value !== undefined) out.push([host, value]);
  }
  return out;
}

/** Key ids in first-seen order with the largest spread (max − min across nodes) each reached. */
export function spreadByKey(samples: readonly Sample[], field: string): Map<string, number> {
  const spreads = new Map<string, number>();
  for (const sample of samples) {
    const values = fieldValues(sample, field).map(([, value]) => value);
    const spread = values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
    const id = keyId(sample);
    spreads.set(id, Math.max(spreads.get(id) ?? 0, spread));
  }
  return spreads;
}

/** The key whose nodes disagreed most (first seen wins a tie); undefined without samples. */
export function chooseKey(samples: readonly Sample[], field: string): string | undefined {
  let best: string | undefined;
  let bestSpread = -1;
  for (const [id, spread] of spreadByKey(samples, field)) {
    if (spread > bestSpread) {
      best = id;
      bestSpread = spread;
    }
  }
  return best;
}

export interface Point {
  readonly tMs: number;
  readonly value: number;
}

/** host → points of one key's field, in time order. */
export function seriesFor(samples: readonly Sample[], id: string, field: string): Map<string, Point[]> {
  const series = new Map<string, Point[]>();
  for (const sample of samples) {
    if (keyId(sample) !== id) continue;
    for (const [host, value] of fieldValues(sample, field)) {
      let points = series.get(host);
      if (points === undefined) series.set(host, (points = []));
      points.push({ tMs: sample.tMs, value });
    }
  }
  return series;
}

export interface DivergenceGrid {
  readonly rows: ReadonlyArray<{ readonly key: string; readonly host: string }>;
  /** [row][bucket]: |value − median across nodes| of the bucket's last sample; undefined = none. */
  readonly cells: ReadonlyArray<ReadonlyArray<number | undefined>>;
  readonly bucketMs: number;
  readonly maxDeviation: number;
  /** Keys left out because of rowsMax. */
  readonly keysOmitted: number;
}

/** Builds the key × node × time-bucket deviation grid, most divergent keys first. */
export function divergenceGrid(options: {
  samples: readonly Sample[];
  field: string;
  hosts: readonly string[];
  endMs: number;
  bucketCount: number;
  keysMax: number;
}): DivergenceGrid {
  const { samples, field, hosts } = options;
  assert(options.bucketCount >= 1 && options.keysMax >= 1, 'grid has buckets and keys');
  const bucketMs = Math.max(1, Math.ceil((options.endMs + 1) / options.bucketCount));
  const spreads = [...spreadByKey(samples, field)];
  const ranked = spreads.map(([id, spread], order) => ({ id, spread, order }));
  ranked.sort((a, b) => b.spread - a.spread || a.order - b.order);
  const keys = ranked.slice(0, options.keysMax).map((entry) => entry.id);
  const rowIndex = new Map<string, number>();
  const rows: Array<{ key: string; host: string }> = [];
  for (const key of keys) {
    for (const host of hosts) {
      rowIndex.set(`${key}\u0000${host}`, rows.length);
      rows.push({ key, host });
    }
  }
  const cells: Array<Array<number | undefined>> = rows.map(() => new Array<number | undefined>(options.bucketCount).fill(undefined));
  let maxDeviation = 0;
  for (const sample of samples) {
    const values = fieldValues(sample, field);
    if (values.length === 0) continue;
    const middle = median(values.map(([, value]) => value));
    const bucket = Math.min(options.bucketCount - 1, Math.floor(sample.tMs / bucketMs));
    for (const [host, value] of values) {
      const row = rowIndex.get(`${keyId(sample)}\u0000${host}`);
      if (row === undefined) continue;
      const deviation = Math.abs(value - middle);
      cells[row]![bucket] = deviation;
      maxDeviation = Math.max(maxDeviation, deviation);
    }
  }
  return { rows, cells, bucketMs, maxDeviation, keysOmitted: Math.max(0, spreads.length - keys.length) };
}
