/**
 * The trace details of the replication updates and their acks (`update.tx`, `update.rx`,
 * `ack.tx`, `ack.rx`), the hottest events of a run: a table's values rendered for the trace
 * (field name → number / string / [age, curr, prev]), and these events as deferred details
 * (engine/env.ts): a run that only fingerprints them folds the raw key and values without
 * rendering them or building an object.
 * `render()` is the plain object the trace has always had, key for key in the same order;
 * `foldInto` folds the same values in the same order (test/unit/sim/fingerprint.test.ts checks
 * the two give one fingerprint on real runs).
 */
import { dataTypeById } from '../table/data-types.ts';
import { renderKey, type StoredKey } from '../table/keys.ts';
import type { StoredSlot } from '../table/layout.ts';
import type { KeyTypeName } from '../table/table-spec.ts';
import type { DeferredDetails, DetailFold, EventDetails } from '../env.ts';
import type { LayoutField } from './layout.ts';
import type { ElementWireValue, WireValue } from './update-body.ts';

/** What the names of a layout's values are, made once per layout array; `unique` false when two fields share a name (the plain object keeps one key for both). */
interface LayoutNames {
  readonly names: readonly string[];
  readonly unique: boolean;
}

/**
 * The field names of a layout, made once per layout array (layouts live as long as their table
 * or session; the trace names fields on every update).
 */
const layoutNames = new WeakMap<readonly object[], LayoutNames>();

