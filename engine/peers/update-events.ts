/**
 * The trace details of the replication updates and their acks (`update.tx`, `update.rx`,
 * `ack.tx`, `ack.rx`), the hottest events of a run: a table's values rendered for the trace
 * (field name → number / string / [age, curr, prev]), and these events as deferred details
 * (engine/env.ts): a run that only fingerprints them folds the raw key and values without
 * rendering them or building an object.
 * `render()` is the plain object the trace has always had, key for key in the same order;
 * `foldInto` folds the facts it is made of (test/unit/sim/fingerprint.test.ts checks that two
 * details whose plain objects differ fold differently).
 */
import { dataTypeById } from '../table/data-types.ts';
import { renderKey, type StoredKey } from '../table/keys.ts';
import type { StoredSlot } from '../table/layout.ts';
import type { KeyTypeName } from '../table/table-spec.ts';
import { deferredTagFlags, renderDeferredTags, TraceName, TraceNames, type DeferredDetails, type DetailFold, type EventDetails } from '../env.ts';
import { FOLD_RESERVE_WORDS, putArrayStart, putDeferredTags, putInt, putLayout, putName, putNames, putNil, putNumber, putPlain, putText, reserveFrom } from '../trace-words.ts';
import type { LayoutField } from './layout.ts';
import type { ElementWireValue, WireValue } from './update-body.ts';

/**
 * What the names of a layout's values are, made once per layout array; `unique` false when two
 * fields share a name (the plain object keeps one key for both).
 */
export class LayoutNames extends TraceNames {
  readonly unique: boolean;

  constructor(readonly names: readonly string[]) {
    super(names);
    this.unique = new Set(names).size === names.length;
  }
}

/**
 * The field names of a layout, made once per layout array (layouts live as long as their table
 * or session; the trace names fields on every update).
 */
const layoutNames = new WeakMap<readonly object[], LayoutNames>();

function namesOf<T extends object>(fields: readonly T[], name: (field: T) => string): LayoutNames {
  let known = layoutNames.get(fields);
  if (known === undefined) {
    known = new LayoutNames(fields.map(name));
    layoutNames.set(fields, known);
  }
  return known;
}

function storedName(slot: StoredSlot): string {
  return slot.info.name;
}

function fieldName(field: LayoutField): string {
  return dataTypeById(field.typeId)?.name ?? `type${field.typeId}`;
}

/** The names of a table's stored values (a sender's layout). */
export function storedNames(stored: readonly StoredSlot[]): LayoutNames {
  return namesOf(stored, storedName);
}

/** The names of the values a peer sent (a receiver's layout: the sender's fields). */
export function receivedNames(fields: readonly LayoutField[]): LayoutNames {
  return namesOf(fields, fieldName);
}

function renderElement(value: ElementWireValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return value;
  return [value.ageMs, value.curr, value.prev];
}

/** Values for the trace: field name → number / string / [age, curr, prev] (null for no value). */
export function renderFields(names: readonly string[], values: readonly WireValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const value = values[i];
    const name = names[i]!;
    if (value === undefined) out[name] = null;
    else if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = (value as readonly ElementWireValue[]).map(renderElement);
    else out[name] = renderElement(value as ElementWireValue);
  }
  return out;
}

/**
 * The words of one element at `words[at]` (engine/trace-words.ts: what `fold.number`, or
 * `fold.plain` for a bigint, or `fold.arrayStart(3)` and three numbers for a freq counter fold);
 * at most 4 words written here. Returns the next `at`.
 */
function putElement(fold: DetailFold, words: Int32Array, at: number, value: ElementWireValue): number {
  if (typeof value === 'number') return putNumber(fold, words, at, value);
  if (typeof value === 'bigint') return putPlain(fold, at, value);
  let next = putArrayStart(fold, words, at, 3);
  next = putNumber(fold, words, next, value.ageMs);
  next = putNumber(fold, words, next, value.curr);
  return putNumber(fold, words, next, value.prev);
}

/**
 * The facts `renderFields(layout.names, values)` reads, as words from `words[at]`: the names, then
 * each value (room reserved before each). Returns the next `at`.
 */
