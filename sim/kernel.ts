/**
 * The simulation kernel: one thread, a virtual clock in integer milliseconds that jumps
 * to the next event, and an event queue ordered by (timeMs, sequence number).
 * Nothing here reads the wall clock; time only moves when an event runs or `run` says so.
 *
 * Events due at the current instant (most of them: an applet woken, a task woken) skip the heap
 * and wait in a FIFO run queue. The order stays exactly (timeMs, seq): every heap event due now
 * was scheduled before the clock reached now, so its seq is below that of every run-queue event,
 * and the heap's events due now run first.
 */
import { assert, fail } from '../lib/assert.ts';
import { EventHeap, type HeapEntry } from './event-heap.ts';

export const QUEUE_LENGTH_MAX_DEFAULT = 1_000_000;
export const RUN_EVENTS_MAX_DEFAULT = 50_000_000;

export interface KernelOptions {
  /** Most events that may wait in the queue at once; scheduling beyond it is a bug. */
  queueLengthMax?: number;
  /** Virtual time at start (ms). */
  startMs?: number;
}

export interface KernelEvent {
  readonly timeMs: number;
  readonly seq: number;
  /** Short name for debugging; never used for ordering. */
  readonly label: string;
}

export interface KernelTimer {
  /** Removes the event from the queue; a no-op once it ran or was cancelled. */
  cancel(): void;
  /** True while the event waits in the queue. */
  readonly pending: boolean;
}

/** `heapIndex` of an event waiting in the run queue (not in the heap). */
const IN_RUN_QUEUE = -2;
/** Run-queue slots consumed before the array is compacted. */
const RUN_QUEUE_COMPACT_AT = 4096;

class QueuedEvent implements HeapEntry, KernelEvent, KernelTimer {
  /** Heap position; IN_RUN_QUEUE in the run queue; -1 once it ran or was cancelled. */
  heapIndex = -1;
  /** The group's list while the event waits (see KernelTimerGroup). */
  groupPrev: QueuedEvent | undefined = undefined;
  groupNext: QueuedEvent | undefined = undefined;
  constructor(
    readonly timeMs: number,
    readonly seq: number,
    readonly label: string,
    readonly fire: () => void,
    private readonly owner: Kernel,
    readonly group: KernelTimerGroup | undefined,
  ) {}

  get pending(): boolean {
    return this.heapIndex !== -1;
  }

  cancel(): void {
    this.owner.cancel(this);
  }
}

/**
 * Timers owned together (one process's): each waiting one is listed (intrusively, no allocation),
 * `cancelAll` removes them at once (the process died), and every firing goes through `deliver`
 * (which may hold it, as a paused process's gate does).
 */
export class KernelTimerGroup {
  private head: QueuedEvent | undefined;
  private count = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly deliver: (fire: () => void) => void,
  ) {}

  /** Timers of the group waiting in the queue. */
  get size(): number {
    return this.count;
  }

  /** Cancels every waiting timer of the group. */
  cancelAll(): void {
    for (let guard = this.count; this.head !== undefined; guard--) {
      assert(guard > 0, 'the group lists count timers');
      this.kernel.cancel(this.head);
    }
    assert(this.count === 0, 'every timer left the group');
  }

  /** @internal */
  link(event: QueuedEvent): void {
    event.groupNext = this.head;
    if (this.head !== undefined) this.head.groupPrev = event;
    this.head = event;
    this.count++;
  }

  /** @internal */
  unlink(event: QueuedEvent): void {
    if (event.groupPrev !== undefined) event.groupPrev.groupNext = event.groupNext;
    else this.head = event.groupNext;
    if (event.groupNext !== undefined) event.groupNext.groupPrev = event.groupPrev;
    event.groupPrev = event.groupNext = undefined;
    this.count--;
  }
}

export interface RunOptions {
  /** Runs every event at or before this time, then sets the clock to it. */
  untilMs?: number;
  /** Bound on events run by this call; exceeding it throws (a runaway simulation). */
  eventsMax?: number;
}

export interface RunResult {
  eventsRun: number;
  nowMs: number;
  /** 'idle': the queue emptied; 'until': the time bound was reached. */
  stoppedBy: 'idle' | 'until';
}

