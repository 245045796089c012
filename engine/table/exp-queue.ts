/**
 * The expiry tree of a stick table (HAProxy's `exps` eb32 tree), as an indexed binary heap.
 * Order: by tree key (a tick, compared by signed 32-bit difference so the wrap is handled), then
 * by insertion sequence (the tree keeps duplicates in insertion order). Keys and sequences live
 * in the table's entry words; the heap stores entry refs and knows each ref's position.
 */
import { assert } from '../../lib/assert.ts';
import { H_EXP_SEQ, H_TREE_KEY } from './layout.ts';
import { tickFromWord, type Tick } from '../ticks.ts';

export class ExpQueue {
  private heap: Int32Array;
  private pos: Int32Array;
  private length = 0;
  private seqNext = 0;

  constructor(
    private words: Uint32Array,
    private strideWords: number,
    capacityEntries: number,
  ) {
    this.heap = new Int32Array(Math.max(capacityEntries, 1));
    this.pos = new Int32Array(Math.max(capacityEntries, 1)).fill(-1);
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
    const pos = new Int32Array(capacityEntries).fill(-1);
    pos.set(this.pos);
    this.heap = heap;
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
    this.heap[this.length] = ref;
    this.pos[ref] = this.length;
    this.length++;
    this.siftUp(this.length - 1);
  }

  private removeAt(at: number): void {
    const ref = this.heap[at]!;
    const last = this.length - 1;
    this.pos[ref] = -1;
    if (at !== last) {
      const moved = this.heap[last]!;
      this.heap[at] = moved;
      this.pos[moved] = at;
      this.length--;
      this.siftDown(at);
      this.siftUp(this.pos[moved]!);
    } else {
      this.length--;
    }
  }

  private less(a: number, b: number): boolean {
    const s = this.strideWords;
    const w = this.words;
    const d = (w[a * s + H_TREE_KEY]! - w[b * s + H_TREE_KEY]!) | 0;
    if (d !== 0) return d < 0;
    return ((w[a * s + H_EXP_SEQ]! - w[b * s + H_EXP_SEQ]!) | 0) < 0;
  }

  private siftUp(at: number): void {
    const heap = this.heap;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(at: number): void {
    const heap = this.heap;
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.length) break;
      const r = l + 1;
      let m = l;
      if (r < this.length && this.less(heap[r]!, heap[l]!)) m = r;
      if (!this.less(heap[m]!, heap[i]!)) break;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }
}
