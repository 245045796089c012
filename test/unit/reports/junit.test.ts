/**
 * JUnit XML: validates against the junit-10 XSD (libxml2 via xmllint-wasm) and reads back with
 * the counts, names, failure texts and reproduce commands of the input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { junitFromProperties, junitFromSuite, junitSuiteName, type PropertyResult } from '../../../reports/junit.ts';
import { xmlSafeChars } from '../../../reports/xml.ts';
import type { ScenarioRunResult, SuiteResult } from '../../../scenarios/results.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';
import { suiteArb } from './arbitraries.ts';
import { readJunit, validateJunit, type JunitSuite } from './xml-read.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

function sampleSuite(): SuiteResult {
  const failing = typicalRun({ seed: '7', failing: true }).result;
  const passing = typicalRun({ seed: '8', policy: 'max' }).result;
  const weird: ScenarioRunResult = {
    ...passing,
    scenario: 'weird <&> "quotes" \'apos\'',
    seed: 'seed with spaces & ]]> and \u0001',
    passed: false,
    expectations: [
      { name: 'no-leak', kind: 'always', passed: false, message: 'saw <script>alert(1)</script> & "x"\nsecond line\r\nthird', atMs: 1234 },
      { name: 'ok', kind: 'count', passed: true, message: 'fine' },
    ],
    reproduce: "npx sticksim run 'weird <&>' --seed 'a b'",
  };
  const brokenRun: ScenarioRunResult = { ...passing, scenario: 'stopped-early', passed: false, expectations: [] };
  return { rootSeed: 'root & <seed>', runs: [failing, passing, weird, brokenRun] };
}

function suitesOf(xml: string): JunitSuite[] {
  return readJunit(xml).testsuites.testsuite ?? [];
}

describe('junitFromSuite', () => {
  it('validates against the junit-10 XSD', async () => {
    const result = await validateJunit([junitFromSuite(sampleSuite())]);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validator rejects a document that breaks the schema (negative control)', async () => {
    const xml = junitFromSuite(sampleSuite());
    const broken = [xml.replace(/tests="\d+"/, 'tests="many"'), xml.replace('<testcase ', '<testcase nom="x" ').replace(/ name="[^"]*" classname/, ' classname')];
    for (const document of broken) expect((await validateJunit([document])).valid).toBe(false);
    // a batch is valid only when every document is
    expect((await validateJunit([xml, broken[0]!, xml])).valid).toBe(false);
  });

  it('reads back: one suite per run, one case per expectation, failures with message and reproduce', () => {
    const suite = sampleSuite();
    const doc = readJunit(junitFromSuite(suite));
    const suites = doc.testsuites.testsuite ?? [];
    expect(suites.map((s) => s.name)).toEqual(suite.runs.map((run) => xmlSafeChars(junitSuiteName(run))));
    let testsTotal = 0;
    let failuresTotal = 0;
    suite.runs.forEach((run, index) => {
      const parsed = suites[index]!;
      const cases = parsed.testcase ?? [];
      const failed = cases.filter((c) => c.failure !== undefined);
      const expectedFailures = run.expectations.filter((e) => !e.passed).length || (run.passed ? 0 : 1);
      expect(Number(parsed.tests)).toBe(cases.length);
      expect(Number(parsed.failures)).toBe(failed.length);
      expect(failed.length).toBe(expectedFailures);
      for (const c of failed) {
        const failure = c.failure![0]!;
        expect(failure['#text']).toContain(`reproduce: ${xmlSafeChars(run.reproduce)}`);
        const expectation = run.expectations.find((e) => e.name === c.name);
        if (expectation !== undefined) expect(failure.message).toBe(xmlSafeChars(expectation.message));
      }
      const properties = new Map(parsed.properties!.property.map((p) => [p.name, p.value]));
      expect(properties.get('seed')).toBe(xmlSafeChars(run.seed));
      expect(properties.get('policy')).toBe(run.policy);
      expect(properties.get('traceHash')).toBe(run.traceHash);
      expect(Number(parsed.time)).toBeCloseTo(run.wallMs / 1000, 3);
      testsTotal += cases.length;
      failuresTotal += failed.length;
    });
    expect(Number(doc.testsuites.tests)).toBe(testsTotal);
    expect(Number(doc.testsuites.failures)).toBe(failuresTotal);
    expect(failuresTotal).toBe(3);
  });

  it('the multi-line message with markup survives exactly', () => {
    const suites = suitesOf(junitFromSuite(sampleSuite()));
    const weird = suites[2]!.testcase!.find((c) => c.name === 'no-leak')!;
    expect(weird.failure![0]!.message).toBe('saw <script>alert(1)</script> & "x"\nsecond line\r\nthird');
    expect(weird.failure![0]!['#text']).toContain('at simulated 1.234 s');
  });

  it('any suite: counts add up and every document validates (one batch through libxml2)', async () => {
    fc.assert(
      fc.property(suiteArb(), (suite) => {
        const doc = readJunit(junitFromSuite(suite));
        const suites = doc.testsuites.testsuite ?? [];
        expect(suites.length).toBe(suite.runs.length);
        const failing = suite.runs.reduce((n, run) => n + (run.expectations.filter((e) => !e.passed).length || (run.passed ? 0 : 1)), 0);
        expect(Number(doc.testsuites.failures)).toBe(failing);
      }),
      FC,
    );
    const documents = fc.sample(suiteArb(), { seed: 43, numRuns: Math.min(50, FC.numRuns) }).map((suite) => junitFromSuite(suite));
    const result = await validateJunit(documents);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('junitFromProperties', () => {
  const results: PropertyResult[] = [
    { name: 'codec round trip', passed: true, message: 'ok', seed: 42, runs: 100, wallMs: 250 },
    { name: 'merge is commutative', passed: false, message: 'counterexample: [1, "<x>"]', seed: 42, runs: 17, reproduce: 'FC_SEED=42 npx vitest run x', wallMs: 40 },
  ];

  it('validates and reads back with one case per property and the seed in the failure', async () => {
    const xml = junitFromProperties(results, { suiteName: 'fuzz' });
    expect((await validateJunit([xml])).errors).toEqual([]);
    const suites = suitesOf(xml);
    expect(suites).toHaveLength(1);
    const cases = suites[0]!.testcase!;
    expect(cases.map((c) => c.name)).toEqual(results.map((r) => r.name));
    expect(cases[0]!.failure).toBeUndefined();
    const failure = cases[1]!.failure![0]!;
    expect(failure.message).toBe('counterexample: [1, "<x>"]');
    expect(failure['#text']).toContain('seed: 42');
    expect(failure['#text']).toContain('reproduce: FC_SEED=42 npx vitest run x');
    expect(Number(suites[0]!.failures)).toBe(1);
    expect(Number(suites[0]!.time)).toBeCloseTo(0.29, 3);
  });

  it('an empty list is still a valid document', async () => {
    const xml = junitFromProperties([]);
    expect((await validateJunit([xml])).valid).toBe(true);
    expect(Number(readJunit(xml).testsuites.tests)).toBe(0);
  });
});
