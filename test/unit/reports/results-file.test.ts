/** results.json: what the runner writes reads back equal; bad files name the file and the place. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { ReportInputError } from '../../../reports/input-error.ts';
import { formatResultsFile, parseResultsFile } from '../../../reports/results-file.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';
import { suiteArb } from './arbitraries.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

function errorOf(text: string): string {
  return thrown(() => parseResultsFile(text, 'out/results.json'), ReportInputError).message;
}

describe('results.json', () => {
  it('any SuiteResult reads back equal', () => {
    fc.assert(
      fc.property(suiteArb(), (suite) => {
        expect(parseResultsFile(formatResultsFile(suite), 'r.json')).toEqual(suite);
      }),
      FC,
    );
  });

  it('carries a format marker and accepts a bare SuiteResult', () => {
    const suite = { rootSeed: 'r', runs: [typicalRun().result] };
    const parsed = JSON.parse(formatResultsFile(suite)) as Record<string, unknown>;
    expect(parsed['format']).toBe('sticksim-results');
    expect(parsed['version']).toBe(1);
    expect(parseResultsFile(JSON.stringify(suite), 'bare.json')).toEqual(suite);
  });

  it('a wrong field names the file and its JSON path', () => {
    const suite = { rootSeed: 'r', runs: [typicalRun().result, { ...typicalRun().result, seed: 5 }] };
    expect(errorOf(JSON.stringify(suite))).toBe('out/results.json: runs[1].seed is not a string');
    const badPolicy = { rootSeed: 'r', runs: [{ ...typicalRun().result, policy: 'min' }] };
    expect(errorOf(JSON.stringify(badPolicy))).toBe("out/results.json: runs[0].policy 'min' is not haproxy, aggregate or max");
    const badFigure = { rootSeed: 'r', runs: [{ ...typicalRun().result, figures: { convergeMs: true } }] };
    expect(errorOf(JSON.stringify(badFigure))).toBe('out/results.json: runs[0].figures.convergeMs is not a number');
    expect(errorOf('{"format":"other","rootSeed":"r","runs":[]}')).toMatch(/format is 'other'/);
  });

  it('broken JSON names the file (and the line when the JSON parser gives a position)', () => {
    expect(errorOf('{\n  "rootSeed": "r",\n  "runs": [,]\n}')).toMatch(/^out\/results\.json(:3)?: not JSON/);
    expect(errorOf('{\n  "rootSeed": "r",\n  "runs": []\n')).toMatch(/^out\/results\.json(:\d+)?: not JSON/);
  });
});
