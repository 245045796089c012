/**
 * Builds and writes every report of a run into one directory: junit.xml, summary.md and
 * report.html. Used by `sticksim report` and by anything that has results in hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderHtmlReport } from './html/page.ts';
import { junitFromSuite } from './junit.ts';
import { markdownSummary } from './markdown.ts';
import { buildReportInput, loadTrace, type ReportInput } from './report-model.ts';
import { RESULTS_FILE_NAME, writeResultsDocument, type ResultsProvenance } from './results-file.ts';
import type { CoverageCounts } from './coverage-summary.ts';
import type { SuiteResult } from '../scenarios/results.ts';

export const REPORT_OUT_DIR_DEFAULT = 'sticksim-out';

export interface WrittenReports {
  readonly junitPath: string;
  readonly markdownPath: string;
  readonly htmlPath: string;
}

export function writeReports(options: { input: ReportInput; outDir: string; coverage?: CoverageCounts }): WrittenReports {
  const { input, outDir } = options;
  const coverage = options.coverage === undefined ? {} : { coverage: options.coverage };
  mkdirSync(outDir, { recursive: true });
  const written: WrittenReports = {
    junitPath: join(outDir, 'junit.xml'),
    markdownPath: join(outDir, 'summary.md'),
    htmlPath: join(outDir, 'report.html'),
  };
  writeFileSync(written.junitPath, junitFromSuite(input.suite));
  writeFileSync(written.markdownPath, markdownSummary(input.suite, coverage));
  writeFileSync(written.htmlPath, renderHtmlReport(input, coverage));
  return written;
}

/**
 * For a runner that has the SuiteResult in hand (e.g. `npm start` / a suite command): writes
 * results.json and the three reports into `outDir`, reading each run's trace from its tracePath
 * (relative paths against `tracesDir`, default the current directory). With `provenance`,
 * results.json describes itself (command, work list, shard, coverage) so shards can be merged,
 * and the reports show its coverage marks.
 */
export function writeSuiteReports(options: {
  suite: SuiteResult;
  outDir: string;
  tracesDir?: string;
  provenance?: ResultsProvenance;
}): WrittenReports & { resultsPath: string } {
  const { suite, outDir } = options;
  mkdirSync(outDir, { recursive: true });
  const tracesDir = options.tracesDir ?? process.cwd();
  const traces = suite.runs.flatMap((run) => (run.tracePath === undefined ? [] : [loadTrace(resolve(tracesDir, run.tracePath))]));
  const resultsPath = join(outDir, RESULTS_FILE_NAME);
  writeResultsDocument(resultsPath, { suite, ...(options.provenance === undefined ? {} : { provenance: options.provenance }) });
  const input = buildReportInput({ suite, traces, resultsDir: tracesDir });
  const coverage = options.provenance === undefined ? {} : { coverage: options.provenance.coverage };
  return { ...writeReports({ input, outDir, ...coverage }), resultsPath };
}
