/**
 * The built-in suite catches each wire-level planted bug (engine/peers/planted-bug.ts, handed to
 * the run through its options as `sticksim run --plant-bug NAME` does): on every seed, the named
 * expectation of the scenario that should catch it fails with the bug, and the same seed passes
 * without it. Scenarios are looked up by name, so a rewritten scenario keeps its row here as long
 * as it keeps its name and the expectation's.
 *
 *   bug                 scenario                    expectation
 *   push-before-read    split-brain-acceptor-wins   outcome-per-merge-policy (the sides swap values)
 *   relay-learned       split-brain-three-nodes     hap3-never-gets-it-through-hap2
 *   remote-touch-local  split-brain-three-nodes     hap3-never-gets-it-through-hap2
 *   merge-max           split-brain-session-survives values-swapped (a merge bug, not wire-level)
 */
import { describe, expect, it } from 'vitest';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { ScenarioSpec } from '../../scenarios/dsl.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

/** Both acceptors occur across these seeds in the two-node split-brain scenarios. */
const SEEDS = ['1', '2', '3', '4'];

const CATCHES: { bug: PlantedBug; scenario: string; expectation: string }[] = [
  { bug: 'push-before-read', scenario: 'split-brain-acceptor-wins', expectation: 'outcome-per-merge-policy' },
  { bug: 'relay-learned', scenario: 'split-brain-three-nodes', expectation: 'hap3-never-gets-it-through-hap2' },
  { bug: 'remote-touch-local', scenario: 'split-brain-three-nodes', expectation: 'hap3-never-gets-it-through-hap2' },
  { bug: 'merge-max', scenario: 'split-brain-session-survives', expectation: 'values-swapped' },
];

async function scenarioNamed(name: string): Promise<ScenarioSpec> {
  const [loaded] = await loadScenarios([name]);
  expect(loaded?.spec.name).toBe(name);
  return loaded!.spec;
}

function failedExpectations(spec: ScenarioSpec, seed: string, plantedBug: PlantedBug | undefined): string[] {
  const { result } = runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off', plantedBug });
  return result.expectations.filter((e) => !e.passed).map((e) => e.name);
}

describe('the suite catches each planted bug', () => {
  it.each(CATCHES)('$scenario fails $expectation under --plant-bug $bug on every seed, and passes without it', async ({ bug, scenario, expectation }) => {
    const spec = await scenarioNamed(scenario);
    for (const seed of SEEDS) {
      expect(failedExpectations(spec, seed, undefined), `${scenario} seed ${seed}, correct engine`).toEqual([]);
      expect(failedExpectations(spec, seed, bug), `${scenario} seed ${seed}, --plant-bug ${bug}`).toContain(expectation);
    }
  }, 240_000);
});
