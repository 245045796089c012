/**
 * JUnit XML (the Jenkins/Ant "junit-10" shape most CI tools read) from a scenario suite and from
 * property-test runs. One <testsuite> per scenario run (scenario + seed + policy), one <testcase>
 * per expectation; a failing expectation carries its message and the reproduce command.
 * The output is a pure function of its input: no timestamps, no host names.
 */
import { formatFigureValue, namedHaproxy, type ExpectationResult, type ScenarioRunResult, type SuiteResult } from '../scenarios/results.ts';
import { xmlAttributes, xmlText } from './xml.ts';

/** One property-test (fuzz) result, shared by the property and fuzz runners. */
export interface PropertyResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed (the counterexample), or a short note when it passed. */
  readonly message: string;
  readonly seed: string | number;
  readonly runs?: number;
  readonly wallMs?: number;
  /** The command that replays the failing case, when one exists. */
  readonly reproduce?: string;
}

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly wallMs?: number;
}

interface Suite {
  readonly name: string;
  readonly properties: ReadonlyArray<readonly [string, string]>;
  readonly cases: readonly Case[];
  readonly wallMs: number;
}

const PROPERTIES_SUITE_NAME = 'properties';

/** Seconds with millisecond precision, as JUnit's `time` attribute wants. */
export function junitSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The suite name of one run; unique per scenario + seed + policy (+ haproxy line when not 2.6). */
export function junitSuiteName(run: ScenarioRunResult): string {
  return `${run.scenario} [policy=${run.policy}${versionWord(run, ' haproxy=')} seed=${run.seed}]`;
}

/** `<prefix><line>` for a run under a line other than 2.6, else nothing (2.6 reports keep their form). */
function versionWord(run: ScenarioRunResult, prefix: string): string {
  const haproxy = namedHaproxy(run);
  return haproxy === undefined ? '' : `${prefix}${haproxy}`;
}

function classnameOf(run: ScenarioRunResult): string {
  return `sticksim.${run.scenario}.${run.policy}${versionWord(run, '.haproxy-').replace(/\.(\d+)$/, '_$1')}`;
}

function failureBody(lines: readonly string[]): string {
  return lines.filter((line) => line !== '').join('\n');
}

function expectationCase(run: ScenarioRunResult, expectation: ExpectationResult): Case {
  const classname = classnameOf(run);
  if (expectation.passed) return { name: expectation.name, classname };
  const at = expectation.atMs === undefined ? '' : `at simulated ${junitSeconds(expectation.atMs)} s`;
  const body = failureBody([
    expectation.message,
    at,
    `seed: ${run.seed}  policy: ${run.policy}${versionWord(run, '  haproxy: ')}`,
    `reproduce: ${run.reproduce}`,
  ]);
  return { name: expectation.name, classname, failure: { message: expectation.message, type: expectation.kind, body } };
}

/** A run marked failed with no failing expectation still shows up as a failed test case. */
function runLevelCase(run: ScenarioRunResult): Case | undefined {
  const anyFailed = run.expectations.some((expectation) => !expectation.passed);
  if (run.passed || anyFailed) return undefined;
  const message = 'the run failed without a failing expectation (it stopped early or broke an invariant)';
  const body = failureBody([message, `seed: ${run.seed}  policy: ${run.policy}${versionWord(run, '  haproxy: ')}`, `reproduce: ${run.reproduce}`]);
  return { name: 'run', classname: classnameOf(run), failure: { message, type: 'run', body } };
}

function runSuite(run: ScenarioRunResult, rootSeed: string): Suite {
  const cases = run.expectations.map((expectation) => expectationCase(run, expectation));
  const runCase = runLevelCase(run);
  if (runCase !== undefined) cases.push(runCase);
  const properties: Array<readonly [string, string]> = [
    ['scenario', run.scenario],
    ['seed', run.seed],
    ['rootSeed', rootSeed],
    ['policy', run.policy],
    ...(versionWord(run, '') === '' ? [] : [['haproxy', versionWord(run, '')] as const]),
    ['traceHash', run.traceHash],
    ['fingerprint', run.fingerprint],
    ['simulatedMs', String(run.simulatedMs)],
    ['reproduce', run.reproduce],
  ];
  if (run.tracePath !== undefined) properties.push(['tracePath', run.tracePath]);
  for (const [name, value] of Object.entries(run.figures)) properties.push([`figure.${name}`, formatFigureValue(value)]);
  return { name: junitSuiteName(run), properties, cases, wallMs: run.wallMs };
}

