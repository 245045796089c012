/**
 * `sticksim report TRACE… [--out DIR] [--results FILE]`: builds junit.xml, summary.md and
 * report.html from saved traces. A results.json beside the first trace (or given with
 * --results) supplies titles, lessons, figures and reproduce commands; without it they are read
 * from the traces. Bad input names its file and line and exits 2, without a stack trace.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ReportInputError } from '../../reports/input-error.ts';
import { buildReportInput, loadTrace, resultsDirOf } from '../../reports/report-model.ts';
import { readResultsFile, RESULTS_FILE_NAME } from '../../reports/results-file.ts';
import { REPORT_OUT_DIR_DEFAULT, writeReports, type WrittenReports } from '../../reports/write-reports.ts';
import type { SuiteResult } from '../../scenarios/results.ts';

export interface ReportCommandOptions {
  readonly traces: readonly string[];
  readonly outDir: string;
  /** Path of results.json; when undefined, one beside a trace is used if present. */
  readonly resultsPath?: string;
}

function findResults(traces: readonly string[]): string | undefined {
  for (const trace of traces) {
    const candidate = join(dirname(trace), RESULTS_FILE_NAME);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Reads the inputs and writes the reports; throws ReportInputError on bad input. */
export function runReport(options: ReportCommandOptions): WrittenReports & { resultsPath: string | undefined } {
  const resultsPath = options.resultsPath ?? findResults(options.traces);
  const suite: SuiteResult | undefined = resultsPath === undefined ? undefined : readResultsFile(resultsPath);
  const traces = options.traces.map(loadTrace);
  const input = buildReportInput({ suite, traces, ...(resultsPath === undefined ? {} : { resultsDir: resultsDirOf(resultsPath) }) });
  return { ...writeReports({ input, outDir: options.outDir }), resultsPath };
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('build junit.xml, summary.md and report.html from saved traces (and results.json beside them)')
    .argument('<trace...>', 'JSONL trace files written by a scenario run')
    .option('--out <dir>', 'where to write the reports', REPORT_OUT_DIR_DEFAULT)
    .option('--results <file>', `the suite's results file (default: ${RESULTS_FILE_NAME} beside a trace, when present)`)
    .action((traces: string[], options: { out: string; results?: string }) => {
      try {
        const written = runReport({ traces, outDir: options.out, ...(options.results === undefined ? {} : { resultsPath: options.results }) });
        if (written.resultsPath !== undefined) process.stdout.write(`results: ${written.resultsPath}\n`);
        process.stdout.write(`written: ${written.junitPath}\nwritten: ${written.markdownPath}\nwritten: ${written.htmlPath}\n`);
      } catch (error) {
        if (!(error instanceof ReportInputError)) throw error;
        process.stderr.write(`sticksim report: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
