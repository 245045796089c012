/**
 * What a received update does to the local entry: the merge policy, chosen per peers section.
 *
 * - `haproxy` (HAProxy 2.6, spec §4.7 step 8 / §5.1): every field the sender declared and the
 *   table stores is overwritten, except `conn_cur` (is_local). Rates are rebuilt from the
 *   transfer form on the receiver's clock. Outgoing values are the stored values.
 * - `aggregate` (active-active summing, in the spirit of HAProxy Enterprise's aggregator, §5.3):
 *   for every *counter* field (uint/ull types other than the tags gpt0/gpt and conn_cur, and
 *   every freq counter) the policy remembers, per entry and per origin peer, the last value that
 *   origin sent (its *contribution*). The stored value is `local + Σ contributions`:
 *     - on receipt from origin P: stored := stored − old_P + new_P (uint modulo 2^32, ull modulo
 *       2^64; freq counters: `curr` and `prev` each adjusted the same way, floored at 0, the
 *       local `curr_tick` — the local period — is kept, the sender's age is ignored);
 *     - when sending: the local contribution only, `stored − Σ contributions` (floored at 0 for
 *       freq counters), so a node never re-sends what it learned.
 *   Non-counter fields (server_id, gpt0, gpt, server_key) are overwritten like `haproxy`.
 *   Limits: a local period rotation of a freq counter moves remote `curr` into `prev`, after which
 *   the local share is approximate; a learner taught by a full resync receives only the teacher's
 *   own contribution (the others arrive with their next push).
 * - `max`: per field and element, the larger of the local and the received value (uint/sint/ull
 *   numerically; a freq counter as a whole, the one whose rate read with the local period at
 *   `now` is larger); server_key is overwritten. Outgoing values are the stored values.
 *
 * No policy ever applies `conn_cur`, and none deletes anything. What `aggregate` remembers per
 * entry leaves with the entry (`forget`, called as the table frees it), so it never holds more keys
 * than the table holds entries.
 */
import { assert, fail } from '../../lib/assert.ts';
import { freqCtrFromWire, freqCtrRead, FRQP_WORDS } from '../table/freq-ctr.ts';
import type { StoredKey } from '../table/keys.ts';
import type { StoredSlot } from '../table/layout.ts';
import type { EntryRef, StickTable } from '../table/table.ts';
import type { Tick } from '../ticks.ts';
import { elementsOf, readElement, readField, writeElement } from './entry-values.ts';
import type { PlantedBug } from './planted-bug.ts';
import type { LayoutField } from './layout.ts';
import type { ElementWireValue, FreqCounterWire, WireValue } from './update-body.ts';

export type MergePolicyName = 'haproxy' | 'aggregate' | 'max';
export const MERGE_POLICY_NAMES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];

export interface MergeInput {
  readonly table: StickTable;
  readonly ref: EntryRef;
  readonly key: StoredKey;
  readonly now: Tick;
  /** Name of the peer that sent the update. */
  readonly origin: string;
  /** True when the receiver created the entry for this update. */
  readonly created: boolean;
  /** The sender's fields (from its DEFINE) and the decoded values, one per field. */
  readonly fields: readonly LayoutField[];
  readonly values: readonly WireValue[];
  /** False when nobody reads the per-field decisions (they only feed trace events). */
  readonly decisionsWanted?: boolean;
}

const NO_DECISIONS: FieldDecision[] = [];

export type FieldAction = 'set' | 'summed' | 'kept-local' | 'ignored-local-type' | 'not-stored' | 'unchanged';

export interface FieldDecision {
  readonly typeId: number;
  readonly action: FieldAction;
}

export interface MergePolicy {
  readonly name: MergePolicyName;
  /** Applies a decoded update to the entry (expiry and touch are the caller's). */
  apply(input: MergeInput): FieldDecision[];
  /** The value of a stored field to send to peers. */
  outgoing(table: StickTable, ref: EntryRef, key: StoredKey, slot: StoredSlot, now: Tick): WireValue;
  /**
   * The entry of `key` leaves the table (expiry, eviction, clear): what the policy remembers about
   * it goes too. Absent for policies that remember nothing per entry.
   */
  forget?(table: StickTable, key: StoredKey): void;
  /** Keys of `table` the policy remembers something about (bounded by the table's entries). */
  rememberedKeys?(table: StickTable): number;
}

export function makeMergePolicy(name: MergePolicyName, options: { plantedBug?: PlantedBug | undefined } = {}): MergePolicy {
  switch (name) {
    case 'haproxy':
      return new HaproxyMerge({ keepLarger: options.plantedBug === 'merge-max' });
    case 'aggregate':
      return new AggregateMerge();
    case 'max':
      return new MaxMerge();
  }
}