function caseXml(testCase: Case): string {
  const attributes = xmlAttributes([
    ['name', testCase.name],
    ['classname', testCase.classname],
    ['time', testCase.wallMs === undefined ? undefined : junitSeconds(testCase.wallMs)],
  ]);
  if (testCase.failure === undefined) return `    <testcase${attributes}/>\n`;
  const failure = testCase.failure;
  const failureAttributes = xmlAttributes([
    ['message', failure.message],
    ['type', failure.type],
  ]);
  return (
    `    <testcase${attributes}>\n` +
    `      <failure${failureAttributes}>${xmlText(failure.body)}</failure>\n` +
    `    </testcase>\n`
  );
}

function failureCount(suite: Suite): number {
  return suite.cases.filter((testCase) => testCase.failure !== undefined).length;
}

function suiteXml(suite: Suite): string {
  const attributes = xmlAttributes([
    ['name', suite.name],
    ['tests', suite.cases.length],
    ['failures', failureCount(suite)],
    ['errors', 0],
    ['skipped', 0],
    ['time', junitSeconds(suite.wallMs)],
  ]);
  let out = `  <testsuite${attributes}>\n`;
  if (suite.properties.length > 0) {
    out += '    <properties>\n';
    for (const [name, value] of suite.properties) out += `      <property${xmlAttributes([['name', name], ['value', value]])}/>\n`;
    out += '    </properties>\n';
  }
  for (const testCase of suite.cases) out += caseXml(testCase);
  return `${out}  </testsuite>\n`;
}

function documentXml(name: string, suites: readonly Suite[]): string {
  let tests = 0;
  let failures = 0;
  let wallMs = 0;
  for (const suite of suites) {
    tests += suite.cases.length;
    failures += failureCount(suite);
    wallMs += suite.wallMs;
  }
  const attributes = xmlAttributes([
    ['name', name],
    ['tests', tests],
    ['failures', failures],
    ['errors', 0],
    ['time', junitSeconds(wallMs)],
  ]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes}>\n${suites.map(suiteXml).join('')}</testsuites>\n`;
}

/** JUnit XML for a scenario suite. */
export function junitFromSuite(suite: SuiteResult, options: { name?: string } = {}): string {
  const suites = suite.runs.map((run) => runSuite(run, suite.rootSeed));
  return documentXml(options.name ?? `sticksim scenarios (root seed ${suite.rootSeed})`, suites);
}

function propertyCase(result: PropertyResult, suiteName: string): Case {
  const classname = `sticksim.${suiteName}`;
  const wallMs = result.wallMs;
  if (result.passed) return { name: result.name, classname, wallMs };
  const body = failureBody([
    result.message,
    `seed: ${String(result.seed)}${result.runs === undefined ? '' : `  runs: ${result.runs}`}`,
    result.reproduce === undefined ? '' : `reproduce: ${result.reproduce}`,
  ]);
  return { name: result.name, classname, wallMs, failure: { message: result.message, type: 'property', body } };
}

/** JUnit XML for property-test (fuzz) results: one test suite, one test case per property. */
export function junitFromProperties(
  results: readonly PropertyResult[],
  options: { name?: string; suiteName?: string } = {},
): string {
  const suiteName = options.suiteName ?? PROPERTIES_SUITE_NAME;
  const cases = results.map((result) => propertyCase(result, suiteName));
  let wallMs = 0;
  for (const result of results) wallMs += result.wallMs ?? 0;
  const seeds = [...new Set(results.map((result) => String(result.seed)))];
  const suite: Suite = { name: suiteName, properties: [['seeds', seeds.join(' ')]], cases, wallMs };
  return documentXml(options.name ?? 'sticksim properties', [suite]);
}
