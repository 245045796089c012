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

/** Bound on the drift a host may have: 10% is far beyond any real quartz. */
export const DRIFT_PPM_MAX = 100_000;
const TIMER_ADJUST_STEPS_MAX = 4;

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

  constructor(options: HostClockOptions) {
    this.kernel = options.kernel;
    this.label = `timer:${options.host ?? '?'}`;
    this.driftPpm = options.driftPpm ?? 0;
    assertDrift(this.driftPpm);
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

function assertDrift(driftPpm: number): void {
  assert(Number.isFinite(driftPpm) && Math.abs(driftPpm) <= DRIFT_PPM_MAX, `driftPpm within ±${DRIFT_PPM_MAX} (got ${driftPpm})`);
}
