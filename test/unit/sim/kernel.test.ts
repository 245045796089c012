import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../lib/assert.ts';
import { Kernel, KernelTimerGroup } from '../../../sim/kernel.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

describe('Kernel event order', () => {
  it('runs events by (time, schedule order) whatever order they were scheduled in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), (delays) => {
        const kernel = new Kernel();
        const ran: Array<{ timeMs: number; index: number }> = [];
        delays.forEach((delay, index) => kernel.schedule(delay, () => ran.push({ timeMs: kernel.nowMs(), index })));
        kernel.run();
        expect(ran).toHaveLength(delays.length);
        const expected = delays
          .map((timeMs, index) => ({ timeMs, index }))
          .sort((a, b) => a.timeMs - b.timeMs || a.index - b.index);
        expect(ran).toEqual(expected);
      }),
      FC,
    );
  });

  it('breaks ties by sequence: an event scheduled at delay 0 from an event runs after those already due', () => {
    const kernel = new Kernel();
    const order: string[] = [];
    kernel.schedule(5, () => {
      order.push('a');
      kernel.schedule(0, () => order.push('a-child'));
    });
    kernel.schedule(5, () => order.push('b'));
    kernel.schedule(5, () => order.push('c'));
    kernel.run();
    expect(order).toEqual(['a', 'b', 'c', 'a-child']);
  });

  it('random cancellations never disturb the order of the remaining events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 1, maxLength: 150 }),
        (plan) => {
          const kernel = new Kernel();
          const ran: number[] = [];
          const timers = plan.map(([delay], index) => kernel.schedule(delay, () => ran.push(index)));
          plan.forEach(([, cancel], index) => {
            if (cancel) timers[index]?.cancel();
          });
          kernel.run();
          const expected = plan
            .map(([delay, cancel], index) => ({ delay, cancel, index }))
            .filter((p) => !p.cancel)
            .sort((a, b) => a.delay - b.delay || a.index - b.index)
            .map((p) => p.index);
          expect(ran).toEqual(expected);
          expect(kernel.queueLength()).toBe(0);
        },
      ),
      FC,
    );
  });

  it('events scheduled from events, near (slots) and far (heap), with cancellations, run in (time, seq) order', () => {
    // Each fired event schedules children at small or large delays and may cancel a waiting one;
    // a reference list sorted by (time, order of scheduling) says what must run next.
    const step = fc.record({ delays: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }), cancelPick: fc.integer({ min: -1, max: 30 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 10 }), (steps, roots) => {
        const kernel = new Kernel();
        const waiting: { id: number; timeMs: number; timer: ReturnType<Kernel['schedule']> }[] = [];
        const ran: number[] = [];
        const expected: number[] = [];
        let idNext = 0;
        let fired = 0;
        const add = (delayMs: number): void => {
          const id = idNext++;
          const timer = kernel.schedule(delayMs, () => fire(id));
          waiting.push({ id, timeMs: kernel.nowMs() + delayMs, timer });
        };
        const fire = (id: number): void => {
          // The reference: the waiting event with the smallest (time, id) is the one due.
          const next = waiting.reduce((a, b) => (b.timeMs < a.timeMs || (b.timeMs === a.timeMs && b.id < a.id) ? b : a));
          expected.push(next.id);
          ran.push(id);
          waiting.splice(waiting.indexOf(next), 1);
          const plan = steps[fired++ % steps.length]!;
          if (fired < 400) for (const delayMs of plan.delays) add(delayMs === 20 ? 500 : delayMs);
          const victim = plan.cancelPick >= 0 ? waiting[plan.cancelPick % Math.max(1, waiting.length)] : undefined;
          if (victim !== undefined) {
            victim.timer.cancel();
            waiting.splice(waiting.indexOf(victim), 1);
          }
        };
        for (const delayMs of roots) add(delayMs);
        kernel.run();
        expect(ran).toEqual(expected);
        expect(waiting).toEqual([]);
        expect(kernel.queueLength()).toBe(0);
      }),
      FC,
    );
  });
});

describe('Kernel clock', () => {
  it('jumps straight to the next event time', () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    kernel.schedule(1_000_000, () => seen.push(kernel.nowMs()));
    kernel.schedule(7, () => seen.push(kernel.nowMs()));
    expect(kernel.nextEventMs()).toBe(7);
    expect(kernel.step()).toBe(true);
    expect(kernel.nowMs()).toBe(7);
    expect(kernel.step()).toBe(true);
    expect(kernel.nowMs()).toBe(1_000_000);
    expect(kernel.step()).toBe(false);
    expect(seen).toEqual([7, 1_000_000]);
  });

  it('run({ untilMs }) runs events at or before the bound, then sets the clock to it', () => {
    const kernel = new Kernel();
    const ran: number[] = [];
    for (const t of [10, 20, 30]) kernel.schedule(t, () => ran.push(t));
    const result = kernel.run({ untilMs: 20 });
    expect(ran).toEqual([10, 20]);
    expect(result).toEqual({ eventsRun: 2, nowMs: 20, stoppedBy: 'until' });
    expect(kernel.nowMs()).toBe(20);
    kernel.runFor(5);
    expect(kernel.nowMs()).toBe(25);
    expect(ran).toEqual([10, 20]);
    kernel.runFor(5);
    expect(ran).toEqual([10, 20, 30]);
    expect(kernel.run()).toMatchObject({ eventsRun: 0, stoppedBy: 'idle' });
  });

  it('refuses events in the past and non-integer delays', () => {
    const kernel = new Kernel();
    kernel.runFor(100);
    expect(() => kernel.scheduleAt(99, () => {})).toThrow(InvariantError);
    expect(() => kernel.schedule(1.5, () => {})).toThrow(/non-negative integer/);
    expect(() => kernel.schedule(-1, () => {})).toThrow(InvariantError);
  });

  it('bounds the queue length', () => {
    const kernel = new Kernel({ queueLengthMax: 3 });
    for (let i = 0; i < 3; i += 1) kernel.schedule(i, () => {});
    expect(() => kernel.schedule(1, () => {})).toThrow(/queue full/);
    kernel.step();
    expect(() => kernel.schedule(1, () => {})).not.toThrow();
  });

  it('stops a runaway run at eventsMax', () => {
    const kernel = new Kernel();
    const tick = (): void => {
      kernel.schedule(1, tick);
    };
    kernel.schedule(0, tick);
    expect(() => kernel.run({ eventsMax: 1000 })).toThrow(/runaway/);
  });

  it('cancelling a fired or cancelled timer is a no-op', () => {
    const kernel = new Kernel();
    let fired = 0;
    const timer = kernel.schedule(1, () => (fired += 1));
    expect(timer.pending).toBe(true);
    kernel.run();
    expect(timer.pending).toBe(false);
    timer.cancel();
    timer.cancel();
    expect(fired).toBe(1);
  });
});

