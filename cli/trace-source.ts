/**
 * Where a trace command's trace comes from: a JSONL file written by `sticksim run --trace`, or a
 * scenario and a seed (`SCENARIO --seed S [--policy P]`), re-run now with the full trace on. A run
 * without --trace keeps only its cheap fingerprint; its JSONL trace is made again exactly from the
 * scenario and the seed, as TigerBeetle's simulator re-runs a seed with logging on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import { runScenario } from '../scenarios/runner.ts';
import { loadScenarios, ScenarioLoadError } from '../scenarios/suite.ts';

/** A mistake in naming the trace to open (a user error: one line, exit 2). */
export class TraceSourceError extends Error {}

const POLICIES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];

export interface TraceSourceOptions {
  /** Present: `argument` names a scenario (built-in name or file) to re-run at this seed. */
  seed?: string;
  policy?: string;
}

/** Registers `--seed` and `--policy` on a trace command (commander's option spelling). */
export const TRACE_SOURCE_HELP = {
  seed: 'the argument is a scenario (built-in name or .ts file): re-run it at this seed with the full trace on',
  policy: 'with --seed: the merge policy (haproxy, aggregate, max; default: the scenario\'s first)',
} as const;

/** The path of a trace file for `argument`: as given, or regenerated from the scenario and seed. */
export async function traceSourcePath(argument: string, options: TraceSourceOptions, log: (line: string) => void): Promise<string> {
  if (options.seed === undefined) {
    if (options.policy !== undefined) throw new TraceSourceError('--policy needs --seed (it picks the run of a scenario to re-run)');
    return argument;
  }
  const [loaded] = await loadScenarios([argument]).catch((error: unknown) => {
    if (error instanceof ScenarioLoadError) throw new TraceSourceError(error.message);
    throw error;
  });
  if (loaded === undefined) throw new TraceSourceError(`${argument}: no scenario to re-run`);
  const policy = options.policy ?? loaded.spec.policies?.[0] ?? 'haproxy';
  if (!(POLICIES as readonly string[]).includes(policy)) throw new TraceSourceError(`unknown policy '${policy}' (${POLICIES.join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-regenerated-'));
  const tracePath = join(dir, `${loaded.spec.name}.${options.seed.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
  const { result } = runScenario(loaded.spec, { seed: options.seed, policy: policy as MergePolicyName, scenarioRef: loaded.ref, tracePath });
  log(`regenerated ${tracePath} from ${loaded.ref} --seed ${options.seed} --policy ${policy} (fingerprint ${result.fingerprint}, trace sha256 ${result.traceHash})`);
  return tracePath;
}
