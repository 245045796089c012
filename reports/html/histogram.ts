/** The time-to-converge histogram across the runs of a suite (figure `convergeMs`). */
import { assert } from '../../lib/assert.ts';
import { element, formatNumber, formatSeconds, innerHeight, linearScale, niceMax, niceTicks, svgDocument, title, xAxis, yAxis, type PlotBox } from './svg.ts';

export interface HistogramBin {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
}

const BOX: PlotBox = { width: 880, height: 240, left: 60, right: 16, top: 20, bottom: 40 };
const BINS_TARGET = 12;

/** Equal-width bins with round edges covering every value; empty input gives no bins. */
export function histogramBins(valuesMs: readonly number[], binsTarget = BINS_TARGET): HistogramBin[] {
  if (valuesMs.length === 0) return [];
  for (const value of valuesMs) assert(Number.isFinite(value) && value >= 0, `a converge time is a non-negative number (got ${value})`);
  const max = Math.max(...valuesMs);
  const edges = niceTicks(0, Math.max(max, 1), binsTarget);
  const step = edges.length > 1 ? edges[1]! - edges[0]! : Math.max(max, 1);
  const binCount = Math.floor(max / step) + 1;
  const bins: HistogramBin[] = [];
  for (let index = 0; index < binCount; index++) bins.push({ startMs: index * step, endMs: (index + 1) * step, count: 0 });
  for (const value of valuesMs) {
    const index = Math.min(binCount - 1, Math.floor(value / step));
    const bin = bins[index]!;
    bins[index] = { ...bin, count: bin.count + 1 };
  }
  return bins;
}

export function renderHistogram(options: { valuesMs: readonly number[]; label: string }): string {
  const bins = histogramBins(options.valuesMs);
  assert(bins.length > 0, 'a histogram has values');
  const spanMs = bins[bins.length - 1]!.endMs;
  const countMax = niceMax(Math.max(...bins.map((bin) => bin.count)));
  const x = linearScale([0, spanMs], [BOX.left, BOX.width - BOX.right]);
  const y = linearScale([0, countMax], [BOX.height - BOX.bottom, BOX.top]);
  let body = yAxis({ box: BOX, scale: y, ticks: niceTicks(0, countMax, Math.min(5, countMax)).filter(Number.isInteger), label: 'runs', format: formatNumber });
  body += xAxis({ box: BOX, scale: x, ticks: bins.map((bin) => bin.startMs).concat(spanMs), label: 'time to converge (s)', format: formatSeconds });
  let bars = '';
  for (const bin of bins) {
    if (bin.count === 0) continue;
    const top = y(bin.count);
    bars += element(
      'rect',
      { class: 'mark bar', x: x(bin.startMs) + 1, y: top, width: Math.max(1, x(bin.endMs) - x(bin.startMs) - 2), height: BOX.height - BOX.bottom - top, fill: '#0072B2' },
      title(`${formatSeconds(bin.startMs)}–${formatSeconds(bin.endMs)} s: ${bin.count} run${bin.count === 1 ? '' : 's'}`),
    );
  }
  body += element('g', { class: 'bars' }, bars);
  assert(innerHeight(BOX) > 0, 'histogram box has room');
  return svgDocument({ box: BOX, kind: 'histogram', label: options.label }, body);
}