/** The shared walk: each sender field that the table stores and may learn. */
function forEachApplicable(
  input: MergeInput,
  onField: (slot: StoredSlot, field: LayoutField, value: WireValue) => FieldAction,
): FieldDecision[] {
  const decisions: FieldDecision[] = [];
  assert(input.fields.length === input.values.length, 'one value per sender field');
  for (let i = 0; i < input.fields.length; i++) {
    const field = input.fields[i]!;
    const slot = input.table.slot(field.typeId);
    if (slot === undefined) {
      decisions.push({ typeId: field.typeId, action: 'not-stored' });
      continue;
    }
    if (slot.info.isLocal) {
      decisions.push({ typeId: field.typeId, action: 'ignored-local-type' });
      continue;
    }
    decisions.push({ typeId: field.typeId, action: onField(slot, field, input.values[i]) });
  }
  return decisions;
}

/** HAProxy's overwrite of one field (arrays: the elements both sides have). */
function overwrite(input: MergeInput, slot: StoredSlot, field: LayoutField, value: WireValue): FieldAction {
  if (slot.info.std === 'dict') {
    if (value === undefined) return 'unchanged';
    assert(typeof value === 'string', 'server_key value is a string');
    input.table.setDict(input.ref, slot, value);
    return 'set';
  }
  if (!Array.isArray(value)) {
    // A scalar field (the common case): its one element, without wrapping it in an array.
    writeElement(input.table, input.ref, slot, 0, value as ElementWireValue, input.now);
    return 'set';
  }
  const elements = value as readonly ElementWireValue[];
  const count = Math.min(field.count, slot.count, elements.length);
  for (let i = 0; i < count; i++) writeElement(input.table, input.ref, slot, i, elements[i]!, input.now);
  return 'set';
}

class HaproxyMerge implements MergePolicy {
  readonly name = 'haproxy';
  /** Set only by the planted bug 'merge-max' (planted-bug.ts). */
  private readonly plantedMax: MaxMerge | undefined;
  constructor(options: { keepLarger: boolean }) {
    this.plantedMax = options.keepLarger ? new MaxMerge() : undefined;
  }
  apply(input: MergeInput): FieldDecision[] {
    // PLANTED BUG 'merge-max' (testing aid, planted-bug.ts): keep the larger value on receipt.
    if (this.plantedMax !== undefined) return this.plantedMax.apply(input);
    if (input.decisionsWanted === false) {
      // the hot path of a resync: the same walk as forEachApplicable, without its records
      assert(input.fields.length === input.values.length, 'one value per sender field');
      for (let i = 0; i < input.fields.length; i++) {
        const field = input.fields[i]!;
        const slot = input.table.slot(field.typeId);
        if (slot === undefined || slot.info.isLocal) continue;
        overwrite(input, slot, field, input.values[i]);
      }
      return NO_DECISIONS;
    }
    return forEachApplicable(input, (slot, field, value) => overwrite(input, slot, field, value));
  }
  outgoing(table: StickTable, ref: EntryRef, _key: StoredKey, slot: StoredSlot, now: Tick): WireValue {
    return readField(table, ref, slot, now);
  }
}

const TAG_TYPE_IDS = new Set([0, 1, 22]); // server_id, gpt0, gpt: assigned, not counted

function isCounter(slot: StoredSlot): boolean {
  if (slot.info.isLocal || TAG_TYPE_IDS.has(slot.info.id)) return false;
  return slot.info.std === 'uint' || slot.info.std === 'ull' || slot.info.std === 'frqp';
}

type Contribution = number | bigint | { curr: number; prev: number };

/** Per table → key → origin → "typeId:index" → the origin's last value. */
class AggregateMerge implements MergePolicy {
  readonly name = 'aggregate';
  private readonly byTable = new Map<StickTable, Map<StoredKey, Map<string, Map<string, Contribution>>>>();

  apply(input: MergeInput): FieldDecision[] {
    const perKey = this.keyContributions(input.table, input.key, input.created);
    let mine = perKey.get(input.origin);
    if (mine === undefined) {
      mine = new Map();
      perKey.set(input.origin, mine);
    }
    const own = mine;
    return forEachApplicable(input, (slot, field, value) => {
      if (!isCounter(slot)) return overwrite(input, slot, field, value);
      const elements = elementsOf(value);
      const count = Math.min(field.count, slot.count, elements.length);
      for (let i = 0; i < count; i++) this.sumElement(input, slot, i, elements[i]!, own);
      return 'summed';
    });
  }

  outgoing(table: StickTable, ref: EntryRef, key: StoredKey, slot: StoredSlot, now: Tick): WireValue {
    const stored = readField(table, ref, slot, now);
    if (!isCounter(slot)) return stored;
    const perKey = this.byTable.get(table)?.get(key);
    if (perKey === undefined || perKey.size === 0) return stored;
    if (!slot.info.isArray) return this.localShare(slot, 0, stored as ElementWireValue, perKey);
    return (stored as ElementWireValue[]).map((e, i) => this.localShare(slot, i, e, perKey));
  }

  forget(table: StickTable, key: StoredKey): void {
    this.byTable.get(table)?.delete(key);
  }

