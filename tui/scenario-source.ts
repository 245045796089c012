/**
 * Finds the scenario a trace was made from, so its run can be replayed (a run is a pure function
 * of scenario + seed + merge policy): a built-in or file scenario by the header's name, or
 * `config:<path>` for an explore session started from a haproxy.cfg (one host per peer line).
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../engine/config/parse.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import { isPlantedBug, type PlantedBug } from '../engine/peers/planted-bug.ts';
import type { TraceHeader } from '../sim/trace.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { loadScenarios } from '../scenarios/suite.ts';
import { deriveCluster, DeriveError, hostSpecsOf } from '../scenarios/battery/derive.ts';

export const CONFIG_PREFIX = 'config:';
const CONFIG_DURATION_MS = 3_600_000;
const POLICIES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];

export async function scenarioForHeader(header: TraceHeader): Promise<ScenarioSpec | string> {
  if (header.scenario.startsWith(CONFIG_PREFIX)) return scenarioFromConfigFile(header.scenario.slice(CONFIG_PREFIX.length));
  try {
    const [loaded] = await loadScenarios([header.scenario]);
    if (loaded === undefined) return `scenario '${header.scenario}' not found`;
    return loaded.spec;
  } catch (error) {
    return `scenario '${header.scenario}' cannot be loaded: ${(error as Error).message}`;
  }
}

/** The planted bug a trace was recorded with (a replay must plant it too); none if unknown. */
export function plantedBugOf(header: TraceHeader): PlantedBug | undefined {
  const bug = header.plantedBug;
  return bug !== undefined && isPlantedBug(bug) ? bug : undefined;
}

export function policyOf(header: TraceHeader): MergePolicyName {
  const p = header.mergePolicy as MergePolicyName;
  return POLICIES.includes(p) ? p : 'haproxy';
}

/**
 * An explore scenario from one haproxy.cfg: the cluster `sticksim run --config` derives from it
 * (scenarios/battery/derive.ts): one host per peer line at that line's address, run with
 * `-L <name>`; no script.
 */
export function scenarioFromConfigFile(path: string): ScenarioSpec | string {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    return `${path}: cannot read: ${(error as Error).message}`;
  }
  const parsed = parseConfig(text, { file: path });
  if (!parsed.ok) return parsed.errors.map((e) => e.message).join('\n');
  let cluster;
  try {
    cluster = deriveCluster([{ file: path, text, config: parsed.config }]);
  } catch (error) {
    if (error instanceof DeriveError) return error.message;
    throw error;
  }
  const hosts = hostSpecsOf(cluster);
  return {
    name: `${CONFIG_PREFIX}${path}`,
    title: `explore ${path}`,
    lesson: '',
    hosts,
    durationMs: CONFIG_DURATION_MS,
    script: () => {},
  };
}
