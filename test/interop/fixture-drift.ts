/**
 * Whether a recorded haproxy session (the fixture) still describes what haproxy answers today.
 * Two runs of the same session against the same haproxy differ only where time enters: each
 * command is sent a little earlier or later than in the recording, so `exp=` values and rate
 * readings move. Everything else (messages, headers, keys, counters, line counts) must be equal.
 *
 * How far time may move a value: if the send times of the two runs differ by at most D ms up to
 * a command (D = largest |at_now - at_saved| so far), the time between an entry's last touch and
 * this command differs by at most 2·D, plus haproxy's own clock reading (SLACK_MS). So:
 *   - `exp=` may differ by at most 2·D + SLACK_MS;
 *   - a rate over P ms reads curr + prev·(P - elapsed)/P, so it may differ by at most
 *     V·(2·D + SLACK_MS)/P + 1, V the largest value a rate of that table was set to so far
 *     (these sessions have no traffic: rates change only by `set table`);
 *   - an entry whose expiry falls within 2·D + SLACK_MS of a command may be there in one run and
 *     gone in the other: a table's `used:` count and its listed entries may differ by at most the
 *     number of such entries (expiry = last `set table` of the key in the recording + the table's
 *     expire).
 */
import type { SessionRecord } from './compare.ts';

/** haproxy reads its clock a little after the send stamp (a few ms, ~10 ms on a loaded machine). */
export const DRIFT_SLACK_MS = 25;
const U32_MAX = 0xffff_ffff;

const POINTER_RE = /^0x[0-9a-f]+: /;
const HEADER_RE = /^# table: (\S+), (type: \S+), size:(\d+), used:(\d+)$/;
const SET_KEY_RE = /^set table (\S+) key (\S+)/;
const EXP_RE = / exp=(\d+)(?= |$)/;
const RATE_RE = / ([a-z0-9_]+)\((\d+)\)=(\d+)(?= |$)/g;
const SET_RATE_RE = / data\.[a-z0-9_]*rate\S* (\S+)/g;

interface EntryLine {
  /** The line with the pointer masked, exp and rate values replaced by `#`. */
  readonly shape: string;
  readonly expMs: number;
  readonly rates: { readonly name: string; readonly periodMs: number; readonly value: number }[];
}

function entryLine(line: string): EntryLine | undefined {
  if (!POINTER_RE.test(line)) return undefined;
  const masked = line.replace(POINTER_RE, '0x…: ');
  const useAt = masked.indexOf(' use=');
  if (useAt < 0) return undefined;
  const head = masked.slice(0, useAt);
  const tail = masked.slice(useAt);
  const exp = EXP_RE.exec(tail);
  if (exp === null) return undefined;
  const rates = [...tail.matchAll(RATE_RE)].map((m) => ({ name: m[1]!, periodMs: Number(m[2]), value: Number(m[3]) }));
  const shape = head + tail.replace(EXP_RE, ' exp=#').replace(RATE_RE, ' $1($2)=#');
  return { shape, expMs: Number(exp[1]), rates };
}

/** The value a `set table … data.<rate> <text>` stores at most: a u32 (anything else counts as the largest). */
function storedRateMax(text: string): number {
  if (!/^\d+$/.test(text)) return U32_MAX;
  const n = Number(text);
  return n > U32_MAX ? U32_MAX : n;
}

interface AnswerShape {
  /** Lines that are neither table headers nor entries, in order. */
  readonly others: string[];
  readonly blocks: { readonly header: string; readonly table: string; readonly used: number; readonly entries: Map<string, string> }[];
}

function answerShape(text: string): AnswerShape {
  const others: string[] = [];
  const blocks: AnswerShape['blocks'] = [];
  for (const line of text.split('\n')) {
    const header = HEADER_RE.exec(line);
    if (header !== null) {
      blocks.push({ header: line.replace(HEADER_RE, '# table: $1, $2, size:$3, used:#'), table: header[1]!, used: Number(header[4]), entries: new Map() });
    } else if (POINTER_RE.test(line) && blocks.length > 0) {
      const useAt = line.indexOf(' use=');
      blocks[blocks.length - 1]!.entries.set(line.slice(line.indexOf(': ') + 2, useAt < 0 ? undefined : useAt), line);
    } else {
      others.push(line);
    }
  }
  return { others, blocks };
}

interface DriftContext {
  readonly boundMs: number;
  readonly rateMaxByTable: ReadonlyMap<string, number>;
  /** How many entries of the table may have expired in one run and not the other. */
  readonly expiring: (table: string) => number;
}

