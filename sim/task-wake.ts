/**
 * How long a task haproxy wakes (`task_wakeup`: it joins the run queue) waits for the scheduler
 * pass that runs it: each wake-up draws a whole number of ms in [minMs, maxMs] from the host's own
 * `tasks:<host>` stream (engine/env.ts TaskWakeLatency; the engine asks it for the peers sync
 * task, and under 3.2 for a session's run deferred to the next pass, S11). Real passes take tens of microseconds; what matters between two processes is whether a
 * task's run comes before or after the input the other side sent meanwhile, so the delay is in
 * units of the link latency, not a measured duration. Not measured: no default (a woken task runs
 * at the next turn), set per host for what-if runs and for the lab ports run on a loaded machine
 * (issue 13: lab/v3 04, 3.x split-brain swaps; scripts/lab-swap-capture.sh shows the acceptor's
 * push 10-17 us or 32-51 us after its `200`, the initiator's first message 35-90 us after it).
 */
import { assert } from '../lib/assert.ts';
import type { TaskWakeLatency, TimerHandle } from '../engine/env.ts';
import type { SeededRandom } from './seeds.ts';
import { isWholeMsRange, type MsRange } from './ms-range.ts';

export type TaskWakeDelay = MsRange;

/** Bound on a host's task wake delay: far beyond any loaded real host. */
export const TASK_WAKE_DELAY_MS_MAX = 1_000;

export function isTaskWakeDelay(delay: TaskWakeDelay): boolean {
  return isWholeMsRange(delay, TASK_WAKE_DELAY_MS_MAX);
}

/** A host's TaskWakeLatency: draws the delay, then schedules through `scheduleExact` (no timer lateness). */
export function taskWakeLatency(options: {
  delay: TaskWakeDelay;
  random: SeededRandom;
  scheduleExact: (delayMs: number, fire: () => void) => TimerHandle;
  host: string;
}): TaskWakeLatency {
  const { delay, random, scheduleExact } = options;
  assert(isTaskWakeDelay(delay), `taskWakeDelay of ${options.host}: whole ms, 0 <= minMs <= maxMs <= ${TASK_WAKE_DELAY_MS_MAX}`);
  return { schedule: (fire) => scheduleExact(random.nextIntBetween(delay.minMs, delay.maxMs), fire) };
}