export class Kernel {
  private readonly heap = new EventHeap<QueuedEvent>();
  /**
   * Events due at currentMs, in seq order, in slots [runQueueHead, runQueueTail). The array is
   * kept and reused (it empties at every instant; a new one each time was garbage to collect).
   */
  private readonly runQueue: (QueuedEvent | undefined)[] = [];
  private runQueueHead = 0;
  private runQueueTail = 0;
  /** Events in the run queue that were not cancelled. */
  private runQueueLive = 0;
  private readonly queueLengthMax: number;
  private currentMs: number;
  private seqNext = 0;
  private eventsRunTotal = 0;
  private running = false;

  constructor(options: KernelOptions = {}) {
    this.queueLengthMax = options.queueLengthMax ?? QUEUE_LENGTH_MAX_DEFAULT;
    this.currentMs = options.startMs ?? 0;
    assert(Number.isSafeInteger(this.queueLengthMax) && this.queueLengthMax > 0, 'queueLengthMax is a positive integer');
    assert(Number.isSafeInteger(this.currentMs) && this.currentMs >= 0, 'startMs is a non-negative integer');
  }

  /** Virtual milliseconds since the start of the world. */
  nowMs(): number {
    return this.currentMs;
  }

  /** Events waiting in the queue. */
  queueLength(): number {
    return this.heap.length + this.runQueueLive;
  }

  /** Events run since the kernel was made. */
  eventsRun(): number {
    return this.eventsRunTotal;
  }

  /** Time of the next event, or undefined when the queue is empty. */
  nextEventMs(): number | undefined {
    return this.runQueueLive > 0 ? this.currentMs : this.heap.peek()?.timeMs;
  }

