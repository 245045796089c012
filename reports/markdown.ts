/**
 * A Markdown summary fit for a CI job summary ($GITHUB_STEP_SUMMARY): one pass/fail line, a
 * table of runs with their key figures, then every failure with its failing expectations and
 * the command that reproduces it.
 */
import { namedHaproxy, type ScenarioRunResult, type SuiteResult } from '../scenarios/results.ts';
import { figureColumns, figureLabel, formatFigure } from './figures.ts';
import { coverageMarkdown, type CoverageCounts } from './coverage-summary.ts';
import { differingFigures, haproxyOf, showsVersions, versionGroups, versionsOf } from './versions.ts';

const FIGURE_COLUMNS_MAX = 5;

/** Text safe inside a table cell: no pipes, no newlines, no raw HTML. */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ');
}

/** Inline code that survives backticks inside `text`. */
export function markdownCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n|\r/g, ' ')}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function markdownCodeBlock(text: string, language = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

function headline(suite: SuiteResult): string {
  const failed = suite.runs.filter((run) => !run.passed).length;
  const total = suite.runs.length;
  const seed = `root seed ${markdownCode(suite.rootSeed)}`;
  if (total === 0) return `## ⚠️ sticksim: no runs (${seed})`;
  if (failed === 0) return `## ✅ sticksim: all ${total} run${total === 1 ? '' : 's'} passed (${seed})`;
  return `## ❌ sticksim: ${failed} of ${total} run${total === 1 ? '' : 's'} failed (${seed})`;
}

function expectationTally(run: ScenarioRunResult): string {
  const passed = run.expectations.filter((expectation) => expectation.passed).length;
  return `${passed}/${run.expectations.length}`;
}

function table(runs: readonly ScenarioRunResult[]): string {
  const columns = figureColumns(runs, FIGURE_COLUMNS_MAX);
  const withVersion = showsVersions(runs);
  const header = ['scenario', 'policy', ...(withVersion ? ['haproxy'] : []), 'seed', 'result', 'expectations', ...columns.map(figureLabel)];
  const lines = [`| ${header.map(markdownCell).join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const run of runs) {
    const figures = columns.map((name) => {
      const value = run.figures[name];
      return value === undefined ? '–' : formatFigure(name, value);
    });
    const version = withVersion ? [haproxyOf(run)] : [];
    const cells = [markdownCell(run.scenario), markdownCell(run.policy), ...version, markdownCode(markdownCell(run.seed)), run.passed ? '✅ pass' : '❌ FAIL', expectationTally(run), ...figures];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function failureSection(run: ScenarioRunResult): string {
  const haproxy = namedHaproxy(run);
  const version = haproxy === undefined ? '' : `, haproxy ${haproxy}`;
  const lines = [`### ❌ ${markdownCell(run.title || run.scenario)} — policy ${markdownCell(run.policy)}${version}, seed ${markdownCode(run.seed)}`, ''];
  const failing = run.expectations.filter((expectation) => !expectation.passed);
  if (failing.length === 0) lines.push('- the run failed without a failing expectation (it stopped early or broke an invariant)');
  for (const expectation of failing) {
    const at = expectation.atMs === undefined ? '' : ` (at ${formatFigure('atMs', expectation.atMs)})`;
    lines.push(`- **${markdownCell(expectation.name)}** (${expectation.kind})${at}: ${markdownCell(expectation.message)}`);
  }
  lines.push('', 'Reproduce:', '', markdownCodeBlock(run.reproduce, 'sh'));
  if (run.tracePath !== undefined) lines.push('', `Trace: ${markdownCode(run.tracePath)} (hash ${markdownCode(run.traceHash.slice(0, 16))})`);
  if (run.fingerprint !== '') lines.push('', `Fingerprint: ${markdownCode(run.fingerprint)}`);
  return lines.join('\n');
}

/** Each scenario run under several HAProxy lines: the outcome per line side by side, with the figures that differ. */
function versionTable(runs: readonly ScenarioRunResult[]): string {
  const groups = versionGroups(runs);
  if (groups.length === 0) return '';
  const versions = versionsOf(runs);
  const header = ['scenario', 'policy', 'seed', ...versions.map((v) => `haproxy ${v}`)];
  const lines = ['### Outcomes by HAProxy line', '', `| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  let differing = 0;
  for (const group of groups) {
    const first = [...group.values()][0]!;
    const figures = differingFigures(group);
    if (figures.length > 0 || new Set([...group.values()].map((run) => run.passed)).size > 1) differing++;
    const cells = versions.map((v) => {
      const run = group.get(v);
      if (run === undefined) return '–';
      const shown = figures.map((name) => `${markdownCell(figureLabel(name))} ${formatFigure(name, run.figures[name] ?? Number.NaN)}`);
      return [run.passed ? '✅ pass' : '❌ FAIL', ...shown].join('; ');
    });
    lines.push(`| ${[markdownCell(first.scenario), markdownCell(first.policy), markdownCode(markdownCell(first.seed)), ...cells].join(' | ')} |`);
  }
  lines.push('', `${differing} of ${groups.length} scenario runs differ between lines (result or figures; the figures shown are those that differ).`);
  return lines.join('\n');
}

/** `coverage`: the coverage marks counted over the runs, when the runner recorded them. */
export function markdownSummary(suite: SuiteResult, options: { coverage?: CoverageCounts } = {}): string {
  const parts = [headline(suite), ''];
  if (suite.runs.length > 0) parts.push(table(suite.runs), '');
  const byVersion = versionTable(suite.runs);
  if (byVersion !== '') parts.push(byVersion, '');
  if (options.coverage !== undefined) parts.push(coverageMarkdown(options.coverage), '');
  const failures = suite.runs.filter((run) => !run.passed);
  for (const run of failures) parts.push(failureSection(run), '');
  return `${parts.join('\n').trimEnd()}\n`;
}
