/**
 * Sequential scripts: a scenario step list written as a generator that yields waits and resumes
 * at the simulated instant each one ends (`yield s.sleep(500)`, `const timedOut = yield
 * s.waitUntil(() => ..., { everyMs: 10, withinMs: 5_000 })`). The generator runs inside kernel
 * events, so a sequence is as deterministic as `s.at`: no promise, no wall clock. (An async
 * function cannot do this: its continuations would run after the whole kernel run returned.)
 * Each wait is a `script.step` trace event.
 */
import { assert } from '../lib/assert.ts';
import type { ScriptApi } from './script-api.ts';
import { ScenarioScriptError } from './user-error.ts';

export type Step =
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'until'; readonly predicate: () => boolean; readonly everyMs: number; readonly withinMs: number };

/** The value a step resumes the generator with: for `waitUntil`, true when it timed out. */
export type StepResult = boolean | undefined;

export type SequenceBody = () => Generator<Step, void, StepResult>;

/** Bound on the steps of one sequence (a loop without a wait would otherwise never end). */
export const SEQUENCE_STEPS_MAX = 1_000_000;

export function sleepStep(ms: number): Step {
  if (!Number.isFinite(ms) || ms < 0) throw new ScenarioScriptError(`s.sleep: a duration of 0 ms or more (got ${ms})`);
  return { kind: 'sleep', ms };
}

export function untilStep(predicate: () => boolean, options: { everyMs: number; withinMs: number }): Step {
  if (!(options.everyMs > 0) || !(options.withinMs >= 0)) throw new ScenarioScriptError(`s.waitUntil: everyMs > 0 and withinMs >= 0 (got ${options.everyMs}, ${options.withinMs})`);
  return { kind: 'until', predicate, everyMs: options.everyMs, withinMs: options.withinMs };
}

/** Runs `body` from `startMs`: each yielded step schedules the next resumption on the kernel. */
export function runSequence(api: ScriptApi, body: SequenceBody, startMs: number): void {
  const generator = body();
  let steps = 0;
  const advance = (value: StepResult): void => {
    steps += 1;
    assert(steps <= SEQUENCE_STEPS_MAX, `a sequence takes at most ${SEQUENCE_STEPS_MAX} steps`);
    const next = generator.next(value);
    if (next.done === true) return;
    const step = next.value;
    if (step.kind === 'sleep') {
      api.world.record('script.step', { step: 'sleep', ms: step.ms });
      api.at(api.nowMs() + step.ms, () => advance(undefined));
      return;
    }
    const fromMs = api.nowMs();
    api.until({ startMs: fromMs, everyMs: step.everyMs, withinMs: step.withinMs }, step.predicate, (timedOut) => {
      api.world.record('script.step', { step: 'until', waitedMs: api.nowMs() - fromMs, timedOut });
      advance(timedOut);
    });
  };
  api.at(startMs, () => advance(undefined));
}
