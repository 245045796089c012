/**
 * Where each stored data type lives inside an entry's 32-bit words. An entry is a fixed-size
 * run of words in one Uint32Array: a small header (expiry, tree key, ref count, update key,
 * flags, sequence) followed by the stored data in ascending type id, zero-initialised.
 */
import { assert } from '../../lib/assert.ts';
import { dataTypeById, wordsPerElement, type DataTypeInfo } from './data-types.ts';
import type { TableSpec } from './table-spec.ts';

export const H_EXPIRE = 0;
export const H_TREE_KEY = 1;
export const H_REF_CNT = 2;
export const H_UPD_KEY = 3;
export const H_FLAGS = 4;
export const H_EXP_SEQ = 5;
export const HEADER_WORDS = 6;

export const FLAG_LIVE = 1;
export const FLAG_IN_EXP_TREE = 2;
export const FLAG_IN_UPD_TREE = 4;

export interface StoredSlot {
  readonly info: DataTypeInfo;
  /** Word offset from the start of the entry. */
  readonly offsetWords: number;
  readonly count: number;
  readonly wordsPerElement: number;
  readonly periodMs: number;
}

export interface DataLayout {
  readonly strideWords: number;
  /** Indexed by type id; undefined when the table does not store the type. */
  readonly slots: readonly (StoredSlot | undefined)[];
  /** Stored slots in ascending type id. */
  readonly stored: readonly StoredSlot[];
  /** Bit i set when type id i is stored (fits in a number: ids < 53). */
  readonly bitfield: number;
}

export function buildLayout(spec: TableSpec): DataLayout {
  const slots: (StoredSlot | undefined)[] = [];
  const stored: StoredSlot[] = [];
  let offsetWords = HEADER_WORDS;
  let bitfield = 0;
  let previousId = -1;
  for (const s of spec.store) {
    assert(s.typeId > previousId, 'store is sorted by type id without duplicates');
    previousId = s.typeId;
    const info = dataTypeById(s.typeId);
    assert(info !== undefined, `known data type ${s.typeId}`);
    const count = info.isArray ? s.count : 1;
    assert(count >= 1 && count <= 100, 'array count within 1..100');
    const slot: StoredSlot = {
      info,
      offsetWords,
      count,
      wordsPerElement: wordsPerElement(info.std),
      periodMs: s.periodMs,
    };
    slots[s.typeId] = slot;
    stored.push(slot);
    offsetWords += count * slot.wordsPerElement;
    bitfield += 2 ** s.typeId;
  }
  return { strideWords: offsetWords, slots, stored, bitfield };
}
