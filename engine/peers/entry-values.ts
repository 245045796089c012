/**
 * Reading a table entry's stored data as wire values (the sender side of `peer_prepare_updatemsg`)
 * and writing one received element into a stored slot (the receiver side of
 * `peer_treat_updatemsg`). Pure leaves over the table's accessors.
 */
import { assert } from '../../lib/assert.ts';
import { freqCtrFromWire, freqCtrToWire } from '../table/freq-ctr.ts';
import type { StoredSlot } from '../table/layout.ts';
import type { EntryRef, StickTable } from '../table/table.ts';
import type { Tick } from '../ticks.ts';
import type { ElementWireValue, FreqCounterWire, WireValue } from './update-body.ts';

/** One stored element as it goes on the wire. */
export function readElement(table: StickTable, ref: EntryRef, slot: StoredSlot, index: number, now: Tick): ElementWireValue {
  switch (slot.info.std) {
    case 'uint':
      return table.getUint(ref, slot, index);
    case 'sint':
      return table.getSint(ref, slot, index);
    case 'ull':
      return table.getUll(ref, slot, index);
    case 'frqp': {
      const [ageMs, curr, prev] = freqCtrToWire(table.wordsView(), table.wordAt(ref, slot, index), now);
      return { ageMs, curr, prev };
    }
    case 'dict':
      assert(false, 'server_key is read with getDict');
  }
}

/** A stored field (scalar, array or server_key) as the wire value the codec expects. */
export function readField(table: StickTable, ref: EntryRef, slot: StoredSlot, now: Tick): WireValue {
  if (slot.info.std === 'dict') return table.getDict(ref, slot);
  if (!slot.info.isArray) return readElement(table, ref, slot, 0, now);
  const out: ElementWireValue[] = [];
  for (let i = 0; i < slot.count; i++) out.push(readElement(table, ref, slot, i, now));
  return out;
}

/** Every stored field of an entry, in the table's layout order (ascending type id). */
export function readEntryValues(table: StickTable, ref: EntryRef, now: Tick): WireValue[] {
  return table.layout.stored.map((slot) => readField(table, ref, slot, now));
}

/** Overwrites one stored element with a received one (rates rebuilt on the receiver's clock). */
export function writeElement(
  table: StickTable,
  ref: EntryRef,
  slot: StoredSlot,
  index: number,
  value: ElementWireValue,
  now: Tick,
): void {
  switch (slot.info.std) {
    case 'uint':
    case 'sint':
      assert(typeof value === 'number', 'a 32-bit value is a number');
      table.setUint32(ref, slot, value, index);
      return;
    case 'ull':
      table.setUll(ref, slot, typeof value === 'bigint' ? value : BigInt(value as number), index);
      return;
    case 'frqp': {
      const f = value as FreqCounterWire;
      assert(typeof f === 'object', 'a freq counter value is an object');
      freqCtrFromWire(table.wordsView(), table.wordAt(ref, slot, index), now, f.ageMs, f.curr, f.prev);
      return;
    }
    case 'dict':
      assert(false, 'server_key is written with setDict');
  }
}

/** The elements of a received field value (a scalar is one element). */
export function elementsOf(value: WireValue): readonly ElementWireValue[] {
  if (Array.isArray(value)) return value as readonly ElementWireValue[];
  return [value as ElementWireValue];
}
