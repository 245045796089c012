/** fast-check arbitraries for report inputs: any text, including what XML and Markdown hate. */
import fc from 'fast-check';
import type { ExpectationResult, ScenarioRunResult, SuiteResult } from '../../../scenarios/results.ts';

/** Text with markup characters, control characters, lone surrogates and astral characters. */
export const nastyText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '|', '`', '\n', '\r', '\t', '\u0000', '\u001b', '\ud800', '\uffff', ']]>', 'é', '😀', ' ', 'a'), maxLength: 30 }),
  );

export const expectationArb = (): fc.Arbitrary<ExpectationResult> =>
  fc.record(
    {
      name: nastyText(),
      kind: fc.constantFrom('always', 'eventually', 'count'),
      passed: fc.boolean(),
      message: nastyText(),
      atMs: fc.nat({ max: 10_000_000 }),
    },
    { requiredKeys: ['name', 'kind', 'passed', 'message'] },
  );

export const runArb = (): fc.Arbitrary<ScenarioRunResult> =>
  fc
    .record({
      scenario: nastyText(),
      title: nastyText(),
      lesson: nastyText(),
      seed: nastyText(),
      policy: fc.constantFrom('haproxy', 'aggregate', 'max'),
      expectations: fc.array(expectationArb(), { maxLength: 5 }),
      figures: fc.dictionary(fc.constantFrom('attackerLetThrough', 'legitDenied', 'convergeMs', 'resyncPeakMs', 'x'), fc.nat({ max: 1_000_000 })),
      simulatedMs: fc.nat({ max: 10_000_000 }),
      wallMs: fc.nat({ max: 1_000_000 }),
      traceHash: fc.stringMatching(/^[0-9a-f]{64}$/),
      fingerprint: fc.stringMatching(/^fp3:[0-9a-f]{16}$/),
      tracePath: fc.option(nastyText(), { nil: undefined }),
      reproduce: nastyText(),
      forcedFail: fc.boolean(),
    })
    .map(({ forcedFail, ...run }) => ({ ...run, passed: !forcedFail && run.expectations.every((e) => e.passed) }));

export const suiteArb = (): fc.Arbitrary<SuiteResult> => fc.record({ rootSeed: nastyText(), runs: fc.array(runArb(), { maxLength: 4 }) });
