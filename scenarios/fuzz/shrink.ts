/**
 * Shrinking a failing case to a minimal one that fails the same property: greedy and
 * deterministic (the same case and seed always shrink to the same result). Candidates, smallest
 * change first: drop a fault; drop the last node (and what names it); shorten a fault; move it
 * earlier; then less traffic (fewer keys, no shared keys, no sets, no clears, earlier stop).
 * Every accepted candidate restarts the list; the number of runs is bounded.
 */
import { caseKeys, type FuzzCase } from './case.ts';
import type { Fault } from './schedule.ts';

export const SHRINK_RUNS_MAX = 400;
const DURATION_MS_MIN = 500;
const UNTIL_MS_MIN = 3_000;

export interface ShrinkResult {
  shrunk: FuzzCase;
  runs: number;
  steps: number;
}

/** `fails(c)` is true when `c` still fails the property being shrunk. */
export function shrinkCase(start: FuzzCase, fails: (c: FuzzCase) => boolean, runsMax = SHRINK_RUNS_MAX): ShrinkResult {
  let current = start;
  let runs = 0;
  let steps = 0;
  let improved = true;
  while (improved && runs < runsMax) {
    improved = false;
    for (const candidate of candidates(current)) {
      if (runs >= runsMax) break;
      runs++;
      if (fails(candidate)) {
        current = candidate;
        steps++;
        improved = true;
        break;
      }
    }
  }
  return { shrunk: current, runs, steps };
}

function withFaults(c: FuzzCase, faults: Fault[]): FuzzCase {
  return { ...c, faults };
}

function* candidates(c: FuzzCase): Generator<FuzzCase> {
  for (let i = 0; i < c.faults.length; i++) yield withFaults(c, c.faults.filter((_, j) => j !== i));
  if (c.nodes.length > 2) yield dropLastNode(c);
  for (let i = 0; i < c.faults.length; i++) {
    const f = c.faults[i]!;
    if ('durationMs' in f && f.durationMs > DURATION_MS_MIN) {
      const shorter = { ...f, durationMs: Math.max(DURATION_MS_MIN, roundMs(f.durationMs / 2)) };
      yield withFaults(c, c.faults.map((g, j) => (j === i ? shorter : g)));
    }
    if (f.atMs > 100) yield withFaults(c, c.faults.map((g, j) => (j === i ? { ...g, atMs: roundMs(g.atMs / 2) } : g)));
  }
  const t = c.traffic;
  if (t.keysPerNode > 1) yield { ...c, traffic: { ...t, keysPerNode: Math.floor(t.keysPerNode / 2) } };
  if (t.sharedKeys > 0) yield { ...c, traffic: { ...t, sharedKeys: 0 } };
  if (t.setEveryMs > 0) yield { ...c, traffic: { ...t, setEveryMs: 0 } };
  if (t.clearEveryMs > 0) yield { ...c, traffic: { ...t, clearEveryMs: 0 } };
  if (t.untilMs > UNTIL_MS_MIN) yield { ...c, traffic: { ...t, untilMs: Math.max(UNTIL_MS_MIN, roundMs(t.untilMs / 2)) } };
  if (c.table.store.length > 2) yield { ...c, table: { ...c.table, store: c.table.store.slice(0, 2) } };
}

function roundMs(ms: number): number {
  return Math.round(ms / 100) * 100;
}

/** Removes the last node and every fault that names it (a side left empty drops its fault). */
function dropLastNode(c: FuzzCase): FuzzCase {
  const gone = c.nodes[c.nodes.length - 1]!;
  const nodes = c.nodes.slice(0, -1);
  const faults: Fault[] = [];
  for (const f of c.faults) {
    if ('host' in f) {
      if (f.host !== gone) faults.push(f);
      continue;
    }
    if ('sides' in f) {
      const a = f.sides[0].filter((h) => h !== gone);
      const b = f.sides[1].filter((h) => h !== gone);
      if (a.length > 0 && b.length > 0) faults.push({ ...f, sides: [a, b] });
      continue;
    }
    faults.push(f);
  }
  const shrunk = { ...c, nodes, faults };
  // A table sized for the keys stays sized for them.
  return caseKeys(shrunk).own.length === nodes.length ? shrunk : c;
}
