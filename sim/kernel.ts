/**
 * The simulation kernel: one thread, a virtual clock in integer milliseconds that jumps
 * to the next event, and an event queue ordered by (timeMs, sequence number).
 * Nothing here reads the wall clock; time only moves when an event runs or `run` says so.
 *
 * Events due at the current instant (most of them: an applet woken, a task woken) skip the heap
 * and wait in a FIFO run queue. The order stays exactly (timeMs, seq): every heap event due now
 * was scheduled before the clock reached now, so its seq is below that of every run-queue event,
 * and the heap's events due now run first.
 *
 * Events due within NEAR_SLOTS ms (network deliveries over short links, mostly) wait in one FIFO
 * slot per millisecond instead of the heap: queued in seq order, each slot is in seq order, and the
 * next event is the earlier (timeMs, seq) of the heap's top and the first live slot's head.
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
/** `heapIndex` of an event waiting in a near slot (not in the heap). */
const IN_NEAR_SLOT = -3;
/**
 * Events due within this many ms after now (a network delivery, mostly: 1 ms links) wait in
 * per-millisecond FIFO slots instead of the heap; a power of two (slot = timeMs & mask).
 */
const NEAR_SLOTS = 8;
const NEAR_SLOT_MASK = NEAR_SLOTS - 1;

/**
 * The events of one millisecond ahead of now, in seq order (they are queued in the order their
 * seqs were taken; one that is not goes to the heap). While it holds live events, `timeMs` is their
 * time: two times in [now, now + NEAR_SLOTS) never share a slot.
 */
class NearSlot {
  timeMs = -1;
  readonly events: (QueuedEvent | undefined)[] = [];
  head = 0;
  /** Events of the slot not yet run nor cancelled. */
  live = 0;
}
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

/** The one of two events that runs first in (timeMs, seq) order. */
function earlier(a: QueuedEvent | undefined, b: QueuedEvent | undefined): QueuedEvent | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? a : b;
  return a.seq < b.seq ? a : b;
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
  private readonly nearSlots: NearSlot[] = Array.from({ length: NEAR_SLOTS }, () => new NearSlot());
  /** Live events over all near slots. */
  private nearLive = 0;
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
    return this.heap.length + this.runQueueLive + this.nearLive;
  }

  /** Events run since the kernel was made. */
  eventsRun(): number {
    return this.eventsRunTotal;
  }

  /** Time of the next event, or undefined when the queue is empty. */
  nextEventMs(): number | undefined {
    if (this.runQueueLive > 0) return this.currentMs;
    return earlier(this.heap.peek(), this.nearPeek())?.timeMs;
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
    } else if (!this.pushNear(event)) {
      this.heap.push(event);
    }
    return event;
  }

  /** Queues `event` in its near slot; false when it is too far ahead or out of the slot's seq order. */
  private pushNear(event: QueuedEvent): boolean {
    if (event.timeMs - this.currentMs >= NEAR_SLOTS) return false;
    const slot = this.nearSlots[event.timeMs & NEAR_SLOT_MASK]!;
    if (slot.timeMs !== event.timeMs) {
      assert(slot.live === 0, 'a near slot holds one time at once');
      slot.timeMs = event.timeMs;
      slot.events.length = 0;
      slot.head = 0;
    }
    const last = slot.events.length > slot.head ? slot.events[slot.events.length - 1] : undefined;
    if (last !== undefined && last.seq > event.seq) return false; // a series' occurrence: the heap orders it
    event.heapIndex = IN_NEAR_SLOT;
    slot.events.push(event);
    slot.live += 1;
    this.nearLive += 1;
    return true;
  }

  /** The earliest live near event (its slot's head made live), or undefined. */
  private nearPeek(): QueuedEvent | undefined {
    if (this.nearLive === 0) return undefined;
    for (let timeMs = this.currentMs; timeMs < this.currentMs + NEAR_SLOTS; timeMs++) {
      const slot = this.nearSlots[timeMs & NEAR_SLOT_MASK]!;
      if (slot.live === 0 || slot.timeMs !== timeMs) continue;
      for (;;) {
        const event = slot.events[slot.head];
        assert(event !== undefined, 'a slot with live events has one at or after its head');
        if (event.heapIndex === IN_NEAR_SLOT) return event;
        slot.events[slot.head] = undefined; // cancelled: skipped
        slot.head += 1;
      }
    }
    return fail('the near slots count live events they hold');
  }

  /** Takes `event`, the head of its near slot, out of it. */
  private shiftNear(event: QueuedEvent): QueuedEvent {
    const slot = this.nearSlots[event.timeMs & NEAR_SLOT_MASK]!;
    assert(slot.events[slot.head] === event, 'a near event is taken at its slot\'s head');
    slot.events[slot.head] = undefined;
    slot.head += 1;
    if (slot.head === slot.events.length) {
      slot.events.length = 0;
      slot.head = 0;
    }
    slot.live -= 1;
    this.nearLive -= 1;
    event.heapIndex = -1;
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
    if (event.heapIndex === IN_NEAR_SLOT) {
      // Left in its slot and skipped when reached.
      event.heapIndex = -1;
      this.nearSlots[event.timeMs & NEAR_SLOT_MASK]!.live -= 1;
      this.nearLive -= 1;
      return;
    }
    this.heap.remove(event);
  }

  /** Runs the next event, moving the clock to its time. False when the queue is empty. */
  step(): boolean {
    const event = this.peekNext();
    if (event === undefined) return false;
    this.runEvent(event);
    return true;
  }

  /** Takes `event` (the next one, from peekNext) out of its queue and runs it. */
  private runEvent(event: QueuedEvent): void {
    this.take(event);
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
  }

  /** The next event in (timeMs, seq) order, left in its queue; undefined when none waits. */
  private peekNext(): QueuedEvent | undefined {
    const first = earlier(this.heap.peek(), this.nearPeek());
    // Events queued for now before the clock got here come before those queued since (run queue).
    if (first !== undefined && first.timeMs === this.currentMs) return first;
    if (this.runQueueLive > 0) return this.peekRunQueue();
    return first;
  }

  /** Takes the event peekNext gave out of its queue. */
  private take(event: QueuedEvent): void {
    switch (event.heapIndex) {
      case IN_RUN_QUEUE:
        this.shiftRunQueue(event);
        return;
      case IN_NEAR_SLOT:
        this.shiftNear(event);
        return;
      default: {
        const top = this.heap.pop();
        assert(top === event, 'the heap\'s top is taken');
      }
    }
  }

  /** The run queue's first live event (cancelled ones before it are dropped). */
  private peekRunQueue(): QueuedEvent {
    for (;;) {
      assert(this.runQueueHead < this.runQueueTail, 'a live run-queue event is found before the end');
      const event = this.runQueue[this.runQueueHead]!;
      if (event.heapIndex === IN_RUN_QUEUE) {
        assert(event.timeMs === this.currentMs, 'run-queue events are due now');
        return event;
      }
      this.dropRunQueueHead(); // cancelled
    }
  }

  private shiftRunQueue(event: QueuedEvent): void {
    assert(this.runQueue[this.runQueueHead] === event, 'the run queue is taken at its head');
    this.dropRunQueueHead();
    event.heapIndex = -1;
    this.runQueueLive -= 1;
  }

  private dropRunQueueHead(): void {
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
        const event = this.peekNext();
        if (event === undefined) break;
        if (untilMs !== undefined && event.timeMs > untilMs) break;
        if (eventsRun >= eventsMax) fail(`run exceeded ${eventsMax} events (runaway simulation?) at ${this.currentMs} ms`);
        this.runEvent(event);
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
