/** A report input for the HTML tests: one scenario under three policies (one failing), and a second scenario over five seeds. */
import { buildReportInput, type ReportInput } from '../../../reports/report-model.ts';
import { traceDataFrom, type TraceData } from '../../../reports/trace-data.ts';
import type { ScenarioRunResult } from '../../../scenarios/results.ts';
import { parseTrace } from '../../../sim/trace.ts';
import { typicalRun, type TypicalRunOptions } from '../../helpers/synthetic-trace.ts';

export interface FixtureRun {
  readonly result: ScenarioRunResult;
  readonly text: string;
  readonly file: string;
}

export function fixtureRuns(): FixtureRun[] {
  const options: TypicalRunOptions[] = [
    { policy: 'haproxy', seed: '42', failing: true },
    { policy: 'aggregate', seed: '42' },
    { policy: 'max', seed: '42' },
    ...['1', '2', '3', '4', '5'].map((seed) => ({ scenario: 'crash-restart', seed, hosts: ['hap1', 'hap2', 'hap3', 'hap4'] })),
  ];
  return options.map((option, index) => {
    const run = typicalRun(option);
    const file = `trace-${index}.jsonl`;
    return { result: { ...run.result, tracePath: file }, text: run.text, file };
  });
}

export function traceOf(run: FixtureRun, file = run.file): TraceData {
  return traceDataFrom({ file, parsed: parseTrace(run.text), hash: run.result.traceHash });
}

export function fixtureInput(): ReportInput {
  const runs = fixtureRuns();
  return buildReportInput({ suite: { rootSeed: 'root-42', runs: runs.map((run) => run.result) }, resultsDir: process.cwd(), traces: runs.map((run) => traceOf(run)) });
}
