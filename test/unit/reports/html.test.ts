/** The HTML report: self-contained, one plot per view with marks in it, consistent node colours. */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../reports/html/page.ts';
import { buildReportInput } from '../../../reports/report-model.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';
import { fixtureInput, fixtureRuns, traceOf } from './report-fixture.ts';

/** Every <svg …>…</svg> of the page with its data-plot kind. */
function plots(html: string): Array<{ kind: string; body: string }> {
  return [...html.matchAll(/<svg [^>]*data-plot="([a-z]+)"[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => ({ kind: m[1]!, body: m[2]! }));
}

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(fixtureInput());

  it('is self-contained: no URL, no external resource, no script', () => {
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    const hrefs = [...html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^#[A-Za-z0-9-]+$/);
    for (const href of hrefs) expect(html).toContain(`id="${href.slice(1)}"`);
  });

  it('has a histogram, a timeline and a heat-map per traced run, and small multiples for the policies', () => {
    const all = plots(html);
    const count = (kind: string) => all.filter((plot) => plot.kind === kind).length;
    const runs = fixtureRuns().length;
    expect(count('histogram')).toBe(1);
    expect(count('heatmap')).toBe(runs);
    expect(count('timeline')).toBe(runs + 3); // + three policies side by side
    expect(html.match(/<svg /g)!.length).toBe(all.length);
    for (const plot of all) expect(plot.body, plot.kind).toMatch(/class="mark /);
  });

  it('the histogram has one bar per occupied bin covering every run with convergeMs', () => {
    const histogram = plots(html).find((plot) => plot.kind === 'histogram')!;
    const counts = [...histogram.body.matchAll(/<rect class="mark bar"[^>]*><title>[^<]*: (\d+) runs?<\/title>/g)].map((m) => Number(m[1]));
    const withConverge = fixtureRuns().filter((run) => run.result.figures['convergeMs'] !== undefined).length;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(withConverge);
  });

  it('colours a node the same in every plot', () => {
    const colourByHost = new Map<string, Set<string>>();
    for (const m of html.matchAll(/<path class="mark series" data-host="([^"]+)"[^>]*stroke="([^"]+)"/g)) {
      const set = colourByHost.get(m[1]!) ?? new Set<string>();
      set.add(m[2]!);
      colourByHost.set(m[1]!, set);
    }
    expect([...colourByHost.keys()].sort()).toEqual(['hap1', 'hap2', 'hap3', 'hap4']);
    for (const colours of colourByHost.values()) expect(colours.size).toBe(1);
    const distinct = new Set([...colourByHost.values()].map((set) => [...set][0]));
    expect(distinct.size).toBe(4);
  });

  it('draws a band for every fault and host event, with a legend entry per kind', () => {
    const timeline = plots(html).find((plot) => plot.kind === 'timeline')!;
    for (const kind of ['partition', 'hold', 'crash', 'reload', 'resync']) {
      expect(timeline.body, kind).toContain(`class="band band-${kind}"`);
    }
    expect(timeline.body).toContain('resync window');
    expect(timeline.body).toMatch(/class="marker marker-failed"/);
  });

  it('shows each run header: seed, policy, verdict and reproduce command', () => {
    for (const run of fixtureRuns()) expect(html).toContain(`<pre class="reproduce">${run.result.reproduce}</pre>`);
    expect(html.match(/<article class="run run-fail"/g)).toHaveLength(1);
    expect(html).toContain('1 of 8 runs failed.');
  });

  it('escapes text from results and traces', () => {
    const run = typicalRun();
    const evil = { ...run.result, title: '<script>alert(1)</script>', lesson: 'a & b <i>', reproduce: 'x"><img src=x>' };
    const page = renderHtmlReport(buildReportInput({ suite: { rootSeed: '<r>', runs: [evil] }, traces: [] }));
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('No trace was given for this run');
  });

  it('is deterministic and independent of NO_COLOR', () => {
    const before = process.env['NO_COLOR'];
    process.env['NO_COLOR'] = '1';
    try {
      expect(renderHtmlReport(fixtureInput())).toBe(html);
    } finally {
      if (before === undefined) delete process.env['NO_COLOR'];
      else process.env['NO_COLOR'] = before;
    }
  });

  it('a trace without samples gets a note instead of empty plots', () => {
    const run = fixtureRuns()[0]!;
    const text = run.text
      .split('\n')
      .filter((line) => !line.includes('"table.sample"'))
      .join('\n');
    const page = renderHtmlReport(buildReportInput({ suite: undefined, traces: [traceOf({ ...run, text })] }));
    expect(plots(page).filter((plot) => plot.kind !== 'histogram')).toEqual([]);
    expect(page).toContain('no table.sample events');
  });
});