  /**
   * Runs `fire` at `delayMs` from now; delay 0 runs after every event already due now. With a
   * group, the timer is listed there and fires through the group's `deliver`.
   */
  schedule(delayMs: number, fire: () => void, label = '', group?: KernelTimerGroup): KernelTimer {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) fail(`delayMs is a non-negative integer (got ${delayMs})`);
    return this.scheduleAt(this.currentMs + delayMs, fire, label, group);
  }

  /** Runs `fire` at absolute virtual time `timeMs` (not in the past). */
  scheduleAt(timeMs: number, fire: () => void, label = '', group?: KernelTimerGroup): KernelTimer {
    const seq = this.seqNext;
    this.seqNext += 1;
    return this.enqueue(timeMs, seq, fire, label, group);
  }

  /**
   * Runs `fire(index, timeMs)` at `startMs + index * everyMs` for every index below `count`, in
   * exactly the order it would run had each occurrence been scheduled now: their sequence numbers
   * are taken now, but each occurrence is queued only when the previous one runs (a long series
   * does not sit in the queue, nor in the heap's every push and pop).
   */
  scheduleSeries(options: { startMs: number; everyMs: number; count: number; label?: string }, fire: (index: number, timeMs: number) => void): void {
    const { startMs, everyMs, count } = options;
    if (count === 0) return;
    assert(Number.isSafeInteger(count) && count > 0 && count <= RUN_EVENTS_MAX_DEFAULT, 'a series has a bounded number of occurrences');
    assert(Number.isSafeInteger(everyMs) && everyMs >= 1, 'a series moves forward in time');
    const seqFirst = this.seqNext;
    this.seqNext += count;
    const label = options.label ?? '';
    const arm = (index: number): void => {
      const timeMs = startMs + index * everyMs;
      this.enqueue(timeMs, seqFirst + index, () => {
        if (index + 1 < count) arm(index + 1);
        fire(index, timeMs);
      }, label);
    };
    arm(0);
  }

  /** Queues one event with its sequence number (taken by the caller, in order). */
  private enqueue(timeMs: number, seq: number, fire: () => void, label: string, group?: KernelTimerGroup): KernelTimer {
    if (!Number.isSafeInteger(timeMs)) fail(`timeMs is an integer (got ${timeMs})`);
    if (timeMs < this.currentMs) fail(`event at ${timeMs} is not in the past (now ${this.currentMs})`);
    if (this.queueLength() >= this.queueLengthMax) fail(`event queue full (${this.queueLengthMax} events)`);
    const event = new QueuedEvent(timeMs, seq, label, fire, this, group);
    group?.link(event);
    if (timeMs === this.currentMs) {
      // The run queue runs in seq order: only the newest seq may join it (a series' later
      // occurrences are always queued before they are due, so they go to the heap).
      const last = this.runQueueTail > this.runQueueHead ? this.runQueue[this.runQueueTail - 1] : undefined;
      assert(last === undefined || last.seq < seq, 'an event due now joins the run queue in seq order');
      event.heapIndex = IN_RUN_QUEUE;
      if (this.runQueueTail === this.runQueue.length) this.runQueue.push(event);
      else this.runQueue[this.runQueueTail] = event;
      this.runQueueTail += 1;
      this.runQueueLive += 1;
    } else {
      this.heap.push(event);
    }
    return event;
  }

  /** @internal used by timers */
  cancel(event: QueuedEvent): void {
    if (event.heapIndex === -1) return; // ran or cancelled already
    event.group?.unlink(event);
    if (event.heapIndex === IN_RUN_QUEUE) {
      // Left in the array and skipped when reached.
      event.heapIndex = -1;
      this.runQueueLive -= 1;
      return;
    }
    this.heap.remove(event);
  }

  /** Runs the next event, moving the clock to its time. False when the queue is empty. */
  step(): boolean {
    const event = this.takeNext();
    if (event === undefined) return false;
    assert(event.timeMs >= this.currentMs, 'time never goes backwards');
    this.currentMs = event.timeMs;
    this.eventsRunTotal += 1;
    const group = event.group;
    if (group === undefined) {
      event.fire();
    } else {
      group.unlink(event);
      group.deliver(event.fire);
    }
    return true;
  }

  /** The next event in (timeMs, seq) order, out of its queue; undefined when none waits. */
  private takeNext(): QueuedEvent | undefined {
    const top = this.heap.peek();
    if (top !== undefined && top.timeMs === this.currentMs) return this.heap.pop();
    if (this.runQueueLive > 0) return this.shiftRunQueue();
    return this.heap.pop();
  }

  private shiftRunQueue(): QueuedEvent {
    for (;;) {
      assert(this.runQueueHead < this.runQueueTail, 'a live run-queue event is found before the end');
      const event = this.runQueue[this.runQueueHead]!;
      this.runQueue[this.runQueueHead] = undefined; // no stale reference
      this.runQueueHead += 1;
      if (this.runQueueHead === this.runQueueTail) {
        this.runQueueHead = 0;
        this.runQueueTail = 0;
      } else if (this.runQueueHead >= RUN_QUEUE_COMPACT_AT) {
        // A queue that never empties: move the waiting slots to the front.
        this.runQueue.copyWithin(0, this.runQueueHead, this.runQueueTail);
        this.runQueue.fill(undefined, this.runQueueTail - this.runQueueHead, this.runQueueTail);
        this.runQueueTail -= this.runQueueHead;
        this.runQueueHead = 0;
      }
      if (event.heapIndex !== IN_RUN_QUEUE) continue; // cancelled
      assert(event.timeMs === this.currentMs, 'run-queue events are due now');
      event.heapIndex = -1;
      this.runQueueLive -= 1;
      return event;
    }
  }

  /** Runs events in order until the queue empties or `untilMs` is passed. */
  run(options: RunOptions = {}): RunResult {
    const untilMs = options.untilMs;
    const eventsMax = options.eventsMax ?? RUN_EVENTS_MAX_DEFAULT;
    if (untilMs !== undefined) {
      if (!Number.isSafeInteger(untilMs) || untilMs < this.currentMs) fail(`untilMs ${untilMs} is an integer not before now ${this.currentMs}`);
    }
    assert(!this.running, 'run is not re-entered from an event');
    this.running = true;
    let eventsRun = 0;
    try {
      for (;;) {
        const nextMs = this.nextEventMs();
        if (nextMs === undefined) break;
        if (untilMs !== undefined && nextMs > untilMs) break;
        if (eventsRun >= eventsMax) fail(`run exceeded ${eventsMax} events (runaway simulation?) at ${this.currentMs} ms`);
        this.step();
        eventsRun += 1;
      }
    } finally {
      this.running = false;
    }
    if (untilMs !== undefined) this.currentMs = untilMs;
    const stoppedBy = this.queueLength() === 0 && untilMs === undefined ? 'idle' : 'until';
    return { eventsRun, nowMs: this.currentMs, stoppedBy };
  }

  /** Runs for `durationMs` of virtual time from now. */
  runFor(durationMs: number, options: { eventsMax?: number } = {}): RunResult {
    assert(Number.isSafeInteger(durationMs) && durationMs >= 0, 'durationMs is a non-negative integer');
    return this.run({ untilMs: this.currentMs + durationMs, ...options });
  }
}
