/** A table set + runtime API on a hand-driven clock, for tests. */
import { RuntimeApi } from '../../engine/runtime-api/runtime-api.ts';
import { TableSet } from '../../engine/table/table-set.ts';
import type { TableSpec } from '../../engine/table/table-spec.ts';
import { tickAdd, type Tick, tickFromMs } from '../../engine/ticks.ts';

export class OfflineTables {
  readonly set: TableSet;
  readonly api: RuntimeApi;
  now: Tick;

  constructor(specs: TableSpec[], startTick = 1_000_000) {
    this.set = new TableSet(specs);
    this.now = tickFromMs(startTick);
    this.api = new RuntimeApi({ tables: this.set.tables, now: () => this.now });
  }

  /** Moves the clock, running every expiry task when it falls due. */
  advance(ms: number): void {
    const target = tickAdd(this.now, ms);
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.set.nextExpiryTick();
      if (next === 0 || ((next - target) | 0) > 0) break;
      if (((next - this.now) | 0) > 0) this.now = next;
      this.set.runDueExpiry(this.now);
    }
    this.now = target;
  }

  /** One command's answer without the final empty line; entry pointers masked. */
  cmd(line: string): string {
    const answer = this.api.executeOne(line);
    return answer.slice(0, -1).replace(/^0x[0-9a-f]+:/gm, 'PTR:');
  }
}