function putFields(fold: DetailFold, words: Int32Array, at: number, layout: LayoutNames, values: readonly WireValue[]): number {
  const names = layout.names;
  let next = putNames(fold, words, at, layout);
  for (let i = 0; i < names.length; i++) {
    next = reserveFrom(fold, next);
    const value = values[i];
    if (value === undefined) next = putNil(words, next);
    else if (typeof value === 'string') next = putText(fold, next, value);
    else if (Array.isArray(value)) {
      const items = value as readonly ElementWireValue[];
      next = putArrayStart(fold, words, next, items.length);
      for (const item of items) next = putElement(fold, words, reserveFrom(fold, next), item);
    } else next = putElement(fold, words, next, value as ElementWireValue);
  }
  return next;
}

/**
 * The layouts of the deferred details of this file (DetailFold.layout): constants of their own,
 * never reused by another producer (sim/deliver-details.ts has 16).
 */
const LAYOUT_UPDATE_SENT = 1;
const LAYOUT_UPDATE_RECEIVED = 2;
const LAYOUT_ACK_SENT = 3;
const LAYOUT_ACK_RECEIVED = 4;

/** Bits of the flags word of an update or ack above the tags' (DEFERRED_TAG_*): which optional facts follow, and the booleans. */
const F_SESSION = 8;
const F_EXPIRE = 16;
const F_TIMED = 32;
const F_WITH_ID = 64;
const F_KNOWN = 128;
const F_KEY_IP = 256;

/** The kinds of this file's events, as they are handed to `emitDeferred`. */
export const UPDATE_TX_KIND = new TraceName('update.tx');
export const UPDATE_RX_KIND = new TraceName('update.rx');
export const ACK_TX_KIND = new TraceName('ack.tx');
export const ACK_RX_KIND = new TraceName('ack.rx');

/** What both update events hold (the options of their constructors). */
interface UpdateFacts {
  peer: TraceName;
  session: number | null;
  table: TraceName;
  keyType: KeyTypeName;
  key: StoredKey;
  updateId: number;
  timed: boolean;
  values: readonly WireValue[];
  layout: LayoutNames;
}

/** Deferred details with the receiver's tags (section, local, pid), set after construction. */
abstract class TaggedDetails implements DeferredDetails {
  section: TraceName | undefined = undefined;
  local: TraceName | undefined = undefined;
  pid: number | undefined = undefined;

  abstract render(): EventDetails;
  abstract foldInto(fold: DetailFold): void;
}

/** What both update events hold, and their fold up to the update id. */
abstract class UpdateDetails extends TaggedDetails {
  readonly peerName: TraceName;
  readonly session: number | null;
  readonly tableName: TraceName;
  readonly keyType: KeyTypeName;
  readonly key: StoredKey;
  readonly updateId: number;
  readonly timed: boolean;
  readonly values: readonly WireValue[];
  readonly layout: LayoutNames;

  constructor(facts: UpdateFacts) {
    super();
    this.peerName = facts.peer;
    this.session = facts.session;
    this.tableName = facts.table;
    this.keyType = facts.keyType;
    this.key = facts.key;
    this.updateId = facts.updateId;
    this.timed = facts.timed;
    this.values = facts.values;
    this.layout = facts.layout;
  }

  get peer(): string {
    return this.peerName.text;
  }

  get table(): string {
    return this.tableName.text;
  }

  /** The key as the trace prints it. */
  keyText(): string {
    return renderKey(this.keyType, this.key);
  }

  /**
   * The plain object of an update event: peer, session, table, key, updateId, `withId` (update.tx
   * only, absent when undefined), timed, expireMs, values, then the receiver's tags.
   */
  protected renderUpdate(withId: boolean | undefined, expireMs: number | null): EventDetails {
    const plain: EventDetails = { peer: this.peer, session: this.session, table: this.table, key: this.keyText(), updateId: this.updateId };
    if (withId !== undefined) plain['withId'] = withId;
    plain['timed'] = this.timed;
    plain['expireMs'] = expireMs;
    plain['values'] = renderFields(this.layout.names, this.values);
    return renderDeferredTags(this, plain);
  }