function entryDrift(a: string, b: string, table: string, context: DriftContext): string | undefined {
  const ea = entryLine(a);
  const eb = entryLine(b);
  const shown = `\n    fixture: ${a}\n    now:     ${b}`;
  if (ea === undefined || eb === undefined || ea.shape !== eb.shape) return `an entry differs:${shown}`;
  const expDeltaMs = Math.abs(ea.expMs - eb.expMs);
  if (expDeltaMs > context.boundMs) return `exp differs by ${expDeltaMs} ms (timing explains ${context.boundMs} ms):${shown}`;
  for (let r = 0; r < ea.rates.length; r++) {
    const ra = ea.rates[r]!;
    const rb = eb.rates[r]!;
    const valueMax = context.rateMaxByTable.get(table) ?? 0;
    const tolerance = valueMax === 0 ? 0 : Math.ceil((valueMax * context.boundMs) / Math.max(1, ra.periodMs)) + 1;
    const delta = Math.abs(ra.value - rb.value);
    if (delta > tolerance) return `${ra.name}(${ra.periodMs}) differs by ${delta} (timing explains ${tolerance}):${shown}`;
  }
  return undefined;
}

/** Why one answer differs beyond what timing explains, or undefined. */
function answerDrift(saved: string, now: string, context: DriftContext): string | undefined {
  if (saved === now) return undefined;
  const a = answerShape(saved);
  const b = answerShape(now);
  if (a.others.join('\n') !== b.others.join('\n')) return `the text differs:\n    fixture: ${JSON.stringify(saved.slice(0, 200))}\n    now:     ${JSON.stringify(now.slice(0, 200))}`;
  if (a.blocks.length !== b.blocks.length) return `${a.blocks.length} tables in the fixture, ${b.blocks.length} now`;
  for (let k = 0; k < a.blocks.length; k++) {
    const ba = a.blocks[k]!;
    const bb = b.blocks[k]!;
    if (ba.header !== bb.header) return `a table header differs:\n    fixture: ${ba.header}\n    now:     ${bb.header}`;
    const expiring = context.expiring(ba.table);
    if (Math.abs(ba.used - bb.used) > expiring) return `table ${ba.table}: used:${ba.used} in the fixture, used:${bb.used} now (${expiring} entries near their expiry)`;
    let onlyOneSide = 0;
    for (const [key, line] of ba.entries) {
      const other = bb.entries.get(key);
      if (other === undefined) onlyOneSide++;
      else if (line !== other) {
        const why = entryDrift(line, other, ba.table, context);
        if (why !== undefined) return `table ${ba.table}: ${why}`;
      }
    }
    for (const key of bb.entries.keys()) if (!ba.entries.has(key)) onlyOneSide++;
    if (onlyOneSide > expiring) return `table ${ba.table}: ${onlyOneSide} entries listed on one side only (${expiring} near their expiry)`;
  }
  return undefined;
}

/**
 * Every answer of `now` that differs from the fixture `saved` beyond what the timing difference of
 * the two runs explains (empty: no drift). A different command list is drift too.
 * `tableExpireMs`: each table's `expire` by the name the commands use.
 */
export function fixtureDrift(
  saved: readonly SessionRecord[],
  now: readonly SessionRecord[],
  tableExpireMs: ReadonlyMap<string, number>,
  slackMs = DRIFT_SLACK_MS,
): string[] {
  const commandsDiffer = saved.length !== now.length || saved.some((r, i) => r.command !== now[i]!.command);
  if (commandsDiffer) {
    const at = saved.findIndex((r, i) => r.command !== now[i]?.command);
    return [`the fixture holds another command session (${saved.length} commands vs ${now.length}; first difference at #${at < 0 ? Math.min(saved.length, now.length) : at})`];
  }
  const problems: string[] = [];
  const rateMaxByTable = new Map<string, number>();
  /** table -> key as written in the command -> send time (fixture) of its last `set table`. */
  const lastSetMs = new Map<string, Map<string, number>>();
  let sendDriftMsMax = 0;
  for (let i = 0; i < saved.length; i++) {
    const s = saved[i]!;
    const n = now[i]!;
    sendDriftMsMax = Math.max(sendDriftMsMax, Math.abs(n.atMs - s.atMs));
    const boundMs = 2 * sendDriftMsMax + slackMs;
    const set = SET_KEY_RE.exec(s.command);
    if (set !== null) {
      const [, table, key] = set;
      for (const m of s.command.matchAll(SET_RATE_RE)) rateMaxByTable.set(table!, Math.max(rateMaxByTable.get(table!) ?? 0, storedRateMax(m[1]!)));
      const keys = lastSetMs.get(table!) ?? new Map<string, number>();
      keys.set(key!, s.atMs);
      lastSetMs.set(table!, keys);
    }
    const expiring = (table: string): number => {
      const expireMs = tableExpireMs.get(table);
      if (expireMs === undefined) return 0;
      let count = 0;
      for (const setMs of lastSetMs.get(table)?.values() ?? []) if (Math.abs(s.atMs - (setMs + expireMs)) <= boundMs) count++;
      return count;
    };
    const why = answerDrift(s.output, n.output, { boundMs, rateMaxByTable, expiring });
    if (why !== undefined) problems.push(`#${s.index} at +${s.atMs} ms (now +${n.atMs} ms): ${s.command}\n  ${why}`);
  }
  return problems;
}
