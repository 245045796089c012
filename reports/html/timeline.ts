/**
 * The timeline plot: x = simulated seconds, one step line per node for one key's counter, with
 * translucent bands for partitions, holds, crashes, pauses, reloads and resync windows, markers
 * for expectation times, and a legend.
 */
import type { Band, BandKind, Sample } from '../trace-data.ts';
import { BAND_OPACITY, BAND_STYLES } from './palette.ts';
import { seriesFor } from './series.ts';
import {
  element,
  formatNumber,
  formatSeconds,
  innerHeight,
  linearScale,
  niceMax,
  niceTicks,
  stepPath,
  svgDocument,
  text,
  title,
  xAxis,
  yAxis,
  type PlotBox,
  type Scale,
} from './svg.ts';

export interface Marker {
  readonly tMs: number;
  readonly label: string;
  readonly failed: boolean;
}

export interface TimelineOptions {
  readonly samples: readonly Sample[];
  readonly bands: readonly Band[];
  readonly markers: readonly Marker[];
  readonly key: string;
  readonly field: string;
  readonly colours: ReadonlyMap<string, string>;
  readonly endMs: number;
  /** Shared upper y bound (small multiples); computed from the data when absent. */
  readonly valueMax?: number;
  readonly small?: boolean;
  readonly label: string;
}

const FULL_BOX: PlotBox = { width: 880, height: 300, left: 60, right: 16, top: 40, bottom: 40 };
const SMALL_BOX: PlotBox = { width: 420, height: 220, left: 52, right: 10, top: 40, bottom: 38 };
const RELOAD_WIDTH_PX = 2;
const LEGEND_SWATCH_PX = 10;
const SERIES_WIDTH_MAX_PX = 4.5;

function bandRects(bands: readonly Band[], x: Scale, box: PlotBox): string {
  let out = '';
  for (const band of bands) {
    const style = BAND_STYLES.get(band.kind)!;
    const x0 = x(band.startMs);
    const width = Math.max(RELOAD_WIDTH_PX, x(band.endMs) - x0);
    out += element(
      'rect',
      { class: `band band-${band.kind}`, x: x0, y: box.top, width, height: innerHeight(box), fill: style.fill, 'fill-opacity': BAND_OPACITY },
      title(`${band.label}: ${formatSeconds(band.startMs)}–${formatSeconds(band.endMs)} s`),
    );
  }
  return element('g', { class: 'bands' }, out);
}

function markerLines(markers: readonly Marker[], x: Scale, box: PlotBox): string {
  let out = '';
  for (const marker of markers) {
    const px = x(marker.tMs);
    out += element(
      'line',
      { class: `marker ${marker.failed ? 'marker-failed' : 'marker-passed'}`, x1: px, y1: box.top, x2: px, y2: box.height - box.bottom },
      title(`${marker.label} at ${formatSeconds(marker.tMs)} s`),
    );
  }
  return element('g', { class: 'markers' }, out);
}

function legendItems(options: TimelineOptions, hosts: readonly string[]): string {
  const kinds: BandKind[] = [];
  for (const band of options.bands) if (!kinds.includes(band.kind)) kinds.push(band.kind);
  const items: Array<{ colour: string; label: string; opacity: number }> = [];
  for (const host of hosts) items.push({ colour: options.colours.get(host) ?? '#000', label: host, opacity: 1 });
  for (const kind of kinds) {
    const style = BAND_STYLES.get(kind)!;
    items.push({ colour: style.fill, label: style.label, opacity: 0.45 });
  }
  let out = '';
  let x = 8;
  let y = 8;
  const box = options.small === true ? SMALL_BOX : FULL_BOX;
  for (const item of items) {
    const width = LEGEND_SWATCH_PX + 6 + item.label.length * 6.2 + 12;
    if (x + width > box.width) {
      x = 8;
      y += 14;
    }
    out += element('rect', { class: 'legend-swatch', x, y, width: LEGEND_SWATCH_PX, height: LEGEND_SWATCH_PX, fill: item.colour, 'fill-opacity': item.opacity });
    out += text({ x: x + LEGEND_SWATCH_PX + 4, y: y + 9, cls: 'legend-label' }, item.label);
    x += width;
  }
  return element('g', { class: 'legend' }, out);
}

/** Largest value of the key's field on any node (for a shared y scale). */
export function timelineValueMax(samples: readonly Sample[], key: string, field: string): number {
  let max = 0;
  for (const points of seriesFor(samples, key, field).values()) for (const point of points) max = Math.max(max, point.value);
  return max;
}

export function renderTimeline(options: TimelineOptions): string {
  const box = options.small === true ? SMALL_BOX : FULL_BOX;
  const series = seriesFor(options.samples, options.key, options.field);
  const hosts = [...series.keys()].sort();
  const endMs = Math.max(1, options.endMs);
  const valueMax = niceMax(options.valueMax ?? timelineValueMax(options.samples, options.key, options.field));
  const x = linearScale([0, endMs], [box.left, box.width - box.right]);
  const y = linearScale([0, valueMax], [box.height - box.bottom, box.top]);
  let body = bandRects(options.bands, x, box);
  body += yAxis({ box, scale: y, ticks: niceTicks(0, valueMax, options.small === true ? 4 : 6), label: options.field, format: formatNumber });
  body += xAxis({ box, scale: x, ticks: niceTicks(0, endMs / 1000, options.small === true ? 5 : 10).map((s) => s * 1000), label: 'simulated time (s)', format: formatSeconds });
  let lines = '';
  // Earlier hosts are drawn wider so a line hidden under an identical one still shows its colour.
  hosts.forEach((host, index) => {
    const points = series.get(host)!.map((point) => [x(point.tMs), y(point.value)] as const);
    const colour = options.colours.get(host) ?? '#000';
    const widthPx = Math.max(1.2, SERIES_WIDTH_MAX_PX - index * 1.1);
    lines += element('path', { class: 'mark series', 'data-host': host, d: stepPath(points), stroke: colour, 'stroke-width': widthPx, fill: 'none' }, title(`${host}: ${options.key} ${options.field}`));
  });
  body += element('g', { class: 'lines' }, lines);
  body += markerLines(options.markers, x, box);
  body += legendItems(options, hosts);
  return svgDocument({ box, kind: 'timeline', label: options.label }, body);
}
