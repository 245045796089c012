/**
 * Pairs results with traces: each run of a SuiteResult gets its trace (by trace path, else by
 * scenario + seed + policy); a trace with no result becomes a run of its own, its result read
 * from the trace (expectations from expect.result events).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ScenarioRunResult, SuiteResult } from '../scenarios/results.ts';
import { parseTrace, traceTextHash } from '../sim/trace.ts';
import { ReportInputError } from './input-error.ts';
import { traceDataFrom, type TraceData } from './trace-data.ts';

export interface ReportRun {
  readonly result: ScenarioRunResult;
  readonly trace: TraceData | undefined;
}

export interface ReportInput {
  readonly suite: SuiteResult;
  readonly runs: readonly ReportRun[];
}

const POLICY_PREFIXES: ReadonlyArray<ScenarioRunResult['policy']> = ['haproxy', 'aggregate', 'max'];

/** Reads and checks one trace file; errors name the file and line. */
export function loadTrace(path: string): TraceData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ReportInputError(path, undefined, `cannot read trace: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return traceDataFrom({ file: path, parsed: parseTrace(text), hash: traceTextHash(text) });
}

/** `haproxy-2.6` → `haproxy`; an unknown merge policy is an error at the header line. */
export function policyOf(trace: TraceData): ScenarioRunResult['policy'] {
  const name = trace.header.mergePolicy;
  const policy = POLICY_PREFIXES.find((prefix) => name === prefix || name.startsWith(`${prefix}-`));
  if (policy === undefined) throw new ReportInputError(trace.file, 1, `unknown merge policy '${name}' (expected haproxy, aggregate or max)`);
  return policy;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that reruns a scenario (the scenario runner's `sticksim run` form). */
export function reproduceCommand(options: { scenario: string; seed: string; policy: string }): string {
  return `npx sticksim run ${shellWord(options.scenario)} --seed ${shellWord(options.seed)} --policy ${shellWord(options.policy)}`;
}

/** A result read from the trace alone (no results.json). */
export function resultFromTrace(trace: TraceData): ScenarioRunResult {
  const seed = String(trace.header.seed);
  const policy = policyOf(trace);
  const scenario = trace.header.scenario;
  return {
    scenario,
    title: scenario,
    lesson: '',
    seed,
    policy,
    passed: trace.expectations.every((expectation) => expectation.passed),
    expectations: trace.expectations,
    figures: {},
    simulatedMs: trace.endMs,
    wallMs: 0,
    traceHash: trace.hash,
    // The fingerprint is taken from the events as they were made, not from their JSON lines.
    fingerprint: '',
    tracePath: trace.file,
    reproduce: reproduceCommand({ scenario, seed, policy }),
  };
}

function identity(scenario: string, seed: string, policy: string): string {
  return `${scenario}\u0000${seed}\u0000${policy}`;
}

/**
 * Joins results and traces. `resultsDir` resolves relative trace paths of the results.
 * Runs keep the results' order; traces without a result follow in the order given.
 */
export function buildReportInput(options: { suite: SuiteResult | undefined; resultsDir?: string; traces: readonly TraceData[] }): ReportInput {
  const byPath = new Map<string, TraceData>();
  const byIdentity = new Map<string, TraceData>();
  for (const trace of options.traces) {
    byPath.set(resolve(trace.file), trace);
    byIdentity.set(identity(trace.header.scenario, String(trace.header.seed), policyOf(trace)), trace);
  }
  const used = new Set<TraceData>();
  const runs: ReportRun[] = [];
  for (const result of options.suite?.runs ?? []) {
    let trace: TraceData | undefined;
    if (result.tracePath !== undefined) {
      const base = options.resultsDir ?? process.cwd();
      trace = byPath.get(isAbsolute(result.tracePath) ? result.tracePath : resolve(base, result.tracePath));
    }
    trace ??= byIdentity.get(identity(result.scenario, result.seed, result.policy));
    if (trace !== undefined && used.has(trace)) trace = undefined;
    if (trace !== undefined) used.add(trace);
    runs.push({ result, trace });
  }
  for (const trace of options.traces) {
    if (!used.has(trace)) runs.push({ result: resultFromTrace(trace), trace });
  }
  const rootSeed = options.suite?.rootSeed ?? (runs[0]?.result.seed ?? '');
  return { suite: { rootSeed, runs: runs.map((run) => run.result) }, runs };
}

/** The directory of a results file, for resolving its relative trace paths. */
export function resultsDirOf(resultsPath: string): string {
  return dirname(resolve(resultsPath));
}
