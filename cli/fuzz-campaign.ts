/**
 * The campaign side of `sticksim fuzz`: which seed indices this process runs (--runs, --for,
 * --seed-offset, --shard), the results record it saves, and the commands that find its failures
 * again. The seed indices of a campaign at offset O are O, O+1, …; shard i/N takes every N-th,
 * starting at O+i-1, so shards never repeat one another's seeds and together run the unsharded
 * campaign's. A time limit only decides how far each shard gets.
 */
import type { FuzzCampaignResult, FuzzFailureRecord } from '../scenarios/fuzz/campaign-result.ts';
import { compressIndices } from '../scenarios/fuzz/campaign-result.ts';
import type { FuzzFailure, FuzzResult } from '../scenarios/fuzz/fuzzer.ts';
import { PROPERTY_NAMES } from '../scenarios/fuzz/properties.ts';
import { describeFault } from '../scenarios/fuzz/schedule.ts';
import { parseDurationMs, ShardError, type Shard } from './shard.ts';

export const SEED_OFFSET_MAX = 1_000_000_000_000;

export interface FuzzPlan {
  /** Runs this process may start (the fuzzer's `runs`); 0 when the shard's share is empty. */
  readonly runs: number;
  readonly firstIndex: number;
  readonly indexStride: number;
  /** Items in the unsharded campaign (undefined when a time limit decides). */
  readonly workTotal: number | undefined;
  /** The time limit in ms, when --for was given. */
  readonly forMs: number | undefined;
  readonly seedOffset: number;
}

/**
 * `runs`: the --runs text or undefined (default 1000 without --for, no count limit with it);
 * `runsMax`: the fuzzer's bound. Throws ShardError with a one-line message on bad values.
 */
export function fuzzPlan(o: { runs: string | undefined; forText: string | undefined; seedOffset: string | undefined; shard: Shard | undefined; runsMax: number }): FuzzPlan {
  const forMs = o.forText === undefined ? undefined : parseDurationMs(o.forText, '--for');
  let total: number;
  if (o.runs === undefined) total = forMs === undefined ? 1000 : o.runsMax;
  else {
    total = Number(o.runs);
    if (!Number.isSafeInteger(total) || total < 1 || total > o.runsMax) throw new ShardError(`--runs takes an integer from 1 to ${o.runsMax} (got '${o.runs}')`);
  }
  const seedOffset = o.seedOffset === undefined ? 0 : Number(o.seedOffset);
  if (!Number.isSafeInteger(seedOffset) || seedOffset < 0 || seedOffset > SEED_OFFSET_MAX) {
    throw new ShardError(`--seed-offset takes a whole number up to ${SEED_OFFSET_MAX} (got '${o.seedOffset}')`);
  }
  const shardIndex0 = o.shard === undefined ? 0 : o.shard.index - 1;
  const stride = o.shard?.total ?? 1;
  const runs = total > shardIndex0 ? Math.ceil((total - shardIndex0) / stride) : 0;
  return { runs, firstIndex: seedOffset + shardIndex0, indexStride: stride, workTotal: forMs === undefined ? total : undefined, forMs, seedOffset };
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `npx sticksim fuzz [SCENARIO] [--config F] --seed S --seed-offset I --runs 1`: runs that one seed again. */
export function fuzzReproduceCommand(o: {
  scenario: string | undefined;
  config: string | undefined;
  seed: string;
  index: number;
  plantedBug: string | undefined;
  /** The failing case's HAProxy line (absent: 2.6, from a campaign without --haproxy). */
  haproxy?: string | undefined;
}): string {
  const words = ['npx', 'sticksim', 'fuzz'];
  if (o.scenario !== undefined) words.push(shellWord(o.scenario));
  if (o.config !== undefined) words.push('--config', shellWord(o.config));
  words.push('--seed', shellWord(o.seed), '--seed-offset', String(o.index), '--runs', '1');
  if (o.plantedBug !== undefined) words.push('--plant-bug', o.plantedBug);
  if (o.haproxy !== undefined) words.push('--haproxy', o.haproxy);
  return words.join(' ');
}

export function failureRecord(f: FuzzFailure, o: { reproduce: string; regression: { path: string; command: string } | undefined }): FuzzFailureRecord {
  return {
    index: f.index,
    seed: f.seed,
    property: f.property,
    message: f.message,
    shrunkMessage: f.shrunkMessage,
    faults: f.shrunk.faults.map(describeFault),
    reproduce: o.reproduce,
    ...(o.regression === undefined ? {} : { regressionPath: o.regression.path, replay: o.regression.command }),
  };
}

export function campaignResult(result: FuzzResult, o: { rootSeed: string; plan: FuzzPlan; failure: FuzzFailureRecord | undefined }): FuzzCampaignResult {
  return {
    rootSeed: o.rootSeed,
    indexRuns: compressIndices(result.indices, o.plan.indexStride),
    indexStride: o.plan.indexStride,
    runsDone: result.runsDone,
    timeBound: o.plan.forMs !== undefined,
    properties: PROPERTY_NAMES,
    failures: o.failure === undefined ? [] : [o.failure],
    ...(result.plantedBug === undefined ? {} : { plantedBug: result.plantedBug }),
  };
}

/** What ran, said so that the same seeds can be run again (and a time-bound campaign says so). */
export function seedSetLines(o: { campaign: FuzzCampaignResult; plan: FuzzPlan; shard: Shard | undefined; stoppedEarly: boolean; seed: string }): string[] {
  const { campaign, plan } = o;
  const runs = campaign.indexRuns;
  if (runs.length === 0) return ['seeds run: none'];
  const stride = campaign.indexStride;
  const ranges = runs.map(([first, count]) => (count === 1 ? `${first}` : `${first}..${first + (count - 1) * stride}${stride === 1 ? '' : ` step ${stride}`}`));
  const shown = ranges.length <= 8 ? ranges.join(' ') : `${ranges.slice(0, 8).join(' ')} … (${ranges.length} ranges)`;
  const lines = [`seeds run: ${o.seed}-<index> for index ${shown} (${campaign.runsDone} seed(s))`];
  if (plan.forMs !== undefined) {
    const last = runs[runs.length - 1]!;
    const lastIndex = last[0] + (last[1] - 1) * stride;
    const runsForSame = lastIndex - plan.seedOffset + 1;
    const shardWords = o.shard === undefined ? '' : ` --shard ${o.shard.index}/${o.shard.total}`;
    lines.push(
      `time-bound (--for): the set of seeds run depended on time${o.stoppedEarly ? ' and ran out' : ''}; each seed is deterministic.`,
      `  the same seeds again: npx sticksim fuzz --seed ${shellWord(o.seed)} --seed-offset ${plan.seedOffset} --runs ${runsForSame}${shardWords}`,
      `  a next campaign that repeats none of them: --seed-offset ${lastIndex + 1} (or above every shard's last index)`,
    );
  }
  return lines;
}
