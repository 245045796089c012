/**
 * CI seeds: the fixed corpus (every scenario under scenarios/regressions/, each replayed at the
 * seed it was found with: real cases pass on the correct engine; a planted-bug example fails with
 * its bug and passes without it) plus STICKSIM_CI_SEEDS generated runs (default 8) whose root seed
 * is derived from the commit id, printed with the one command that replays them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseSeed, runIndex } from '../../scenarios/fuzz/fuzzer.ts';
import { loadRegressionCorpus } from '../../scenarios/fuzz/regression-corpus.ts';
import { REGRESSIONS_DIR } from '../../scenarios/fuzz/regression-writer.ts';
import { runScenario } from '../../scenarios/runner.ts';

const SEEDS = Number(process.env.STICKSIM_CI_SEEDS ?? 8);

function commitSeed(): string {
  try {
    return `ci-${execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`;
  } catch {
    return 'ci-nogit';
  }
}

describe('CI seeds', () => {
  it('the regression corpus replays at its recorded seeds: real cases pass, planted-bug examples fail only with their bug', async () => {
    const corpus = existsSync(REGRESSIONS_DIR) ? await loadRegressionCorpus(REGRESSIONS_DIR) : [];
    expect(corpus.length).toBeGreaterThan(0);
    for (const r of corpus) {
      const policy = r.spec.policies?.[0] ?? 'haproxy';
      const correct = runScenario(r.spec, { seed: r.seed, policy, traceLevel: 'off' });
      const failed = correct.result.expectations.filter((e) => !e.passed);
      expect(failed.map((e) => `${e.name}: ${e.message}`), `${r.file} at seed ${r.seed} on the correct engine`).toEqual([]);
      if (r.plantedBug === undefined) continue;
      const withBug = runScenario(r.spec, { seed: r.seed, policy, traceLevel: 'off', plantedBug: r.plantedBug });
      expect(withBug.result.passed, `${r.file} at seed ${r.seed} with --plant-bug ${r.plantedBug}`).toBe(false);
    }
  }, 120_000);

  it(`${SEEDS} seeds derived from the commit id pass`, () => {
    const root = commitSeed();
    process.stdout.write(`CI fuzz seeds: ${caseSeed(root, 0)} … ${caseSeed(root, SEEDS - 1)}; replay: npx sticksim fuzz --runs ${SEEDS} --seed ${root}\n`);
    for (let i = 0; i < SEEDS; i++) {
      const r = runIndex(root, i);
      expect(r.passed, `seed ${caseSeed(root, i)}: ${r.failure?.name}: ${r.failure?.message} — replay: npx sticksim fuzz --runs ${i + 1} --seed ${root}`).toBe(true);
    }
  }, 120_000);
});
