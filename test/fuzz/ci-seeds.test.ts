/**
 * CI seeds: the fixed corpus (every scenario under scenarios/regressions/, which pass on a
 * correct engine) plus STICKSIM_CI_SEEDS generated runs (default 8) whose root seed is derived
 * from the commit id, printed with the one command that replays them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plantBug } from '../../engine/peers/planted-bug.ts';
import { caseSeed, runIndex } from '../../scenarios/fuzz/fuzzer.ts';
import { REGRESSIONS_DIR } from '../../scenarios/fuzz/regression-writer.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

const SEEDS = Number(process.env.STICKSIM_CI_SEEDS ?? 8);

function commitSeed(): string {
  try {
    return `ci-${execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`;
  } catch {
    return 'ci-nogit';
  }
}

describe('CI seeds', () => {
  it('the regression corpus passes', async () => {
    plantBug(undefined);
    const corpus = existsSync(REGRESSIONS_DIR) ? await loadScenarios([REGRESSIONS_DIR]) : [];
    for (const s of corpus) {
      const out = runScenario(s.spec, { seed: '1', policy: s.spec.policies?.[0] ?? 'haproxy', traceLevel: 'off' });
      expect(out.result.passed, `${s.ref}: ${out.result.expectations.filter((e) => !e.passed).map((e) => e.message).join('; ')}`).toBe(true);
    }
  }, 120_000);

  it(`${SEEDS} seeds derived from the commit id pass`, () => {
    plantBug(undefined);
    const root = commitSeed();
    process.stdout.write(`CI fuzz seeds: ${caseSeed(root, 0)} … ${caseSeed(root, SEEDS - 1)}; replay: npx sticksim fuzz --runs ${SEEDS} --seed ${root}\n`);
    for (let i = 0; i < SEEDS; i++) {
      const r = runIndex(root, i, undefined);
      expect(r.passed, `seed ${caseSeed(root, i)}: ${r.failure?.name}: ${r.failure?.message} — replay: npx sticksim fuzz --runs ${i + 1} --seed ${root}`).toBe(true);
    }
  }, 120_000);
});
