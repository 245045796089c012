/**
 * The stick tables of one process, in declaration order, with their expiry tasks. The owner
 * (a process in the simulator, the offline CLI, the live runner) calls `runDueExpiry` when the
 * clock reaches `nextExpiryTick`.
 */
import { assert } from '../../lib/assert.ts';
import { tickFirst, tickIsExpired, TICK_ETERNITY, type Tick } from '../ticks.ts';
import { StickTable } from './table.ts';
import type { TableSpec } from './table-spec.ts';
import type { VersionProfile } from '../version/profile.ts';

export class TableSet {
  readonly tables: readonly StickTable[];
  private readonly byName = new Map<string, StickTable>();

  constructor(specs: readonly TableSpec[], options: { profile?: VersionProfile } = {}) {
    const tables: StickTable[] = [];
    for (const spec of specs) {
      assert(!this.byName.has(spec.name), `table name ${spec.name} is unique`);
      const table = new StickTable({ spec, profile: options.profile });
      tables.push(table);
      this.byName.set(spec.name, table);
    }
    this.tables = tables;
  }

  get(name: string): StickTable | undefined {
    return this.byName.get(name);
  }

  /** The earliest tick at which some table's expiry task wants to run; eternity if none. */
  nextExpiryTick(): Tick {
    let next: Tick = TICK_ETERNITY;
    for (const t of this.tables) next = tickFirst(next, t.expNextTick);
    return next;
  }

  /** Runs every expiry task that is due at `now`. */
  runDueExpiry(now: Tick): void {
    for (const t of this.tables) {
      if (tickIsExpired(t.expNextTick, now)) t.processExpire(now);
    }
  }
}
