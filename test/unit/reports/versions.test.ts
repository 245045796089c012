/**
 * Reports of runs under several HAProxy lines (`sticksim run --haproxy all`, issue 13): summary.md,
 * report.html and JUnit name the line of each run and put the lines side by side; reports of 2.6
 * runs only keep their exact form (no haproxy column, no extra words).
 */
import { describe, expect, it } from 'vitest';
import { junitFromSuite } from '../../../reports/junit.ts';
import { markdownSummary } from '../../../reports/markdown.ts';
import { differingFigures, versionGroups } from '../../../reports/versions.ts';
import type { ScenarioRunResult, SuiteResult } from '../../../scenarios/results.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';

function underLine(haproxy: '2.6' | '3.0' | '3.2', figures: Record<string, number>, passed = true): ScenarioRunResult {
  const run = typicalRun({ seed: '1' }).result;
  return { ...run, haproxy, figures: { ...run.figures, ...figures }, passed, expectations: run.expectations.map((e) => ({ ...e, passed: passed || e.passed })) };
}

const mixed: SuiteResult = {
  rootSeed: '1',
  runs: [underLine('2.6', { entriesAfterReload: 0 }), underLine('3.0', { entriesAfterReload: 2 }), underLine('3.2', { entriesAfterReload: 2 }, false)],
};

describe('reports under several HAProxy lines', () => {
  it('group runs by scenario, seed and policy, and name the figures that differ', () => {
    const groups = versionGroups(mixed.runs);
    expect(groups).toHaveLength(1);
    expect([...groups[0]!.keys()]).toEqual(['2.6', '3.0', '3.2']);
    expect(differingFigures(groups[0]!)).toEqual(['entriesAfterReload']);
    // the control: the same figures under every line differ in nothing
    expect(differingFigures(new Map([['2.6', underLine('2.6', {})], ['3.0', underLine('3.0', {})]]))).toEqual([]);
  });

  it('summary.md: a haproxy column, and the outcomes of each line side by side', () => {
    const text = markdownSummary(mixed);
    expect(text).toContain('| scenario | policy | haproxy | seed |');
    expect(text).toContain('### Outcomes by HAProxy line');
    const row = text.split('\n').find((line) => line.startsWith('| split-brain-three-nodes | haproxy | `1` | ✅ pass; entries after reload 0'));
    expect(row).toBeDefined();
    expect(row).toMatch(/\| ✅ pass; entries after reload 2 \| ❌ FAIL; entries after reload 2 \|$/);
    expect(text).toContain('1 of 1 scenario runs differ between lines');
    expect(text).toContain('— policy haproxy, haproxy 3.2, seed `1`');
  });

  it('2.6 only: no haproxy column, no side-by-side table (the report keeps its form)', () => {
    const only26: SuiteResult = { rootSeed: '1', runs: [typicalRun({ seed: '1' }).result, underLine('2.6', {})] };
    const text = markdownSummary(only26);
    expect(text).toContain('| scenario | policy | seed |');
    expect(text).not.toContain('Outcomes by HAProxy line');
    expect(text).toBe(markdownSummary({ rootSeed: '1', runs: only26.runs.map((run) => ({ ...run, haproxy: undefined })) }));
  });

  it('JUnit: suite names and classnames carry the line when it is not 2.6', () => {
    const xml = junitFromSuite(mixed);
    expect(xml).toContain('name="split-brain-three-nodes [policy=haproxy seed=1]"');
    expect(xml).toContain('name="split-brain-three-nodes [policy=haproxy haproxy=3.0 seed=1]"');
    expect(xml).toContain('classname="sticksim.split-brain-three-nodes.haproxy.haproxy-3_2"');
    expect(xml).toContain('<property name="haproxy" value="3.2"/>');
  });
});
