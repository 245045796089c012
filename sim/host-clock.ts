/**
 * A host's view of the kernel's virtual time: its own monotonic milliseconds (with optional
 * drift in ppm and an offset) and HAProxy's `now_ms` tick (uint32 that wraps, never 0).
 * HAProxy's now_ms starts at an arbitrary value (wall-clock ms mod 2^32), so the tick
 * start is drawn from the host's random stream, or placed just before the wrap on request.
 */
import { assert, fail } from '../lib/assert.ts';
import type { Clock, TimerHandle, Timers } from '../engine/env.ts';
import { tickAdd, tickFromMs, TICK_MODULUS, type Tick } from '../engine/ticks.ts';
import type { Kernel, KernelTimer, KernelTimerGroup } from './kernel.ts';
import type { SeededRandom } from './seeds.ts';
import { isWholeMsRange, type MsRange } from './ms-range.ts';

/** Bound on the drift a host may have: 10% is far beyond any real quartz. */
export const DRIFT_PPM_MAX = 100_000;
const TIMER_ADJUST_STEPS_MAX = 4;

/**
 * How late a host's timers fire (scheduling and timer slack): each timer with a delay draws a
 * whole number of ms in [minMs, maxMs] from the host's own stream. Real processes wake a little
 * after their timers' expiry and each host differently, so two hosts' timers never stay in
 * lockstep. Measured on haproxy 2.6.12 (lab capture, loopback): heartbeats 3001.23 and
 * 3001.25 ms apart for a 3000 ms timer, i.e. ~1.24 ms late; in whole ms, 1 or 2.
 */
export type TimerLateness = MsRange;

/** The lab's measured lateness (see TimerLateness); simulated hosts get it unless told otherwise. */
export const TIMER_LATENESS_MEASURED: TimerLateness = { minMs: 1, maxMs: 2 };
/** Bound on a host's timer lateness: far beyond any loaded real host. */
export const TIMER_LATENESS_MS_MAX = 1_000;

/** Where `now_ms` starts: a fixed value, or within `wrapWithinMs` before the 2^32 wrap. */
export type TickStart = number | { wrapWithinMs: number };

export interface HostClockOptions {
  kernel: Kernel;
  /** The host's random stream; the tick start is drawn from it unless fixed. */
  random: SeededRandom;
  /** Host clock speed error: +100 means it runs 100 µs/s fast. */
  driftPpm?: number;
  /** Host milliseconds already elapsed when the clock is made (default 0). */
  offsetMs?: number;
  /** Default: uniform over [1, 2^32 - 1] from `random`. */
  tickStart?: TickStart;
  /** Name for timer labels. */
  host?: string;
  /** Default: none (timers fire at their delay exactly). */
  timerLateness?: { lateness: TimerLateness; random: SeededRandom };
}

function drawTickStart(random: SeededRandom, start: TickStart | undefined): number {
  if (start === undefined) return 1 + random.nextInt(TICK_MODULUS - 1);
  if (typeof start === 'number') {
    assert(Number.isSafeInteger(start) && start > 0 && start < TICK_MODULUS, `tickStart in [1, 2^32) (got ${start})`);
    return start;
  }
  const within = start.wrapWithinMs;
  assert(Number.isSafeInteger(within) && within >= 1 && within < TICK_MODULUS, 'wrapWithinMs in [1, 2^32)');
  return TICK_MODULUS - 1 - random.nextInt(within);
}

export class HostClock implements Clock, Timers {
  readonly tickStart: number;
  /** `tickStart` as the tick it is. */
  private readonly startTick: Tick;
  private readonly kernel: Kernel;
  private readonly label: string;
  // Host ms = anchorHostMs + floor((virtual - anchorVirtualMs) * (1e6 + driftPpm) / 1e6)
  private anchorVirtualMs: number;
  private anchorHostMs: number;
  private driftPpm: number;
  private readonly lateness: { lateness: TimerLateness; random: SeededRandom } | undefined;