function namesOf<T extends object>(fields: readonly T[], name: (field: T) => string): LayoutNames {
  let known = layoutNames.get(fields);
  if (known === undefined) {
    const names = fields.map(name);
    known = { names, unique: new Set(names).size === names.length };
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

/** String places of a value (fold memos): after the update's own positions. */
const VALUE_PLACE_FIRST = 16;

function foldElement(fold: DetailFold, value: ElementWireValue, place: number): void {
  if (typeof value === 'number') fold.number(value);
  else if (typeof value === 'bigint') fold.text(value.toString(), place);
  else {
    fold.arrayStart(3);
    fold.number(value.ageMs);
    fold.number(value.curr);
    fold.number(value.prev);
  }
}

/** Folds what `renderFields(layout.names, values)` returns. */
function foldFields(fold: DetailFold, layout: LayoutNames, values: readonly WireValue[]): void {
  if (!layout.unique) {
    fold.plain(renderFields(layout.names, values), VALUE_PLACE_FIRST);
    return;
  }
  const names = layout.names;
  fold.objectStart();
  for (let i = 0; i < names.length; i++) {
    const value = values[i];
    const place = VALUE_PLACE_FIRST + i;
    if (value === undefined) fold.nil();
    else if (typeof value === 'string') fold.text(value, place);
    else if (Array.isArray(value)) {
      const items = value as readonly ElementWireValue[];
      fold.arrayStart(items.length);
      for (const item of items) foldElement(fold, item, place);
    } else foldElement(fold, value as ElementWireValue, place);
  }
  fold.objectEnd(names);
}

/** The key names of each update event, with and without the pid a simulated host adds. */
const TX_NAMES = ['peer', 'session', 'table', 'key', 'updateId', 'withId', 'timed', 'expireMs', 'values', 'section', 'local', 'pid'];
const TX_NAMES_NO_PID = TX_NAMES.slice(0, -1);
const RX_NAMES = ['peer', 'session', 'table', 'key', 'updateId', 'timed', 'expireMs', 'values', 'section', 'local', 'pid'];
const RX_NAMES_NO_PID = RX_NAMES.slice(0, -1);

/** What both update events hold (the options of their constructors). */
interface UpdateFacts {
  peer: string;
  session: number | null;
  table: string;
  keyType: KeyTypeName;
  key: StoredKey;
  updateId: number;
  timed: boolean;
  values: readonly WireValue[];
  layout: LayoutNames;
}

/** Folds section, local (both set: `foldInto` renders otherwise) and pid (absent while undefined, as in the plain object), and ends the object. */
function foldTail(fold: DetailFold, details: DeferredDetails, names: readonly string[], namesNoPid: readonly string[]): void {
  fold.name(details.section as string);
  fold.name(details.local as string);
  if (details.pid === undefined) {
    fold.objectEnd(namesNoPid);
    return;
  }
  fold.number(details.pid);
  fold.objectEnd(names);
}

/**
 * Deferred details with the receiver's tags (section, local, pid). Folded value by value once
 * section and local are set (a simulated host sets both); otherwise through the rendered object.
 */
abstract class TaggedDetails implements DeferredDetails {
  section: string | undefined = undefined;
  local: string | undefined = undefined;
  pid: number | undefined = undefined;

  abstract render(): EventDetails;

  /** Folds the whole object, its tags included (section and local are set). */
  protected abstract foldTagged(fold: DetailFold): void;

  foldInto(fold: DetailFold): void {
    if (this.section === undefined || this.local === undefined) fold.whole(this.render());
    else this.foldTagged(fold);
  }
}

/** What both update events hold, and their fold up to the update id. */
abstract class UpdateDetails extends TaggedDetails {
  readonly peer: string;
  readonly session: number | null;
  readonly table: string;
  readonly keyType: KeyTypeName;
  readonly key: StoredKey;
  readonly updateId: number;
  readonly timed: boolean;
  readonly values: readonly WireValue[];
  readonly layout: LayoutNames;

  constructor(facts: UpdateFacts) {
    super();
    this.peer = facts.peer;
    this.session = facts.session;
    this.table = facts.table;
    this.keyType = facts.keyType;
    this.key = facts.key;
    this.updateId = facts.updateId;
    this.timed = facts.timed;
    this.values = facts.values;
    this.layout = facts.layout;
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
    return tagged(this, plain);
  }

  /** Folds peer, session, table, key and updateId, the object's start included. */
  protected foldHead(fold: DetailFold): void {
    fold.objectStart();
    fold.name(this.peer);
    if (this.session === null) fold.nil();
    else fold.number(this.session);
    fold.name(this.table);
    if (this.keyType === 'ip') fold.ipv4Text(this.key as number);
    else fold.text(this.keyText(), 3);
    fold.number(this.updateId);
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

  protected foldTagged(fold: DetailFold): void {
    this.foldHead(fold);
    fold.bool(this.withId);
    fold.bool(this.timed);
    if (this.expireMs === null) fold.nil();
    else fold.number(this.expireMs);
    foldFields(fold, this.layout, this.values);
    foldTail(fold, this, TX_NAMES, TX_NAMES_NO_PID);
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

  protected foldTagged(fold: DetailFold): void {
    this.foldHead(fold);
    fold.bool(this.timed);
    fold.number(this.expireMs);
    foldFields(fold, this.layout, this.values);
    foldTail(fold, this, RX_NAMES, RX_NAMES_NO_PID);
  }
}

const ACK_TX_NAMES = ['peer', 'table', 'updateId', 'section', 'local', 'pid'];
const ACK_TX_NAMES_NO_PID = ACK_TX_NAMES.slice(0, -1);
const ACK_RX_NAMES = ['peer', 'tableId', 'updateId', 'known', 'section', 'local', 'pid'];
const ACK_RX_NAMES_NO_PID = ACK_RX_NAMES.slice(0, -1);

/** `ack.tx`: an ack this process sent. */
export class AckSentDetails extends TaggedDetails {
  constructor(
    readonly peer: string,
    readonly table: string,
    readonly updateId: number,
  ) {
    super();
  }

  render(): EventDetails {
    return tagged(this, { peer: this.peer, table: this.table, updateId: this.updateId });
  }

  protected foldTagged(fold: DetailFold): void {
    fold.objectStart();
    fold.name(this.peer);
    fold.name(this.table);
    fold.number(this.updateId);
    foldTail(fold, this, ACK_TX_NAMES, ACK_TX_NAMES_NO_PID);
  }
}

/** `ack.rx`: an ack this process received (`known`: for a table of this session). */
export class AckReceivedDetails extends TaggedDetails {
  constructor(
    readonly peer: string,
    readonly tableId: number,
    readonly updateId: number,
    readonly known: boolean,
  ) {
    super();
  }

  render(): EventDetails {
    return tagged(this, { peer: this.peer, tableId: this.tableId, updateId: this.updateId, known: this.known });
  }

  protected foldTagged(fold: DetailFold): void {
    fold.objectStart();
    fold.name(this.peer);
    fold.number(this.tableId);
    fold.number(this.updateId);
    fold.bool(this.known);
    foldTail(fold, this, ACK_RX_NAMES, ACK_RX_NAMES_NO_PID);
  }
}

/** `plain` with the tags the receiver put on the deferred details, in the order it would have added them. */
function tagged(details: DeferredDetails, plain: EventDetails): EventDetails {
  if (details.section !== undefined) plain['section'] = details.section;
  if (details.local !== undefined) plain['local'] = details.local;
  if (details.pid !== undefined) plain['pid'] = details.pid;
  return plain;
}
