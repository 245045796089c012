/** Named coverage marks: a counter per interesting code path, read by scenarios and tests. */

export interface CoverageMarks {
  mark(name: CoverageMarkName): void;
}

export type CoverageMarkName =
  | 'peers.resync-partial-sent'
  | 'peers.collision'
  | 'peers.status-503'
  | 'peers.status-504'
  | 'peers.purge-batch-on-receipt'
  | 'peers.teach-finished'
  | 'peers.dead-peer'
  | 'peers.send-buffer-full';

/** A plain counter implementation. */
export class MarkCounter implements CoverageMarks {
  readonly counts = new Map<string, number>();
  mark(name: CoverageMarkName): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  count(name: CoverageMarkName): number {
    return this.counts.get(name) ?? 0;
  }
}

export const NO_MARKS: CoverageMarks = { mark: () => {} };
