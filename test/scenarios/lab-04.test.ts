/**
 * The ported lab experiment 4 (scenarios/builtin/lab-04-split-brain.ts) against the lab's own
 * outcomes (test/fixtures/lab-04-outcomes.json, 4 trials per label from lab/out/04-*.out) over
 * 50 seeds. The verdict (whose partition value both nodes ended with, or SWAPPED) must be the
 * lab's on every run where the lab's 4 trials agree, and every verdict and acceptor the lab saw in
 * S11/S12 must occur. The final acceptor of the INIT=B trials is an open difference (see the
 * scenario's header): checked to still differ, so a fix shows here.
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

  it.each(TRIALS.map((t) => [t.label]))('%s: the lab’s verdicts, and only those where the lab agreed', (label) => {
    const sim = tally.outcomes.get(label)!;
    expect([...sim.values()].reduce((a, b) => a + b, 0)).toBe(SEEDS);
    const labVerdicts = new Set(Object.keys(LAB.trials[label]!).map(verdictOf));
    const simVerdicts = new Set([...sim.keys()].map(verdictOf));
    for (const v of labVerdicts) expect(simVerdicts, `${label}: the lab's "${v}" occurs`).toContain(v);
    if (labVerdicts.size === 1) expect([...simVerdicts]).toEqual([...labVerdicts]);
  });

  it('S11 and S12 (natural reconnect): each node is the final acceptor on some seed, as in the lab', () => {
    for (const label of ['S11', 'S12']) {
      const labAcc = new Set(Object.keys(LAB.trials[label]!).map(accOf));
      const simAcc = new Set([...tally.outcomes.get(label)!.keys()].map(accOf));
      expect([...simAcc].sort(), label).toEqual([...labAcc].sort());
    }
  });

  it('open: sticksim sometimes ends an INIT=B trial with B accepting a later session (the lab never did)', () => {
    const initB = TRIALS.filter((t) => t.init === 'B').map((t) => t.label);
    const labOther = initB.reduce((n, l) => n + Object.entries(LAB.trials[l]!).filter(([k]) => accOf(k) === 'B').reduce((a, [, c]) => a + c, 0), 0);
    const simOther = initB.reduce((n, l) => n + [...tally.outcomes.get(l)!].filter(([k]) => accOf(k) === 'B').reduce((a, [, c]) => a + c, 0), 0);
    expect(labOther).toBe(0);
    expect(simOther, 'no INIT=B trial ends with B accepting any more: the difference is fixed, update the scenario header and this test').toBeGreaterThan(0);
  });
});