  rememberedKeys(table: StickTable): number {
    const size = this.byTable.get(table)?.size ?? 0;
    if (size > table.size) fail(`aggregate remembers ${size} keys of a table of ${table.size} entries`);
    return size;
  }

  private keyContributions(table: StickTable, key: StoredKey, created: boolean): Map<string, Map<string, Contribution>> {
    let perTable = this.byTable.get(table);
    if (perTable === undefined) {
      perTable = new Map();
      this.byTable.set(table, perTable);
    }
    let perKey = perTable.get(key);
    if (perKey === undefined || created) {
      // A new entry starts from nothing: contributions to a purged entry are gone with it.
      perKey = new Map();
      perTable.set(key, perKey);
    }
    return perKey;
  }

  private sumElement(input: MergeInput, slot: StoredSlot, index: number, value: ElementWireValue, own: Map<string, Contribution>): void {
    const { table, ref, now } = input;
    const name = `${slot.info.id}:${index}`;
    const old = own.get(name);
    switch (slot.info.std) {
      case 'uint': {
        const v = value as number;
        const before = typeof old === 'number' ? old : 0;
        table.setUint32(ref, slot, table.getUint(ref, slot, index) - before + v, index);
        own.set(name, v);
        return;
      }
      case 'ull': {
        const v = typeof value === 'bigint' ? value : BigInt(value as number);
        const before = typeof old === 'bigint' ? old : 0n;
        table.setUll(ref, slot, table.getUll(ref, slot, index) - before + v, index);
        own.set(name, v);
        return;
      }
      case 'frqp': {
        const f = value as FreqCounterWire;
        const before = typeof old === 'object' ? old : { curr: 0, prev: 0 };
        const words = table.wordsView();
        const at = table.wordAt(ref, slot, index);
        words[at + 1] = Math.max(0, words[at + 1]! - before.curr + f.curr) >>> 0;
        words[at + 2] = Math.max(0, words[at + 2]! - before.prev + f.prev) >>> 0;
        if (words[at] === 0) words[at] = (now & ~1) >>> 0; // a never-started counter starts its period now
        own.set(name, { curr: f.curr, prev: f.prev });
        return;
      }
      default:
        assert(false, 'only counters are summed');
    }
  }

  private localShare(slot: StoredSlot, index: number, stored: ElementWireValue, perKey: Map<string, Map<string, Contribution>>): ElementWireValue {
    const name = `${slot.info.id}:${index}`;
    switch (slot.info.std) {
      case 'uint': {
        let v = stored as number;
        for (const c of perKey.values()) v -= (c.get(name) as number | undefined) ?? 0;
        return v >>> 0;
      }
      case 'ull': {
        let v = stored as bigint;
        for (const c of perKey.values()) v -= (c.get(name) as bigint | undefined) ?? 0n;
        return BigInt.asUintN(64, v);
      }
      case 'frqp': {
        const f = stored as FreqCounterWire;
        let curr = f.curr;
        let prev = f.prev;
        for (const c of perKey.values()) {
          const v = c.get(name) as { curr: number; prev: number } | undefined;
          if (v === undefined) continue;
          curr -= v.curr;
          prev -= v.prev;
        }
        return { ageMs: f.ageMs, curr: Math.max(0, curr), prev: Math.max(0, prev) };
      }
      default:
        return stored;
    }
  }
}

class MaxMerge implements MergePolicy {
  readonly name = 'max';
  private readonly scratch = new Uint32Array(FRQP_WORDS);

  apply(input: MergeInput): FieldDecision[] {
    return forEachApplicable(input, (slot, field, value) => {
      if (slot.info.std === 'dict') return overwrite(input, slot, field, value);
      const elements = elementsOf(value);
      const count = Math.min(field.count, slot.count, elements.length);
      let took = false;
      for (let i = 0; i < count; i++) {
        if (this.remoteIsLarger(input, slot, i, elements[i]!)) {
          writeElement(input.table, input.ref, slot, i, elements[i]!, input.now);
          took = true;
        }
      }
      return took ? 'set' : 'kept-local';
    });
  }

  outgoing(table: StickTable, ref: EntryRef, _key: StoredKey, slot: StoredSlot, now: Tick): WireValue {
    return readField(table, ref, slot, now);
  }

  private remoteIsLarger(input: MergeInput, slot: StoredSlot, index: number, value: ElementWireValue): boolean {
    const local = readElement(input.table, input.ref, slot, index, input.now);
    switch (slot.info.std) {
      case 'uint':
      case 'sint':
        return (value as number) > (local as number);
      case 'ull':
        return BigInt(value as bigint) > (local as bigint);
      case 'frqp': {
        const f = value as FreqCounterWire;
        freqCtrFromWire(this.scratch, 0, input.now, f.ageMs, f.curr, f.prev);
        const remoteRate = freqCtrRead(this.scratch, 0, input.now, slot.periodMs);
        const localRate = input.table.frqpRead(input.ref, slot, input.now, index);
        return remoteRate > localRate;
      }
      default:
        return false;
    }
  }
}
