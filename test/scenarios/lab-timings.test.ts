/**
 * Issue 14 (3): the lab's peer-session timings (test/fixtures/lab-timings.json, haproxy 2.6.12)
 * against the same scenario simulated over 50 seeds. A figure marked 'compared' must match: a
 * lab range holds every simulated value; for lab values, every one lies within the simulated
 * range and the simulated median within the lab's; for bounds, every simulated value lies between
 * them. A figure marked 'open' is one sticksim does not reproduce yet: the test checks it still
 * differs (so a fix shows up here and the figure moves to 'compared'). 'needs-port' figures wait
 * for the lab-04 port (REJECT verb, issue 14 items 4-5) and are only checked for their shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/shared.ts';
import { distribution, measureStartup, STARTUP_NODES, type StartupTimings } from '../helpers/peer-timings.ts';

type Figure =
  | { kind: 'range'; min: number; max: number; status: string; source: string }
  | { kind: 'values'; values: number[]; status: string; source: string }
  | { kind: 'bounds'; after: number; before: number; status: string; source: string }
  | { kind: 'count'; occurrences: number; trials: number; status: string; source: string };

const LAB = JSON.parse(readFileSync(fixture('lab-timings.json'), 'utf8')) as { figures: Record<string, Figure> };
const SEEDS = 50;
/** The lab started its nodes one after the other on loopback: a few ms apart, well under 1 ms latency. */
const START_GAP_MS = 10;
const LOOPBACK_LATENCY_MS = 0;

/** Does the simulated sample match the lab figure (by the rule of its kind)? */
function matches(figure: Figure, simulated: readonly number[]): boolean {
  const d = distribution(simulated);
  switch (figure.kind) {
    case 'range':
      return d.min >= figure.min && d.max <= figure.max;
    case 'values':
      return figure.values.every((v) => v >= d.min && v <= d.max) && d.median >= Math.min(...figure.values) && d.median <= Math.max(...figure.values);
    case 'bounds':
      return d.min > figure.after && d.max < figure.before;
    case 'count':
      return false;
  }
}

describe('peer-session timings: sticksim against the lab (haproxy 2.6.12)', () => {
  const runs: StartupTimings[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) runs.push(measureStartup(String(seed), { gapMs: START_GAP_MS, latencyMs: LOOPBACK_LATENCY_MS }));
  const simulated: Record<string, number[]> = {
    'startup.sessionTeardownMs': runs.flatMap((r) => r.teardownMs),
    'startup.meshRemadeMs': runs.map((r) => r.meshRemadeMs),
    'startup.pairsInitiatedByLowerNumbered': runs.map((r) => r.pairsInitiatedByLowerNumbered),
    'startup.resyncEndMs': runs.flatMap((r) => r.resyncEndMs),
  };

  it.each(Object.entries(LAB.figures).filter(([name, f]) => f.status === 'compared' && name in simulated))('%s matches the lab', (name, figure) => {
    const sample = simulated[name]!;
    expect(sample.length).toBeGreaterThanOrEqual(SEEDS);
    expect(matches(figure, sample), `${name}: lab ${JSON.stringify(figure)}; sticksim ${JSON.stringify(distribution(sample))}`).toBe(true);
  });

  it.each(Object.entries(LAB.figures).filter(([name, f]) => f.status === 'open' && name in simulated))('%s still differs from the lab (open)', (name, figure) => {
    const sample = simulated[name]!;
    expect(matches(figure, sample), `${name} now matches the lab: mark it 'compared'`).toBe(false);
  });

  it('the remote-abort flag (0x80) is set on the nodes the lab shows it on, in most runs, and not on the others', () => {
    const figure = LAB.figures['startup.remoteAbortFlag']!;
    expect(figure.kind).toBe('values');
    const labFlags = (figure as { values: number[] }).values;
    STARTUP_NODES.forEach((node, i) => {
      const runsWithFlag = runs.filter((r) => r.remoteAbortFlag[i] === 1).length;
      if (labFlags[i] === 1) expect(runsWithFlag, `${node}: 0x80 in ${runsWithFlag} of ${SEEDS} runs`).toBeGreaterThan(SEEDS / 2);
      else expect(runsWithFlag, `${node}: 0x80 in ${runsWithFlag} of ${SEEDS} runs`).toBeLessThan(SEEDS / 2);
    });
  });

  it('every figure names its source and a known status; the lab-04 figures wait for their port', () => {
    const figures = Object.entries(LAB.figures);
    expect(figures.length).toBeGreaterThanOrEqual(8);
    for (const [name, f] of figures) {
      expect(f.source.length, name).toBeGreaterThan(10);
      expect(['compared', 'open', 'needs-port'], name).toContain(f.status);
      if (f.status !== 'needs-port' && name !== 'startup.remoteAbortFlag') expect(simulated, `${name} has a simulated sample`).toHaveProperty([name]);
    }
  });
});
