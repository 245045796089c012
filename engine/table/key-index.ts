/**
 * Key → entry ref indexes. ip and integer keys (uint32) use an open-addressing hash table in
 * typed arrays (linear probing, backward-shift deletion: no tombstones), which keeps a lookup to
 * one or two cache lines; byte-string keys use a Map.
 */
import { assert, fail } from '../../lib/assert.ts';
import type { StoredKey } from './keys.ts';

export interface KeyIndex {
  get(key: StoredKey): number; // -1 when absent
  set(key: StoredKey, ref: number): void;
  delete(key: StoredKey): void;
  has(key: StoredKey): boolean;
  readonly size: number;
}

export class MapKeyIndex implements KeyIndex {
  private readonly map = new Map<StoredKey, number>();
  get(key: StoredKey): number {
    return this.map.get(key) ?? -1;
  }
  set(key: StoredKey, ref: number): void {
    this.map.set(key, ref);
  }
  delete(key: StoredKey): void {
    this.map.delete(key);
  }
  has(key: StoredKey): boolean {
    return this.map.has(key);
  }
  get size(): number {
    return this.map.size;
  }
}

const EMPTY = -1;

export const RUN_BITS_MAX = 6;
/** The load factor bound: the index doubles before an insert would fill more than half its slots. */
const LOAD_NUMERATOR = 1;
const LOAD_DENOMINATOR = 2;
/** 2^32 / golden ratio: Fibonacci hashing spreads sequential keys (a CIDR's addresses) evenly. */
const FIBONACCI_MULTIPLIER = 0x9e3779b1;

export interface Uint32KeyIndexOptions {
  /**
   * The most entries the index will ever hold (a table's size + 1 candidate). The index starts
   * small and doubles as it fills, never above the slots this many entries need.
   */
  entriesMax: number;
  /**
   * Keys that differ only in their low `runBits` bits get neighbouring home slots (a run of
   * 2^runBits consecutive keys shares one hashed block), so keys handed out in increasing order
   * (update ids) are stored and walked one cache line after another instead of one miss each.
   * 0 (default): every key is hashed on its own.
   */
  runBits?: number;
}

/**
 * Slots are interleaved pairs [key, ref] in one Int32Array so a probe touches one cache line.
 * Sized by what it holds: starts at `entriesInitial`, doubles (rehash) when an insert would pass
 * the load factor, bounded by `entriesMax`. Nothing observable depends on the capacity: lookups
 * are exact and `forEach` callers must not depend on its order (slot order).
 */
export class Uint32KeyIndex implements KeyIndex {
  private pairs: Int32Array;
  private mask: number;
  /** 32 - log2(slots >> runBits): the top bits of the hashed block pick its home block. */
  private shift: number;
  private count = 0;
  private iterating = false;
  private readonly runBits: number;
  private readonly runMask: number;
  private readonly entriesMax: number;
  private readonly slotsMax: number;

  constructor(entriesInitial: number, options: Uint32KeyIndexOptions) {
    this.runBits = options.runBits ?? 0;
    assert(Number.isInteger(this.runBits) && this.runBits >= 0 && this.runBits <= RUN_BITS_MAX, `runBits in [0, ${RUN_BITS_MAX}]`);
    this.runMask = (1 << this.runBits) - 1;
    this.entriesMax = options.entriesMax;
    assert(Number.isSafeInteger(this.entriesMax) && this.entriesMax >= 1 && this.entriesMax <= 0x4000_0000, 'entriesMax in [1, 2^30]');
    assert(Number.isSafeInteger(entriesInitial) && entriesInitial >= 0, 'entriesInitial is a count');
    this.slotsMax = this.slotsFor(this.entriesMax);
    const slots = this.slotsFor(Math.min(entriesInitial, this.entriesMax));
    this.pairs = Uint32KeyIndex.emptyPairs(slots);
    this.mask = slots - 1;
    this.shift = this.shiftFor(slots);
  }

  /** The fewest slots (a power of two) that hold `entries` within the load factor. */
  private slotsFor(entries: number): number {
    // At least two blocks, so a block's home has a bit to choose (and the shift stays below 32).
    let slots = Math.max(16, 1 << (this.runBits + 1));
    while (slots * LOAD_NUMERATOR < entries * LOAD_DENOMINATOR) slots *= 2;
    return slots;
  }

  private shiftFor(slots: number): number {
    const blockBits = Math.log2(slots) - this.runBits;
    assert(Number.isInteger(blockBits) && blockBits >= 1 && blockBits <= 31, 'blocks are a power of two');
    return 32 - blockBits;
  }

  private static emptyPairs(slots: number): Int32Array {
    const pairs = new Int32Array(slots * 2);
    for (let i = 1; i < pairs.length; i += 2) pairs[i] = EMPTY;
    return pairs;
  }

  get size(): number {
    return this.count;
  }

