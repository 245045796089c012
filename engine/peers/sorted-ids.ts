/**
 * The update ids of a table's updates tree in unsigned order, for a full resync's walks
 * (`eb32_lookup_ge`, `eb32_first`), kept up to date as ids come and go instead of re-sorted.
 *
 * Ids come from one counter: a local change takes `++update`, a learned one `++update + 2^31`.
 * So within each half of the id space (below 2^31, from 2^31) new ids arrive in increasing order
 * and are appended; an id that does not (the counter wrapped) marks its half for a rebuild. An id
 * that leaves the tree stays in its array, stale, and is skipped; the arrays are rebuilt from the
 * tree once stale ids outnumber the live ones. A walk under traffic thus costs O(log n) per
 * lookup, not a sort of the whole tree after every change (which a paced lesson made quadratic).
 */
import { assert } from '../../lib/assert.ts';

const HALF = 0x8000_0000;
/** Stale ids tolerated beyond the live count before a rebuild (keeps tiny trees from churning). */
const STALE_SLACK = 64;

export interface SortedIdsSource {
  /** True while `id` is in the tree. */
  has(id: number): boolean;
  /** Every id in the tree, any order. */
  ids(): number[];
  /** How many ids the tree holds. */
  readonly size: number;
}

export class SortedIds {
  /** [ids below 2^31, ids from 2^31], each ascending; may hold stale ids. */
  private readonly halves: [number[], number[]] = [[], []];
  private readonly dirty: [boolean, boolean] = [false, false];
  private stale = 0;

  constructor(private readonly source: SortedIdsSource) {}

  /** `id` entered the tree. */
  added(id: number): void {
    const h = id >= HALF ? 1 : 0;
    if (this.dirty[h]) return;
    const half = this.halves[h];
    const last = half[half.length - 1];
    if (last === undefined || id > last) half.push(id);
    else this.dirty[h] = true;
  }

  /** An id left the tree. */
  removed(): void {
    this.stale++;
    // Bounded: once stale ids outnumber live ones the arrays are dropped (rebuilt on the next
    // lookup), so a table that is touched for hours without a lesson holds no history.
    if (this.stale > this.source.size + STALE_SLACK) this.drop();
  }

  /** Ids held, live and stale (at most twice the live ones plus the slack). */
  get heldIds(): number {
    return this.halves[0].length + this.halves[1].length;
  }

  /** The smallest id >= `from` (unsigned, no wrap), or undefined. */
  lookupGe(from: number): number | undefined {
    this.refresh();
    if (from < HALF) return this.firstLiveGe(this.halves[0], from) ?? this.firstLiveGe(this.halves[1], HALF);
    return this.firstLiveGe(this.halves[1], from);
  }

  /** The smallest id, or undefined when the tree is empty. */
  first(): number | undefined {
    return this.lookupGe(0);
  }

  private drop(): void {
    this.halves[0] = [];
    this.halves[1] = [];
    this.dirty[0] = this.dirty[1] = true;
    this.stale = 0;
  }

  private refresh(): void {
    if (!this.dirty[0] && !this.dirty[1] && this.stale <= this.source.size + STALE_SLACK) return;
    const all = Float64Array.from(this.source.ids()).sort();
    const low: number[] = [];
    const high: number[] = [];
    for (const id of all) (id >= HALF ? high : low).push(id);
    this.halves[0] = low;
    this.halves[1] = high;
    this.dirty[0] = this.dirty[1] = false;
    this.stale = 0;
  }

  /** The first live id >= `from` in an ascending array (stale ids skipped; bounded by its length). */
  private firstLiveGe(ids: readonly number[], from: number): number | undefined {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < ids.length; i++) {
      const id = ids[i]!;
      assert(id >= from, 'ids ascend within a half');
      if (this.source.has(id)) return id;
    }
    return undefined;
  }
}
