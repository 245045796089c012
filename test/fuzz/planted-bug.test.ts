/**
 * The fuzzer finds each planted bug (handed to the engine through the fuzz options, never a global),
 * names the property it violates, shrinks it to at most 3 faults, writes a regression whose replay
 * command plants the same bug and which fails with it and passes without it, and shrinks the same
 * seed to the same schedule twice; without the bug the same runs pass. Each bug's root seed and run
 * count are the smallest campaign that finds it (`sticksim fuzz --runs 1000 --seed 7 --plant-bug B`
 * finds each at the run named here), to keep the test short.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import { fuzz, runIndex } from '../../scenarios/fuzz/fuzzer.ts';
import { writeRegression } from '../../scenarios/fuzz/regression-writer.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

const ROOT_SEED = '7';

/** Per bug: the property the fuzz finds violated, and a run count that covers the finding run. */
const CASES: { bug: PlantedBug; property: string; runs: number }[] = [
  { bug: 'merge-max', property: 'merge-overwrites-field-by-field', runs: 10 }, // found at run 2
  { bug: 'forget-ack', property: 'aggregate-sums-contributions', runs: 30 }, // run 17
  { bug: 'ack-rewind', property: 'no-update-applied-twice', runs: 10 }, // run 4
  { bug: 'push-before-read', property: 'one-value-after-heal', runs: 50 }, // run 40
  { bug: 'relay-learned', property: 'learned-update-never-relayed', runs: 5 }, // run 1
  { bug: 'remote-touch-local', property: 'learned-update-never-relayed', runs: 5 }, // run 0
];

describe.each(CASES)('planted bug $bug', ({ bug, property, runs }) => {
  it(`is found within ${runs} runs as ${property}, shrunk to ≤ 3 faults, replayed by its regression file, deterministically`, async () => {
    const first = await fuzz({ runs, rootSeed: ROOT_SEED, workers: 1, plantedBug: bug });
    const f = first.failure;
    expect(f, `${bug} not found in ${runs} runs of seed ${ROOT_SEED}`).toBeDefined();
    expect(f!.property).toBe(property);
    expect(first.plantedBug).toBe(bug);
    expect(f!.shrunk.faults.length).toBeLessThanOrEqual(3);
    expect(f!.shrunk.faults.length).toBeLessThanOrEqual(f!.original.faults.length);

    const again = await fuzz({ runs, rootSeed: ROOT_SEED, workers: 1, plantedBug: bug });
    expect(again.failure?.index).toBe(f!.index);
    expect(again.failure?.shrunk).toEqual(f!.shrunk);

    const dir = mkdtempSync(join(tmpdir(), 'sticksim-regr-'));
    try {
      const written = writeRegression({ case: f!.shrunk, seed: f!.seed, property: f!.property, message: f!.shrunkMessage, plantedBug: bug, foundBy: 'planted-bug.test.ts' }, { dir });
      expect(written.command).toMatch(new RegExp(`^npx sticksim run \\S+ --seed ${f!.seed} --plant-bug ${bug}$`));
      expect(readFileSync(written.path, 'utf8')).toContain(`PLANTED BUG EXAMPLE: found with --plant-bug ${bug}`);
      const [loaded] = await loadScenarios([written.path]);
      const withBug = runScenario(loaded!.spec, { seed: f!.seed, policy: f!.shrunk.policy, traceLevel: 'off', plantedBug: bug });
      expect(withBug.result.passed).toBe(false);
      expect(withBug.result.expectations.find((e) => !e.passed)?.name).toBe(f!.property);
      expect(withBug.result.reproduce).toContain(`--plant-bug ${bug}`);
      const withoutBug = runScenario(loaded!.spec, { seed: f!.seed, policy: f!.shrunk.policy, traceLevel: 'off' });
      expect(withoutBug.result.expectations.filter((e) => !e.passed)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    for (let i = 0; i <= f!.index; i++) expect(runIndex(ROOT_SEED, i).passed, `run ${i} without the bug`).toBe(true);
  }, 240_000);
});

it('runs in 2 worker processes find the same first failure as 1 worker (the bug travels in the chunk options)', async () => {
  const one = await fuzz({ runs: 50, rootSeed: ROOT_SEED, workers: 1, plantedBug: 'merge-max' });
  const two = await fuzz({ runs: 50, rootSeed: ROOT_SEED, workers: 2, plantedBug: 'merge-max' });
  expect(one.failure).toBeDefined();
  expect(two.failure?.index).toBe(one.failure?.index);
  expect(two.failure?.shrunk).toEqual(one.failure?.shrunk);
}, 120_000);

it('a planted bug does not outlive its run: the next run without it is the correct engine', async () => {
  const withBug = await fuzz({ runs: 5, rootSeed: ROOT_SEED, workers: 1, plantedBug: 'remote-touch-local' });
  expect(withBug.failure).toBeDefined();
  const after = await fuzz({ runs: withBug.failure!.index + 1, rootSeed: ROOT_SEED, workers: 1 });
  expect(after.failure).toBeUndefined();
}, 120_000);
