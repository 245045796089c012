import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TICK_MODULUS, tickDiff, tickFromMs } from '../../../engine/ticks.ts';
import { HostClock, TIMER_LATENESS_MEASURED, type TimerLateness } from '../../../sim/host-clock.ts';
import { Kernel } from '../../../sim/kernel.ts';
import { Seeds } from '../../../sim/seeds.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

function makeClock(options: { driftPpm?: number; tickStart?: number | { wrapWithinMs: number }; offsetMs?: number } = {}) {
  const kernel = new Kernel();
  const seeds = new Seeds('host-clock-test');
  const clock = new HostClock({ kernel, random: seeds.stream('host:hap1'), host: 'hap1', ...options });
  return { kernel, clock };
}

describe('HostClock timers', () => {
  it('fires after the delay, and cancelled timers never fire', () => {
    const { kernel, clock } = makeClock();
    const fired: string[] = [];
    clock.schedule(100, () => fired.push(`a@${kernel.nowMs()}`));
    const b = clock.schedule(50, () => fired.push('b'));
    clock.schedule(0, () => fired.push(`zero@${kernel.nowMs()}`));
    expect(kernel.queueLength()).toBe(3);
    b.cancel();
    b.cancel();
    expect(kernel.queueLength()).toBe(2);
    kernel.run();
    expect(fired).toEqual(['zero@0', 'a@100']);
    expect(kernel.queueLength()).toBe(0);
  });
});

describe('HostClock drift', () => {
  it('a fast clock (+ppm) gains time; its timers land when host time has advanced by at least the delay, not later', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        (driftPpm, startMs, delayMs) => {
          const { kernel, clock } = makeClock({ driftPpm });
          kernel.runFor(startMs);
          const hostAtSchedule = clock.nowMs();
          let firedVirtual = -1;
          clock.schedule(delayMs, () => (firedVirtual = kernel.nowMs()));
          kernel.run();
          expect(clock.hostMsAt(firedVirtual) - hostAtSchedule).toBeGreaterThanOrEqual(delayMs);
          if (firedVirtual > startMs) expect(clock.hostMsAt(firedVirtual - 1) - hostAtSchedule).toBeLessThan(delayMs);
        },
      ),
      FC,
    );
  });

  it('drift makes host time differ from virtual time by ppm', () => {
    const fast = makeClock({ driftPpm: 500 });
    const slow = makeClock({ driftPpm: -500 });
    fast.kernel.runFor(3_600_000);
    slow.kernel.runFor(3_600_000);
    expect(fast.clock.nowMs()).toBe(3_600_000 + 1800);
    expect(slow.clock.nowMs()).toBe(3_600_000 - 1800);
  });

  it('changing drift keeps host time continuous', () => {
    const { kernel, clock } = makeClock({ driftPpm: 1000, offsetMs: 5 });
    expect(clock.nowMs()).toBe(5);
    kernel.runFor(10_000);
    expect(clock.nowMs()).toBe(10_015);
    clock.setDriftPpm(-1000);
    expect(clock.nowMs()).toBe(10_015);
    kernel.runFor(10_000);
    expect(clock.nowMs()).toBe(20_005);
  });
});

