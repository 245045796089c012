import { describe, expect, it } from 'vitest';
import type { TimerHandle, Timers } from '../../engine/env.ts';
import { TimerList } from '../../engine/timer-list.ts';

/** Timers fired by hand, in order of scheduling. */
class ManualTimers implements Timers {
  readonly pending: { fire: () => void; cancelled: boolean }[] = [];
  schedule(_delayMs: number, fire: () => void): TimerHandle {
    const t = { fire, cancelled: false };
    this.pending.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }
  fireAll(): void {
    for (const t of this.pending.splice(0)) if (!t.cancelled) t.fire();
  }
}

describe('TimerList', () => {
  it('lists a timer until it fires or is cancelled; cancelling twice or after firing is a no-op', () => {
    const timers = new ManualTimers();
    const list = new TimerList();
    const fired: string[] = [];
    const a = list.schedule(timers, 10, () => fired.push('a'));
    const b = list.schedule(timers, 20, () => fired.push('b'));
    list.schedule(timers, 30, () => fired.push('c'));
    expect(list.size).toBe(3);
    b.cancel();
    b.cancel();
    expect(list.size).toBe(2);
    timers.fireAll();
    expect(fired).toEqual(['a', 'c']);
    expect(list.size).toBe(0);
    a.cancel();
    expect(list.size).toBe(0);
  });

  it('cancelAll cancels every listed timer underneath', () => {
    const timers = new ManualTimers();
    const list = new TimerList();
    let fired = 0;
    for (let i = 0; i < 50; i++) list.schedule(timers, i, () => fired++);
    list.cancelAll();
    expect(list.size).toBe(0);
    expect(timers.pending.every((t) => t.cancelled)).toBe(true);
    timers.fireAll();
    expect(fired).toBe(0);
  });

  it('an owner that stopped does not run a timer that expires anyway', () => {
    const timers = new ManualTimers();
    let stopped = false;
    const list = new TimerList(() => !stopped);
    let fired = 0;
    list.schedule(timers, 5, () => fired++);
    stopped = true;
    timers.fireAll();
    expect(fired).toBe(0);
    expect(list.size).toBe(0);
  });
});

describe('Tasklet', () => {
  it('arms one wake-up at a time, runs once per wake-up, and leaves the list when disposed', () => {
    const timers = new ManualTimers();
    const list = new TimerList();
    let runs = 0;
    const task = list.tasklet(timers, () => runs++);
    expect(list.taskletCount).toBe(1);
    task.wake();
    task.wake(); // already pending: no second timer
    expect(timers.pending.length).toBe(1);
    expect(task.pending).toBe(true);
    timers.fireAll();
    expect(runs).toBe(1);
    expect(task.pending).toBe(false);
    task.wake(5);
    task.cancel();
    timers.fireAll();
    expect(runs).toBe(1);
    task.wake();
    task.dispose();
    timers.fireAll();
    expect(runs).toBe(1);
    expect(list.taskletCount).toBe(0);
    task.wake(); // a disposed tasklet is never armed again
    expect(timers.pending.length).toBe(0);
  });

  it('is cancelled by cancelAll and never runs once its owner stopped', () => {
    const timers = new ManualTimers();
    let stopped = false;
    const list = new TimerList(() => !stopped);
    let runs = 0;
    const a = list.tasklet(timers, () => runs++);
    const b = list.tasklet(timers, () => runs++);
    a.wake();
    b.wake();
    stopped = true;
    list.cancelAll();
    expect(a.pending || b.pending).toBe(false);
    timers.fireAll();
    a.wake();
    timers.fireAll();
    expect(runs).toBe(0);
  });
});
