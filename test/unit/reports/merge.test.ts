/**
 * reports/merge.ts: shards of one run merge into its runs in work-list order with their coverage
 * added; files that are not shards of one campaign are refused, naming both files; the
 * self-describing fields of results.json read back equal.
 */
import { describe, expect, it } from 'vitest';
import { ReportInputError } from '../../../reports/input-error.ts';
import { mergeShards, type ShardFile } from '../../../reports/merge.ts';
import { formatResultsDocument, parseResultsDocument, type ResultsDocument, type ResultsProvenance } from '../../../reports/results-file.ts';
import type { FuzzCampaignResult } from '../../../scenarios/fuzz/campaign-result.ts';
import { typicalRun } from '../../helpers/synthetic-trace.ts';
import { thrown } from '../../helpers/thrown.ts';

const SEEDS = ['1', '2', '3', '4', '5'];
const allRuns = SEEDS.map((seed) => typicalRun({ seed }).result);

function runShard(index: number, total: number, over: Partial<ResultsProvenance> = {}): ShardFile {
  const workIndices = allRuns.map((_, k) => k).filter((k) => k % total === index - 1);
  const provenance: ResultsProvenance = {
    sticksimVersion: '0.1.0',
    command: 'run',
    work: { paths: '', seeds: '1..5', policy: 'haproxy' },
    shard: { index, total },
    workTotal: allRuns.length,
    workIndices,
    coverage: { 'peers.collision': index },
    ...over,
  };
  const doc: ResultsDocument = { suite: { rootSeed: SEEDS.join(','), runs: workIndices.map((k) => allRuns[k]!) }, provenance };
  // Through the file format, as a merge reads it.
  const file = `out/shard-${index}-of-${total}/results.json`;
  return { file, doc: parseResultsDocument(formatResultsDocument(doc), file) };
}

function refusal(shards: ShardFile[]): string {
  const message = thrown(() => mergeShards(shards), ReportInputError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('report --merge', () => {
  it('puts the runs back in work-list order, whatever order the shards come in, and adds coverage', () => {
    const merged = mergeShards([runShard(2, 2), runShard(1, 2)]);
    expect(merged.suite.runs).toEqual(allRuns);
    expect(merged.suite.rootSeed).toBe('1,2,3,4,5');
    expect(merged.provenance.coverage).toEqual({ 'peers.collision': 3 });
    expect(merged.provenance.shard).toBeUndefined();
    expect(merged.shards).toBe(2);
  });

  it('refuses shards of different sticksim versions, naming both files and versions', () => {
    expect(refusal([runShard(1, 2), runShard(2, 2, { sticksimVersion: '0.2.0' })])).toBe(
      'out/shard-2-of-2/results.json: written by sticksim 0.2.0, but out/shard-1-of-2/results.json by sticksim 0.1.0: shards of different versions are not merged',
    );
  });

  it('refuses shards of different commands or work lists, naming both', () => {
    expect(refusal([runShard(1, 2), runShard(2, 2, { work: { paths: '', seeds: '1..5', policy: 'max' } })])).toBe(
      "out/shard-2-of-2/results.json: ran 'sticksim run --policy max --seeds 1..5', but out/shard-1-of-2/results.json ran 'sticksim run --policy haproxy --seeds 1..5': shards of different commands are not merged",
    );
    expect(refusal([runShard(1, 2), runShard(2, 2, { command: 'fuzz' })])).toMatch(/ran 'sticksim fuzz .*', but .* ran 'sticksim run .*'/);
  });

  it('refuses a shard twice, a missing shard, mixed splits and files that do not describe themselves', () => {
    expect(refusal([runShard(1, 2), { ...runShard(1, 2), file: 'copy/results.json' }])).toBe('copy/results.json: is shard 1/2, and so is out/shard-1-of-2/results.json: a shard given twice');
    expect(refusal([runShard(1, 3), runShard(3, 3)])).toBe('out/shard-1-of-3/results.json: shard(s) 2 of 3 missing: 1 of 3 results file(s) not given');
    expect(refusal([runShard(1, 2), runShard(2, 3)])).toMatch(/is shard 2\/3 of 5 item\(s\), but .* is shard 1\/2 of 5: not shards of one split/);
    const bare = { file: 'old/results.json', doc: { suite: { rootSeed: '1', runs: [] } } };
    expect(refusal([bare])).toMatch(/^old\/results\.json: does not say which sticksim command wrote it/);
    const overlapping = runShard(2, 2, { workIndices: [0, 2] });
    expect(refusal([runShard(1, 2), overlapping])).toMatch(/^out\/shard-2-of-2\/results\.json: work item 0 \(.*seed 2, policy haproxy\) also ran in out\/shard-1-of-2\/results\.json$/);
  });

  it('merges fuzz shards: seeds together, failures in index order, and checks no seed ran twice', () => {
    const fuzzShard = (index: number, indexRuns: [number, number][], failures: FuzzCampaignResult['failures'] = []): ShardFile => {
      const fuzz: FuzzCampaignResult = { rootSeed: '7', indexRuns, indexStride: 2, runsDone: indexRuns.reduce((n, [, c]) => n + c, 0), timeBound: false, properties: ['p', 'q'], failures };
      const doc: ResultsDocument = {
        suite: { rootSeed: '7', runs: [] },
        provenance: { sticksimVersion: '0.1.0', command: 'fuzz', work: { seed: '7', runs: '6' }, shard: { index, total: 2 }, workTotal: 6, coverage: { 'peers.dead-peer': 1 } },
        fuzz,
      };
      const file = `f${index}.json`;
      return { file, doc: parseResultsDocument(formatResultsDocument(doc), file) };
    };
    const failure = { index: 3, seed: '7-3', property: 'q', message: 'm', shrunkMessage: 's', faults: ['partition a|b'], reproduce: 'npx sticksim fuzz --seed 7 --seed-offset 3 --runs 1' };
    const merged = mergeShards([fuzzShard(1, [[0, 3]]), fuzzShard(2, [[1, 2]], [failure])]);
    expect(merged.fuzz?.indexRuns).toEqual([[0, 5]]);
    expect(merged.fuzz?.runsDone).toBe(5);
    expect(merged.fuzz?.failures).toEqual([failure]);
    expect(merged.provenance.coverage).toEqual({ 'peers.dead-peer': 2 });
    expect(refusal([fuzzShard(1, [[0, 3]]), fuzzShard(2, [[0, 1]])])).toBe('f2.json: seed index 0 also ran in f1.json');
    expect(refusal([fuzzShard(1, [[0, 3]]), fuzzShard(2, [[1, 2]])])).toBe("f1.json: the shards ran 5 seed(s) of the campaign's 6");
  });
});
