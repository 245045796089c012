/**
 * The live timers of one owner (a peers section, a process), so it can cancel them all when it
 * stops: an intrusive doubly linked list, O(1) to add and remove without hashing (a timer is
 * armed and disarmed for every applet wake-up, so this is on the hot path of every run).
 */
import { assert } from '../lib/assert.ts';
import type { TimerHandle, Timers } from './env.ts';

class ListedTimer implements TimerHandle {
  prev: ListedTimer | undefined;
  next: ListedTimer | undefined;
  linked = true;
  inner: TimerHandle | undefined;

  constructor(
    private readonly list: TimerList,
    private readonly fire: () => void,
  ) {}

  /** What the underlying timer runs: leave the list, then fire (unless the owner stopped). */
  readonly run = (): void => {
    if (!this.linked) return;
    this.list.unlink(this);
    if (this.list.firing()) this.fire();
  };

  cancel(): void {
    if (!this.linked) return;
    this.list.unlink(this);
    this.inner?.cancel();
  }
}

/**
 * A task woken again and again (HAProxy's `task_wakeup` of an applet or the sync task): one
 * object for the owner's life, so a wake-up arms the underlying timer and allocates nothing
 * else. Its owner's list cancels it with the other timers; `dispose` takes it off the list.
 */
export class Tasklet {
  prev: Tasklet | undefined;
  next: Tasklet | undefined;
  private inner: TimerHandle | undefined;
  private disposed = false;

  constructor(
    private readonly list: TimerList,
    private readonly timers: Timers,
    private readonly run: () => void,
  ) {}

  /** True while a wake-up waits. */
  get pending(): boolean {
    return this.inner !== undefined;
  }

  /** Runs the task after `delayMs` (0: at the next turn), unless a wake-up already waits. */
  wake(delayMs = 0): void {
    if (this.inner !== undefined || this.disposed || !this.list.firing()) return;
    this.inner = this.timers.schedule(delayMs, this.fire);
  }

  /** Like `wake`, but the run is placed by `schedule` (a task woken through the run queue, Env.taskWake). */
  wakeVia(schedule: (fire: () => void) => TimerHandle): void {
    if (this.inner !== undefined || this.disposed || !this.list.firing()) return;
    this.inner = schedule(this.fire);
  }

  /** Drops a waiting wake-up. */
  cancel(): void {
    this.inner?.cancel();
    this.inner = undefined;
  }

  /** Cancels and leaves the owner's list for good (the task's owner ended). */
  dispose(): void {
    if (this.disposed) return;
    this.cancel();
    this.disposed = true;
    this.list.unlinkTasklet(this);
  }

  private readonly fire = (): void => {
    this.inner = undefined;
    if (this.list.firing()) this.run();
  };
}

export class TimerList {
  private head: ListedTimer | undefined;
  private count = 0;
  private taskletsHead: Tasklet | undefined;
  private tasklets = 0;

  /** `allowFire` says, when a timer expires, whether its owner still runs it. */
  constructor(private readonly allowFire: () => boolean = () => true) {}

  get size(): number {
    return this.count;
  }

  /** Arms `fire` after `delayMs` on `timers`, listed until it fires or is cancelled. */
  schedule(timers: Timers, delayMs: number, fire: () => void): TimerHandle {
    const timer = new ListedTimer(this, fire);
    timer.next = this.head;
    if (this.head !== undefined) this.head.prev = timer;
    this.head = timer;
    this.count++;
    timer.inner = timers.schedule(delayMs, timer.run);
    return timer;
  }

  /** A task of this owner, woken with `wake` (listed until disposed). */
  tasklet(timers: Timers, run: () => void): Tasklet {
    const tasklet = new Tasklet(this, timers, run);
    tasklet.next = this.taskletsHead;
    if (this.taskletsHead !== undefined) this.taskletsHead.prev = tasklet;
    this.taskletsHead = tasklet;
    this.tasklets++;
    return tasklet;
  }

  /** Tasklets listed (not disposed). */
  get taskletCount(): number {
    return this.tasklets;
  }

  /** Cancels every listed timer and every tasklet's wake-up (the owner stopped or died). */
  cancelAll(): void {
    for (let guard = this.count; this.head !== undefined; guard--) {
      assert(guard > 0, 'the timer list holds count timers');
      this.head.cancel();
    }
    assert(this.count === 0, 'every timer left the list');
    let seen = 0;
    for (let t = this.taskletsHead; t !== undefined; t = t.next) {
      assert(seen++ < this.tasklets, 'the timer list holds taskletCount tasklets');
      t.cancel();
    }
  }

  /** @internal */
  unlinkTasklet(tasklet: Tasklet): void {
    if (tasklet.prev !== undefined) tasklet.prev.next = tasklet.next;
    else this.taskletsHead = tasklet.next;
    if (tasklet.next !== undefined) tasklet.next.prev = tasklet.prev;
    tasklet.prev = tasklet.next = undefined;
    this.tasklets--;
  }

  /** @internal */
  firing(): boolean {
    return this.allowFire();
  }

  /** @internal */
  unlink(timer: ListedTimer): void {
    assert(timer.linked, 'a timer leaves its list once');
    timer.linked = false;
    if (timer.prev !== undefined) timer.prev.next = timer.next;
    else this.head = timer.next;
    if (timer.next !== undefined) timer.next.prev = timer.prev;
    timer.prev = timer.next = undefined;
    this.count--;
  }
}
