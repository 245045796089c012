/**
 * The divergence heat-map: one row per key × node, one column per time bucket, colour = how far
 * the node's value is from the median across nodes (white = agreement). Empty cells are grey.
 */
import type { Sample } from '../trace-data.ts';
import { heatColour } from './palette.ts';
import { divergenceGrid } from './series.ts';
import { element, formatNumber, formatSeconds, linearScale, niceTicks, svgDocument, text, title, xAxis, type PlotBox } from './svg.ts';

export interface HeatmapOptions {
  readonly samples: readonly Sample[];
  readonly field: string;
  readonly hosts: readonly string[];
  readonly colours: ReadonlyMap<string, string>;
  readonly endMs: number;
  readonly label: string;
  readonly bucketCount?: number;
  readonly keysMax?: number;
}

const ROW_PX = 14;
const LEFT_PX = 210;
const PLOT_WIDTH_PX = 880;
const SCALE_WIDTH_PX = 160;
const BUCKETS_DEFAULT = 60;
const KEYS_MAX_DEFAULT = 8;

function colourScale(maxDeviation: number, box: PlotBox, y: number): string {
  const steps = 16;
  const width = SCALE_WIDTH_PX / steps;
  const x0 = box.width - box.right - SCALE_WIDTH_PX;
  let out = text({ x: x0 - 6, y: y + 9, anchor: 'end', cls: 'legend-label' }, `|${'value − median'}|  0`);
  for (let step = 0; step < steps; step++) {
    out += element('rect', { class: 'legend-swatch', x: x0 + step * width, y, width: width + 0.5, height: 10, fill: heatColour(step / (steps - 1)) });
  }
  out += text({ x: x0 + SCALE_WIDTH_PX + 4, y: y + 9, cls: 'legend-label' }, formatNumber(maxDeviation));
  return element('g', { class: 'legend' }, out);
}

export function renderHeatmap(options: HeatmapOptions): string {
  const bucketCount = options.bucketCount ?? BUCKETS_DEFAULT;
  const grid = divergenceGrid({
    samples: options.samples,
    field: options.field,
    hosts: options.hosts,
    endMs: options.endMs,
    bucketCount,
    keysMax: options.keysMax ?? KEYS_MAX_DEFAULT,
  });
  const box: PlotBox = { width: PLOT_WIDTH_PX, height: 30 + grid.rows.length * ROW_PX + 40, left: LEFT_PX, right: 16, top: 30, bottom: 40 };
  const spanMs = grid.bucketMs * bucketCount;
  const x = linearScale([0, spanMs], [box.left, box.width - box.right]);
  const cellWidth = x(grid.bucketMs) - x(0);
  let cells = '';
  let labels = '';
  grid.rows.forEach((row, rowIndex) => {
    const y = box.top + rowIndex * ROW_PX;
    labels += text({ x: box.left - 18, y: y + ROW_PX - 3, anchor: 'end', cls: 'row-label' }, row.key);
    labels += element('rect', { class: 'node-swatch', x: box.left - 14, y: y + 2, width: 10, height: ROW_PX - 4, fill: options.colours.get(row.host) ?? '#000' }, title(row.host));
    grid.cells[rowIndex]!.forEach((deviation, bucket) => {
      const startMs = bucket * grid.bucketMs;
      const fill = deviation === undefined ? '#e8e8e8' : heatColour(grid.maxDeviation === 0 ? 0 : deviation / grid.maxDeviation);
      const tip = `${row.key} on ${row.host}, ${formatSeconds(startMs)}–${formatSeconds(startMs + grid.bucketMs)} s: ${deviation === undefined ? 'no sample' : `|Δ median| = ${formatNumber(deviation)}`}`;
      cells += element('rect', { class: 'mark cell', x: x(startMs), y, width: cellWidth + 0.3, height: ROW_PX - 1, fill }, title(tip));
    });
  });
  const ticks = niceTicks(0, spanMs / 1000, 10).map((s) => s * 1000);
  let body = element('g', { class: 'cells' }, cells) + element('g', { class: 'row-labels' }, labels);
  body += xAxis({ box, scale: x, ticks, label: 'simulated time (s)', format: formatSeconds });
  body += text({ x: 8, y: 18, cls: 'legend-label' }, `${options.field}: rows are key × node${grid.keysOmitted > 0 ? ` (${grid.keysOmitted} less divergent keys not shown)` : ''}`);
  body += colourScale(grid.maxDeviation, box, 8);
  return svgDocument({ box, kind: 'heatmap', label: options.label }, body);
}
