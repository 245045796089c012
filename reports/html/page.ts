/**
 * The self-contained HTML report of one run of `sticksim report`: inline CSS, inline SVG, no
 * script, no external URL. Per scenario (scenario + seed): title, lesson, the policies side by
 * side when it ran under several, then per run its facts, expectations, reproduce command,
 * timeline and divergence heat-map. The suite's time-to-converge histogram comes first.
 */
import type { ScenarioRunResult } from '../../scenarios/results.ts';
import { haproxyOf, showsVersions } from '../versions.ts';
import { figureColumns, figureLabel, formatFigure } from '../figures.ts';
import type { ReportInput, ReportRun } from '../report-model.ts';
import type { Sample } from '../trace-data.ts';
import { xmlText } from '../xml.ts';
import { coverageHtml, type CoverageCounts } from '../coverage-summary.ts';
import { renderHeatmap } from './heatmap.ts';
import { renderHistogram } from './histogram.ts';
import { hostColours } from './palette.ts';
import { chooseKey, preferredField } from './series.ts';
import { REPORT_CSS } from './style.ts';
import { renderTimeline, timelineValueMax, type Marker } from './timeline.ts';

const FIGURE_COLUMNS_MAX = 5;

interface IndexedRun extends ReportRun {
  readonly index: number;
}

interface ScenarioGroup {
  readonly scenario: string;
  readonly seed: string;
  readonly runs: readonly IndexedRun[];
}

function esc(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;');
}

function runId(run: IndexedRun): string {
  return `run-${run.index}`;
}

function verdict(passed: boolean): string {
  return passed ? '<span class="pass">✔ pass</span>' : '<span class="fail">✘ FAIL</span>';
}

function groupsOf(runs: readonly IndexedRun[]): ScenarioGroup[] {
  const groups = new Map<string, IndexedRun[]>();
  for (const run of runs) {
    const id = `${run.result.scenario}\u0000${run.result.seed}`;
    let list = groups.get(id);
    if (list === undefined) groups.set(id, (list = []));
    list.push(run);
  }
  return [...groups.values()].map((list) => ({ scenario: list[0]!.result.scenario, seed: list[0]!.result.seed, runs: list }));
}

function summaryTable(runs: readonly IndexedRun[]): string {
  const results = runs.map((run) => run.result);
  const columns = figureColumns(results, FIGURE_COLUMNS_MAX);
  const withVersion = showsVersions(results);
  let out = `<table class="summary"><thead><tr><th>scenario</th><th>policy</th>${withVersion ? '<th>haproxy</th>' : ''}<th>seed</th><th>result</th>`;
  for (const name of columns) out += `<th>${esc(figureLabel(name))}</th>`;
  out += '</tr></thead><tbody>';
  for (const run of runs) {
    const result = run.result;
    out += `<tr><td><a href="#${runId(run)}">${esc(result.scenario)}</a></td><td>${esc(result.policy)}</td>${withVersion ? `<td>${esc(haproxyOf(result))}</td>` : ''}<td><code>${esc(result.seed)}</code></td><td>${verdict(result.passed)}</td>`;
    for (const name of columns) {
      const value = result.figures[name];
      out += `<td class="num">${value === undefined ? '–' : esc(formatFigure(name, value))}</td>`;
    }
    out += '</tr>';
  }
  return `${out}</tbody></table>`;
}

function histogramSection(runs: readonly IndexedRun[]): string {
  const values = runs.map((run) => run.result.figures['convergeMs']).filter((value): value is number => value !== undefined);
  const body =
    values.length === 0
      ? '<p class="note">No run reported a time to converge (figure convergeMs).</p>'
      : `<figure>${renderHistogram({ valuesMs: values, label: `time to converge across ${values.length} runs` })}<figcaption>Time to converge (figure <code>convergeMs</code>) of ${values.length} of ${runs.length} runs.</figcaption></figure>`;
  return `<section id="converge"><h2>Time to converge</h2>${body}</section>`;
}

