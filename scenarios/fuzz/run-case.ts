/**
 * Runs one fuzz case under one seed (traces off) and says which property failed first, with the
 * coverage marks the engine counted.
 */
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { ExpectationResult } from '../results.ts';
import { runScenario } from '../runner.ts';
import type { World } from '../../sim/world.ts';
import type { FuzzCase } from './case.ts';
import { fuzzScript, fuzzSpec } from './scenario.ts';

export interface CaseOutcome {
  passed: boolean;
  /** The first failed property (expectation), if any. */
  failure: ExpectationResult | undefined;
  marks: Map<string, number>;
  kernelEvents: number;
}

export function runCase(c: FuzzCase, seed: string, options: { plantedBug?: PlantedBug | undefined } = {}): CaseOutcome {
  const base = fuzzSpec(c);
  let world: World | undefined;
  const spec = {
    ...base,
    script: (s: Parameters<typeof base.script>[0]) => {
      world = s.world;
      fuzzScript(s, c, (kind, fn) => s.observe(kind, fn));
    },
  };
  const out = runScenario(spec, { seed, policy: c.policy, ...(c.haproxy === undefined ? {} : { haproxy: c.haproxy }), traceLevel: 'off', plantedBug: options.plantedBug, stopAtFirstFailure: true });
  const failure = out.result.expectations.find((e) => !e.passed);
  return { passed: out.result.passed, failure, marks: new Map(world?.marks.counts ?? []), kernelEvents: out.kernelEvents };
}
