/**
 * The ported lab experiment 4 (scenarios/builtin/lab-04-split-brain.ts) against the lab's own
 * outcomes (test/fixtures/lab-04-outcomes.json, 4 trials per label from lab/out/04-*.out) over
 * 50 seeds. The outcome (who re-opened, who accepted the final session, whose partition value
 * both nodes ended with, or SWAPPED) must be the lab's on every run where the lab's 4 trials
 * agree, and every outcome the lab saw in S11/S12 must occur.
 * `npx tsx scripts/lab-04-frequencies.ts 100` prints the whole table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import spec, { TRIALS } from '../../scenarios/builtin/lab-04-split-brain.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { fixture } from '../helpers/shared.ts';
import { lab04Tally } from '../helpers/lab-04.ts';

const SEEDS = 50;
const LAB = JSON.parse(readFileSync(fixture('lab-04-outcomes.json'), 'utf8')) as { trials: Record<string, Record<string, number>> };
const verdictOf = (key: string): string => key.slice(key.indexOf(' | ') + 3);
const accOf = (key: string): string => /acc=(\S+)/.exec(key)![1]!;

describe('lab experiment 4 ported: outcomes over 50 seeds against the lab', () => {
  const tally = lab04Tally(Array.from({ length: SEEDS }, (_, i) => runScenario(spec, { seed: String(i + 1), policy: 'haproxy', traceLevel: 'off' }).result));

  it.each(TRIALS.map((t) => [t.label]))('%s: the lab’s outcomes, and only those where the lab agreed', (label) => {
    const sim = tally.outcomes.get(label)!;
    expect([...sim.values()].reduce((a, b) => a + b, 0)).toBe(SEEDS);
    const labOutcomes = new Set(Object.keys(LAB.trials[label]!));
    const simOutcomes = new Set(sim.keys());
    for (const o of labOutcomes) expect(simOutcomes, `${label}: the lab's "${o}" occurs`).toContain(o);
    if (labOutcomes.size === 1) expect([...simOutcomes], `${label} over ${SEEDS} seeds`).toEqual([...labOutcomes]);
    // The verdict alone, for the trials where the lab saw more than one acceptor.
    expect([...simOutcomes].every((o) => [...labOutcomes].map(verdictOf).includes(verdictOf(o)))).toBe(true);
  });

  it('S11 and S12 (natural reconnect): each node is the final acceptor on some seed, as in the lab', () => {
    for (const label of ['S11', 'S12']) {
      const labAcc = new Set(Object.keys(LAB.trials[label]!).map(accOf));
      const simAcc = new Set([...tally.outcomes.get(label)!.keys()].map(accOf));
      expect([...simAcc].sort(), label).toEqual([...labAcc].sort());
    }
  });

});
