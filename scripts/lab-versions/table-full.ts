/**
 * The table-full experiment of the version study (lab 06), as one procedure that runs against
 * anything with a runtime API: a real haproxy (scripts/lab-versions.ts) or sticksim's engine
 * (test/scenarios/lab-versions.test.ts, through an OfflineSession). Same commands, same waits.
 *
 * Steps: a size-10 `ip` table; keys 127.0.0.1..15 set 20 ms apart (gpc0 = i); the key with the
 * lowest expiry is set again (its expiry refreshed); .16, .17, .18 set. Read: the keys left after
 * .15 and after .18, and how many sets were refused. Separately: one insert into a full table of
 * size 512 and 1024, and `used` after it (the purge batch).
 */
import { assert } from '../../lib/assert.ts';

/** A runtime API and a clock: the real process waits, the engine advances its own clock. */
export interface LabTarget {
  cli(command: string): Promise<string>;
  waitMs(ms: number): Promise<void>;
}

export interface TableFullOutcome {
  keysAfter15: number[];
  keysAfter18: number[];
  /** Answers `Unable to allocate a new entry` among the 18 sets (run with nopurge). */
  nopurgeRefusals: number;
  usedAfterOneMore: { '512': number; '1024': number };
}

export const REFUSAL = 'Unable to allocate a new entry';
const SET_GAP_MS = 20;
const SETTLE_MS = 300;
/** Commands per CLI line for the bulk fill (3.2 refuses a line longer than its buffer: R13). */
const BULK_PER_LINE = 25;

/** The config of one table as the lab wrote it (peers section with the local peer alone). */
export function tableFullConfig(options: { sizeEntries: number; nopurge: boolean; peerAddress: string }): string {
  return [
    'peers mypeers',
    `    peer hap1 ${options.peerAddress}`,
    '',
    'backend st',
    `    stick-table type ip size ${options.sizeEntries} expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt peers mypeers${options.nopurge ? ' nopurge' : ''}`,
    '',
  ].join('\n');
}

interface Row {
  octet: number;
  expMs: number;
}

/** The entry lines of `show table` (ip keys under 127.0.0.0/24 only). */
export function tableRows(dump: string): Row[] {
  const rows: Row[] = [];
  for (const line of dump.split('\n')) {
    const m = /key=127\.0\.0\.([0-9]{1,3}) .*exp=([0-9]+)/.exec(line);
    if (m) rows.push({ octet: Number(m[1]), expMs: Number(m[2]) });
  }
  return rows;
}

export function usedOf(dump: string): number {
  const m = /used:([0-9]+)/.exec(dump);
  assert(m !== null, `no used: in the table header: ${dump.slice(0, 120)}`);
  return Number(m[1]);
}

async function keysLeft(target: LabTarget): Promise<number[]> {
  return tableRows(await target.cli('show table st'))
    .map((r) => r.octet)
    .sort((a, b) => a - b);
}

async function setKey(target: LabTarget, octet: number, gpc0: number): Promise<boolean> {
  const answer = await target.cli(`set table st key 127.0.0.${octet} data.gpc0 ${gpc0}`);
  return !answer.includes(REFUSAL);
}

/** Steps 1-3 on a fresh size-10 table; returns the keys left after .15 and .18, and the refusals. */
export async function fillTenSlots(target: LabTarget): Promise<{ keysAfter15: number[]; keysAfter18: number[]; refusals: number }> {
  await target.waitMs(SETTLE_MS);
  let refusals = 0;
  for (let i = 1; i <= 15; i++) {
    if (!(await setKey(target, i, i))) refusals++;
    await target.waitMs(SET_GAP_MS);
  }
  const keysAfter15 = await keysLeft(target);
  const rows = tableRows(await target.cli('show table st'));
  assert(rows.length > 0, 'the table is empty after 15 sets');
  const lowest = rows.reduce((a, b) => (b.expMs < a.expMs ? b : a));
  await setKey(target, lowest.octet, 100);
  for (const i of [16, 17, 18]) {
    if (!(await setKey(target, i, i))) refusals++;
  }
  return { keysAfter15, keysAfter18: await keysLeft(target), refusals };
}

/** Fills a table of `sizeEntries` with keys 10.x.y.1, inserts one more, returns `used`. */
export async function usedAfterOneMore(target: LabTarget, sizeEntries: number): Promise<number> {
  await target.waitMs(SETTLE_MS);
  for (let first = 1; first <= sizeEntries; first += BULK_PER_LINE) {
    const cmds: string[] = [];
    for (let i = first; i < first + BULK_PER_LINE && i <= sizeEntries; i++) {
      cmds.push(`set table st key 10.${i >> 8}.${i & 255}.1 data.gpc0 ${i}`);
    }
    await target.cli(cmds.join(';'));
  }
  const full = usedOf(await target.cli('show table st'));
  assert(full === sizeEntries, `table of ${sizeEntries} holds ${full} after the fill`);
  await target.cli('set table st key 10.99.99.99 data.gpc0 1');
  return usedOf(await target.cli('show table st'));
}
