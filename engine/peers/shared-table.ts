/**
 * A table shared through a peers section (`peers_register_table`): its local id, its updates tree,
 * the DEFINE it announces, and per remote peer the cursors of `struct shared_table` (spec §4.9.3).
 */
import { TraceName } from '../env.ts';
import type { EntryRef, StickTable } from '../table/table.ts';
import { definitionFromSpec, type TableDefinition } from './definition.ts';
import { layoutFromSpec, type UpdateLayout } from './layout.ts';
import { storedNames, receivedNames, type LayoutNames } from './update-events.ts';
import { UpdatesTree } from './updates.ts';

/** One table of the section, as the whole process sees it. */
export class SharedTable {
  readonly updates: UpdatesTree;
  readonly definition: TableDefinition;
  readonly layout: UpdateLayout;
  /** The table's name as the trace's deferred events carry it (engine/env.ts TraceName). */
  readonly traceName: TraceName;
  /** The names of the values this table sends (its stored fields), for the trace. */
  readonly sentNames: LayoutNames;

  constructor(
    readonly table: StickTable,
    readonly localId: number,
    options: { onLocalChange: () => void; onRemoving?: (ref: EntryRef) => void },
  ) {
    this.updates = new UpdatesTree(table, options);
    this.definition = definitionFromSpec(table.spec, localId);
    this.layout = layoutFromSpec(table.spec);
    this.traceName = new TraceName(table.spec.name);
    this.sentNames = storedNames(table.layout.stored);
  }
}

/** `struct shared_table`: one (peer, table) pair's cursors. All ids are uint32. */
export class PeerTable {
  remoteId = 0;
  /** The peer's data-type bitfield from its DEFINE. */
  remoteData = 0n;
  /** How to read this peer's updates (from its DEFINE, `defineRemote`); no fields until then. */
  private remoteLayoutNow: UpdateLayout;
  /** The names of the values this peer sends (its DEFINE's fields), for the trace. */
  private remoteNamesNow: LayoutNames;
  lastGet = 0;
  lastAcked = 0;
  lastPushed = 0;
  /** Last id this peer acknowledged: the resume point. */
  update = 0;
  teachingOrigin = 0;
  /** SHTABLE_F_TEACH_STAGE1 / STAGE2. */
  flags = 0;

  constructor(readonly shared: SharedTable) {
    this.remoteLayoutNow = { keyType: shared.table.spec.keyType, keySizeBytes: shared.table.spec.keySizeBytes, fields: [] };
    this.remoteNamesNow = receivedNames(this.remoteLayoutNow.fields);
  }

  get remoteLayout(): UpdateLayout {
    return this.remoteLayoutNow;
  }

  get remoteNames(): LayoutNames {
    return this.remoteNamesNow;
  }

  /** What the peer's DEFINE says of this table: how to read its updates, their names, its data types. */
  defineRemote(layout: UpdateLayout): void {
    this.remoteLayoutNow = layout;
    this.remoteNamesNow = receivedNames(layout.fields);
    this.remoteData = layout.fields.reduce((bits, f) => bits | (1n << BigInt(f.typeId)), 0n);
  }

  get localId(): number {
    return this.shared.localId;
  }

  /**
   * Outside a lesson the incremental pusher only walks forward from the resume point to the
   * table's newest local id (§4.9.5): `last_pushed` lies in [teaching_origin, localupdate], in
   * uint32 distances from teaching_origin (ids wrap).
   */
  pushedWithinResumeSpan(): boolean {
    const origin = this.teachingOrigin;
    return ((this.lastPushed - origin) >>> 0) <= ((this.shared.updates.localUpdate - origin) >>> 0);
  }
}
