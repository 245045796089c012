/**
 * The HAProxy release line of a run in the reports. A run without one is 2.6 (older results and
 * traces); the reports name the line only when some run is not 2.6, so 2.6-only reports keep
 * their exact form.
 */
import type { ScenarioRunResult } from '../scenarios/results.ts';

export type RunHaproxy = NonNullable<ScenarioRunResult['haproxy']>;

export function haproxyOf(run: ScenarioRunResult): RunHaproxy {
  return run.haproxy ?? '2.6';
}

/** True when the reports must show a haproxy column (some run is not 2.6). */
export function showsVersions(runs: readonly ScenarioRunResult[]): boolean {
  return runs.some((run) => haproxyOf(run) !== '2.6');
}

/** The lines present, in release order. */
export function versionsOf(runs: readonly ScenarioRunResult[]): RunHaproxy[] {
  return [...new Set(runs.map(haproxyOf))].sort((a, b) => Number(a) - Number(b));
}

/**
 * Runs grouped by scenario, seed and policy, each group keyed by line, for the groups run under
 * more than one line (the side-by-side view), in the order of their first run.
 */
export function versionGroups(runs: readonly ScenarioRunResult[]): Map<RunHaproxy, ScenarioRunResult>[] {
  const groups = new Map<string, Map<RunHaproxy, ScenarioRunResult>>();
  for (const run of runs) {
    const id = `${run.scenario}\u0000${run.seed}\u0000${run.policy}`;
    let group = groups.get(id);
    if (group === undefined) groups.set(id, (group = new Map()));
    group.set(haproxyOf(run), run);
  }
  return [...groups.values()].filter((group) => group.size > 1);
}

/** The figures whose value is not the same under every line of a group. */
export function differingFigures(group: ReadonlyMap<RunHaproxy, ScenarioRunResult>): string[] {
  const runs = [...group.values()];
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.figures)))].sort();
  return names.filter((name) => new Set(runs.map((run) => run.figures[name])).size > 1);
}
