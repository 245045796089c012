/** One built-in scenario's spec by name, loaded once per test file. */
import type { ScenarioSpec } from '../../scenarios/dsl.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

const specs = new Map<string, ScenarioSpec>();

export async function builtinSpec(name: string): Promise<ScenarioSpec> {
  const known = specs.get(name);
  if (known !== undefined) return known;
  const [loaded] = await loadScenarios([name]);
  if (loaded === undefined) throw new Error(`no built-in scenario named ${name}`);
  specs.set(name, loaded.spec);
  return loaded.spec;
}