function markersOf(result: ScenarioRunResult): Marker[] {
  const markers: Marker[] = [];
  for (const expectation of result.expectations) {
    if (expectation.atMs !== undefined) markers.push({ tMs: expectation.atMs, label: `${expectation.name} (${expectation.passed ? 'passed' : 'failed'})`, failed: !expectation.passed });
  }
  return markers;
}

interface PlotChoice {
  readonly field: string;
  readonly key: string;
}

function plotChoice(samples: readonly Sample[]): PlotChoice | undefined {
  const field = preferredField(samples);
  if (field === undefined) return undefined;
  const key = chooseKey(samples, field);
  return key === undefined ? undefined : { field, key };
}

function facts(run: IndexedRun): string {
  const result = run.result;
  const rows: Array<[string, string]> = [
    ['seed', `<code>${esc(result.seed)}</code>`],
    ['policy', esc(result.policy)],
    ...(haproxyOf(result) === '2.6' ? [] : [['haproxy', esc(haproxyOf(result))] as [string, string]]),
    ['simulated', `${esc(formatFigure('simulatedMs', result.simulatedMs))}`],
    ['trace hash', `<code>${esc(result.traceHash)}</code>`],
  ];
  if (result.tracePath !== undefined) rows.push(['trace', `<code>${esc(result.tracePath)}</code>`]);
  for (const [name, value] of Object.entries(result.figures)) rows.push([figureLabel(name), esc(formatFigure(name, value))]);
  return `<dl class="facts">${rows.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function expectationsList(result: ScenarioRunResult): string {
  if (result.expectations.length === 0) return '<p class="note">No expectation results recorded.</p>';
  const items = result.expectations.map((expectation) => {
    const at = expectation.atMs === undefined ? '' : ` <span class="note">at ${esc(formatFigure('atMs', expectation.atMs))}</span>`;
    return `<li>${verdict(expectation.passed)} <strong>${esc(expectation.name)}</strong> (${esc(expectation.kind)}): ${esc(expectation.message)}${at}</li>`;
  });
  return `<ul class="expectations">${items.join('')}</ul>`;
}

function runPlots(run: IndexedRun, choice: PlotChoice | undefined, colours: ReadonlyMap<string, string>): string {
  const trace = run.trace;
  if (trace === undefined) return '<p class="note">No trace was given for this run: no plots.</p>';
  if (choice === undefined || trace.samples.length === 0) return '<p class="note">The trace has no table.sample events: no plots.</p>';
  const what = `${choice.key} ${choice.field}`;
  const timeline = renderTimeline({
    samples: trace.samples,
    bands: trace.bands,
    markers: markersOf(run.result),
    key: choice.key,
    field: choice.field,
    colours,
    endMs: trace.endMs,
    label: `timeline of ${what} on each node, ${run.result.scenario} (${run.result.policy})`,
  });
  const heatmap = renderHeatmap({
    samples: trace.samples,
    field: choice.field,
    hosts: trace.hosts,
    colours,
    endMs: trace.endMs,
    label: `divergence of ${choice.field} from the median across nodes, ${run.result.scenario} (${run.result.policy})`,
  });
  return (
    `<figure>${timeline}<figcaption>${esc(what)} on each node over simulated time (the key whose nodes disagreed most). Bands: faults and host events; dashed lines: expectation times.</figcaption></figure>` +
    `<figure>${heatmap}<figcaption>Divergence heat-map: |value − median across nodes| of ${esc(choice.field)} per key × node and time bucket.</figcaption></figure>`
  );
}

function runArticle(run: IndexedRun, choice: PlotChoice | undefined, colours: ReadonlyMap<string, string>): string {
  const result = run.result;
  return (
    `<article class="run ${result.passed ? 'run-pass' : 'run-fail'}" id="${runId(run)}">` +
    `<h3>${esc(result.title || result.scenario)} — ${esc(runLabel(result))} ${verdict(result.passed)}</h3>` +
    facts(run) +
    expectationsList(result) +
    `<p>Reproduce:</p><pre class="reproduce">${esc(result.reproduce)}</pre>` +
    runPlots(run, choice, colours) +
    '</article>'
  );
}

/** `policy P`, and `, haproxy V` for a line other than 2.6. */
function runLabel(result: ScenarioRunResult): string {
  return `policy ${result.policy}${haproxyOf(result) === '2.6' ? '' : `, haproxy ${haproxyOf(result)}`}`;
}

function sideBySide(group: ScenarioGroup, choice: PlotChoice | undefined, colours: ReadonlyMap<string, string>): string {
  const labels = new Set(group.runs.map((run) => runLabel(run.result)));
  const traced = group.runs.filter((run) => run.trace !== undefined && run.trace.samples.length > 0);
  if (labels.size < 2 || choice === undefined || traced.length < 2) return '';
  const versions = new Set(group.runs.map((run) => haproxyOf(run.result))).size > 1;
  const policies = new Set(group.runs.map((run) => run.result.policy)).size > 1;
  const what = versions && policies ? 'Merge policies and HAProxy lines' : versions ? 'HAProxy lines' : 'Merge policies';
  const valueMax = Math.max(...traced.map((run) => timelineValueMax(run.trace!.samples, choice.key, choice.field)));
  const endMs = Math.max(...traced.map((run) => run.trace!.endMs));
  const cells = traced.map((run) => {
    const svg = renderTimeline({
      samples: run.trace!.samples,
      bands: run.trace!.bands,
      markers: markersOf(run.result),
      key: choice.key,
      field: choice.field,
      colours,
      endMs,
      valueMax,
      small: true,
      label: `${choice.key} ${choice.field} under ${runLabel(run.result)}`,
    });
    const version = haproxyOf(run.result) === '2.6' ? '' : `, haproxy <strong>${esc(haproxyOf(run.result))}</strong>`;
    return `<figure>${svg}<figcaption>policy <strong>${esc(run.result.policy)}</strong>${version} ${verdict(run.result.passed)}</figcaption></figure>`;
  });
  return `<h3>${what} side by side</h3><p class="note">Same scenario and seed, same key (${esc(choice.key)} ${esc(choice.field)}), same scales.</p><div class="side-by-side">${cells.join('')}</div>`;
}

function groupSection(group: ScenarioGroup, colours: ReadonlyMap<string, string>): string {
  const samples = group.runs.flatMap((run) => run.trace?.samples ?? []);
  const choice = plotChoice(samples);
  const first = group.runs[0]!.result;
  const passed = group.runs.every((run) => run.result.passed);
  const lesson = first.lesson === '' ? '' : `<p class="lesson">${esc(first.lesson)}</p>`;
  return (
    `<section class="scenario" id="scenario-${group.runs[0]!.index}">` +
    `<h2>${esc(first.title || first.scenario)} <small>(${esc(group.scenario)}, seed <code>${esc(group.seed)}</code>)</small> ${verdict(passed)}</h2>` +
    lesson +
    sideBySide(group, choice, colours) +
    group.runs.map((run) => runArticle(run, choice, colours)).join('') +
    '</section>'
  );
}

/** `coverage`: the coverage marks counted over the runs, when the runner recorded them. */
export function renderHtmlReport(input: ReportInput, options: { title?: string; coverage?: CoverageCounts } = {}): string {
  const runs: IndexedRun[] = input.runs.map((run, index) => ({ ...run, index }));
  const hosts = runs.flatMap((run) => run.trace?.hosts ?? []);
  const colours = hostColours(hosts);
  const failed = runs.filter((run) => !run.result.passed).length;
  const title = options.title ?? `sticksim report — root seed ${input.suite.rootSeed}`;
  const headline =
    runs.length === 0
      ? '<p class="verdict fail">No runs.</p>'
      : failed === 0
        ? `<p class="verdict pass">All ${runs.length} runs passed.</p>`
        : `<p class="verdict fail">${failed} of ${runs.length} runs failed.</p>`;
  const body =
    `<header><h1>${esc(title)}</h1>${headline}</header>` +
    `<section id="summary"><h2>Runs</h2>${summaryTable(runs)}</section>` +
    (options.coverage === undefined ? '' : coverageHtml(options.coverage)) +
    histogramSection(runs) +
    groupsOf(runs).map((group) => groupSection(group, colours)).join('');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body>${body}</body></html>\n`;
}
