/** Tallies of the ported lab experiment 4 (scenarios/builtin/lab-04-split-brain.ts) over runs. */
import { TRIALS } from '../../scenarios/builtin/lab-04-split-brain.ts';
import type { ScenarioRunResult } from '../../scenarios/results.ts';

export interface Lab04Tally {
  /** Per trial label: 'init=X acc=Y | verdict' -> runs. */
  outcomes: Map<string, Map<string, number>>;
  /** Per cut kind: every side's time to see the session DOWN (ms after the cut). */
  downMs: { REJECT: number[]; DROP: number[] };
}

export function lab04Tally(results: readonly ScenarioRunResult[]): Lab04Tally {
  const tally: Lab04Tally = { outcomes: new Map(), downMs: { REJECT: [], DROP: [] } };
  for (const result of results) {
    for (const trial of TRIALS) {
      const f = result.figures[trial.label];
      if (typeof f !== 'object') continue;
      const key = `init=${f['init']} acc=${f['acc']} | ${f['outcome']}`;
      const per = tally.outcomes.get(trial.label) ?? new Map<string, number>();
      per.set(key, (per.get(key) ?? 0) + 1);
      tally.outcomes.set(trial.label, per);
      for (const side of ['downAMs', 'downBMs']) {
        const v = f[side];
        if (typeof v === 'number' && v >= 0) tally.downMs[trial.how].push(v);
      }
    }
  }
  return tally;
}
