/** The CI job summary: verdict line, one table row per run, failures with reproduce blocks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownCodeBlock, markdownSummary } from '../../../reports/markdown.ts';
import type { SuiteResult } from '../../../scenarios/results.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';
import { suiteArb } from './arbitraries.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

/** Table rows: lines starting with '|' after the header and separator. */
function tableRows(markdown: string): string[] {
  const lines = markdown.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2);
}

/** Cells of a row, splitting on pipes not escaped with a backslash. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/);
}

function suite(): SuiteResult {
  return {
    rootSeed: 'nightly',
    runs: [
      typicalRun({ seed: '1', failing: true }).result,
      typicalRun({ seed: '2', policy: 'aggregate' }).result,
      { ...typicalRun({ seed: '3', policy: 'max' }).result, scenario: 'pipe|in|name', passed: false, expectations: [{ name: 'a|b', kind: 'always', passed: false, message: 'x | y\nz <b>bold</b>' }], reproduce: 'echo ```\nnpx sticksim run x' },
    ],
  };
}

describe('markdownSummary', () => {
  it('opens with the verdict and counts', () => {
    expect(markdownSummary(suite()).split('\n')[0]).toBe('## ❌ sticksim: 2 of 3 runs failed (root seed `nightly`)');
    const passing: SuiteResult = { rootSeed: 's', runs: [typicalRun().result] };
    expect(markdownSummary(passing).split('\n')[0]).toBe('## ✅ sticksim: all 1 run passed (root seed `s`)');
  });

  it('has one row per run with as many cells as the header, figures formatted', () => {
    const text = markdownSummary(suite());
    const header = text.split('\n').find((line) => line.startsWith('| scenario'))!;
    expect(header).toContain('attacker let through');
    expect(header).toContain('time to converge');
    const rows = tableRows(text);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(cells(row)).toHaveLength(cells(header).length);
    expect(cells(rows[0]!).map((c) => c.trim()).slice(0, 4)).toEqual(['split-brain-three-nodes', 'haproxy', '`1`', '❌ FAIL']);
    const converge = typicalRun({ seed: '2', policy: 'aggregate' }).result.figures['convergeMs'] as number;
    expect(rows[1]).toContain(`${converge / 1000} s`);
  });

  it('lists each failure with its failing expectations and the reproduce command in a code block', () => {
    const text = markdownSummary(suite());
    const sections = text.split('\n### ').slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toContain('**converges-within-15s** (eventually)');
    expect(sections[0]).toContain('```sh\nnpx sticksim run split-brain-three-nodes --seed 1 --policy haproxy\n```');
    expect(sections[0]).not.toContain('attacker-requests-let-through');
    // markup is neutralised, and the fence outlasts the backticks inside the command
    expect(sections[1]).toContain('x \\| y z &lt;b&gt;bold&lt;/b&gt;');
    expect(sections[1]).toContain('````sh\necho ```\nnpx sticksim run x\n````');
  });

  it('for any suite: one row per run and a failure section per failed run', () => {
    fc.assert(
      fc.property(suiteArb(), (anySuite) => {
        const text = markdownSummary(anySuite);
        const rows = tableRows(text.split('\n### ')[0]!);
        expect(rows).toHaveLength(anySuite.runs.length);
        const failed = anySuite.runs.filter((run) => !run.passed).length;
        expect(text.split('\n### ❌ ').length - 1).toBe(failed);
      }),
      FC,
    );
  });

  it('a code block is never closed early by the text inside', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', 'a', '\n'), maxLength: 30 }), (text) => {
        const block = markdownCodeBlock(text);
        const fence = /^`+/.exec(block)![0];
        const inner = block.slice(fence.length + 1, -fence.length - 1);
        expect(inner).toBe(text);
        expect(inner.split('\n').some((line) => line.startsWith(fence))).toBe(false);
      }),
      FC,
    );
  });
});
