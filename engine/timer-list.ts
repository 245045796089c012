/**
 * The live timers of one owner (a peers section, a process), so it can cancel them all when it
 * stops: an intrusive doubly linked list, O(1) to add and remove without hashing (a timer is
 * armed and disarmed for every applet wake-up, so this is on the hot path of every run).
 */
import { assert } from './errors.ts';
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
    if (this.list.firing()) this.list.deliver(this.fire);
  };

  cancel(): void {
    if (!this.linked) return;
    this.list.unlink(this);
    this.inner?.cancel();
  }
}

function callNow(fire: () => void): void {
  fire();
}

export class TimerList {
  private head: ListedTimer | undefined;
  private count = 0;

  /**
   * `allowFire` says, when a timer expires, whether its owner still runs it; `deliver` runs an
   * allowed timer's `fire` (an owner that may be held, like a paused process, defers it there).
   */
  constructor(
    private readonly allowFire: () => boolean = () => true,
    readonly deliver: (fire: () => void) => void = callNow,
  ) {}

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

  /** Cancels every listed timer (the owner stopped or died). */
  cancelAll(): void {
    for (let guard = this.count; this.head !== undefined; guard--) {
      assert(guard > 0, 'the timer list holds count timers');
      this.head.cancel();
    }
    assert(this.count === 0, 'every timer left the list');
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
