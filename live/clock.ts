/**
 * The real clock and timers for the live runner. HAProxy's `now_ms` is the wall-clock time in
 * milliseconds truncated to 32 bits; here the tick starts there (never 0: 0 is eternity) and then
 * advances with the monotonic clock, so a wall-clock jump does not move it.
 */
import type { Clock, TimerHandle, Timers } from '../engine/env.ts';
import { tickAdd, tickFromMs, type Tick } from '../engine/ticks.ts';

/** setTimeout's largest delay (2^31 - 1 ms); longer waits are re-armed in steps. */
const TIMEOUT_DELAY_MS_MAX = 0x7fff_ffff;

/**
 * Real monotonic time, read once per event-loop turn as HAProxy updates `now_ms` once per poller
 * loop: every call within one synchronous run (a socket read and all it treats) sees the same
 * millisecond, and the clock is read again after it (a microtask forgets the reading).
 */
export class LiveClock implements Clock {
  private readonly startNs: bigint;
  private readonly startTick: Tick;
  private cachedMs: number | undefined;
  private readonly forget = (): void => {
    this.cachedMs = undefined;
  };

  constructor(options: { startTick?: number } = {}) {
    this.startNs = process.hrtime.bigint();
    const wall = options.startTick ?? Date.now() >>> 0;
    this.startTick = tickFromMs(wall === 0 ? 1 : wall);
  }

  nowMs(): number {
    if (this.cachedMs !== undefined) return this.cachedMs;
    const ms = Number((process.hrtime.bigint() - this.startNs) / 1_000_000n);
    this.cachedMs = ms;
    queueMicrotask(this.forget);
    return ms;
  }

  nowTick(): Tick {
    return tickAdd(this.startTick, this.nowMs());
  }
}

export class LiveTimers implements Timers {
  schedule(delayMs: number, fire: () => void): TimerHandle {
    let cancelled = false;
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const arm = (remainingMs: number): void => {
      if (remainingMs <= 0) {
        immediate = setImmediate(() => {
          if (!cancelled) fire();
        });
        return;
      }
      const stepMs = Math.min(remainingMs, TIMEOUT_DELAY_MS_MAX);
      timeout = setTimeout(() => {
        if (cancelled) return;
        if (remainingMs > stepMs) arm(remainingMs - stepMs);
        else fire();
      }, stepMs);
    };
    arm(Math.max(0, Math.floor(delayMs)));
    return {
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        if (timeout !== undefined) clearTimeout(timeout);
        if (immediate !== undefined) clearImmediate(immediate);
      },
    };
  }
}
