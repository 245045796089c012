/**
 * Sharding a work list over CI machines, vitest's way: `--shard i/N` (1-based index) or
 * `--shard auto`, which reads the CI's own variables. The split is round-robin over the work list
 * in its (deterministic) order: item k belongs to shard (k mod N) + 1, so the N shards together
 * hold every item exactly once and their sizes differ by at most one. Pure: the environment is
 * passed in. Also `--for` durations (`500ms`, `90s`, `10m`, `2h`).
 */

export interface Shard {
  /** 1-based, as vitest and GitLab count. */
  readonly index: number;
  readonly total: number;
}

/** A bad `--shard`, `--shard-total` or CI environment; the message is one line for the user. */
export class ShardError extends Error {}

export const SHARD_TOTAL_MAX = 10_000;
export const SHARD_TOTAL_ENV = 'STICKSIM_SHARD_TOTAL';

type Environment = Readonly<Record<string, string | undefined>>;

function wholeNumber(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

function checked(index: number, total: number, where: string): Shard {
  if (total < 1 || total > SHARD_TOTAL_MAX) throw new ShardError(`${where}: the shard total must be from 1 to ${SHARD_TOTAL_MAX} (got ${total})`);
  if (index < 1 || index > total) throw new ShardError(`${where}: shard index ${index} is not from 1 to ${total}`);
  return { index, total };
}

/** Both variables set or neither; `undefined` when neither. */
function pair(env: Environment, indexName: string, totalName: string): [string, string] | undefined {
  const index = env[indexName];
  const total = env[totalName];
  if ((index === undefined || index === '') && (total === undefined || total === '')) return undefined;
  if (index === undefined || index === '' || total === undefined || total === '') {
    throw new ShardError(`--shard auto: ${indexName} and ${totalName} must be set together (got ${indexName}=${index ?? '(unset)'}, ${totalName}=${total ?? '(unset)'})`);
  }
  return [index, total];
}

function fromPair(values: [string, string], names: [string, string], zeroBased: boolean): Shard {
  const where = `--shard auto (${names[0]}=${values[0]}, ${names[1]}=${values[1]})`;
  const index = wholeNumber(values[0]);
  const total = wholeNumber(values[1]);
  if (index === undefined || total === undefined) throw new ShardError(`${where}: both must be whole numbers`);
  return checked(zeroBased ? index + 1 : index, total, where);
}

/**
 * The shard from the CI environment: GitLab (`CI_NODE_INDEX` 1-based, `CI_NODE_TOTAL`), Buildkite
 * (`BUILDKITE_PARALLEL_JOB` 0-based, `BUILDKITE_PARALLEL_JOB_COUNT`), a Kubernetes Indexed Job
 * (`JOB_COMPLETION_INDEX` 0-based, the total from `--shard-total` or STICKSIM_SHARD_TOTAL).
 * None set, or more than one CI's set with different answers, is an error.
 */
export function shardFromEnvironment(env: Environment, shardTotalOption?: string): Shard {
  const found: { name: string; shard: Shard }[] = [];
  const gitlab = pair(env, 'CI_NODE_INDEX', 'CI_NODE_TOTAL');
  if (gitlab !== undefined) found.push({ name: 'GitLab', shard: fromPair(gitlab, ['CI_NODE_INDEX', 'CI_NODE_TOTAL'], false) });
  const buildkite = pair(env, 'BUILDKITE_PARALLEL_JOB', 'BUILDKITE_PARALLEL_JOB_COUNT');
  if (buildkite !== undefined) found.push({ name: 'Buildkite', shard: fromPair(buildkite, ['BUILDKITE_PARALLEL_JOB', 'BUILDKITE_PARALLEL_JOB_COUNT'], true) });
  const k8sIndex = env['JOB_COMPLETION_INDEX'];
  if (k8sIndex !== undefined && k8sIndex !== '') {
    const [totalName, totalText] =
      shardTotalOption !== undefined ? ['--shard-total', shardTotalOption] : [SHARD_TOTAL_ENV, env[SHARD_TOTAL_ENV]];
    if (totalText === undefined || totalText === '') {
      throw new ShardError(`--shard auto: JOB_COMPLETION_INDEX=${k8sIndex} is set but the shard total is not (give --shard-total N or set ${SHARD_TOTAL_ENV})`);
    }
    found.push({ name: 'Kubernetes', shard: fromPair([k8sIndex, totalText], ['JOB_COMPLETION_INDEX', totalName], true) });
  } else if (shardTotalOption !== undefined && found.length === 0) {
    throw new ShardError(`--shard auto --shard-total ${shardTotalOption}: JOB_COMPLETION_INDEX is not set`);
  }
  if (found.length === 0) {
    throw new ShardError('--shard auto: no CI shard variables set (CI_NODE_INDEX/CI_NODE_TOTAL, BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT, or JOB_COMPLETION_INDEX with --shard-total)');
  }
  const first = found[0]!;
  for (const other of found.slice(1)) {
    if (other.shard.index !== first.shard.index || other.shard.total !== first.shard.total) {
      throw new ShardError(`--shard auto: ${first.name} says shard ${first.shard.index}/${first.shard.total} but ${other.name} says ${other.shard.index}/${other.shard.total}`);
    }
  }
  return first.shard;
}

/** `--shard i/N` or `--shard auto`; undefined when the option was not given. */
export function parseShardOption(text: string | undefined, options: { env: Environment; shardTotal?: string }): Shard | undefined {
  if (text === undefined) {
    if (options.shardTotal !== undefined) throw new ShardError('--shard-total goes with --shard auto');
    return undefined;
  }
  if (text === 'auto') return shardFromEnvironment(options.env, options.shardTotal);
  if (options.shardTotal !== undefined) throw new ShardError('--shard-total goes with --shard auto');
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  if (m === null) throw new ShardError(`--shard takes i/N (1-based, e.g. 2/4) or auto (got '${text}')`);
  return checked(Number(m[1]), Number(m[2]), `--shard ${text}`);
}

/** Whether work item k (0-based, in the work list's order) belongs to the shard. */
export function inShard(k: number, shard: Shard | undefined): boolean {
  return shard === undefined || k % shard.total === shard.index - 1;
}

/** The shard's items, in the work list's order. */
export function shardItems<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return items.filter((_, k) => inShard(k, shard));
}

/** The j-th item (0-based) of a shard, as an index into the whole work list. */
export function workIndexOf(j: number, shard: Shard | undefined): number {
  return shard === undefined ? j : shard.index - 1 + j * shard.total;
}

/** `i/N`, or '' without a shard. */
export function describeShard(shard: Shard | undefined): string {
  return shard === undefined ? '' : `${shard.index}/${shard.total}`;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION_MS_MAX = 7 * 24 * 3_600_000;

/** `1500ms`, `90s`, `10m`, `1.5h` → milliseconds; a bad value is a ShardError naming the option. */
export function parseDurationMs(text: string, option = '--for'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) throw new ShardError(`${option} takes a duration such as 500ms, 90s, 10m or 2h (got '${text}')`);
  const ms = Math.round(Number(m[1]) * DURATION_UNITS_MS[m[2]!]!);
  if (ms < 1 || ms > DURATION_MS_MAX) throw new ShardError(`${option} ${text}: from 1ms to 168h`);
  return ms;
}
