/**
 * The built-in suite catches each planted bug (engine/peers/planted-bug.ts, handed to a run as
 * `sticksim run --plant-bug NAME` does): every bug but `ack-rewind` has a negative control in
 * controls.ts, which builtin.test.ts runs on every seed of its scenario and which must make exactly
 * the expectations it names fail. `ack-rewind` re-sends updates the peer already acknowledged;
 * applying them again changes no value (HAProxy's merge and the aggregate policy are idempotent
 * for a repeated update), so only the fuzz's no-update-applied-twice property sees it
 * (test/fuzz/planted-bug.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PLANTED_BUGS, type PlantedBug } from '../../engine/peers/planted-bug.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';
import { CONTROLS } from './controls.ts';

const FUZZ_ONLY: readonly PlantedBug[] = ['ack-rewind'];

describe('the suite catches each planted bug', () => {
  it('every planted bug but the fuzz-only ones has a control; the wire-level ones are among them', () => {
    const controlled = new Set(CONTROLS.flatMap((c) => (c.engine?.plantedBug === undefined ? [] : [c.engine.plantedBug])));
    expect(PLANTED_BUGS.filter((bug) => !controlled.has(bug) && !FUZZ_ONLY.includes(bug))).toEqual([]);
    for (const bug of ['push-before-read', 'relay-learned', 'remote-touch-local'] as const) expect(controlled.has(bug), bug).toBe(true);
  });

  it('ack-rewind changes no expectation of the split-brain scenarios (why it is fuzz-only)', async () => {
    const suite = await loadScenarios(['split-brain-acceptor-wins', 'split-brain-three-nodes']);
    for (const { spec } of suite) {
      for (const seed of ['1', '2']) {
        const { result } = runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off', plantedBug: 'ack-rewind' });
        expect(result.expectations.filter((e) => !e.passed).map((e) => e.name), `${spec.name} seed ${seed}`).toEqual([]);
      }
    }
  }, 120_000);
});
