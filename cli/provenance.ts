/**
 * What a results file says about itself so shards can be merged: sticksim's version, the command,
 * the options that define its work list, the shard. Two shards belong to one campaign when their
 * version, command and work options are equal.
 */
import type { ResultsProvenance } from '../reports/results-file.ts';
import { sticksimVersion } from '../sim/trace-file.ts';
import type { Shard } from './shard.ts';

/**
 * The work-defining options, with undefined ones left out (every value a string). A planted bug is
 * one of them (`plantedBug`): it changes what the runs find, so shards with different bugs never merge.
 */
export function workOptions(options: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const work: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) work[key] = value;
  return work;
}

export function provenance(o: {
  command: 'run' | 'fuzz';
  work: Record<string, string>;
  shard: Shard | undefined;
  workTotal: number | undefined;
  workIndices?: readonly number[];
  coverage: Readonly<Record<string, number>>;
}): ResultsProvenance {
  return {
    sticksimVersion: sticksimVersion(),
    command: o.command,
    work: o.work,
    shard: o.shard,
    workTotal: o.workTotal,
    ...(o.workIndices === undefined ? {} : { workIndices: o.workIndices }),
    coverage: o.coverage,
  };
}
