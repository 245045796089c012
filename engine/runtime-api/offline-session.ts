/**
 * The runtime API of one haproxy process without a running haproxy: tables from a parsed
 * configuration, a virtual clock moved only by `advance`, and `track` to drive traffic, so a
 * person (or the differential test) can try rate limits and expiry offline.
 *
 * Extra commands (not HAProxy's):
 *   advance <duration>                          e.g. `advance 1500ms`, `advance 10s`
 *   track <table> <key> [http_req|conn|err] [xN]
 */
import type { TableSpec } from '../table/table-spec.ts';
import { TableSet } from '../table/table-set.ts';
import { parseCliKey } from '../table/keys.ts';
import { NO_ENTRY } from '../table/table.ts';
import { countHttpError, countHttpRequest, countSession, trackRelease, trackStart } from '../table/tracking.ts';
import { tickAdd, tickFromMs, tickIsSet, type Tick } from '../ticks.ts';
import { parseTimeMs } from '../config/time-size.ts';
import { CliArgs, splitCommands } from './cli-args.ts';
import { RuntimeApi } from './runtime-api.ts';
import { profileFor, type VersionProfile } from '../version/profile.ts';

export const TRACK_REPEAT_MAX = 1_000_000;
const EXPIRY_RUNS_MAX = 10_000_000;
/** now_ms at start unless told: a quarter of the way round the tick clock. */
const TICK_START_DEFAULT = tickFromMs(0x4000_0000);

export interface OfflineSessionOptions {
  tables: readonly TableSpec[];
  /** HAProxy's now_ms at start (any non-zero uint32; near 2^32 to exercise the wrap). */
  tickStart?: Tick;
  /** The HAProxy line the session answers as (default 2.6). */
  profile?: VersionProfile;
}

export class OfflineSession {
  readonly tables: TableSet;
  readonly api: RuntimeApi;
  private nowTick: Tick;

  constructor(options: OfflineSessionOptions) {
    const profile = options.profile ?? profileFor('2.6');
    this.tables = new TableSet(options.tables, { profile });
    this.nowTick = options.tickStart ?? TICK_START_DEFAULT;
    this.api = new RuntimeApi({ tables: this.tables.tables, now: () => this.nowTick, profile });
    this.api.register(['advance'], (args) => this.advanceCommand(args));
    this.api.register(['track'], (args) => this.trackCommand(args));
  }

  get now(): Tick {
    return this.nowTick;
  }

  /** Answers every command of the input (one or more lines), each ending with its empty line. */
  execute(input: string): string[] {
    return splitCommands(input).map((line) => this.api.executeOne(line));
  }

  /** Moves the clock by `ms`, running each table's expiry task at the tick it is due. */
  advance(ms: number): void {
    const target = tickAdd(this.nowTick, ms);
    for (let runs = 0; runs < EXPIRY_RUNS_MAX; runs++) {
      const next = this.tables.nextExpiryTick();
      if (!tickIsSet(next) || ((next - target) | 0) > 0) break;
      if (((next - this.nowTick) | 0) > 0) this.nowTick = next;
      this.tables.runDueExpiry(this.nowTick);
    }
    this.nowTick = target;
  }

  private advanceCommand(args: CliArgs): string {
    const parsed = parseTimeMs(args.arg(1));
    if (!parsed.ok || parsed.trailingGarbage !== undefined || args.arg(2) !== '') {
      return 'Usage: advance <duration> (e.g. 1500ms, 10s, 2m)\n';
    }
    this.advance(parsed.ms);
    return '';
  }

  private trackCommand(args: CliArgs): string {
    const usage = 'Usage: track <table> <key> [http_req|conn|err] [xN]\n';
    const table = this.tables.get(args.arg(1));
    if (table === undefined) return args.arg(1) === '' ? usage : 'No such table\n';
    const key = parseCliKey(table.spec, args.arg(2), table.profile.cliKeys);
    if (args.arg(2) === '' || !key.ok) return 'Invalid key\n';
    let kind = 'http_req';
    let repeat = 1;
    for (let i = 3; args.arg(i) !== ''; i++) {
      const word = args.arg(i);
      const times = /^x([0-9]{1,7})$/.exec(word);
      if (times) repeat = Number(times[1]);
      else if (word === 'http_req' || word === 'conn' || word === 'err') kind = word;
      else return usage;
    }
    if (repeat < 1 || repeat > TRACK_REPEAT_MAX) return usage;
    const now = this.nowTick;
    for (let n = 0; n < repeat; n++) {
      const ref = trackStart(table, key.key, now);
      if (ref === NO_ENTRY) return 'Unable to allocate a new entry\n';
      if (kind === 'conn') countSession(table, ref, now);
      if (kind === 'http_req' || kind === 'err') countHttpRequest(table, ref, now);
      if (kind === 'err') countHttpError(table, ref, now);
      trackRelease(table, ref, now);
    }
    return '';
  }
}

/** Reads a whole CLI transcript: helper for tests and scripts. */
export function runOfflineScript(session: OfflineSession, lines: readonly string[]): string {
  return lines.map((line) => session.execute(line).join('')).join('');
}

export { CliArgs };
