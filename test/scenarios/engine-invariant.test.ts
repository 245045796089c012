/**
 * A broken engine invariant (a bug in sticksim) ends the run where it broke as a failure of
 * `engine-invariants-hold`, traced, with its reproduce command: never a crash of `sticksim run`,
 * of a battery or of the fuzzer (whose shrinker then treats it like any property). Any other
 * exception is not swallowed.
 */
import { describe, expect, it } from 'vitest';
import { fail } from '../../lib/assert.ts';
import { mesh } from '../../scenarios/builtin/cluster.ts';
import { scenario } from '../../scenarios/dsl.ts';
import { ENGINE_INVARIANTS_HOLD, runScenario } from '../../scenarios/runner.ts';

function breaking(atMs: number, thrown: () => never) {
  return scenario({
    name: 'breaks-an-invariant',
    title: '',
    lesson: '',
    hosts: mesh(['hap1', 'hap2']),
    durationMs: 10_000,
    script: (s) => {
      s.at(atMs, thrown);
      s.eventually('runs-past-the-break', { afterMs: 0, withinMs: 9_000, describe: 'the world runs past the break' }, () => s.world.nowMs() > atMs);
    },
  });
}

describe('a broken engine invariant', () => {
  it('stops the world at the break and fails the run with engine-invariants-hold', () => {
    const out = runScenario(breaking(2_500, () => fail('planted for this test')), { seed: '1', policy: 'haproxy', keepEntries: true });
    const broken = out.result.expectations.find((e) => e.name === ENGINE_INVARIANTS_HOLD);
    expect(out.result.passed).toBe(false);
    expect(broken).toMatchObject({ passed: false, atMs: 2_500 });
    expect(broken?.message).toContain('invariant violated: planted for this test');
    expect(out.result.simulatedMs).toBe(2_500);
    expect(out.entries.filter((e) => e.kind === 'engine.invariant').map((e) => e.t)).toEqual([2_500]);
    // The world ran nothing after the break, so the eventual check could not be met.
    expect(out.result.expectations.find((e) => e.name === 'runs-past-the-break')?.passed).toBe(false);
  });

  it('also under stopAtFirstFailure (the fuzzer), and a run without a break does not report it', () => {
    const broken = runScenario(breaking(2_500, () => fail('x')), { seed: '1', policy: 'haproxy', stopAtFirstFailure: true });
    expect(broken.result.expectations.map((e) => e.name)).toContain(ENGINE_INVARIANTS_HOLD);
    const fine = runScenario(breaking(20_000, () => fail('never reached')), { seed: '1', policy: 'haproxy' });
    expect(fine.result.expectations.map((e) => e.name)).not.toContain(ENGINE_INVARIANTS_HOLD);
  });

  it('lets any other exception through', () => {
    expect(() =>
      runScenario(
        breaking(2_500, () => {
          throw new RangeError('not an invariant');
        }),
        { seed: '1', policy: 'haproxy' },
      ),
    ).toThrow(/not an invariant/);
  });
});
