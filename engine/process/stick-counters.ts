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

// The slots array below is written out as a literal (every request builds one).
assert(TRACK_SLOTS === 3, 'three stick counters, sc0..sc2');

export class StickCounters {
  /**
   * The trackers by slot (undefined: free), read in slot order (sc0 first) as HAProxy's
   * `for (i = 0; i < MAX_SESS_STKCTR; i++)`. Read only: `track` and `release` change it.
   */
  readonly slots: (Tracker | undefined)[] = [undefined, undefined, undefined];
  /** Every tracker attached, in order (for the result). */
  readonly attached: TrackedKey[] = [];

  get(slot: number): Tracker | undefined {
    assert(Number.isInteger(slot) && slot >= 0, 'a tracking slot is a non-negative integer');
    return this.slots[slot];
  }

  /** Trackers present, slot order (sc0 first): a new list (the hot paths read `slots`). */
  active(): readonly Tracker[] {
    const out: Tracker[] = [];
    for (const t of this.slots) if (t !== undefined) out.push(t);
    return out;
  }

  /**
   * `track-sc<slot>`: nothing when the slot already tracks something or no entry can be had
   * (full nopurge table, §3.3). Returns the tracker attached, if any. `keyText` is the key as
   * renderKey renders it, when the caller has it already (the client's address text).
   * Positional, not an options object: every tracked request calls it.
   */
  track(
    slot: number,
    level: TrackLevel,
    table: StickTable,
    key: StoredKey,
    now: Tick,
    byBackend: boolean,
    ruleLine: number,
    keyText: string | undefined,
  ): Tracker | undefined {
    if (slot >= TRACK_SLOTS || this.slots[slot] !== undefined) return undefined;
    const ref = trackStart(table, key, now);
    if (ref === NO_ENTRY) return undefined;
    const tracker: Tracker = { level, table, ref, byBackend };
    this.slots[slot] = tracker;
    this.attached.push({
      slot,
      level,
      table: table.spec.name,
      key: keyText ?? renderKey(table.spec.keyType, key),
      ruleLine,
    });
    return tracker;
  }

  /** Releases the trackers of one level, slot order (conn_cur − 1, local touch, kill-if-expired). */
  release(level: TrackLevel, now: Tick): void {
    const slots = this.slots;
    for (let slot = 0; slot < TRACK_SLOTS; slot++) {
      const t = slots[slot];
      if (t === undefined || t.level !== level) continue;
      trackRelease(t.table, t.ref, now);
      slots[slot] = undefined;
    }
  }

  isEmpty(): boolean {
    const slots = this.slots;
    for (let slot = 0; slot < TRACK_SLOTS; slot++) if (slots[slot] !== undefined) return false;
    return true;
  }
}
