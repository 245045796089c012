/**
 * `results.json`: a SuiteResult as JSON, written by the scenario runner next to its traces and
 * read by `sticksim report`. Format:
 *
 *   { "format": "sticksim-results", "version": 1, "rootSeed": "…", "runs": [ ScenarioRunResult… ] }
 *
 * Each run has exactly the fields of ScenarioRunResult (scenarios/results.ts); `tracePath` is
 * omitted when no trace was written, and a relative `tracePath` is relative to the directory
 * holding results.json. `format`/`version` may be absent (a bare SuiteResult is accepted).
 *
 * Written by `sticksim run --report` and `sticksim fuzz --report`, the file also describes itself
 * so that shards can be merged (`sticksim report --merge`), in optional top-level fields:
 *
 *   "sticksim": "0.1.0",                       the version that wrote it
 *   "command": "run" | "fuzz",
 *   "work": { "seeds": "1..6", … },            the options that define the work list (strings)
 *   "shard": { "index": 2, "total": 4 },       absent when unsharded
 *   "workTotal": 126,                          items in the whole work list (absent: time-bound)
 *   "workIndices": [1, 5, …],                  run: the work-list index of each of `runs`
 *   "coverage": { "peers.collision": 3, … },   coverage marks hit, with counts
 *   "fuzz": { FuzzCampaignResult }             fuzz: the seed indices run and the failures
 */
import { HAPROXY_VERSIONS, isHaproxyVersion } from '../engine/version/profile.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ExpectationKind, ExpectationResult, FigureValue, ScenarioRunResult, SuiteResult } from '../scenarios/results.ts';
import type { FuzzCampaignResult, FuzzFailureRecord } from '../scenarios/fuzz/campaign-result.ts';
import { ReportInputError } from './input-error.ts';

/** Where a results file came from: enough to check that shards belong together and merge them. */
export interface ResultsProvenance {
  readonly sticksimVersion: string;
  readonly command: 'run' | 'fuzz';
  /** The options that define the work list, as typed (the same in every shard of one campaign). */
  readonly work: Readonly<Record<string, string>>;
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  /** Items in the unsharded work list; undefined when time decided it (`fuzz --for`). */
  readonly workTotal: number | undefined;
  /** run: the work-list index of each run, parallel to the suite's runs. */
  readonly workIndices?: readonly number[];
  /** Coverage marks hit, with counts. */
  readonly coverage: Readonly<Record<string, number>>;
}

/** Everything a results file holds. */
export interface ResultsDocument {
  readonly suite: SuiteResult;
  readonly provenance?: ResultsProvenance;
  readonly fuzz?: FuzzCampaignResult;
}

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
    // Written when not the default 2.6, so 2.6 results read as before.
    ...(run.haproxy === undefined || run.haproxy === '2.6' ? {} : { haproxy: run.haproxy }),
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

function provenanceJson(p: ResultsProvenance): Record<string, unknown> {
  return {
    sticksim: p.sticksimVersion,
    command: p.command,
    work: p.work,
    ...(p.shard === undefined ? {} : { shard: { index: p.shard.index, total: p.shard.total } }),
    ...(p.workTotal === undefined ? {} : { workTotal: p.workTotal }),
    ...(p.workIndices === undefined ? {} : { workIndices: p.workIndices }),
    coverage: p.coverage,
  };
}

export function formatResultsFile(suite: SuiteResult): string {
  return formatResultsDocument({ suite });
}

