/** cli/shard.ts: `--shard i/N|auto` from the option and the CI environment, the split, `--for` durations. */
import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseShardOption, shardFromEnvironment, ShardError, shardItems, workIndexOf } from '../../../cli/shard.ts';
import { fuzzPlan } from '../../../cli/fuzz-campaign.ts';
import { thrown } from '../../helpers/thrown.ts';

const none = {};

function shardError(run: () => unknown): string {
  const message = thrown(run, ShardError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('--shard i/N', () => {
  it('takes 1-based i/N', () => {
    expect(parseShardOption('1/4', { env: none })).toEqual({ index: 1, total: 4 });
    expect(parseShardOption('4/4', { env: none })).toEqual({ index: 4, total: 4 });
    expect(parseShardOption(undefined, { env: none })).toBeUndefined();
  });

  it('refuses what is not a shard, in one line naming the value', () => {
    expect(shardError(() => parseShardOption('0/4', { env: none }))).toBe('--shard 0/4: shard index 0 is not from 1 to 4');
    expect(shardError(() => parseShardOption('5/4', { env: none }))).toBe('--shard 5/4: shard index 5 is not from 1 to 4');
    expect(shardError(() => parseShardOption('1/0', { env: none }))).toMatch(/^--shard 1\/0: the shard total must be from 1/);
    expect(shardError(() => parseShardOption('2of4', { env: none }))).toMatch(/^--shard takes i\/N .* \(got '2of4'\)$/);
    expect(shardError(() => parseShardOption('1/4', { env: none, shardTotal: '4' }))).toBe('--shard-total goes with --shard auto');
  });
});

describe('--shard auto', () => {
  it('reads GitLab (1-based), Buildkite and Kubernetes (0-based)', () => {
    expect(shardFromEnvironment({ CI_NODE_INDEX: '2', CI_NODE_TOTAL: '4' })).toEqual({ index: 2, total: 4 });
    expect(shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '3' })).toEqual({ index: 1, total: 3 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '3' }, '4')).toEqual({ index: 4, total: 4 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', STICKSIM_SHARD_TOTAL: '2' })).toEqual({ index: 1, total: 2 });
    expect(parseShardOption('auto', { env: { JOB_COMPLETION_INDEX: '1' }, shardTotal: '4' })).toEqual({ index: 2, total: 4 });
  });

  it('agrees when two CIs are set alike, and refuses when they disagree', () => {
    expect(shardFromEnvironment({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '2' })).toEqual({ index: 1, total: 2 });
    expect(shardError(() => shardFromEnvironment({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', BUILDKITE_PARALLEL_JOB: '1', BUILDKITE_PARALLEL_JOB_COUNT: '2' }))).toBe(
      '--shard auto: GitLab says shard 1/2 but Buildkite says 2/2',
    );
  });

  it('an unset, half-set or inconsistent environment is a one-line error', () => {
    expect(shardError(() => shardFromEnvironment({}))).toMatch(/^--shard auto: no CI shard variables set/);
    expect(shardError(() => shardFromEnvironment({ CI_NODE_INDEX: '1' }))).toBe('--shard auto: CI_NODE_INDEX and CI_NODE_TOTAL must be set together (got CI_NODE_INDEX=1, CI_NODE_TOTAL=(unset))');
    expect(shardError(() => shardFromEnvironment({ CI_NODE_INDEX: '5', CI_NODE_TOTAL: '4' }))).toBe('--shard auto (CI_NODE_INDEX=5, CI_NODE_TOTAL=4): shard index 5 is not from 1 to 4');
    expect(shardError(() => shardFromEnvironment({ CI_NODE_INDEX: '0', CI_NODE_TOTAL: '4' }))).toMatch(/shard index 0 is not from 1 to 4/);
    expect(shardError(() => shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: '3', BUILDKITE_PARALLEL_JOB_COUNT: '3' }))).toMatch(/shard index 4 is not from 1 to 3/);
    expect(shardError(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '0' }))).toMatch(/JOB_COMPLETION_INDEX=0 is set but the shard total is not/);
    expect(shardError(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: 'x' }, '4'))).toMatch(/both must be whole numbers/);
    expect(shardError(() => shardFromEnvironment({}, '4'))).toBe('--shard auto --shard-total 4: JOB_COMPLETION_INDEX is not set');
  });
});

describe('the split', () => {
  it('N shards hold every item exactly once, in order, sizes within one of each other', () => {
    for (const count of [0, 1, 5, 17, 126]) {
      for (const total of [1, 2, 3, 4, 7]) {
        const items = Array.from({ length: count }, (_, k) => `item-${k}`);
        const parts = Array.from({ length: total }, (_, i) => shardItems(items, { index: i + 1, total }));
        const seen = parts.flatMap((part, i) => part.map((item, j) => ({ item, k: workIndexOf(j, { index: i + 1, total }) })));
        expect(seen.map((s) => s.item).sort()).toEqual([...items].sort());
        for (const s of seen) expect(items[s.k]).toBe(s.item);
        const sizes = parts.map((part) => part.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('fuzz shards of --runs R at --seed-offset O run indices O…O+R-1, each once', () => {
    for (const [runs, total, offset] of [[300, 4, 0], [10, 3, 1000], [2, 4, 5]] as const) {
      const indices: number[] = [];
      for (let i = 1; i <= total; i++) {
        const plan = fuzzPlan({ runs: String(runs), forText: undefined, seedOffset: String(offset), shard: { index: i, total }, runsMax: 1_000_000 });
        expect(plan.workTotal).toBe(runs);
        for (let k = 0; k < plan.runs; k++) indices.push(plan.firstIndex + k * plan.indexStride);
      }
      expect(indices.sort((a, b) => a - b)).toEqual(Array.from({ length: runs }, (_, k) => offset + k));
    }
    const timed = fuzzPlan({ runs: undefined, forText: '10m', seedOffset: undefined, shard: { index: 2, total: 4 }, runsMax: 1_000 });
    expect(timed).toMatchObject({ forMs: 600_000, workTotal: undefined, firstIndex: 1, indexStride: 4, runs: 250 });
    expect(shardError(() => fuzzPlan({ runs: '0', forText: undefined, seedOffset: undefined, shard: undefined, runsMax: 10 }))).toMatch(/^--runs takes an integer from 1 to 10/);
    expect(shardError(() => fuzzPlan({ runs: '1', forText: undefined, seedOffset: '-1', shard: undefined, runsMax: 10 }))).toMatch(/^--seed-offset takes a whole number/);
  });
});

describe('--for durations', () => {
  it('ms, s, m and h', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('10m')).toBe(600_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
  });

  it('refuses anything else in one line', () => {
    for (const bad of ['10', 'ten minutes', '5d', '-1s', '']) expect(shardError(() => parseDurationMs(bad))).toMatch(/^--for takes a duration/);
    expect(shardError(() => parseDurationMs('0s'))).toBe('--for 0s: from 1ms to 168h');
  });
});
