/**
 * Small SVG building blocks: scales, nice ticks, axes, escaped elements. Pure string output;
 * no browser at build time.
 */
import { assert } from '../../lib/assert.ts';
import { xmlAttribute, xmlText } from '../xml.ts';

export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** Maps domain linearly onto range; a zero-width domain maps to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const width = d1 - d0;
  const scale = (value: number): number => (width === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / width) * (r1 - r0));
  return Object.assign(scale, { domain, range });
}

const TICKS_MAX = 50;

/** Round tick values (steps of 1, 2 or 5 × 10^k) covering [min, max], about `countTarget` of them. */
export function niceTicks(min: number, max: number, countTarget: number): number[] {
  assert(Number.isFinite(min) && Number.isFinite(max), 'ticks of a finite range');
  assert(countTarget >= 1, 'at least one tick wanted');
  if (max <= min) return [min];
  const rough = (max - min) / countTarget;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step))));
  const firstIndex = Math.ceil(min / step - 1e-9);
  for (let index = 0; index < TICKS_MAX; index++) {
    const value = (firstIndex + index) * step;
    if (value > max + step * 1e-9) break;
    ticks.push(Number(value.toFixed(decimals)));
  }
  return ticks;
}

/** The domain's upper end rounded up to a nice value (so the top tick is labelled). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const ticks = niceTicks(0, max, 5);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : max;
  return Math.ceil(max / step - 1e-9) * step;
}

/** Short number label: 1234 → "1234", 12345 → "12.3k", 0.5 → "0.5". */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(4))}`;
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

type Attr = string | number | undefined;

/** `<name a="…" …/>` or with children; attribute values escaped, numbers rounded to 0.1. */
export function element(name: string, attributes: Readonly<Record<string, Attr>>, children?: string): string {
  let out = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out += ` ${key}="${typeof value === 'number' ? round(value) : xmlAttribute(value)}"`;
  }
  return children === undefined ? `${out}/>` : `${out}>${children}</${name}>`;
}

export function text(options: { x: number; y: number; anchor?: 'start' | 'middle' | 'end'; cls?: string; transform?: string }, content: string): string {
  return element('text', { x: options.x, y: options.y, 'text-anchor': options.anchor, class: options.cls, transform: options.transform }, xmlText(content));
}

export function title(content: string): string {
  return `<title>${xmlText(content)}</title>`;
}

/** A polyline path through the points ("M x y L x y …"). */
export function pathThrough(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${round(x)} ${round(y)}`).join(' ');
}

/** A step path (value holds until the next sample). */
export function stepPath(points: ReadonlyArray<readonly [number, number]>): string {
  const parts: string[] = [];
  points.forEach(([x, y], index) => {
    if (index === 0) parts.push(`M${round(x)} ${round(y)}`);
    else parts.push(`H${round(x)} V${round(y)}`);
  });
  return parts.join(' ');
}

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export function innerWidth(box: PlotBox): number {
  return box.width - box.left - box.right;
}

export function innerHeight(box: PlotBox): number {
  return box.height - box.top - box.bottom;
}

/** The outer <svg> of one plot (inline in HTML, so no xmlns): `kind` names it for tests and styling. */
export function svgDocument(options: { box: PlotBox; kind: string; label: string }, body: string): string {
  const { box } = options;
  return element(
    'svg',
    {
      class: `plot plot-${options.kind}`,
      'data-plot': options.kind,
      width: box.width,
      height: box.height,
      viewBox: `0 0 ${box.width} ${box.height}`,
      role: 'img',
      'aria-label': options.label,
    },
    title(options.label) + body,
  );
}

/** Bottom axis with ticks and a label. */
export function xAxis(options: { box: PlotBox; scale: Scale; ticks: readonly number[]; label: string; format: (v: number) => string }): string {
  const { box, scale } = options;
  const y = box.height - box.bottom;
  let out = element('line', { class: 'axis', x1: box.left, y1: y, x2: box.width - box.right, y2: y });
  for (const tick of options.ticks) {
    const x = scale(tick);
    out += element('line', { class: 'tick', x1: x, y1: y, x2: x, y2: y + 4 });
    out += text({ x, y: y + 15, anchor: 'middle', cls: 'tick-label' }, options.format(tick));
  }
  out += text({ x: box.left + innerWidth(box) / 2, y: box.height - 4, anchor: 'middle', cls: 'axis-label' }, options.label);
  return element('g', { class: 'x-axis' }, out);
}

/** Left axis with ticks, light grid lines and a rotated label. */
export function yAxis(options: { box: PlotBox; scale: Scale; ticks: readonly number[]; label: string; format: (v: number) => string }): string {
  const { box, scale } = options;
  const x = box.left;
  let out = element('line', { class: 'axis', x1: x, y1: box.top, x2: x, y2: box.height - box.bottom });
  for (const tick of options.ticks) {
    const y = scale(tick);
    out += element('line', { class: 'grid', x1: x, y1: y, x2: box.width - box.right, y2: y });
    out += element('line', { class: 'tick', x1: x - 4, y1: y, x2: x, y2: y });
    out += text({ x: x - 6, y: y + 4, anchor: 'end', cls: 'tick-label' }, options.format(tick));
  }
  const labelY = box.top + innerHeight(box) / 2;
  out += text({ x: 12, y: labelY, anchor: 'middle', cls: 'axis-label', transform: `rotate(-90 12 ${round(labelY)})` }, options.label);
  return element('g', { class: 'y-axis' }, out);
}