/** The whole document; the runs array is written one run per line block, the indices on one line. */
export function formatResultsDocument(doc: ResultsDocument): string {
  const document = {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    ...(doc.provenance === undefined ? {} : provenanceJson(doc.provenance)),
    rootSeed: doc.suite.rootSeed,
    runs: doc.suite.runs.map(runJson),
    ...(doc.fuzz === undefined ? {} : { fuzz: doc.fuzz }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function writeResultsFile(path: string, suite: SuiteResult): void {
  writeFileSync(path, formatResultsFile(suite));
}

export function writeResultsDocument(path: string, doc: ResultsDocument): void {
  writeFileSync(path, formatResultsDocument(doc));
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

function numbersFrom(check: Checker, value: unknown, path: string): Record<string, number> {
  const record = check.object(value, path);
  const figures: Record<string, number> = {};
  for (const name of Object.keys(record)) figures[name] = check.number(record, name, path);
  return figures;
}

/** Figures: numbers, strings, or flat records of them. */
function figuresFrom(check: Checker, value: unknown, path: string): Record<string, FigureValue> {
  const record = check.object(value, path);
  const figures: Record<string, FigureValue> = {};
  for (const name of Object.keys(record)) {
    const v = record[name];
    if (typeof v === 'string') figures[name] = v;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const inner: Record<string, number | string> = {};
      const fields = check.object(v, `${path}.${name}`);
      for (const k of Object.keys(fields)) inner[k] = typeof fields[k] === 'string' ? (fields[k] as string) : check.number(fields, k, `${path}.${name}`);
      figures[name] = inner;
    } else figures[name] = check.number(record, name, path);
  }
  return figures;
}

function runFrom(check: Checker, value: unknown, path: string): ScenarioRunResult {
  const record = check.object(value, path);
  const policy = check.string(record, 'policy', path);
  if (!POLICIES.has(policy)) check.fail(`${path}.policy`, `'${policy}' is not haproxy, aggregate or max`);
  const tracePath = record['tracePath'];
  if (tracePath !== undefined) check.string(record, 'tracePath', path);
  const haproxy = record['haproxy'] === undefined ? undefined : check.string(record, 'haproxy', path);
  if (haproxy !== undefined && !isHaproxyVersion(haproxy)) check.fail(`${path}.haproxy`, `'${haproxy}' is not ${HAPROXY_VERSIONS.join(', ')}`);
  return {
    scenario: check.string(record, 'scenario', path),
    title: check.string(record, 'title', path),
    lesson: check.string(record, 'lesson', path),
    seed: check.string(record, 'seed', path),
    policy: policy as ScenarioRunResult['policy'],
    ...(haproxy !== undefined && isHaproxyVersion(haproxy) ? { haproxy } : {}),
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
  return parseResultsDocument(text, file).suite;
}

function wholeNumber(check: Checker, record: Record<string, unknown>, key: string, path: string): number {
  const value = check.number(record, key, path);
  if (!Number.isSafeInteger(value) || value < 0) check.fail(`${path}.${key}`, 'is not a whole number');
  return value;
}

function stringRecord(check: Checker, value: unknown, path: string): Record<string, string> {
  const record = check.object(value, path);
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) out[key] = check.string(record, key, path);
  return out;
}

function provenanceFrom(check: Checker, record: Record<string, unknown>, runs: number): ResultsProvenance | undefined {
  if (record['sticksim'] === undefined && record['command'] === undefined) return undefined;
  const top = '(top level)';
  const command = check.string(record, 'command', top);
  if (command !== 'run' && command !== 'fuzz') check.fail('command', `'${command}' is not run or fuzz`);
  let shard: ResultsProvenance['shard'];
  if (record['shard'] !== undefined) {
    const s = check.object(record['shard'], 'shard');
    const index = wholeNumber(check, s, 'index', 'shard');
    const total = wholeNumber(check, s, 'total', 'shard');
    if (total < 1 || index < 1 || index > total) check.fail('shard', `${index}/${total} is not a shard i/N with 1 ≤ i ≤ N`);
    shard = { index, total };
  }
  let workIndices: number[] | undefined;
  if (record['workIndices'] !== undefined) {
    workIndices = check.array(record, 'workIndices', top).map((item, index) => wholeNumber(check, { v: item }, 'v', `workIndices[${index}]`));
    if (workIndices.length !== runs) check.fail('workIndices', `has ${workIndices.length} entries for ${runs} run(s)`);
  }
  return {
    sticksimVersion: check.string(record, 'sticksim', top),
    command,
    work: stringRecord(check, record['work'], 'work'),
    shard,
    workTotal: record['workTotal'] === undefined ? undefined : wholeNumber(check, record, 'workTotal', top),
    ...(workIndices === undefined ? {} : { workIndices }),
    coverage: numbersFrom(check, record['coverage'] ?? {}, 'coverage'),
  };
}

function failureRecordFrom(check: Checker, value: unknown, path: string): FuzzFailureRecord {
  const r = check.object(value, path);
  const optional = (key: string): string | undefined => (r[key] === undefined ? undefined : check.string(r, key, path));
  const regressionPath = optional('regressionPath');
  const replay = optional('replay');
  return {
    index: wholeNumber(check, r, 'index', path),
    seed: check.string(r, 'seed', path),
    property: check.string(r, 'property', path),
    message: check.string(r, 'message', path),
    shrunkMessage: check.string(r, 'shrunkMessage', path),
    faults: check.array(r, 'faults', path).map((_, index) => check.string(r['faults'] as Record<string, unknown>, String(index), `${path}.faults`)),
    reproduce: check.string(r, 'reproduce', path),
    ...(regressionPath === undefined ? {} : { regressionPath }),
    ...(replay === undefined ? {} : { replay }),
  };
}

function fuzzFrom(check: Checker, value: unknown): FuzzCampaignResult {
  const r = check.object(value, 'fuzz');
  const indexRuns = check.array(r, 'indexRuns', 'fuzz').map((item, index): [number, number] => {
    const path = `fuzz.indexRuns[${index}]`;
    if (!Array.isArray(item) || item.length !== 2) check.fail(path, 'is not [first, count]');
    const pairRecord = { first: item[0] as unknown, count: item[1] as unknown };
    return [wholeNumber(check, pairRecord, 'first', path), wholeNumber(check, pairRecord, 'count', path)];
  });
  const indexStride = wholeNumber(check, r, 'indexStride', 'fuzz');
  if (indexStride < 1) check.fail('fuzz.indexStride', 'is not at least 1');
  return {
    rootSeed: check.string(r, 'rootSeed', 'fuzz'),
    indexRuns,
    indexStride,
    runsDone: wholeNumber(check, r, 'runsDone', 'fuzz'),
    timeBound: check.boolean(r, 'timeBound', 'fuzz'),
    properties: check.array(r, 'properties', 'fuzz').map((_, index) => check.string(r['properties'] as Record<string, unknown>, String(index), 'fuzz.properties')),
    failures: check.array(r, 'failures', 'fuzz').map((item, index) => failureRecordFrom(check, item, `fuzz.failures[${index}]`)),
    ...(r['plantedBug'] === undefined ? {} : { plantedBug: check.string(r, 'plantedBug', 'fuzz') }),
  };
}

/** Parses and checks a results file with its optional self-description (see the top of this file). */
export function parseResultsDocument(text: string, file: string): ResultsDocument {
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
  const suite: SuiteResult = {
    rootSeed: check.string(record, 'rootSeed', '(top level)'),
    runs: check.array(record, 'runs', '(top level)').map((item, index) => runFrom(check, item, `runs[${index}]`)),
  };
  const provenance = provenanceFrom(check, record, suite.runs.length);
  const fuzz = record['fuzz'] === undefined ? undefined : fuzzFrom(check, record['fuzz']);
  return { suite, ...(provenance === undefined ? {} : { provenance }), ...(fuzz === undefined ? {} : { fuzz }) };
}

export function readResultsDocument(path: string): ResultsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ReportInputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseResultsDocument(text, path);
}

export function readResultsFile(path: string): SuiteResult {
  return readResultsDocument(path).suite;
}
