/**
 * `results.json`: a SuiteResult as JSON, written by the scenario runner next to its traces and
 * read by `sticksim report`. Format:
 *
 *   { "format": "sticksim-results", "version": 1, "rootSeed": "…", "runs": [ ScenarioRunResult… ] }
 *
 * Each run has exactly the fields of ScenarioRunResult (scenarios/results.ts); `tracePath` is
 * omitted when no trace was written, and a relative `tracePath` is relative to the directory
 * holding results.json. `format`/`version` may be absent (a bare SuiteResult is accepted).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ExpectationKind, ExpectationResult, ScenarioRunResult, SuiteResult } from '../scenarios/results.ts';
import { ReportInputError } from './input-error.ts';

export const RESULTS_FILE_NAME = 'results.json';
export const RESULTS_FORMAT = 'sticksim-results';
export const RESULTS_VERSION = 1;

const POLICIES: ReadonlySet<string> = new Set(['haproxy', 'aggregate', 'max']);
const KINDS: ReadonlySet<string> = new Set<ExpectationKind>(['always', 'eventually', 'count']);

function expectationJson(expectation: ExpectationResult): Record<string, unknown> {
  return {
    name: expectation.name,
    kind: expectation.kind,
    passed: expectation.passed,
    message: expectation.message,
    ...(expectation.atMs === undefined ? {} : { atMs: expectation.atMs }),
  };
}

function runJson(run: ScenarioRunResult): Record<string, unknown> {
  return {
    scenario: run.scenario,
    title: run.title,
    lesson: run.lesson,
    seed: run.seed,
    policy: run.policy,
    passed: run.passed,
    expectations: run.expectations.map(expectationJson),
    figures: run.figures,
    simulatedMs: run.simulatedMs,
    wallMs: run.wallMs,
    traceHash: run.traceHash,
    fingerprint: run.fingerprint,
    ...(run.tracePath === undefined ? {} : { tracePath: run.tracePath }),
    reproduce: run.reproduce,
  };
}

export function formatResultsFile(suite: SuiteResult): string {
  const document = { format: RESULTS_FORMAT, version: RESULTS_VERSION, rootSeed: suite.rootSeed, runs: suite.runs.map(runJson) };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function writeResultsFile(path: string, suite: SuiteResult): void {
  writeFileSync(path, formatResultsFile(suite));
}

class Checker {
  constructor(readonly file: string) {}
  fail(path: string, detail: string): never {
    throw new ReportInputError(this.file, undefined, `${path} ${detail}`);
  }
  object(value: unknown, path: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'is not an object');
    return value as Record<string, unknown>;
  }
  string(record: Record<string, unknown>, key: string, path: string): string {
    const value = record[key];
    if (typeof value !== 'string') this.fail(`${path}.${key}`, 'is not a string');
    return value;
  }
  number(record: Record<string, unknown>, key: string, path: string): number {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${path}.${key}`, 'is not a number');
    return value;
  }
  boolean(record: Record<string, unknown>, key: string, path: string): boolean {
    const value = record[key];
    if (typeof value !== 'boolean') this.fail(`${path}.${key}`, 'is not true or false');
    return value;
  }
  array(record: Record<string, unknown>, key: string, path: string): unknown[] {
    const value = record[key];
    if (!Array.isArray(value)) this.fail(`${path}.${key}`, 'is not an array');
    return value;
  }
}

function expectationFrom(check: Checker, value: unknown, path: string): ExpectationResult {
  const record = check.object(value, path);
  const kind = check.string(record, 'kind', path);
  if (!KINDS.has(kind)) check.fail(`${path}.kind`, `'${kind}' is not always, eventually or count`);
  const atMs = record['atMs'];
  if (atMs !== undefined) check.number(record, 'atMs', path);
  return {
    name: check.string(record, 'name', path),
    kind: kind as ExpectationKind,
    passed: check.boolean(record, 'passed', path),
    message: check.string(record, 'message', path),
    ...(typeof atMs === 'number' ? { atMs } : {}),
  };
}

function figuresFrom(check: Checker, value: unknown, path: string): Record<string, number> {
  const record = check.object(value, path);
  const figures: Record<string, number> = {};
  for (const name of Object.keys(record)) figures[name] = check.number(record, name, path);
  return figures;
}

function runFrom(check: Checker, value: unknown, path: string): ScenarioRunResult {
  const record = check.object(value, path);
  const policy = check.string(record, 'policy', path);
  if (!POLICIES.has(policy)) check.fail(`${path}.policy`, `'${policy}' is not haproxy, aggregate or max`);
  const tracePath = record['tracePath'];
  if (tracePath !== undefined) check.string(record, 'tracePath', path);
  return {
    scenario: check.string(record, 'scenario', path),
    title: check.string(record, 'title', path),
    lesson: check.string(record, 'lesson', path),
    seed: check.string(record, 'seed', path),
    policy: policy as ScenarioRunResult['policy'],
    passed: check.boolean(record, 'passed', path),
    expectations: check.array(record, 'expectations', path).map((item, index) => expectationFrom(check, item, `${path}.expectations[${index}]`)),
    figures: figuresFrom(check, record['figures'], `${path}.figures`),
    simulatedMs: check.number(record, 'simulatedMs', path),
    wallMs: check.number(record, 'wallMs', path),
    traceHash: check.string(record, 'traceHash', path),
    // Results files written before the fingerprint existed have none.
    fingerprint: record['fingerprint'] === undefined ? '' : check.string(record, 'fingerprint', path),
    tracePath: typeof tracePath === 'string' ? tracePath : undefined,
    reproduce: check.string(record, 'reproduce', path),
  };
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

/** Parses and checks results.json text; errors name the file and the JSON path (or line). */
export function parseResultsFile(text: string, file: string): SuiteResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position === null ? undefined : lineOfOffset(text, Number(position[1]));
    throw new ReportInputError(file, line, `not JSON: ${message}`);
  }
  const check = new Checker(file);
  const record = check.object(value, '(top level)');
  if (record['format'] !== undefined && record['format'] !== RESULTS_FORMAT) check.fail('format', `is '${String(record['format'])}', not '${RESULTS_FORMAT}'`);
  if (record['version'] !== undefined && record['version'] !== RESULTS_VERSION) check.fail('version', `${String(record['version'])} is not supported (only ${RESULTS_VERSION})`);
  return {
    rootSeed: check.string(record, 'rootSeed', '(top level)'),
    runs: check.array(record, 'runs', '(top level)').map((item, index) => runFrom(check, item, `runs[${index}]`)),
  };
}

export function readResultsFile(path: string): SuiteResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ReportInputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseResultsFile(text, path);
}
