/** Plot data: ticks, median, divergence grid, key choice, histogram bins. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramBins } from '../../../reports/html/histogram.ts';
import { chooseKey, divergenceGrid, median, preferredField, seriesFor } from '../../../reports/html/series.ts';
import { niceTicks } from '../../../reports/html/svg.ts';
import type { Sample } from '../../../reports/trace-data.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

function sample(tMs: number, key: string, values: Record<string, number>, field = 'gpc0'): Sample {
  return { tMs, table: 'st', key, values: new Map(Object.entries(values).map(([host, value]) => [host, new Map([[field, value]])])) };
}

describe('niceTicks', () => {
  it('are increasing, inside the range, round, and about as many as asked', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0.5, max: 1e7, noNaN: true }), fc.integer({ min: 2, max: 12 }), (min, width, count) => {
        const ticks = niceTicks(min, min + width, count);
        expect(ticks.length).toBeGreaterThanOrEqual(1);
        expect(ticks.length).toBeLessThanOrEqual(count * 2 + 2);
        for (let i = 1; i < ticks.length; i++) expect(ticks[i]!).toBeGreaterThan(ticks[i - 1]!);
        for (const tick of ticks) {
          expect(tick).toBeGreaterThanOrEqual(min - width * 1e-9);
          expect(tick).toBeLessThanOrEqual(min + width * (1 + 1e-9));
        }
        if (ticks.length > 1) {
          const step = ticks[1]! - ticks[0]!;
          const mantissa = step / 10 ** Math.floor(Math.log10(step));
          expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
        }
      }),
      FC,
    );
  });
});

describe('median', () => {
  it('has as many values at or below it as at or above it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 9 }), (values) => {
        const m = median(values);
        expect(values.filter((v) => v <= m).length * 2).toBeGreaterThanOrEqual(values.length);
        expect(values.filter((v) => v >= m).length * 2).toBeGreaterThanOrEqual(values.length);
      }),
      FC,
    );
  });
});

describe('divergence grid', () => {
  it('is all zero when every node agrees, and the deviation from the median otherwise', () => {
    const agreeing = [sample(0, 'k', { a: 5, b: 5, c: 5 }), sample(1000, 'k', { a: 7, b: 7, c: 7 })];
    const flat = divergenceGrid({ samples: agreeing, field: 'gpc0', hosts: ['a', 'b', 'c'], endMs: 1000, bucketCount: 2, keysMax: 5 });
    expect(flat.maxDeviation).toBe(0);
    expect(flat.cells.flat().every((cell) => cell === 0)).toBe(true);
    const split = divergenceGrid({ samples: [sample(0, 'k', { a: 5, b: 5, c: 11 })], field: 'gpc0', hosts: ['a', 'b', 'c'], endMs: 1000, bucketCount: 4, keysMax: 5 });
    expect(split.rows.map((row) => row.host)).toEqual(['a', 'b', 'c']);
    expect(split.cells.map((row) => row[0])).toEqual([0, 0, 6]);
    expect(split.cells[0]![1]).toBeUndefined();
    expect(split.maxDeviation).toBe(6);
  });

  it('keeps the most divergent keys when there are too many, and says how many it left out', () => {
    const samples = [sample(0, 'calm', { a: 1, b: 1 }), sample(0, 'wild', { a: 1, b: 50 }), sample(0, 'mild', { a: 1, b: 3 })];
    const grid = divergenceGrid({ samples, field: 'gpc0', hosts: ['a', 'b'], endMs: 10, bucketCount: 1, keysMax: 2 });
    expect([...new Set(grid.rows.map((row) => row.key))]).toEqual(['st/wild', 'st/mild']);
    expect(grid.keysOmitted).toBe(1);
  });

  it('every cell is between 0 and the max deviation, for any samples', () => {
    const sampleArb = fc.record({ tMs: fc.nat({ max: 10_000 }), key: fc.constantFrom('k1', 'k2', 'k3'), a: fc.nat(100), b: fc.nat(100), c: fc.nat(100) });
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 40 }), (raw) => {
        const samples = raw.map((r) => sample(r.tMs, r.key, { a: r.a, b: r.b, c: r.c }));
        const grid = divergenceGrid({ samples, field: 'gpc0', hosts: ['a', 'b', 'c'], endMs: 10_000, bucketCount: 7, keysMax: 2 });
        for (const row of grid.cells) {
          expect(row).toHaveLength(7);
          for (const cell of row) if (cell !== undefined) expect(cell).toBeGreaterThanOrEqual(0), expect(cell).toBeLessThanOrEqual(grid.maxDeviation);
        }
        const spreads = raw.map((r) => Math.max(r.a, r.b, r.c) - Math.min(r.a, r.b, r.c));
        if (spreads.some((s) => s > 0)) expect(grid.maxDeviation).toBeGreaterThan(0);
      }),
      FC,
    );
  });
});

describe('key and field choice', () => {
  it('plots the key whose nodes disagreed most, and a gpc/counter field before a rate', () => {
    const samples = [sample(0, 'quiet', { a: 3, b: 3 }), sample(500, 'loud', { a: 3, b: 9 }), sample(900, 'quiet', { a: 3, b: 5 })];
    expect(chooseKey(samples, 'gpc0')).toBe('st/loud');
    const fields: Sample = { tMs: 0, table: 'st', key: 'k', values: new Map([['a', new Map([['http_req_rate(10000)', 1], ['http_req_cnt', 2]])]]) };
    expect(preferredField([fields])).toBe('http_req_cnt');
    expect(preferredField([])).toBeUndefined();
    const series = seriesFor(samples, 'st/quiet', 'gpc0');
    expect(series.get('b')).toEqual([{ tMs: 0, value: 3 }, { tMs: 900, value: 5 }]);
  });
});

describe('histogram bins', () => {
  it('every value falls in exactly one bin and the counts add up', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 200_000 }), { minLength: 1, maxLength: 60 }), (values) => {
        const bins = histogramBins(values);
        expect(bins.reduce((n, bin) => n + bin.count, 0)).toBe(values.length);
        for (let i = 1; i < bins.length; i++) expect(bins[i]!.startMs).toBe(bins[i - 1]!.endMs);
        expect(bins[0]!.startMs).toBe(0);
        for (const value of values) expect(bins.filter((bin) => value >= bin.startMs && value < bin.endMs)).toHaveLength(1);
      }),
      FC,
    );
    expect(histogramBins([])).toEqual([]);
  });
});
