/**
 * The stick counters (sc0..sc2) of one client connection and its one stream (spec §1.5, §1.6).
 *
 * HAProxy keeps `sess->stkctr[]` (tcp-request connection/session trackers) and `s->stkctr[]`,
 * which the stream copies from the session when it is created (`stream_new`). So for one request
 * per connection a single array of slots is exact: a slot holds at most one tracker, whichever
 * level attached it first; every per-event counter and every sc-* action sees it; the stream's
 * release skips the slots inherited from the session (`stream_store_counters`).
 */
import { assert } from '../../lib/assert.ts';
import { TRACK_SLOTS } from '../config/fetches.ts';
import { NO_ENTRY, type EntryRef, type StickTable } from '../table/table.ts';
import { trackRelease, trackStart } from '../table/tracking.ts';
import { renderKey, type StoredKey } from '../table/keys.ts';
import type { Tick } from '../ticks.ts';
import type { TrackedKey } from './request-types.ts';

export type TrackLevel = 'session' | 'stream';

export interface Tracker {
  readonly level: TrackLevel;
  readonly table: StickTable;
  readonly ref: EntryRef;
  /** STKCTR_TRACK_BACKEND: attached by a backend's rule (counted again at backend http processing). */
  readonly byBackend: boolean;
}

export class StickCounters {
  private readonly slots: (Tracker | undefined)[] = new Array<Tracker | undefined>(TRACK_SLOTS).fill(undefined);
  /** Every tracker attached, in order (for the result). */
  readonly attached: TrackedKey[] = [];

  get(slot: number): Tracker | undefined {
    assert(Number.isInteger(slot) && slot >= 0, 'a tracking slot is a non-negative integer');
    return this.slots[slot];
  }

  /** `active()`'s list, rebuilt after a track or a release (undefined until then). */
  private activeList: Tracker[] | undefined = undefined;

  /**
   * Trackers present, slot order (sc0 first), as HAProxy's `for (i = 0; i < MAX_SESS_STKCTR; i++)`.
   * The list is shared until the next track or release: read it, do not keep or change it.
   */
  active(): readonly Tracker[] {
    if (this.activeList === undefined) {
      const out: Tracker[] = [];
      for (const t of this.slots) if (t !== undefined) out.push(t);
      this.activeList = out;
    }
    return this.activeList;
  }

  /**
   * `track-sc<slot>`: nothing when the slot already tracks something or no entry can be had
   * (full nopurge table, §3.3). Returns the tracker attached, if any.
   */
  track(options: {
    slot: number;
    level: TrackLevel;
    table: StickTable;
    key: StoredKey;
    now: Tick;
    byBackend: boolean;
    ruleLine: number;
    /** The key as renderKey renders it, when the caller has it already (the client's address text). */
    keyText?: string | undefined;
  }): Tracker | undefined {
    const { slot, table, now } = options;
    if (slot >= TRACK_SLOTS || this.slots[slot] !== undefined) return undefined;
    const ref = trackStart(table, options.key, now);
    if (ref === NO_ENTRY) return undefined;
    const tracker: Tracker = { level: options.level, table, ref, byBackend: options.byBackend };
    this.slots[slot] = tracker;
    this.activeList = undefined;
    this.attached.push({
      slot,
      level: options.level,
      table: table.spec.name,
      key: options.keyText ?? renderKey(table.spec.keyType, options.key),
      ruleLine: options.ruleLine,
    });
    return tracker;
  }

  /** Releases the trackers of one level, slot order (conn_cur − 1, local touch, kill-if-expired). */
  release(level: TrackLevel, now: Tick): void {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const t = this.slots[slot];
      if (t === undefined || t.level !== level) continue;
      trackRelease(t.table, t.ref, now);
      this.slots[slot] = undefined;
      this.activeList = undefined;
    }
  }

  isEmpty(): boolean {
    return this.slots.every((t) => t === undefined);
  }
}
