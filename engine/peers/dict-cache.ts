/**
 * The `server_key` dictionary caches of one peer session (spec §4.6.3,
 * `PEER_STKT_CACHE_MAX_ENTRIES`): 128 slots per direction, cleared when the session ends.
 * Wire ids are slot + 1.
 */
import { assert } from '../../lib/assert.ts';

export const DICT_CACHE_SLOTS = 128;

/** Sender side: a round-robin table of the last 128 distinct strings sent. */
export class DictTxCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(DICT_CACHE_SLOTS).fill(undefined);
  private readonly slotByValue = new Map<string, number>();
  private nextSlot = 0;

  /**
   * The slot for `value`: the cached one (`isNew` false: send only its id), or the next
   * round-robin slot, evicting its previous string (`isNew` true: send id and string).
   */
  slotFor(value: string): { slot: number; isNew: boolean } {
    const cached = this.slotByValue.get(value);
    if (cached !== undefined) return { slot: cached, isNew: false };
    const slot = this.nextSlot;
    const evicted = this.slots[slot];
    if (evicted !== undefined) this.slotByValue.delete(evicted);
    this.slots[slot] = value;
    this.slotByValue.set(value, slot);
    this.nextSlot = (slot + 1) % DICT_CACHE_SLOTS;
    assert(this.slotByValue.size <= DICT_CACHE_SLOTS, 'tx dictionary cache holds at most 128 strings');
    return { slot, isNew: true };
  }

  clear(): void {
    this.slots.fill(undefined);
    this.slotByValue.clear();
    this.nextSlot = 0;
  }
}

/** Receiver side: what the peer stored at each wire id (1…128). */
export class DictRxCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(DICT_CACHE_SLOTS).fill(undefined);

  /** The string cached under wire id `id` (1…128), or undefined when the slot is empty. */
  get(id: number): string | undefined {
    assert(id >= 1 && id <= DICT_CACHE_SLOTS, 'dictionary wire id in 1..128');
    return this.slots[id - 1];
  }

  set(id: number, value: string): void {
    assert(id >= 1 && id <= DICT_CACHE_SLOTS, 'dictionary wire id in 1..128');
    this.slots[id - 1] = value;
  }

  clear(): void {
    this.slots.fill(undefined);
  }
}
