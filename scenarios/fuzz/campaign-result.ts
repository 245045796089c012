/**
 * What a fuzz campaign (or one shard of it) found, as data: which seed indices ran, each failure
 * with the commands that reproduce it, the coverage marks counted. Built by `sticksim fuzz`,
 * saved in its results file, merged across shards and presented by reports/fuzz-report.ts.
 */

export interface FuzzFailureRecord {
  /** Seed index: the case's seed is `<rootSeed>-<index>`. */
  readonly index: number;
  readonly seed: string;
  readonly property: string;
  /** The failure as first seen, and after shrinking. */
  readonly message: string;
  readonly shrunkMessage: string;
  /** The shrunk fault schedule, one line a fault. */
  readonly faults: readonly string[];
  /** `sticksim fuzz … --seed-offset <index> --runs 1`: finds the same failure again. */
  readonly reproduce: string;
  /** The regression file written for it and the command that replays it, when one was written. */
  readonly regressionPath?: string;
  readonly replay?: string;
}

export interface FuzzCampaignResult {
  readonly rootSeed: string;
  /** Seed indices that ran: [first, count] runs of `first + j × indexStride`, ascending. */
  readonly indexRuns: ReadonlyArray<readonly [number, number]>;
  readonly indexStride: number;
  readonly runsDone: number;
  /** True when a time limit (`--for`) decided how many seeds ran. */
  readonly timeBound: boolean;
  /** The property names checked (one JUnit test case each). */
  readonly properties: readonly string[];
  /** Ascending by index; a campaign stops at its first failure, a merge of shards may hold several. */
  readonly failures: readonly FuzzFailureRecord[];
  /** The planted bug the campaign ran with (`--plant-bug`, a testing aid), if any. */
  readonly plantedBug?: string;
}

/** Ascending indices → [first, count] runs with the given stride. */
export function compressIndices(indices: readonly number[], stride: number): [number, number][] {
  const out: [number, number][] = [];
  for (const index of indices) {
    const last = out[out.length - 1];
    if (last !== undefined && index === last[0] + last[1] * stride) last[1]++;
    else out.push([index, 1]);
  }
  return out;
}

/** [first, count] runs → the indices, ascending as stored. */
export function expandIndices(runs: ReadonlyArray<readonly [number, number]>, stride: number): number[] {
  const out: number[] = [];
  for (const [first, count] of runs) for (let j = 0; j < count; j++) out.push(first + j * stride);
  return out;
}
