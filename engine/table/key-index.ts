/**
 * Key → entry ref indexes. ip and integer keys (uint32) use an open-addressing hash table in
 * typed arrays (linear probing, backward-shift deletion: no tombstones), which keeps a lookup to
 * one or two cache lines; byte-string keys use a Map.
 */
import { assert } from '../../lib/assert.ts';
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

export interface Uint32KeyIndexOptions {
  /**
   * Keys that differ only in their low `runBits` bits get neighbouring home slots (a run of
   * 2^runBits consecutive keys shares one hashed block), so keys handed out in increasing order
   * (update ids) are stored and walked one cache line after another instead of one miss each.
   * 0 (default): every key is hashed on its own (client addresses, no order to exploit).
   */
  runBits?: number;
}

/** Slots are interleaved pairs [key, ref] in one Int32Array so a probe touches one cache line. */
export class Uint32KeyIndex implements KeyIndex {
  private pairs: Int32Array;
  private mask: number;
  private count = 0;
  private readonly runBits: number;
  private readonly runMask: number;

  constructor(capacityEntries: number, options: Uint32KeyIndexOptions = {}) {
    const slots = Uint32KeyIndex.slotsFor(capacityEntries);
    this.pairs = Uint32KeyIndex.emptyPairs(slots);
    this.mask = slots - 1;
    this.runBits = options.runBits ?? 0;
    assert(Number.isInteger(this.runBits) && this.runBits >= 0 && this.runBits <= RUN_BITS_MAX, `runBits in [0, ${RUN_BITS_MAX}]`);
    this.runMask = (1 << this.runBits) - 1;
  }

  private static slotsFor(entries: number): number {
    let slots = 16;
    while (slots < entries * 2) slots *= 2;
    return slots;
  }

  private static emptyPairs(slots: number): Int32Array {
    const pairs = new Int32Array(slots * 2);
    for (let i = 1; i < pairs.length; i += 2) pairs[i] = EMPTY;
    return pairs;
  }

  get size(): number {
    return this.count;
  }

  private home(key: number): number {
    const block = key >>> this.runBits;
    const mixed = Math.imul(block ^ (block >>> 16), 0x45d9f3b) ^ (block >>> 7);
    return ((mixed << this.runBits) | (key & this.runMask)) & this.mask;
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

  /** Calls `fn(key, ref)` for every entry, keys as uint32, in slot order (not sorted). */
  forEach(fn: (key: number, ref: number) => void): void {
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] !== EMPTY) fn(pairs[i]! >>> 0, pairs[i + 1]!);
    }
  }

  set(key: StoredKey, ref: number): void {
    assert(ref >= 0, 'refs are not negative');
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const k = (key as number) | 0;
    const pairs = this.pairs;
    const mask = this.mask;
    for (let i = this.home(k >>> 0), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      if (pairs[2 * i + 1] === EMPTY) {
        pairs[2 * i] = k;
        pairs[2 * i + 1] = ref;
        this.count++;
        return;
      }
      if (pairs[2 * i] === k) {
        pairs[2 * i + 1] = ref;
        return;
      }
    }
    assert(false, 'index has a free slot');
  }

  delete(key: StoredKey): void {
    const k = (key as number) | 0;
    const pairs = this.pairs;
    const mask = this.mask;
    let i = this.home(k >>> 0);
    for (let probes = 0; ; i = (i + 1) & mask, probes++) {
      if (probes > mask || pairs[2 * i + 1] === EMPTY) return;
      if (pairs[2 * i] === k) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
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
    const old = this.pairs;
    this.pairs = Uint32KeyIndex.emptyPairs(slots);
    this.mask = slots - 1;
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
