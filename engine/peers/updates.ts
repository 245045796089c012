/**
 * A table's updates tree and its update ids (spec §4.9.1, §4.9.2): which entries the peers layer
 * must push, in id order. Plugged into the table through `TableSyncHooks`.
 *
 * Ids are uint32 and wrap. A local change gives the entry a fresh id (`++update`, also
 * `localupdate`) unless it is still pending for every peer; a change learned from a peer gives an
 * entry that has no id a "remote" id half the id space away (`++update + 2^31`), so the
 * incremental pusher, which only walks (last_pushed, localupdate], never sends it, while a full
 * resync (which walks the whole tree) does.
 *
 * The tree is a Map from id to entry ref. Local ids are handed out in increasing order, so a
 * cursor can walk ids one by one; the walk is bounded by the number of ids handed out since the
 * cursor, which is the work that produced them.
 */
import { assert } from '../../lib/assert.ts';
import { Uint32KeyIndex } from '../table/key-index.ts';
import { SortedIds } from './sorted-ids.ts';
import { FLAG_IN_UPD_TREE, H_FLAGS, H_UPD_KEY } from '../table/layout.ts';
import type { EntryRef, StickTable, TableSyncHooks } from '../table/table.ts';

export const REMOTE_KEY_OFFSET = 0x8000_0000;
const UPDATE_ID_RUN_BITS = 4;
/** The id index starts this small and doubles as ids come, up to one id per entry the table holds. */
const INDEX_ENTRIES_INITIAL = 64;
/**
 * A cursor walks ids one by one while the span to walk is at most this many times the tree's
 * size (plus a little); a wider span costs less as one pass over the tree's keys.
 */
const WALK_SPAN_PER_KEY_MAX = 2;
const WALK_SPAN_SLACK = 64;

export class UpdatesTree implements TableSyncHooks {
  /** Last id handed out (`update`). */
  update = 0;
  /** Last id handed out to a local change (`localupdate`). */
  localUpdate = 0;
  /** 2.6 `commitupdate`: the highest last_pushed any peer reached. */
  commitUpdate = 0;
  /** id → entry: an open-addressing uint32 index (ids ≥ 2^31 are not small integers for a Map). */
  private readonly byKey: Uint32KeyIndex;
  private readonly onLocalChange: () => void;
  private readonly onRemoving: ((ref: EntryRef) => void) | undefined;
  /** Keys in unsigned order, kept as keys come and go (for the teach stages' lookups). */
  private readonly sortedKeys: SortedIds;

