/**
 * The ported lab experiment 4 (scenarios/builtin/lab-04-split-brain.ts) over many seeds: for each
 * trial S1-S12, how often each outcome came out ('init=<who re-opened> acc=<who accepted> |
 * <verdict>', as the lab's summary lines say it), next to the lab's own counts
 * (test/fixtures/lab-04-outcomes.json, 4 trials per label), and the time each side took to see
 * the session DOWN after the cut.
 *
 *   npx tsx scripts/lab-04-frequencies.ts [seeds=100]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import spec, { TRIALS } from '../scenarios/builtin/lab-04-split-brain.ts';
import { runScenario } from '../scenarios/runner.ts';
import { lab04Tally, type Lab04Tally } from '../test/helpers/lab-04.ts';

const SEEDS = Number(process.argv[2] ?? 100);
const lab = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'lab-04-outcomes.json'), 'utf8')) as { trials: Record<string, Record<string, number>> };
const tally: Lab04Tally = lab04Tally(
  Array.from({ length: SEEDS }, (_, i) => runScenario(spec, { seed: String(i + 1), policy: 'haproxy', traceLevel: 'off' }).result),
);
const pct = (n: number, of: number): string => `${n}/${of} (${Math.round((100 * n) / of)}%)`;
console.log(`lab-04 port over seeds 1-${SEEDS}, next to the lab (haproxy 2.6.12, 4 trials per label)\n`);
console.log('| trial | outcome | sticksim | lab |');
console.log('|---|---|---|---|');
for (const trial of TRIALS) {
  const sim = tally.outcomes.get(trial.label) ?? new Map<string, number>();
  const labCounts = lab.trials[trial.label] ?? {};
  const labTotal = Object.values(labCounts).reduce((a, b) => a + b, 0);
  const keys = [...new Set([...sim.keys(), ...Object.keys(labCounts)])].sort();
  for (const key of keys) console.log(`| ${trial.label} | ${key} | ${pct(sim.get(key) ?? 0, SEEDS)} | ${pct(labCounts[key] ?? 0, labTotal)} |`);
}
const show = (v: number[]): string => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? 'none' : `n=${s.length} min=${s[0]} median=${s[Math.floor(s.length / 2)]} max=${s.at(-1)}`;
};
console.log(`\nsession DOWN after the cut (ms), REJECT trials: ${show(tally.downMs.REJECT)}; DROP trials: ${show(tally.downMs.DROP)}`);
console.log('lab: 3980-9546 ms over both kinds (the three 2.6 runs: lab/out/04-splitbrain.out, .run2.out 4640-9546, lab/v3/out/2.6/04-splitbrain.control.out 3980-9048; "saw ... DOWN at")');