  /** Slots allocated now (a power of two, at most what `entriesMax` needs). */
  get slots(): number {
    return this.mask + 1;
  }

  /** Slots from a key's home to where it sits (1 when at home), or 0 when absent. */
  probeLength(key: number): number {
    const k = key | 0;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      if (this.pairs[2 * i + 1] === EMPTY) return 0;
      if (this.pairs[2 * i] === k) return probes + 1;
    }
    return 0;
  }

  private home(key: number): number {
    const block = Math.imul(key >>> this.runBits, FIBONACCI_MULTIPLIER) >>> this.shift;
    return ((block << this.runBits) | (key & this.runMask)) & this.mask;
  }

  get(key: StoredKey): number {
    const k = (key as number) | 0;
    const pairs = this.pairs;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      const ref = pairs[2 * i + 1]!;
      if (ref === EMPTY) return -1;
      if (pairs[2 * i] === k) return ref;
    }
    return -1;
  }

  has(key: StoredKey): boolean {
    return this.get(key) >= 0;
  }

  /**
   * Calls `fn(key, ref)` for every entry, keys as uint32, in slot order: an order that depends on
   * the capacity, so callers must not let it show (they sort, or take a minimum). `fn` must not
   * change the index (a rehash would move entries under the walk).
   */
  forEach(fn: (key: number, ref: number) => void): void {
    assert(!this.iterating, 'forEach is not re-entered');
    this.iterating = true;
    try {
      const pairs = this.pairs;
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i + 1] !== EMPTY) fn(pairs[i]! >>> 0, pairs[i + 1]!);
      }
    } finally {
      this.iterating = false;
    }
  }

  set(key: StoredKey, ref: number): void {
    assert(ref >= 0, 'refs are not negative');
    assert(!this.iterating, 'no change during forEach');
    const k = (key as number) | 0;
    const pairs = this.pairs;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      if (pairs[2 * i + 1] === EMPTY) {
        this.insertAt(i, k, ref);
        return;
      }
      if (pairs[2 * i] === k) {
        pairs[2 * i + 1] = ref;
        return;
      }
    }
    fail('index has a free slot');
  }

  /** Stores a new key at the empty slot `i` its probe ended on, or anew after doubling. */
  private insertAt(i: number, k: number, ref: number): void {
    if (this.count >= this.entriesMax) fail(`index holds at most ${this.entriesMax} entries`);
    this.count++;
    if (this.count * LOAD_DENOMINATOR > this.slots * LOAD_NUMERATOR) {
      this.rehash(this.slots * 2);
      this.insertNew(k, ref);
      return;
    }
    this.pairs[2 * i] = k;
    this.pairs[2 * i + 1] = ref;
  }

  /** The slot holding `k`, or -1. */
  private slotOf(k: number): number {
    const pairs = this.pairs;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      if (pairs[2 * i + 1] === EMPTY) return -1;
      if (pairs[2 * i] === k) return i;
    }
    return -1;
  }

  /** Puts a key known to be absent in the first empty slot of its probe chain. */
  private insertNew(k: number, ref: number): void {
    const pairs = this.pairs;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      if (pairs[2 * i + 1] === EMPTY) {
        pairs[2 * i] = k;
        pairs[2 * i + 1] = ref;
        return;
      }
    }
    fail('index has a free slot');
  }

  delete(key: StoredKey): void {
    assert(!this.iterating, 'no change during forEach');
    const k = (key as number) | 0;
    const i = this.slotOf(k);
    if (i < 0) return;
    const pairs = this.pairs;
    const mask = this.mask;
    // Backward-shift deletion keeps every probe chain unbroken (no tombstones).
    let hole = i;
    for (let j = (hole + 1) & mask, probes = 0; probes <= mask; j = (j + 1) & mask, probes++) {
      if (pairs[2 * j + 1] === EMPTY) break;
      const h = this.home(pairs[2 * j]! >>> 0);
      if (((hole - h) & mask) < ((j - h) & mask)) {
        pairs[2 * hole] = pairs[2 * j]!;
        pairs[2 * hole + 1] = pairs[2 * j + 1]!;
        hole = j;
      }
    }
    pairs[2 * hole + 1] = EMPTY;
    this.count--;
  }

  private rehash(slots: number): void {
    assert(slots <= this.slotsMax, 'the index grows within what entriesMax needs');
    const old = this.pairs;
    this.pairs = Uint32KeyIndex.emptyPairs(slots);
    this.mask = slots - 1;
    this.shift = this.shiftFor(slots);
    const pairs = this.pairs;
    const mask = this.mask;
    // Every key is distinct and the new table has room: probe for the first empty slot only.
    for (let i = 0; i < old.length; i += 2) {
      const ref = old[i + 1]!;
      if (ref === EMPTY) continue;
      const key = old[i]!;
      let slot = this.home(key >>> 0);
      while (pairs[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      pairs[2 * slot] = key;
      pairs[2 * slot + 1] = ref;
    }
  }
}
