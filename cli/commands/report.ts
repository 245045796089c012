/**
 * `sticksim report TRACE… [--out DIR] [--results FILE]`: builds junit.xml, summary.md and
 * report.html from saved traces. A results.json beside the first trace (or given with
 * --results) supplies titles, lessons, figures and reproduce commands; without it they are read
 * from the traces. Bad input names its file and line and exits 2, without a stack trace.
 *
 * `sticksim report --merge DIR|FILE… [--out DIR]`: the results.json of the shards of one `run` or
 * `fuzz` (`--shard i/N`) become the reports of the unsharded run, and its merged results.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ReportInputError } from '../../reports/input-error.ts';
import { buildReportInput, loadTrace, resultsDirOf } from '../../reports/report-model.ts';
import { readResultsFile, RESULTS_FILE_NAME, writeResultsDocument } from '../../reports/results-file.ts';
import { writeFuzzReports } from '../../reports/fuzz-report.ts';
import { describeWork, mergeShards, readShardFiles, type ShardFile } from '../../reports/merge.ts';
import type { TraceData } from '../../reports/trace-data.ts';
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

/** The traces the shards' runs point to, where they can be found (beside the shard's results file, or from here). */
function shardTraces(shards: readonly ShardFile[]): TraceData[] {
  const traces: TraceData[] = [];
  for (const shard of shards) {
    for (const run of shard.doc.suite.runs) {
      if (run.tracePath === undefined) continue;
      const found = [resolve(dirname(shard.file), run.tracePath), resolve(run.tracePath)].find((path) => existsSync(path));
      if (found !== undefined) traces.push(loadTrace(found));
    }
  }
  return traces;
}

/** Merges shard results files and writes the unsharded run's reports; throws ReportInputError on bad input. */
export function runMerge(options: { paths: readonly string[]; outDir: string }): WrittenReports & { resultsPath: string; shards: number; description: string; runs: number; failed: number } {
  const shards = readShardFiles(options.paths);
  const merged = mergeShards(shards);
  const resultsPath = join(options.outDir, RESULTS_FILE_NAME);
  let written: WrittenReports;
  let runs: number;
  let failed: number;
  if (merged.fuzz !== undefined) {
    written = writeFuzzReports({ campaign: merged.fuzz, coverage: merged.provenance.coverage, outDir: options.outDir });
    runs = merged.fuzz.runsDone;
    failed = merged.fuzz.failures.length;
  } else {
    const input = buildReportInput({ suite: merged.suite, traces: shardTraces(shards) });
    written = writeReports({ input, outDir: options.outDir, coverage: merged.provenance.coverage });
    runs = merged.suite.runs.length;
    failed = merged.suite.runs.filter((run) => !run.passed).length;
  }
  writeResultsDocument(resultsPath, { suite: merged.suite, provenance: merged.provenance, ...(merged.fuzz === undefined ? {} : { fuzz: merged.fuzz }) });
  return { ...written, resultsPath, shards: merged.shards, description: describeWork(merged.provenance), runs, failed };
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('build junit.xml, summary.md and report.html from saved traces (and results.json beside them), or merge shards')
    .argument('[trace...]', 'JSONL trace files written by a scenario run')
    .option('--out <dir>', 'where to write the reports', REPORT_OUT_DIR_DEFAULT)
    .option('--results <file>', `the suite's results file (default: ${RESULTS_FILE_NAME} beside a trace, when present)`)
    .option('--merge <path...>', `merge the ${RESULTS_FILE_NAME} of the shards of one run or fuzz campaign (files, or directories searched for them)`)
    .action((traces: string[], options: { out: string; results?: string; merge?: string[] }) => {
      try {
        if (options.merge !== undefined) {
          if (traces.length > 0 || options.results !== undefined) throw new ReportInputError('--merge', undefined, 'takes results files or directories only (no traces, no --results)');
          const merged = runMerge({ paths: options.merge, outDir: options.out });
          process.stdout.write(`merged ${merged.shards} shard(s) of '${merged.description}': ${merged.runs} run(s), ${merged.failed} failed\n`);
          process.stdout.write(`written: ${merged.resultsPath}\nwritten: ${merged.junitPath}\nwritten: ${merged.markdownPath}\nwritten: ${merged.htmlPath}\n`);
          return;
        }
        if (traces.length === 0) {
          process.stderr.write('sticksim report: give trace files, or --merge DIR|FILE…\n');
          process.exitCode = 2;
          return;
        }
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
