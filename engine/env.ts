/**
 * The boundary through which the engine meets the world. The engine never reads the wall
 * clock, global randomness or sockets itself: the simulator implements these interfaces
 * deterministically, the live runner (live/) with node:net and the real clock.
 */
import type { Tick } from './ticks.ts';

/** Time, as HAProxy sees it: `now_ms`, a wrapping 32-bit millisecond tick. */
export interface Clock {
  /** The current tick (uint32, never 0 in practice; 0 is eternity). */
  nowTick(): Tick;
  /** Monotonic milliseconds since the process start, for durations longer than 2^32 ms. */
  nowMs(): number;
}

/** A timer the engine asked for; cancelling a fired or cancelled timer is a no-op. */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Calls `fire` once, `delayMs` from now (0 = as soon as possible, after the current event). */
  schedule(delayMs: number, fire: () => void): TimerHandle;
}

/** Randomness: HAProxy uses `rand()` for back-offs; the engine asks for integers here. */
export interface Random {
  /** A uniformly distributed integer in [0, boundExclusive). */
  nextInt(boundExclusive: number): number;
}

/** A bidirectional byte stream (one TCP connection). */
export interface ByteStream {
  /** Sends `bytes`. The stream may keep them until they are sent: the caller never changes them. */
  write(bytes: Uint8Array): void;
  /**
   * Bytes the stream takes now before its send buffer is full (written, not yet taken by the
   * peer). Absent: unbounded. A writer that respects it keeps its memory bounded when the peer
   * reads slowly or not at all, as HAProxy's applet waits for room in its channel.
   */
  roomBytes?(): number;
  /** Calls `handler` once, the next time bytes leave the send buffer (room grew). */
  awaitRoom?(handler: () => void): void;
  /**
   * Stops handing received bytes to `onData` until `resumeInput`: they wait in the kernel, whose
   * receive window then holds the sender back (TCP flow control), as HAProxy stops reading a
   * socket while its input buffer is full. Absent: the stream cannot hold input back (the
   * simulated network paces the sender by its send buffer instead).
   */
  pauseInput?(): void;
  /** Hands received bytes to `onData` again after `pauseInput`. */
  resumeInput?(): void;
  /**
   * Bytes received and not handed to any data handler yet: what already waits in an accepted
   * stream's input when its owner first looks at it. Absent: 0 (the stream does not tell).
   */
  unreadBytes?(): number;
  /** Half-closes our side and then closes; pending bytes are still delivered. */
  close(): void;
  onData(handler: (bytes: Uint8Array) => void): void;
  /**
   * Calls `handler` once when the connection is established (the TCP handshake completed), before
   * any byte of the peer can arrive; for a stream that is connected already (an accepted one, or a
   * connect that completed) soon after the call, in a later event. Never for a connect that fails.
   */
  onConnect(handler: () => void): void;
  onClose(handler: (reason: StreamCloseReason) => void): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

export type StreamCloseReason = 'closed' | 'reset' | 'refused' | 'timeout';

export interface Listener {
  close(): void;
}

export interface Net {
  /** Opens a connection; failures arrive through `onClose` with 'refused' or 'timeout'. */
  connect(options: { address: string; port: number }): ByteStream;
  /** Listens on an address; throws an EngineError when the address cannot be bound. */
  listen(options: { address: string; port: number }, onAccept: (stream: ByteStream) => void): Listener;
}

/** A structured event for the trace. `kind` is a stable dotted name, e.g. `table.purge`. */
export interface EngineEvent {
  kind: string;
  [detail: string]: unknown;
}

/**
 * An event's details: plain data (strings, numbers, booleans, null, bytes, arrays, objects).
 * Each emit passes a fresh object of its own: the receiver may tag it (a host adds the pid, a
 * peers section its name) and keep it, so no layer copies it.
 */
export type EventDetails = Record<string, unknown>;

/**
 * A name the trace repeats on its hottest events (a host, an event kind, a peer, a table, a
 * section), made once where the name is made and handed over instead of the string. A fold may
 * keep its own code for the name on it (`foldOwner`, `foldWord`), so a repeat costs two loads
 * instead of a dictionary lookup by string; only the fold named in `foldOwner` reads `foldWord`,
 * and it folds exactly what `DetailFold.name(text)` would.
 */
export class TraceName {
  foldOwner: object | undefined = undefined;
  foldWord = 0;
  constructor(readonly text: string) {}
}

/** A list of names made once and handed over whole (a layout's field names), as TraceName is for one name. */
export class TraceNames {
  foldOwner: object | undefined = undefined;
  foldWord = 0;
  constructor(readonly texts: readonly string[]) {}
}

/**
 * Folds an event's details into a running fingerprint from the facts they are made of, without
 * the plain object being built. Each producer folds a fixed sequence: its layout (a constant of
 * its own), then its facts in an order of its choosing, each through the method for its type, with
 * a flags word saying which optional facts follow. The fold must take every fact `render()` reads,
 * so that two details whose plain objects differ fold differently (test/unit/sim/fingerprint.test.ts
 * checks it on every producer).
 */
export interface DetailFold {
  /** The producer's layout: a constant in [1, 2^16), one per producer, folded first. */
  layout(id: number): void;
  /** An integer in [0, 2^32) whose place in the layout says what it is (ids, keys, flags). */
  int(value: number): void;
  /** Any number (tagged: its place may hold another type). */
  number(value: number): void;
  /** A string from a small set that repeats (a peer, table, section or host name). */
  name(value: string): void;
  /** The same as `name(value.text)`, for a name made once (see TraceName). */
  traceName(value: TraceName): void;
  /** Any other string. */
  text(value: string): void;
  /** A list of names (a table's field names: one array per layout, reused). */
  names(list: readonly string[]): void;
  /** The same as `names(value.texts)`, for a list made once (see TraceNames). */
  traceNames(value: TraceNames): void;
  /** An array's start: `length` items follow. */
  arrayStart(length: number): void;
  bytes(data: Uint8Array): void;
  nil(): void;
  /** Any other detail value, as the fingerprint encodes it from a plain object. */
  plain(value: unknown): void;
  /**
   * The fast path (engine/trace-words.ts): the buffer the methods above write their words into,
   * in order, and how many it holds. A producer reserves room, writes words from `wordCount` on,
   * and sets `wordCount` past them.
   */
  readonly words: Int32Array;
  wordCount: number;
  /** Room for `count` more words in `words` (the words waiting there are mixed first if needed); returns `wordCount`. */
  reserve(count: number): number;
}

/**
 * Details an emitter hands over unbuilt (the hottest events: replication updates), so a run that
 * only fingerprints them neither renders keys and values nor builds an object. The receiver tags
 * `section`, `local` and `pid` as it would on a plain object.
 */
export interface DeferredDetails {
  section: TraceName | undefined;
  local: TraceName | undefined;
  pid: number | undefined;
  /** The details as the plain object an `emit` would have passed (fresh on each call). */
  render(): EventDetails;
  /** Folds every fact `render()` reads, the tags included. */
  foldInto(fold: DetailFold): void;
}

/** Flag bits of the receiver's tags a DeferredDetails has set (bits 0-2 of a producer's flags word). */
export const DEFERRED_TAG_SECTION = 1;
export const DEFERRED_TAG_LOCAL = 2;
export const DEFERRED_TAG_PID = 4;

/** Which of the receiver's tags are set, as DEFERRED_TAG_* bits (a producer's flags word carries them). */
export function deferredTagFlags(details: DeferredDetails): number {
  return (details.section === undefined ? 0 : DEFERRED_TAG_SECTION) | (details.local === undefined ? 0 : DEFERRED_TAG_LOCAL) | (details.pid === undefined ? 0 : DEFERRED_TAG_PID);
}

/** `plain` with the receiver's tags that are set, in the order a receiver adds them to a plain object. */
export function renderDeferredTags(details: DeferredDetails, plain: EventDetails): EventDetails {
  if (details.section !== undefined) plain['section'] = details.section.text;
  if (details.local !== undefined) plain['local'] = details.local.text;
  if (details.pid !== undefined) plain['pid'] = details.pid;
  return plain;
}

export interface Events {
  emit(kind: string, details: EventDetails): void;
  /**
   * When present, takes deferred details (the receiver renders them only for who needs the plain
   * object). Absent: emitters pass `render()` to `emit`.
   */
  emitDeferred?(kind: TraceName, details: DeferredDetails): void;
  /**
   * False when nobody records events (benchmarks): emitters may then skip building them.
   * Absent means true.
   */
  readonly recording?: boolean;
  /**
   * When present, false for the kinds nobody records (a run that only observes a few kinds):
   * emitters may then skip building those events. Absent means every kind is wanted.
   */
  wants?(kind: string): boolean;
}

/** True when an event of `kind` is recorded by someone (emitters build it only then). */
export function eventWanted(events: Events, kind: string): boolean {
  return events.recording !== false && (events.wants === undefined || events.wants(kind));
}

/**
 * How long a task woken now (`task_wakeup`: it joins the run queue) waits for the scheduler pass
 * that runs it, in whole ms. Absent: at once (the next turn). A host whose passes are slow or
 * whose run queue is long runs the task later than the input already delivered; between two
 * processes this decides the order of messages sent one pass apart (issue 13: the 3.x
 * split-brain swap). The peers section asks it for the sync task and, under 3.2's single-run rule
 * (VersionProfile.taskRunsOncePerPass), for a session's run deferred to the next pass.
 */
export interface TaskWakeLatency {
  /** Runs `fire` at the pass that runs a task woken now (a drawn delay, no timer lateness). */
  schedule(fire: () => void): TimerHandle;
}

/** Everything a running engine is given. */
export interface Env {
  clock: Clock;
  timers: Timers;
  random: Random;
  net: Net;
  events: Events;
  /** See TaskWakeLatency; absent on most hosts. */
  taskWake?: TaskWakeLatency;
}

/** Events sink that drops everything (for pure table use and benchmarks). */
export const NO_EVENTS: Events = { emit: () => {}, recording: false };
