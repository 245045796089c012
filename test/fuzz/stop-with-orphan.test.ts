/**
 * A process killed while one of its outgoing sessions is still connecting and an earlier one's
 * stream goes on alone (an orphan, engine/peers/orphan-stream.ts): the hard stop kills both, and
 * the invariants checked as each session is released must not see the orphans it is about to kill.
 * Fuzz seed 1-814 (`sticksim fuzz --runs 815`) crashed there with "orphan streams outlive the
 * process" before the stop took the orphans out first.
 */
import { describe, expect, it } from 'vitest';
import { runIndex } from '../../scenarios/fuzz/fuzzer.ts';

describe('hard stop with an orphan stream', () => {
  it('seed 1-814 runs to its verdict (a crash with an orphan stream alive)', () => {
    const report = runIndex('1', 814);
    expect(report.failure?.message).toBeUndefined();
    expect(report.passed).toBe(true);
  });
});