describe('KernelTimerGroup', () => {
  it('lists waiting timers, fires them through deliver in order, and cancels the rest at once', () => {
    const kernel = new Kernel();
    const delivered: string[] = [];
    let held = false;
    const heldFires: (() => void)[] = [];
    const group = new KernelTimerGroup(kernel, (fire) => (held ? heldFires.push(fire) : fire()));
    const fired: string[] = [];
    kernel.schedule(5, () => fired.push('a5'), '', group);
    const b = kernel.schedule(5, () => fired.push('b5'), '', group);
    kernel.schedule(0, () => fired.push('c0'), '', group);
    kernel.schedule(7, () => fired.push('ungrouped7'));
    kernel.schedule(9, () => fired.push('d9'), '', group);
    expect(group.size).toBe(4);
    b.cancel();
    b.cancel(); // a second cancel is a no-op
    expect(group.size).toBe(3);
    kernel.run({ untilMs: 5 });
    expect(fired).toEqual(['c0', 'a5']);
    expect(group.size).toBe(1);
    held = true;
    kernel.run({ untilMs: 9 });
    expect(fired).toEqual(['c0', 'a5', 'ungrouped7']);
    expect(heldFires.length).toBe(1); // d9 fired into the gate, not run
    expect(group.size).toBe(0);
    delivered.push(...fired);
    heldFires[0]!();
    expect(fired.at(-1)).toBe('d9');
    kernel.schedule(3, () => fired.push('late'), '', group);
    kernel.schedule(4, () => fired.push('later'), '', group);
    group.cancelAll();
    expect(group.size).toBe(0);
    expect(kernel.queueLength()).toBe(0);
    kernel.run();
    expect(fired).not.toContain('late');
    expect(delivered).toEqual(['c0', 'a5', 'ungrouped7']);
  });
});

describe('Kernel.scheduleSeries', () => {
  type Item = { kind: 'one'; delayMs: number } | { kind: 'series'; startMs: number; everyMs: number; count: number };
  const item: fc.Arbitrary<Item> = fc.oneof(
    fc.record({ kind: fc.constant('one' as const), delayMs: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('series' as const), startMs: fc.integer({ min: 0, max: 20 }), everyMs: fc.integer({ min: 1, max: 7 }), count: fc.integer({ min: 0, max: 8 }) }),
  );

  /** Runs the items (each firing may schedule a child at delay 0 or 3) and lists what ran when. */
  function runAll(items: Item[], eager: boolean): string[] {
    const kernel = new Kernel();
    const ran: string[] = [];
    const fire = (name: string): void => {
      ran.push(`${kernel.nowMs()}:${name}`);
      if (name.length < 12) kernel.schedule(name.length % 2 === 0 ? 0 : 3, () => ran.push(`${kernel.nowMs()}:${name}/child`));
    };
    items.forEach((it, i) => {
      if (it.kind === 'one') kernel.schedule(it.delayMs, () => fire(`o${i}`));
      else if (eager) for (let k = 0; k < it.count; k++) kernel.scheduleAt(it.startMs + k * it.everyMs, () => fire(`s${i}.${k}`));
      else kernel.scheduleSeries({ startMs: it.startMs, everyMs: it.everyMs, count: it.count }, (k) => fire(`s${i}.${k}`));
    });
    kernel.run();
    return ran;
  }

  it('runs every occurrence in exactly the order of scheduling them all at once', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), (items) => {
        expect(runAll(items, false)).toEqual(runAll(items, true));
      }),
      FC,
    );
  });

  it('keeps one occurrence of a series in the queue at a time', () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    kernel.scheduleSeries({ startMs: 0, everyMs: 10, count: 1000 }, () => seen.push(kernel.queueLength()));
    expect(kernel.queueLength()).toBe(1);
    kernel.run();
    expect(seen.length).toBe(1000);
    expect(Math.max(...seen)).toBe(1);
  });
});

describe('Kernel run queue', () => {
  it('keeps (time, seq) order when it never empties for tens of thousands of events', () => {
    const kernel = new Kernel();
    const ran: number[] = [];
    let next = 0;
    const spawn = (): void => {
      const id = next++;
      kernel.schedule(0, () => {
        ran.push(id);
        // Two children per event until 20,000: the queue holds many events at every step.
        if (next < 20_000) spawn();
        if (next < 20_000) spawn();
      });
    };
    spawn();
    spawn();
    kernel.run();
    expect(ran.length).toBe(next);
    expect(ran).toEqual([...ran].sort((a, b) => a - b)); // FIFO: ids in the order they were queued
    expect(kernel.queueLength()).toBe(0);
  });
});
