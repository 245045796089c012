/**
 * The expiry tree of a stick table (HAProxy's `exps` eb32 tree), as an indexed binary heap.
 * Order: by tree key (a tick, compared by signed 32-bit difference so the wrap is handled), then
 * by insertion sequence (the tree keeps duplicates in insertion order). Keys and sequences live
 * in the table's entry words; the heap stores entry refs and knows each ref's position, and a copy
 * of each queued ref's key and sequence beside it, so a sift compares heap slots without reading
 * the entries (scattered over the table: a cache miss per comparison otherwise).
 */
import { assert } from '../../lib/assert.ts';
import { H_EXP_SEQ, H_TREE_KEY } from './layout.ts';
import { tickFromWord, type Tick } from '../ticks.ts';

export class ExpQueue {
  private heap: Int32Array;
  /** The tree key and sequence of heap[i] (copies of the entry's H_TREE_KEY and H_EXP_SEQ words). */
  private heapKey: Uint32Array;
  private heapSeq: Uint32Array;
  private pos: Int32Array;
  private length = 0;
  private seqNext = 0;

  constructor(
    private words: Uint32Array,
    private strideWords: number,
    capacityEntries: number,
  ) {
    const slots = Math.max(capacityEntries, 1);
    this.heap = new Int32Array(slots);
    this.heapKey = new Uint32Array(slots);
    this.heapSeq = new Uint32Array(slots);
    this.pos = new Int32Array(slots).fill(-1);
  }

  get size(): number {
    return this.length;
  }

  /** Called when the table grows its entry storage. */
  resize(words: Uint32Array, capacityEntries: number): void {
    this.words = words;
    if (capacityEntries <= this.heap.length) return;
    const heap = new Int32Array(capacityEntries);
    heap.set(this.heap);
    const heapKey = new Uint32Array(capacityEntries);
    heapKey.set(this.heapKey);
    const heapSeq = new Uint32Array(capacityEntries);
    heapSeq.set(this.heapSeq);
    const pos = new Int32Array(capacityEntries).fill(-1);
    pos.set(this.pos);
    this.heap = heap;
    this.heapKey = heapKey;
    this.heapSeq = heapSeq;
    this.pos = pos;
  }

  contains(ref: number): boolean {
    return this.pos[ref]! >= 0;
  }

  /** Inserts `ref` with tree key `key`, after every entry already queued with the same key. */
  insert(ref: number, key: number): void {
    assert(!this.contains(ref), 'entry is not queued twice');
    const base = ref * this.strideWords;
    this.words[base + H_TREE_KEY] = key >>> 0;
    this.words[base + H_EXP_SEQ] = this.seqNext;
    this.seqNext = (this.seqNext + 1) >>> 0;
    this.push(ref);
  }

  /** Puts back a ref that was popped, keeping its key and sequence (a skipped, referenced entry). */
  reinsertUnchanged(ref: number): void {
    assert(!this.contains(ref), 'entry is not queued twice');
    this.push(ref);
  }

  /** The insertion sequence of a queued ref (orders equal tree keys). */
  seq(ref: number): number {
    return this.words[ref * this.strideWords + H_EXP_SEQ]!;
  }

  peek(): number {
    return this.length === 0 ? -1 : this.heap[0]!;
  }

  treeKey(ref: number): Tick {
    return tickFromWord(this.words[ref * this.strideWords + H_TREE_KEY]!);
  }

  pop(): number {
    assert(this.length > 0, 'pop from a non-empty queue');
    const top = this.heap[0]!;
    this.removeAt(0);
    return top;
  }

  remove(ref: number): void {
    const at = this.pos[ref]!;
    if (at < 0) return;
    this.removeAt(at);
  }

  private push(ref: number): void {
    assert(this.length < this.heap.length, 'expiry queue bounded by table capacity');
    const base = ref * this.strideWords;
    const at = this.length;
    this.length++;
    this.siftUp(at, ref, this.words[base + H_TREE_KEY]!, this.words[base + H_EXP_SEQ]!);
  }

  private removeAt(at: number): void {
    const ref = this.heap[at]!;
    const last = this.length - 1;
    this.pos[ref] = -1;
    this.length--;
    if (at === last) return;
    // The last slot's ref fills the hole: down if it is after a child, else up.
    const moved = this.heap[last]!;
    const key = this.heapKey[last]!;
    const seq = this.heapSeq[last]!;
    const settled = this.siftDown(at, moved, key, seq);
    if (settled === at) this.siftUp(at, moved, key, seq);
  }

  /** Places (ref, key, seq) at the hole `at` or above it; returns where it settled. */
  private siftUp(at: number, ref: number, key: number, seq: number): number {
    const heap = this.heap;
    const heapKey = this.heapKey;
    const heapSeq = this.heapSeq;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(key, seq, heapKey[parent]!, heapSeq[parent]!)) break;
      this.place(i, heap[parent]!, heapKey[parent]!, heapSeq[parent]!);
      i = parent;
    }
    this.place(i, ref, key, seq);
    return i;
  }

  /** Places (ref, key, seq) at the hole `at` or below it; returns where it settled. */
  private siftDown(at: number, ref: number, key: number, seq: number): number {
    const heap = this.heap;
    const heapKey = this.heapKey;
    const heapSeq = this.heapSeq;
    const length = this.length;
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= length) break;
      const r = l + 1;
      let m = l;
      if (r < length && before(heapKey[r]!, heapSeq[r]!, heapKey[l]!, heapSeq[l]!)) m = r;
      if (!before(heapKey[m]!, heapSeq[m]!, key, seq)) break;
      this.place(i, heap[m]!, heapKey[m]!, heapSeq[m]!);
      i = m;
    }
    this.place(i, ref, key, seq);
    return i;
  }

  private place(i: number, ref: number, key: number, seq: number): void {
    this.heap[i] = ref;
    this.heapKey[i] = key;
    this.heapSeq[i] = seq;
    this.pos[ref] = i;
  }
}

/** (keyA, seqA) before (keyB, seqB): ticks by signed 32-bit difference (the wrap), then insertion order. */
function before(keyA: number, seqA: number, keyB: number, seqB: number): boolean {
  const d = (keyA - keyB) | 0;
  if (d !== 0) return d < 0;
  return ((seqA - seqB) | 0) < 0;
}
