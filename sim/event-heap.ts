/**
 * A binary min-heap of scheduled events ordered by (timeMs, seq). The sequence number is
 * unique and increasing, so the order is total and never depends on object identity.
 * Entries know their heap index, so a cancelled event leaves the heap at once (O(log n)).
 */
import { assert } from '../lib/assert.ts';

export interface HeapEntry {
  readonly timeMs: number;
  readonly seq: number;
  /** Position in the heap array; -1 once the entry has left the heap. */
  heapIndex: number;
}

function isBefore(a: HeapEntry, b: HeapEntry): boolean {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs;
  return a.seq < b.seq;
}

export class EventHeap<E extends HeapEntry> {
  private readonly entries: E[] = [];

  get length(): number {
    return this.entries.length;
  }

  peek(): E | undefined {
    return this.entries[0];
  }

  push(entry: E): void {
    assert(entry.heapIndex === -1, 'a heap entry is pushed once');
    entry.heapIndex = this.entries.length;
    this.entries.push(entry);
    this.siftUp(entry.heapIndex);
  }

  pop(): E | undefined {
    const entries = this.entries;
    const top = entries[0];
    if (top === undefined) return undefined;
    const last = entries.pop() as E;
    top.heapIndex = -1;
    if (last !== top) {
      // The last entry moves to the root and only down (nothing is above the root).
      entries[0] = last;
      last.heapIndex = 0;
      this.siftDown(0);
    }
    return top;
  }

  /** Removes an entry that is in the heap; false when it already left. */
  remove(entry: E): boolean {
    const index = entry.heapIndex;
    if (index < 0) return false;
    assert(this.entries[index] === entry, 'heap index points at its entry');
    this.removeAt(index);
    return true;
  }

  private removeAt(index: number): void {
    const removed = this.entries[index];
    const last = this.entries.pop();
    assert(removed !== undefined && last !== undefined, 'removeAt within bounds');
    removed.heapIndex = -1;
    if (last === removed) return;
    this.entries[index] = last;
    last.heapIndex = index;
    this.siftDown(index);
    this.siftUp(last.heapIndex);
  }

  private siftUp(start: number): void {
    const entries = this.entries;
    let index = start;
    const moving = entries[index] as E;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = entries[parentIndex] as E;
      if (!isBefore(moving, parent)) break;
      entries[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    entries[index] = moving;
    moving.heapIndex = index;
  }

  private siftDown(start: number): void {
    const entries = this.entries;
    const count = entries.length;
    let index = start;
    const moving = entries[index] as E;
    for (;;) {
      const leftIndex = 2 * index + 1;
      if (leftIndex >= count) break;
      const rightIndex = leftIndex + 1;
      let childIndex = leftIndex;
      const right = entries[rightIndex];
      if (right !== undefined && isBefore(right, entries[leftIndex] as E)) childIndex = rightIndex;
      const child = entries[childIndex] as E;
      if (!isBefore(child, moving)) break;
      entries[index] = child;
      child.heapIndex = index;
      index = childIndex;
    }
    entries[index] = moving;
    moving.heapIndex = index;
  }
}
