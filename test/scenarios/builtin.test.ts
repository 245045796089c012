/**
 * Every built-in scenario passes on each of its seeds, and every expectation has a negative
 * control (test/scenarios/controls.ts): a broken variant of the scenario or of the engine that
 * must make exactly the expectations it names fail — no fewer, no others — on every one of the
 * scenario's seeds. The split-brain scenarios must see each node win on some seed.
 */
import { describe, expect, it } from 'vitest';
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import { scenarioSeeds, type ScenarioSpec } from '../../scenarios/dsl.ts';
import type { ScenarioRunResult } from '../../scenarios/results.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';
import { CONTROLS, failingCounted } from './controls.ts';

const suite = await loadScenarios([]);
const byName = new Map(suite.map((s) => [s.spec.name, s.spec]));

function spec(name: string): ScenarioSpec {
  const s = byName.get(name);
  if (s === undefined) throw new Error(`no built-in scenario ${name}`);
  return s;
}

/** Runs of the unbroken scenarios, by name, seed and policy (several tests read the same run). */
const runs = new Map<string, ScenarioRunResult>();
function run(s: ScenarioSpec, seed: string, policy: MergePolicyName): ScenarioRunResult {
  const key = `${s.name}\u0000${seed}\u0000${policy}`;
  let result = runs.get(key);
  if (result === undefined) {
    result = runScenario(s, { seed, policy, traceLevel: 'off' }).result;
    runs.set(key, result);
  }
  return result;
}

describe('the built-in suite', () => {
  it('has the scenarios the issue lists', () => {
    expect(suite.length).toBeGreaterThanOrEqual(12);
  });

  for (const { spec: s } of suite) {
    for (const policy of s.policies ?? (['haproxy'] as MergePolicyName[])) {
      it(`${s.name} passes under ${policy} for seeds ${scenarioSeeds(s).join(', ')}`, () => {
        for (const seed of scenarioSeeds(s)) {
          const result = run(s, seed, policy);
          const failed = result.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.message}`);
          expect(failed, `${s.name} seed ${seed}`).toEqual([]);
        }
      });
    }
  }
});

/** Split-brain scenarios and the figures that say which node accepted the reconnect. */
const ACCEPTOR_FIGURES: [string, string[]][] = [
  ['split-brain-acceptor-wins', ['acceptorIsHap1', 'acceptorIsHap2']],
  ['split-brain-three-nodes', ['acceptorIsHap1', 'acceptorIsHap3']],
];

describe('the split-brain seeds make each side win somewhere', () => {
  for (const [name, figures] of ACCEPTOR_FIGURES) {
    it(`${name}: one acceptor per seed, and each node accepts on some seed`, () => {
      const s = spec(name);
      const seen = new Set<string>();
      for (const seed of scenarioSeeds(s)) {
        const { figures: values } = run(s, seed, 'haproxy');
        const acceptors = figures.filter((f) => values[f] === 1);
        expect(acceptors, `${name} seed ${seed}`).toHaveLength(1);
        seen.add(acceptors[0]!);
      }
      expect([...seen].sort()).toEqual([...figures].sort());
    });
  }
});

describe('negative controls: each fails exactly the expectations it names, on every seed', () => {
  for (const control of CONTROLS) {
    const seeds = byName.has(control.scenario) ? scenarioSeeds(spec(control.scenario)) : [];
    const line = control.haproxy === undefined ? '' : `, under ${control.haproxy}`;
    it(`${control.scenario} fails ${control.breaks.join(', ')} when ${control.how} (seeds ${seeds.join(', ')}${line})`, () => {
      const base = spec(control.scenario);
      const want = [...control.breaks].sort();
      expect(new Set(want).size, 'no expectation named twice').toBe(want.length);
      for (const seed of seeds) expect(failingCounted(control, base, seed), `${control.scenario} seed ${seed}`).toEqual(want);
    });
  }

  it('every expectation of every built-in scenario has a control', () => {
    const controlled = new Set(CONTROLS.flatMap((c) => c.breaks.map((e) => `${c.scenario}/${e}`)));
    const missing: string[] = [];
    for (const { spec: s } of suite) {
      const result = run(s, scenarioSeeds(s)[0]!, 'haproxy');
      for (const e of result.expectations) if (!controlled.has(`${s.name}/${e.name}`)) missing.push(`${s.name}/${e.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('every control names expectations its scenario has', () => {
    const unknown: string[] = [];
    for (const c of CONTROLS) {
      const s = byName.get(c.scenario);
      const names = s === undefined ? new Set<string>() : new Set(run(s, scenarioSeeds(s)[0]!, 'haproxy').expectations.map((e) => e.name));
      for (const e of c.breaks) if (!names.has(e)) unknown.push(`${c.scenario}/${e}`);
    }
    expect(unknown).toEqual([]);
  });
});