describe('HostClock ticks', () => {
  it('the tick start comes from the host stream: same seed same start, other host other start', () => {
    const kernel = new Kernel();
    const a1 = new HostClock({ kernel, random: new Seeds('s').stream('host:hap1') });
    const a2 = new HostClock({ kernel, random: new Seeds('s').stream('host:hap1') });
    const b = new HostClock({ kernel, random: new Seeds('s').stream('host:hap2') });
    expect(a1.tickStart).toBe(a2.tickStart);
    expect(a1.tickStart).not.toBe(b.tickStart);
    expect(a1.nowTick()).toBe(a1.tickStart);
  });

  it('wraps around 2^32 and never reads 0, advancing by one per host ms (mod 2^32)', () => {
    const { kernel, clock } = makeClock({ tickStart: { wrapWithinMs: 1000 } });
    expect(clock.tickStart).toBeGreaterThanOrEqual(TICK_MODULUS - 1000);
    let previous = clock.nowTick();
    let wrapped = false;
    for (let ms = 1; ms <= 2000; ms += 1) {
      kernel.runFor(1);
      const tick = clock.nowTick();
      expect(tick).not.toBe(0);
      expect(tick).toBeLessThan(TICK_MODULUS);
      expect(tickDiff(tick, previous)).toBeGreaterThanOrEqual(0);
      expect(tickDiff(tick, previous)).toBeLessThanOrEqual(2);
      if (tick < previous) wrapped = true;
      previous = tick;
    }
    expect(wrapped).toBe(true);
    expect(tickDiff(clock.nowTick(), tickFromMs(clock.tickStart))).toBe(2000);
  });

  it('a fixed tick start is used as given', () => {
    const { kernel, clock } = makeClock({ tickStart: 12345 });
    kernel.runFor(10);
    expect(clock.nowTick()).toBe(12355);
  });
});

describe('timer lateness (scheduling and timer slack)', () => {
  /** Fire times of a 3000 ms timer re-armed when it fires (a heartbeat), `count` times. */
  function beats(host: string, lateness: TimerLateness | undefined, count: number): number[] {
    const kernel = new Kernel();
    const seeds = new Seeds('late');
    const clock = new HostClock({
      kernel,
      random: seeds.stream(`clock:${host}`),
      host,
      ...(lateness === undefined ? {} : { timerLateness: { lateness, random: seeds.stream(`timers:${host}`) } }),
    });
    const at: number[] = [];
    const arm = (): void => {
      clock.schedule(3000, () => {
        at.push(kernel.nowMs());
        if (at.length < count) arm();
      });
    };
    arm();
    kernel.runFor(3100 * count);
    return at;
  }

  it('each timer fires late by a whole number of ms within the bounds; wake-ups (delay 0) are not late', () => {
    const at = beats('hap1', TIMER_LATENESS_MEASURED, 40);
    const gaps = at.map((t, i) => t - (i === 0 ? 0 : at[i - 1]!) - 3000);
    expect(gaps.every((g) => g >= TIMER_LATENESS_MEASURED.minMs && g <= TIMER_LATENESS_MEASURED.maxMs)).toBe(true);
    expect(new Set(gaps).size).toBe(2);
    const kernel = new Kernel();
    const seeds = new Seeds('late');
    const clock = new HostClock({ kernel, random: seeds.stream('clock:x'), timerLateness: { lateness: { minMs: 5, maxMs: 9 }, random: seeds.stream('timers:x') } });
    let firedAt = -1;
    clock.schedule(0, () => (firedAt = kernel.nowMs()));
    kernel.runFor(1);
    expect(firedAt).toBe(0);
  });

  it('two hosts with the same lateness drift apart (never in lockstep); without lateness they stay together', () => {
    const a = beats('hap1', TIMER_LATENESS_MEASURED, 20);
    const b = beats('hap2', TIMER_LATENESS_MEASURED, 20);
    expect(a).not.toEqual(b);
    expect(Math.abs(a.at(-1)! - b.at(-1)!)).toBeGreaterThan(0);
    // Negative control: no lateness, the same schedule on both hosts fires at the same instants.
    expect(beats('hap1', undefined, 20)).toEqual(beats('hap2', undefined, 20));
    expect(beats('hap1', { minMs: 0, maxMs: 0 }, 20)).toEqual(beats('hap2', undefined, 20));
  });

  it('refuses a lateness that is not whole ms or is inverted, with a one-line message', () => {
    const kernel = new Kernel();
    const seeds = new Seeds('late');
    const make = (lateness: TimerLateness) => () => new HostClock({ kernel, random: seeds.stream('c'), timerLateness: { lateness, random: seeds.stream('t') } });
    expect(make({ minMs: 2, maxMs: 1 })).toThrow(/timer lateness: whole ms/);
    expect(make({ minMs: 0.5, maxMs: 1 })).toThrow(/timer lateness/);
  });
});
