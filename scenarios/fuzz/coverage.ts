/** Coverage marks: which named engine paths a suite or fuzz run reached, and which it never did. */
import type { CoverageMarkName } from '../../engine/peers/marks.ts';

/** Every mark the engine defines (kept in step with CoverageMarkName by the type below). */
export const ALL_MARKS = [
  'peers.resync-partial-sent',
  'peers.collision',
  'peers.status-503',
  'peers.status-504',
  'peers.purge-batch-on-receipt',
  'peers.teach-finished',
  'peers.dead-peer',
  'peers.send-buffer-full',
] as const satisfies readonly CoverageMarkName[];

// Fails to compile when a mark is added to CoverageMarkName but not listed above.
type Missing = Exclude<CoverageMarkName, (typeof ALL_MARKS)[number]>;
const EVERY_MARK_LISTED: Missing extends never ? true : never = true;
void EVERY_MARK_LISTED;

export class CoverageTally {
  readonly counts = new Map<string, number>();

  add(marks: ReadonlyMap<string, number> | Iterable<[string, number]>): void {
    for (const [name, n] of marks) this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  neverHit(): CoverageMarkName[] {
    return ALL_MARKS.filter((m) => (this.counts.get(m) ?? 0) === 0);
  }

  describe(): string {
    const never = this.neverHit();
    const hit = ALL_MARKS.filter((m) => !never.includes(m)).map((m) => `${m}=${this.counts.get(m)}`);
    return `marks hit: ${hit.join(' ') || 'none'}\nmarks never hit: ${never.join(' ') || 'none'}`;
  }
}