  /**
   * The words of the facts both events share, from a fresh reservation: the layout, the flags
   * (with `flags`, the event's own), then peer, session, table, key, update id, values and the
   * tags. Returns the next `at`, with room for the event's own facts (at most 8 words).
   */
  protected putShared(fold: DetailFold, layout: number, flags: number): number {
    const words = fold.words;
    const ip = this.keyType === 'ip';
    let at = fold.reserve(FOLD_RESERVE_WORDS);
    at = putLayout(words, at, layout);
    at = putInt(words, at, flags | deferredTagFlags(this) | (this.session === null ? 0 : F_SESSION) | (this.timed ? F_TIMED : 0) | (ip ? F_KEY_IP : 0));
    at = putName(fold, words, at, this.peerName);
    if (this.session !== null) at = putNumber(fold, words, at, this.session);
    at = putName(fold, words, at, this.tableName);
    // An ip key is its number (its text is made from it alone); other keys are folded as text.
    at = ip ? putInt(words, at, this.key as number) : putText(fold, at, this.keyText());
    at = putInt(words, at, this.updateId);
    at = putFields(fold, words, at, this.layout, this.values);
    return putDeferredTags(fold, words, reserveFrom(fold, at), this);
  }
}

/** `update.tx`: an update this process sent. */
export class UpdateSentDetails extends UpdateDetails {
  readonly withId: boolean;
  readonly expireMs: number | null;

  constructor(facts: UpdateFacts & { withId: boolean; expireMs: number | null }) {
    super(facts);
    this.withId = facts.withId;
    this.expireMs = facts.expireMs;
  }

  render(): EventDetails {
    return this.renderUpdate(this.withId, this.expireMs);
  }

  foldInto(fold: DetailFold): void {
    let at = this.putShared(fold, LAYOUT_UPDATE_SENT, (this.withId ? F_WITH_ID : 0) | (this.expireMs === null ? 0 : F_EXPIRE));
    if (this.expireMs !== null) at = putNumber(fold, fold.words, at, this.expireMs);
    fold.wordCount = at;
  }
}

/** `update.rx`: an update this process received and applied. */
export class UpdateReceivedDetails extends UpdateDetails {
  readonly expireMs: number;

  constructor(facts: UpdateFacts & { expireMs: number }) {
    super(facts);
    this.expireMs = facts.expireMs;
  }

  render(): EventDetails {
    return this.renderUpdate(undefined, this.expireMs);
  }

  foldInto(fold: DetailFold): void {
    const at = this.putShared(fold, LAYOUT_UPDATE_RECEIVED, F_EXPIRE);
    fold.wordCount = putNumber(fold, fold.words, at, this.expireMs);
  }
}


/** `ack.tx`: an ack this process sent. */
export class AckSentDetails extends TaggedDetails {
  constructor(
    readonly peerName: TraceName,
    readonly tableName: TraceName,
    readonly updateId: number,
  ) {
    super();
  }

  get peer(): string {
    return this.peerName.text;
  }

  get table(): string {
    return this.tableName.text;
  }

  render(): EventDetails {
    return renderDeferredTags(this, { peer: this.peer, table: this.table, updateId: this.updateId });
  }

  foldInto(fold: DetailFold): void {
    const words = fold.words;
    let at = fold.reserve(FOLD_RESERVE_WORDS);
    at = putLayout(words, at, LAYOUT_ACK_SENT);
    at = putInt(words, at, deferredTagFlags(this));
    at = putName(fold, words, at, this.peerName);
    at = putName(fold, words, at, this.tableName);
    at = putInt(words, at, this.updateId);
    fold.wordCount = putDeferredTags(fold, words, at, this);
  }
}

/** `ack.rx`: an ack this process received (`known`: for a table of this session). */
export class AckReceivedDetails extends TaggedDetails {
  constructor(
    readonly peerName: TraceName,
    readonly tableId: number,
    readonly updateId: number,
    readonly known: boolean,
  ) {
    super();
  }

  get peer(): string {
    return this.peerName.text;
  }

  render(): EventDetails {
    return renderDeferredTags(this, { peer: this.peer, tableId: this.tableId, updateId: this.updateId, known: this.known });
  }

  foldInto(fold: DetailFold): void {
    const words = fold.words;
    let at = fold.reserve(FOLD_RESERVE_WORDS);
    at = putLayout(words, at, LAYOUT_ACK_RECEIVED);
    at = putInt(words, at, deferredTagFlags(this) | (this.known ? F_KNOWN : 0));
    at = putName(fold, words, at, this.peerName);
    at = putNumber(fold, words, at, this.tableId);
    at = putInt(words, at, this.updateId);
    fold.wordCount = putDeferredTags(fold, words, at, this);
  }
}