  constructor(options: HostClockOptions) {
    this.kernel = options.kernel;
    this.label = `timer:${options.host ?? '?'}`;
    this.driftPpm = options.driftPpm ?? 0;
    assertDrift(this.driftPpm);
    this.lateness = options.timerLateness;
    if (this.lateness !== undefined) assertLateness(this.lateness.lateness);
    this.anchorVirtualMs = this.kernel.nowMs();
    this.anchorHostMs = options.offsetMs ?? 0;
    assert(Number.isSafeInteger(this.anchorHostMs) && this.anchorHostMs >= 0, 'offsetMs is a non-negative integer');
    this.tickStart = drawTickStart(options.random, options.tickStart);
    this.startTick = tickFromMs(this.tickStart);
  }

  /** Host milliseconds at virtual time `virtualMs` (not before the last drift change). */
  hostMsAt(virtualMs: number): number {
    const elapsed = virtualMs - this.anchorVirtualMs;
    assert(elapsed >= 0, 'host time is asked for no earlier than its anchor');
    return this.anchorHostMs + Math.floor((elapsed * (1_000_000 + this.driftPpm)) / 1_000_000);
  }

  nowMs(): number {
    return this.hostMsAt(this.kernel.nowMs());
  }

  /** HAProxy's now_ms: the start tick plus the host ms elapsed (never negative), wrapped, 0 skipped. */
  nowTick(): Tick {
    return tickAdd(this.startTick, this.nowMs());
  }

  /** Changes the drift from now on; host time stays continuous. */
  setDriftPpm(driftPpm: number): void {
    assertDrift(driftPpm);
    const now = this.kernel.nowMs();
    this.anchorHostMs = this.hostMsAt(now);
    this.anchorVirtualMs = now;
    this.driftPpm = driftPpm;
  }

  /**
   * Fires once the host clock has advanced by at least `delayMs` host milliseconds. The handle is
   * the kernel's own event (who owns timers, a process or a section, keeps its own list).
   */
  schedule(delayMs: number, fire: () => void, group?: KernelTimerGroup): TimerHandle {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) fail(`timer delayMs is a non-negative integer (got ${delayMs})`);
    let virtualDelayMs = this.virtualDelayFor(delayMs);
    // A wake-up as soon as possible (0) is not a timer: only timers with a delay are late.
    const late = this.lateness;
    if (late !== undefined && delayMs > 0) virtualDelayMs += late.random.nextIntBetween(late.lateness.minMs, late.lateness.maxMs);
    return this.kernel.schedule(virtualDelayMs, fire, this.label, group);
  }

  /** Like `schedule`, without the timer lateness (a task's run at a later scheduler pass, sim/task-wake.ts). */
  scheduleExact(delayMs: number, fire: () => void, group?: KernelTimerGroup): TimerHandle {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) fail(`delayMs is a non-negative integer (got ${delayMs})`);
    return this.kernel.schedule(this.virtualDelayFor(delayMs), fire, this.label, group);
  }

  /** Smallest virtual delay after which host time has advanced by `delayMs`. */
  private virtualDelayFor(delayMs: number): number {
    // Without drift host time advances with virtual time: the delay is the same.
    if (delayMs === 0 || this.driftPpm === 0) return delayMs;
    const now = this.kernel.nowMs();
    const hostNow = this.hostMsAt(now);
    const target = hostNow + delayMs;
    // Host time gains at most (v * rate + 1) over v virtual ms, so v >= (delayMs - 1) / rate.
    let virtualDelay = Math.max(0, Math.floor(((delayMs - 1) * 1_000_000) / (1_000_000 + this.driftPpm)));
    for (let step = 0; step < TIMER_ADJUST_STEPS_MAX && this.hostMsAt(now + virtualDelay) < target; step += 1) {
      virtualDelay += 1;
    }
    assert(this.hostMsAt(now + virtualDelay) >= target, 'timer lands no earlier than asked');
    return virtualDelay;
  }
}

export function assertLateness(lateness: TimerLateness): void {
  const { minMs, maxMs } = lateness;
  assert(
    isWholeMsRange(lateness, TIMER_LATENESS_MS_MAX),
    `timer lateness: whole ms with 0 <= minMs <= maxMs <= ${TIMER_LATENESS_MS_MAX} (got ${minMs}..${maxMs})`,
  );
}

function assertDrift(driftPpm: number): void {
  assert(Number.isFinite(driftPpm) && Math.abs(driftPpm) <= DRIFT_PPM_MAX, `driftPpm within ±${DRIFT_PPM_MAX} (got ${driftPpm})`);
}
