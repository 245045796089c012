/**
 * Scenarios whose outcome differs between HAProxy release lines (issue 13): each passes under
 * every line with the expectation of that line, and fails — exactly the expectations that differ —
 * when the engine runs one line while the script is told another (the negative control). Every
 * line's expectation is judged against another line's engine at least once (the test below
 * checks it). docs/version-outcomes-audit.md lists, per built-in, what differs and why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioSeeds, type ScenarioSpec } from '../../scenarios/dsl.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { builtinSpec } from '../helpers/builtin-spec.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

interface VersionControl {
  scenario: string;
  engine: HaproxyVersion;
  told: HaproxyVersion;
  breaks: readonly string[];
  /** The seeds the control runs on, when not all of the scenario's discriminate (each is named). */
  seeds?: readonly string[];
}

const CONTROLS: readonly VersionControl[] = [
  // S1 (profile loneLocalPeerSyncedAtStart): 2.6 loses the lone node's table on a reload at 2 s, 3.x keeps it.
  { scenario: 'reload-before-startup-resync-loses-table', engine: '3.0', told: '2.6', breaks: ['entriesAfterReload', 'updatesTaught'] },
  { scenario: 'reload-before-startup-resync-loses-table', engine: '3.2', told: '2.6', breaks: ['entriesAfterReload', 'updatesTaught'] },
  { scenario: 'reload-before-startup-resync-loses-table', engine: '2.6', told: '3.0', breaks: ['entriesAfterReload', 'updatesTaught'] },
  { scenario: 'reload-before-startup-resync-loses-table', engine: '2.6', told: '3.2', breaks: ['entriesAfterReload', 'updatesTaught'] },
  // S1 in the lab port: 3.x keeps the lone node's table at every delay (loneLocalPeerSyncedAtStart),
  // and prints its own flag values (R11, showPeers3x).
  { scenario: 'lab-03b-reload-threshold', engine: '3.0', told: '2.6', breaks: ['kept-only-after-the-startup-resync'] },
  { scenario: 'lab-03b-reload-threshold', engine: '3.2', told: '2.6', breaks: ['kept-only-after-the-startup-resync'] },
  { scenario: 'lab-03b-reload-threshold', engine: '2.6', told: '3.0', breaks: ['kept-only-after-the-startup-resync'] },
  { scenario: 'lab-03b-reload-threshold', engine: '2.6', told: '3.2', breaks: ['kept-only-after-the-startup-resync'] },
  // R11/S8 in the lab-09 port: the same section state at the last check, 2.6's or 3.x's flag bits (showPeers3x).
  { scenario: 'lab-09-startup-window', engine: '3.0', told: '2.6', breaks: ['section-flags-at-the-last-check'] },
  { scenario: 'lab-09-startup-window', engine: '3.2', told: '2.6', breaks: ['section-flags-at-the-last-check'] },
  { scenario: 'lab-09-startup-window', engine: '2.6', told: '3.0', breaks: ['section-flags-at-the-last-check'] },
  { scenario: 'lab-09-startup-window', engine: '2.6', told: '3.2', breaks: ['section-flags-at-the-last-check'] },
  // S10 in the lab-04 port (sessionWaitsForSyncTask with the hosts' taskWakeDelay): 3.x swaps in
  // some both-wrote trial on seeds 1 and 3, which 2.6's acceptor-wins rule refuses; on seed 2 no
  // trial swaps, so it does not discriminate.
  { scenario: 'lab-04-split-brain', engine: '3.0', told: '2.6', breaks: ['acceptor-wins-when-both-wrote'], seeds: ['1', '3'] },
  { scenario: 'lab-04-split-brain', engine: '3.2', told: '2.6', breaks: ['acceptor-wins-when-both-wrote'], seeds: ['1', '3'] },
  // P12 in the lab-04 port (acceptedInputDropsReadTimeout): a 2.6 acceptor without a read timeout
  // sees the cut only at the dead-peer check, later than 3.x's 5 s read timeout allows, on every seed.
  { scenario: 'lab-04-split-brain', engine: '2.6', told: '3.0', breaks: ['cut-seen-in-time'] },
  { scenario: 'lab-04-split-brain', engine: '2.6', told: '3.2', breaks: ['cut-seen-in-time'] },
  // E2 (eviction per-bucket): 3.0's bucket eviction lets fewer abusive requests through than 2.6's
  // or 3.2's expectation admits.
  { scenario: 'table-too-small-under-attack', engine: '3.0', told: '2.6', breaks: ['botnetLetThroughPercent'] },
  { scenario: 'table-too-small-under-attack', engine: '3.0', told: '3.2', breaks: ['botnetLetThroughPercent'] },
  // E3 (eviction batchMax 100, batchFixed): 3.2's purge of up to 100 entries leaves the table
  // part-empty at the end (seed 2: 90 of 100, seed 3: 59); on seed 1 the last purge was refilled by
  // the end, so it does not discriminate. Judged by 2.6's and by 3.0's expectation (both: full).
  { scenario: 'table-too-small-under-attack', engine: '3.2', told: '2.6', breaks: ['tableFull'], seeds: ['2', '3'] },
  { scenario: 'table-too-small-under-attack', engine: '3.2', told: '3.0', breaks: ['tableFull'], seeds: ['2', '3'] },
];

const spec = builtinSpec;

/** Built-ins whose script reads the line it is told (`s.haproxy`): their expectations differ by line. */
const BUILTIN_DIR = new URL('../../scenarios/builtin/', import.meta.url);
const PER_LINE = readdirSync(BUILTIN_DIR)
  .filter((f) => f.endsWith('.ts') && /\bs\.haproxy\b/.test(readFileSync(new URL(f, BUILTIN_DIR), 'utf8')))
  .map((f) => f.replace(/\.ts$/, ''));

describe('scenarios whose outcome differs by HAProxy line', () => {
  for (const name of new Set(CONTROLS.map((c) => c.scenario))) {
    it(`${name} passes under 2.6, 3.0 and 3.2 on every seed`, async () => {
      const s = await spec(name);
      for (const haproxy of ['2.6', '3.0', '3.2'] as const) {
        for (const seed of scenarioSeeds(s)) {
          const { result } = runScenario(s, { seed, policy: 'haproxy', haproxy, traceLevel: 'off' });
          expect(result.expectations.filter((e) => !e.passed).map((e) => `${haproxy}/${seed}: ${e.message}`)).toEqual([]);
        }
      }
    });
  }

  it('every line of every scenario with per-line expectations is judged by a control against another line', () => {
    const missing: string[] = [];
    for (const name of PER_LINE) for (const told of ['2.6', '3.0', '3.2']) if (!CONTROLS.some((c) => c.scenario === name && c.told === told && c.engine !== told)) missing.push(`${name} told ${told}`);
    expect(missing).toEqual([]);
    expect(PER_LINE.length).toBeGreaterThan(0);
    expect([...new Set(CONTROLS.map((c) => c.scenario))].sort()).toEqual([...PER_LINE].sort());
  });

  for (const c of CONTROLS) {
    it(`${c.scenario}: a ${c.engine} engine judged by the ${c.told} expectations fails ${c.breaks.join(', ')}`, async () => {
      const s = await spec(c.scenario);
      for (const seed of c.seeds ?? scenarioSeeds(s)) {
        const { result } = runScenario(s, { seed, policy: 'haproxy', haproxy: c.engine, haproxyToldToScript: c.told, traceLevel: 'off' });
        expect(result.expectations.filter((e) => !e.passed).map((e) => e.name)).toEqual(c.breaks);
      }
    });
  }
});
