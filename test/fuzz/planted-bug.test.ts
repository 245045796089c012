/**
 * The fuzzer finds each planted bug within 1,000 runs, shrinks it to at most 3 faults, writes a
 * regression that replays the failure (and passes without the bug), and shrinks the same seed to
 * the same schedule twice; without the switch the same runs pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plantBug } from '../../engine/peers/planted-bug.ts';
import { fuzz, runIndex } from '../../scenarios/fuzz/fuzzer.ts';
import { PLANT_BUG_ENV } from '../../scenarios/fuzz/planted-bug.ts';
import { writeRegression } from '../../scenarios/fuzz/regression-writer.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

const ROOT_SEED = '7';

afterEach(() => {
  delete process.env[PLANT_BUG_ENV];
  plantBug(undefined);
});

describe.each(['merge-max', 'forget-ack', 'ack-rewind'] as const)('planted bug %s', (bug) => {
  it('is found within 1,000 runs, shrunk to ≤ 3 faults, replayed by its regression file, deterministically', async () => {
    process.env[PLANT_BUG_ENV] = bug;
    const first = await fuzz({ runs: 1000, rootSeed: ROOT_SEED, workers: 1 });
    const f = first.failure;
    expect(f).toBeDefined();
    expect(first.runsDone).toBeLessThanOrEqual(1000);
    expect(f!.shrunk.faults.length).toBeLessThanOrEqual(3);
    expect(f!.shrunk.faults.length).toBeLessThanOrEqual(f!.original.faults.length);

    const again = await fuzz({ runs: 1000, rootSeed: ROOT_SEED, workers: 1 });
    expect(again.failure?.index).toBe(f!.index);
    expect(again.failure?.shrunk).toEqual(f!.shrunk);

    const dir = mkdtempSync(join(tmpdir(), 'sticksim-regr-'));
    try {
      const written = writeRegression({ case: f!.shrunk, seed: f!.seed, property: f!.property, message: f!.shrunkMessage, plantedBug: bug, foundBy: 'planted-bug.test.ts' }, { dir });
      expect(written.command).toContain(`${PLANT_BUG_ENV}=${bug}`);
      expect(written.command).toContain(`--seed ${f!.seed}`);
      const [loaded] = await loadScenarios([written.path]);
      const withBug = runScenario(loaded!.spec, { seed: f!.seed, policy: f!.shrunk.policy, traceLevel: 'off' });
      expect(withBug.result.passed).toBe(false);
      expect(withBug.result.expectations.find((e) => !e.passed)?.name).toBe(f!.property);
      delete process.env[PLANT_BUG_ENV];
      const withoutBug = runScenario(loaded!.spec, { seed: f!.seed, policy: f!.shrunk.policy, traceLevel: 'off' });
      expect(withoutBug.result.passed).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    delete process.env[PLANT_BUG_ENV];
    for (let i = 0; i <= f!.index; i++) expect(runIndex(ROOT_SEED, i, undefined).passed, `run ${i} without the bug`).toBe(true);
  }, 120_000);
});

it('runs in 2 worker processes find the same first failure as 1 worker', async () => {
  process.env[PLANT_BUG_ENV] = 'merge-max';
  const one = await fuzz({ runs: 50, rootSeed: ROOT_SEED, workers: 1 });
  const two = await fuzz({ runs: 50, rootSeed: ROOT_SEED, workers: 2 });
  expect(one.failure).toBeDefined();
  expect(two.failure?.index).toBe(one.failure?.index);
  expect(two.failure?.shrunk).toEqual(one.failure?.shrunk);
}, 120_000);
