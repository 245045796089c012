/**
 * Colours: one per node, the same in every plot of a report (assigned from the sorted list of
 * all hosts of the report), from the Okabe–Ito colour-blind-safe set; beyond it, hues spread
 * around the wheel. Bands have fixed translucent colours.
 */
import type { BandKind } from '../trace-data.ts';

const NODE_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#7A5195'];
const GOLDEN_ANGLE_DEG = 137.508;

export function nodeColour(index: number): string {
  const fixed = NODE_COLOURS[index];
  if (fixed !== undefined) return fixed;
  const hue = Math.round((index * GOLDEN_ANGLE_DEG) % 360);
  return `hsl(${hue} 65% 40%)`;
}

/** host → colour for every host of the report. */
export function hostColours(hosts: Iterable<string>): ReadonlyMap<string, string> {
  const sorted = [...new Set(hosts)].sort();
  return new Map(sorted.map((host, index) => [host, nodeColour(index)]));
}

export interface BandStyle {
  readonly fill: string;
  readonly label: string;
}

export const BAND_STYLES: ReadonlyMap<BandKind, BandStyle> = new Map<BandKind, BandStyle>([
  ['partition', { fill: '#d62728', label: 'partition' }],
  ['hold', { fill: '#ff7f0e', label: 'hold (messages held)' }],
  ['crash', { fill: '#555555', label: 'crash → restart' }],
  ['pause', { fill: '#8c564b', label: 'pause → resume' }],
  ['reload', { fill: '#9467bd', label: 'reload' }],
  ['resync', { fill: '#17becf', label: 'resync window' }],
]);

export const BAND_OPACITY = 0.18;

/** Heat-map colour from 0 (agreement, near white) to 1 (largest divergence, dark red). */
export function heatColour(fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const from = [250, 250, 245];
  const to = [165, 15, 21];
  const channel = (index: number): number => Math.round(from[index]! + (to[index]! - from[index]!) * f);
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`;
}
