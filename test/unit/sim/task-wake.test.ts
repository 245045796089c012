/**
 * sim/task-wake.ts: a host's woken task runs after a drawn whole number of ms in [minMs, maxMs],
 * from the host's own stream and without timer lateness; scenario files name a bad range.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/kernel.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { taskWakeLatency, type TaskWakeDelay } from '../../../sim/task-wake.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import { checkScenarioShape } from '../../../scenarios/spec-check.ts';

/** When each of `count` wake-ups, all made at time 0, ran. */
function runTimes(delay: TaskWakeDelay, seed: string, count: number): number[] {
  const kernel = new Kernel();
  const wake = taskWakeLatency({ delay, random: new Seeds(seed).stream('tasks:hap1'), scheduleExact: (ms, fire) => kernel.schedule(ms, fire), host: 'hap1' });
  const times: number[] = [];
  for (let i = 0; i < count; i++) wake.schedule(() => times.push(kernel.nowMs()));
  kernel.runFor(100);
  return times.sort((a, b) => a - b);
}

describe('task wake delay (sim/task-wake.ts)', () => {
  it('each wake-up runs 0..maxMs later, both ends drawn, the same for the same seed', () => {
    const times = runTimes({ minMs: 0, maxMs: 1 }, '1', 200);
    expect(new Set(times)).toEqual(new Set([0, 1]));
    expect(runTimes({ minMs: 0, maxMs: 1 }, '1', 200)).toEqual(times);
    expect(new Set(runTimes({ minMs: 3, maxMs: 3 }, '1', 20))).toEqual(new Set([3]));
  });

  it('a bad taskWakeDelay in a scenario is named with its host', () => {
    const spec = (taskWakeDelay: unknown) => ({ name: 'x', title: '', lesson: '', durationMs: 1000, script: () => {}, hosts: mesh(['hap1', 'hap2']).map((h) => ({ ...h, taskWakeDelay })) });
    expect(() => checkScenarioShape(spec({ minMs: 2, maxMs: 1 }), 'x.ts')).toThrow(/'taskWakeDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 0, maxMs: 1_001 }), 'x.ts')).toThrow(/'taskWakeDelay' of 'hap1'/);
    expect(() => checkScenarioShape(spec({ minMs: 0, maxMs: 1 }), 'x.ts')).not.toThrow();
  });

  it('a bad range given to the sim directly fails loudly', () => {
    expect(() => runTimes({ minMs: 0.5, maxMs: 1 }, '1', 1)).toThrow(/taskWakeDelay of hap1/);
  });
});
