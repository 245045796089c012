/**
 * Property tests of the stick table's expiry and eviction invariants (spec §3): random sequences
 * of tracking, releases, CLI sets and clock moves on small tables, checked after every step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { specOf } from '../helpers/spec.ts';
import { OfflineTables } from '../helpers/offline.ts';
import { trackRelease, trackStart } from '../../engine/table/tracking.ts';
import { NO_ENTRY, type EntryRef } from '../../engine/table/table.ts';
import { tickIsExpired } from '../../engine/ticks.ts';

type Op =
  | { kind: 'track'; key: number }
  | { kind: 'release'; pick: number }
  | { kind: 'set'; key: number; gpc0: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'show' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('track' as const), key: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 1, max: 40 }), gpc0: fc.nat(1000) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant('show' as const) }),
);

const RUNS = Number(process.env.FC_NUM_RUNS ?? 150);

function runOps(options: { nopurge: boolean; size: number; ops: Op[] }): void {
  const t = new OfflineTables(
    [specOf({ name: 'st', size: options.size, expireMs: 2000, nopurge: options.nopurge, store: 'conn_cur,gpc0,http_req_rate(1000)' })],
    0xffff_0000, // start near the 32-bit wrap
  );
  const table = t.set.get('st')!;
  const tracked: { ref: EntryRef; key: number }[] = [];
  for (const op of options.ops) {
    const expireBefore = new Map(table.refsInKeyOrder().map((r) => [table.keyOf(r) as number, table.expireOf(r)]));
    const fullBefore = table.used === options.size;
    switch (op.kind) {
      case 'track': {
        const ref = trackStart(table, op.key, t.now);
        if (ref !== NO_ENTRY) tracked.push({ ref, key: op.key });
        break;
      }
      case 'release': {
        if (tracked.length === 0) break;
        const [x] = tracked.splice(op.pick % tracked.length, 1);
        trackRelease(table, x!.ref, t.now);
        break;
      }
      case 'set':
        t.cmd(`set table st key 0.0.0.${op.key} data.gpc0 ${op.gpc0}`);
        break;
      case 'advance':
        t.advance(op.ms);
        break;
      case 'show': {
        const out = t.cmd('show table st');
        // An expired entry is never shown with a positive exp, and after a dump it is gone.
        for (const m of out.matchAll(/key=(\S+) use=(\d+) exp=(\d+)/g)) {
          const ref = table.lookup(ipToNumber(m[1]!));
          if (ref !== NO_ENTRY && Number(m[2]) === 0) {
            expect(tickIsExpired(table.expireOf(ref), t.now)).toBe(false);
          }
        }
        break;
      }
    }
    // Size never exceeded.
    expect(table.used).toBeLessThanOrEqual(options.size);
    // In-use entries are never purged.
    for (const x of tracked) {
      expect(table.isLive(x.ref)).toBe(true);
      expect(table.keyOf(x.ref)).toBe(x.key);
    }
    // A key only disappears because its time ran out, or (without nopurge) by eviction when a
    // new key needed room in a full table.
    for (const [k, expire] of expireBefore) {
      if (table.lookup(k) !== NO_ENTRY) continue;
      const evictionPossible = !options.nopurge && fullBefore && (op.kind === 'track' || op.kind === 'set');
      if (!evictionPossible) expect(tickIsExpired(expire, t.now)).toBe(true);
    }
    // After the expiry task ran, no unreferenced entry whose expire is past stays in the table.
    if (op.kind === 'advance') {
      for (const ref of table.refsInKeyOrder()) {
        if (table.refCount(ref) === 0) {
          const expiredLongAgo = tickIsExpired(table.expireOf(ref), t.now);
          expect(expiredLongAgo).toBe(false);
        }
      }
    }
    // Rates are never negative.
    for (const ref of table.refsInKeyOrder()) {
      expect(table.frqpRead(ref, table.slot(10)!, t.now)).toBeGreaterThanOrEqual(0);
    }
  }
}

function ipToNumber(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

describe('stick table invariants (fast-check)', () => {
  it('size is never exceeded, in-use entries are never purged, expired entries never linger', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(opArb, { maxLength: 80 }), (size, ops) => {
        runOps({ nopurge: false, size, ops });
      }),
      { seed: 1234, numRuns: RUNS },
    );
  });

  it('nopurge never evicts (only time removes entries)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(opArb, { maxLength: 80 }), (size, ops) => {
        runOps({ nopurge: true, size, ops });
      }),
      { seed: 4321, numRuns: RUNS },
    );
  });

  it('a full nopurge table refuses a new key and its stats say so', () => {
    const t = new OfflineTables([specOf({ name: 'st', size: 2, nopurge: true, store: 'gpc0' })]);
    const table = t.set.get('st')!;
    expect(trackStart(table, 1, t.now)).not.toBe(NO_ENTRY);
    expect(trackStart(table, 2, t.now)).not.toBe(NO_ENTRY);
    expect(trackStart(table, 3, t.now)).toBe(NO_ENTRY);
    expect(table.stats.refusedFull).toBe(1);
    expect(table.stats.evicted).toBe(0);
  });
});