  constructor(
    readonly table: StickTable,
    options: { onLocalChange: () => void; onRemoving?: (ref: EntryRef) => void },
  ) {
    this.onLocalChange = options.onLocalChange;
    this.onRemoving = options.onRemoving;
    // Sized by the ids it holds, not by the table's size: a `size 1m` table that holds 200k
    // entries needs 4 MB of slots, not 16 MB per node up front. At most one id per entry (the
    // table's size plus one candidate). Ids are handed out in increasing order, so runs of 16
    // share a block of slots.
    this.byKey = new Uint32KeyIndex(INDEX_ENTRIES_INITIAL, { entriesMax: table.size + 1, runBits: UPDATE_ID_RUN_BITS });
    const byKey = this.byKey;
    this.sortedKeys = new SortedIds({
      has: (id) => byKey.get(id) >= 0,
      ids: () => {
        const ids: number[] = [];
        byKey.forEach((key) => ids.push(key));
        return ids;
      },
      get size() {
        return byKey.size;
      },
    });
    table.syncHooks = this;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Slots the id index holds now (it grows with the tree; for tests and benches). */
  get indexSlots(): number {
    return this.byKey.slots;
  }

  keyOf(ref: EntryRef): number | undefined {
    if (!this.inTree(ref)) return undefined;
    return this.table.wordsView()[ref * this.table.layout.strideWords + H_UPD_KEY]!;
  }

  entryAt(key: number): EntryRef | undefined {
    const ref = this.byKey.get(key >>> 0);
    return ref < 0 ? undefined : ref;
  }

  /** `__stktable_touch_with_exp(local=1)`. */
  touchedLocal(table: StickTable, ref: EntryRef): void {
    assert(table === this.table, 'hook called for its own table');
    const key = this.keyOf(ref);
    const stillPending =
      key !== undefined && ((this.commitUpdate - key) | 0) < 0 && ((key - this.localUpdate) | 0) < 0;
    if (!stillPending) {
      this.update = (this.update + 1) >>> 0;
      this.localUpdate = this.update;
      this.place(ref, this.update);
    }
    this.onLocalChange();
  }

  /** `__stktable_touch_with_exp(local=0)`: a remote key only for entries not in the tree. */
  touchedRemote(table: StickTable, ref: EntryRef): void {
    assert(table === this.table, 'hook called for its own table');
    if (this.inTree(ref)) return;
    this.update = (this.update + 1) >>> 0;
    this.place(ref, (this.update + REMOTE_KEY_OFFSET) >>> 0);
  }

  removing(table: StickTable, ref: EntryRef): void {
    assert(table === this.table, 'hook called for its own table');
    this.onRemoving?.(ref);
    const key = this.keyOf(ref);
    if (key === undefined) return;
    this.byKey.delete(key);
    this.sortedKeys.removed();
    this.setFlag(ref, false);
  }

  /** Raises commitupdate to `pushed` if it is ahead (signed comparison). */
  raiseCommit(pushed: number): void {
    if (((pushed - this.commitUpdate) | 0) > 0) this.commitUpdate = pushed >>> 0;
  }

  /**
   * The next local-keyed entry to push after `lastPushed` (spec §4.9.5): the smallest key in
   * (lastPushed, localUpdate]; undefined when there is none.
   */
  nextLocal(lastPushed: number): { key: number; ref: EntryRef } | undefined {
    // HAProxy compares unsigned distances from last_pushed: a resume point reset to
    // localupdate + 2^31 (stale ack, §4.9.4) spans half the id space.
    const distance = (this.localUpdate - lastPushed) >>> 0;
    if (distance === 0) return undefined;
    if (distance > WALK_SPAN_PER_KEY_MAX * this.byKey.size + WALK_SPAN_SLACK) return this.nextLocalByScan(lastPushed, distance);
    for (let step = 1; step <= distance; step++) {
      const key = (lastPushed + step) >>> 0;
      const ref = this.byKey.get(key);
      if (ref >= 0) return { key, ref };
    }
    return undefined;
  }

  /** nextLocal over a span much larger than the tree: one pass over the keys. */
  private nextLocalByScan(lastPushed: number, distance: number): { key: number; ref: EntryRef } | undefined {
    let best: { key: number; ref: EntryRef } | undefined;
    let bestDistance = distance + 1;
    this.byKey.forEach((key, ref) => {
      const d = (key - lastPushed) >>> 0;
      if (d === 0 || d > distance || d >= bestDistance) return;
      best = { key, ref };
      bestDistance = d;
    });
    return best;
  }

  /** `eb32_lookup_ge`: the entry with the smallest key >= `from` (unsigned, no wrap). */
  lookupGe(from: number): { key: number; ref: EntryRef } | undefined {
    const key = this.sortedKeys.lookupGe(from >>> 0);
    if (key === undefined) return undefined;
    const ref = this.byKey.get(key);
    assert(ref >= 0, 'sorted keys mirror the tree');
    return { key, ref };
  }

  /** `eb32_first`: the smallest key, if any. */
  firstKey(): number | undefined {
    return this.sortedKeys.first();
  }

  private inTree(ref: EntryRef): boolean {
    const flags = this.table.wordsView()[ref * this.table.layout.strideWords + H_FLAGS]!;
    return (flags & FLAG_IN_UPD_TREE) !== 0;
  }

  private place(ref: EntryRef, key: number): void {
    const old = this.keyOf(ref);
    if (old !== undefined) {
      this.byKey.delete(old);
      this.sortedKeys.removed();
    }
    const displaced = this.byKey.get(key);
    if (displaced >= 0 && displaced !== ref) {
      // eb32_insert found the same key (ids wrapped all the way round): the old holder leaves.
      this.setFlag(displaced, false);
    }
    this.byKey.set(key, ref);
    this.sortedKeys.added(key);
    const words = this.table.wordsView();
    words[ref * this.table.layout.strideWords + H_UPD_KEY] = key;
    this.setFlag(ref, true);
  }

  private setFlag(ref: EntryRef, on: boolean): void {
    const words = this.table.wordsView();
    const at = ref * this.table.layout.strideWords + H_FLAGS;
    words[at] = on ? words[at]! | FLAG_IN_UPD_TREE : words[at]! & ~FLAG_IN_UPD_TREE;
  }
}
