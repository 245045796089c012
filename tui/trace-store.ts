/**
 * Compact columnar storage of a trace for the TUI: times, host ids and kind ids in typed arrays,
 * each event's line kept as bytes of the file (or as a string for events appended live), and
 * details parsed only when asked (a small cache keeps the recent ones). A 1,000,000-event trace
 * costs the file's bytes plus about 16 bytes an event.
 *
 * Lines are read by their fixed prefix `{"t":N,"host":"H","kind":"K"` (sim/trace.ts writes that
 * order); a line that does not start so is parsed as JSON, and a bad line is kept as a problem
 * with its line number.
 */
import { readFileSync } from 'node:fs';
import { assert } from '../lib/assert.ts';
import { formatEventLine, parseTrace, type TraceEntry, type TraceHeader, type TraceProblem } from '../sim/trace.ts';

const EVENTS_MAX = 50_000_000;
const DETAILS_CACHE_MAX = 4096;
const NAMES_MAX = 65_535;
const PROBLEMS_KEPT_MAX = 100;

export type Details = Readonly<Record<string, unknown>>;

export class TraceOpenError extends Error {}

export class TraceStore {
  private times = new Float64Array(1024);
  private hostIds = new Uint16Array(1024);
  private kindIds = new Uint16Array(1024);
  /** Byte offset of each file event's line; `lineEnds` its end (exclusive). */
  private lineStarts = new Uint32Array(1024);
  private lineEnds = new Uint32Array(1024);
  private countEvents = 0;
  private fileEvents = 0;
  private readonly liveLines: string[] = [];
  private readonly hostNames: string[] = [];
  private readonly kindNames: string[] = [];
  private readonly hostIdByName = new Map<string, number>();
  private readonly kindIdByName = new Map<string, number>();
  private readonly detailsCache = new Map<number, Details>();
  readonly problems: TraceProblem[] = [];
  problemCount = 0;

  private constructor(
    readonly header: TraceHeader,
    private readonly bytes: Buffer,
    /** 1-based file line of the first event (2: after the header). */
    private readonly firstLine: number,
  ) {}

  /** An empty store for a live session (events come through `append`). */
  static live(header: TraceHeader): TraceStore {
    return new TraceStore(header, Buffer.alloc(0), 2);
  }

  static openFile(path: string): TraceStore {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new TraceOpenError(`${path}: cannot read: ${(error as Error).message}`);
    }
    return TraceStore.fromBytes(bytes, path);
  }

  static fromText(text: string, name = 'trace'): TraceStore {
    return TraceStore.fromBytes(Buffer.from(text, 'utf8'), name);
  }

  static fromBytes(bytes: Buffer, name: string): TraceStore {
    assert(bytes.length < 0xffff_ffff, 'a trace file is smaller than 4 GiB');
    const headerEnd = bytes.indexOf(10);
    const headerText = bytes.toString('utf8', 0, headerEnd < 0 ? bytes.length : headerEnd);
    const parsed = parseTrace(headerText);
    if (parsed.header === undefined) {
      const why = parsed.problems[0]?.message ?? 'no header';
      throw new TraceOpenError(`${name}:1: ${why}`);
    }
    const store = new TraceStore(parsed.header, bytes, 2);
    store.scanFile(headerEnd < 0 ? bytes.length : headerEnd + 1);
    return store;
  }

  get count(): number {
    return this.countEvents;
  }

  hosts(): readonly string[] {
    return this.hostNames;
  }

  kinds(): readonly string[] {
    return this.kindNames;
  }

  time(i: number): number {
    this.check(i);
    return this.times[i]!;
  }

  hostId(i: number): number {
    this.check(i);
    return this.hostIds[i]!;
  }

  kindId(i: number): number {
    this.check(i);
    return this.kindIds[i]!;
  }

  host(i: number): string {
    return this.hostNames[this.hostId(i)]!;
  }

  kind(i: number): string {
    return this.kindNames[this.kindId(i)]!;
  }

  kindIdOf(name: string): number | undefined {
    return this.kindIdByName.get(name);
  }

  hostIdOf(name: string): number | undefined {
    return this.hostIdByName.get(name);
  }

  /** Simulated time of the last event (0 when empty). */
  endMs(): number {
    return this.countEvents === 0 ? 0 : this.times[this.countEvents - 1]!;
  }

  /** The event's line as written in the trace. */
  lineText(i: number): string {
    this.check(i);
    if (i >= this.fileEvents) return this.liveLines[i - this.fileEvents]!;
    return this.bytes.toString('utf8', this.lineStarts[i]!, this.lineEnds[i]!);
  }

  /** The event's details (every key but t, host, kind), parsed on first use. */
  details(i: number): Details {
    const cached = this.detailsCache.get(i);
    if (cached !== undefined) return cached;
    const fields = JSON.parse(this.lineText(i)) as Record<string, unknown>;
    delete fields['t'];
    delete fields['host'];
    delete fields['kind'];
    if (this.detailsCache.size >= DETAILS_CACHE_MAX) {
      const oldest = this.detailsCache.keys().next().value;
      if (oldest !== undefined) this.detailsCache.delete(oldest);
    }
    this.detailsCache.set(i, fields);
    return fields;
  }

  /** Index of the last event at or before `ms`; -1 when every event is later. */
  lastAtOrBefore(ms: number): number {
    return lastLeq(this.times, ms, this.countEvents);
  }

  /**
   * Next (direction 1) or previous (-1) event after/before `from` whose line contains `needle`.
   * File events are searched in the bytes (native search); -1 when none.
   */
  findText(needle: string, options: { from: number; direction: 1 | -1 }): number {
    const { direction } = options;
    if (direction === 1) {
      const start = options.from + 1;
      if (start < this.fileEvents) {
        const at = this.bytes.indexOf(needle, this.lineStarts[start]!, 'utf8');
        if (at >= 0 && at < this.fileBytesEnd()) return this.eventAtByte(at);
      }
      for (let i = Math.max(start, this.fileEvents); i < this.countEvents; i++) if (this.lineText(i).includes(needle)) return i;
      return -1;
    }
    const before = options.from - 1;
    for (let i = Math.min(before, this.countEvents - 1); i >= this.fileEvents; i--) if (this.lineText(i).includes(needle)) return i;
    const fileLast = Math.min(before, this.fileEvents - 1);
    if (fileLast < 0) return -1;
    const at = this.bytes.lastIndexOf(needle, this.lineEnds[fileLast]! - needle.length, 'utf8');
    return at >= this.lineStarts[0]! && at >= 0 ? this.eventAtByte(at) : -1;
  }

  /** Appends a live event (explore). Time must not go backwards. */
  append(entry: TraceEntry): void {
    assert(entry.t >= this.endMs(), `live trace time goes forward (${entry.t} after ${this.endMs()})`);
    const line = formatEventLine(entry);
    this.push(entry.t, this.internHost(entry.host), this.internKind(entry.kind), 0, 0);
    this.liveLines.push(line);
  }

  /** The whole trace as JSONL text (header line included). */
  *lines(headerLine: string): Generator<string> {
    yield headerLine;
    for (let i = 0; i < this.countEvents; i++) yield this.lineText(i);
  }

  private fileBytesEnd(): number {
    return this.fileEvents === 0 ? 0 : this.lineEnds[this.fileEvents - 1]!;
  }

  private eventAtByte(byte: number): number {
    return Math.max(0, lastLeq(this.lineStarts, byte, this.fileEvents));
  }

  private check(i: number): void {
    assert(Number.isInteger(i) && i >= 0 && i < this.countEvents, `event index ${i} is within 0..${this.countEvents - 1}`);
  }

  private scanFile(start: number): void {
    const bytes = this.bytes;
    let lineNo = this.firstLine;
    let pos = start;
    let lastT = 0;
    while (pos < bytes.length) {
      let end = bytes.indexOf(10, pos);
      if (end < 0) end = bytes.length;
      if (end > pos) {
        const ok = this.scanLine(pos, end, lastT) ?? this.scanLineSlow(pos, end, lastT, lineNo);
        if (ok !== undefined) lastT = ok;
      }
      pos = end + 1;
      lineNo++;
    }
    this.fileEvents = this.countEvents;
  }

  /** The fast path: the fixed prefix. Returns the time, or undefined to take the slow path. */
  private scanLine(start: number, end: number, lastT: number): number | undefined {
    const b = this.bytes;
    // {"t":
    if (b[start] !== 0x7b || b[start + 1] !== 0x22 || b[start + 2] !== 0x74 || b[start + 3] !== 0x22 || b[start + 4] !== 0x3a) return undefined;
    let p = start + 5;
    let t = 0;
    let digits = 0;
    while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39 && digits < 16) {
      t = t * 10 + (b[p]! - 0x30);
      p++;
      digits++;
    }
    if (digits === 0 || b[p] !== 0x2c || t < lastT) return undefined;
    const host = this.quotedAfter(p + 1, end, '"host":"');
    if (host === undefined) return undefined;
    const kind = this.quotedAfter(host.next + 1, end, '"kind":"');
    if (kind === undefined || kind.text === '') return undefined;
    this.push(t, this.internHost(host.text), this.internKind(kind.text), start, end);
    return t;
  }

  private quotedAfter(p: number, end: number, label: string): { text: string; next: number } | undefined {
    const b = this.bytes;
    for (let k = 0; k < label.length; k++) if (b[p + k] !== label.charCodeAt(k)) return undefined;
    const from = p + label.length;
    let q = from;
    while (q < end && b[q] !== 0x22) {
      if (b[q] === 0x5c) return undefined; // an escape: let JSON.parse read it
      q++;
    }
    if (q >= end) return undefined;
    return { text: b.toString('utf8', from, q), next: q + 1 };
  }

  private scanLineSlow(start: number, end: number, lastT: number, lineNo: number): number | undefined {
    let fields: unknown;
    try {
      fields = JSON.parse(this.bytes.toString('utf8', start, end));
    } catch (error) {
      return this.problem(lineNo, `not JSON: ${(error as Error).message}`);
    }
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return this.problem(lineNo, 'not a JSON object');
    const record = fields as Record<string, unknown>;
    const { t, host, kind } = record;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return this.problem(lineNo, 'field t is not a non-negative integer');
    if (t < lastT) return this.problem(lineNo, `time goes backwards (${t} after ${lastT})`);
    if (typeof host !== 'string') return this.problem(lineNo, 'field host is not a string');
    if (typeof kind !== 'string' || kind === '') return this.problem(lineNo, 'field kind is not a non-empty string');
    this.push(t, this.internHost(host), this.internKind(kind), start, end);
    return t;
  }

  private problem(line: number, message: string): undefined {
    this.problemCount++;
    if (this.problems.length < PROBLEMS_KEPT_MAX) this.problems.push({ line, message });
    return undefined;
  }

  private internHost(name: string): number {
    return intern(name, this.hostIdByName, this.hostNames);
  }

  private internKind(name: string): number {
    return intern(name, this.kindIdByName, this.kindNames);
  }

  private push(t: number, hostId: number, kindId: number, start: number, end: number): void {
    assert(this.countEvents < EVENTS_MAX, `a trace holds at most ${EVENTS_MAX} events`);
    if (this.countEvents === this.times.length) this.grow();
    const i = this.countEvents++;
    this.times[i] = t;
    this.hostIds[i] = hostId;
    this.kindIds[i] = kindId;
    this.lineStarts[i] = start;
    this.lineEnds[i] = end;
  }

  private grow(): void {
    const size = this.times.length * 2;
    this.times = growTo(this.times, new Float64Array(size));
    this.hostIds = growTo(this.hostIds, new Uint16Array(size));
    this.kindIds = growTo(this.kindIds, new Uint16Array(size));
    this.lineStarts = growTo(this.lineStarts, new Uint32Array(size));
    this.lineEnds = growTo(this.lineEnds, new Uint32Array(size));
  }
}

function growTo<T extends Float64Array | Uint16Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function intern(name: string, ids: Map<string, number>, names: string[]): number {
  const known = ids.get(name);
  if (known !== undefined) return known;
  assert(names.length < NAMES_MAX, `a trace names at most ${NAMES_MAX} hosts and kinds`);
  ids.set(name, names.length);
  names.push(name);
  return names.length - 1;
}

/** Index in the sorted `list` (its first `count` values) of the last value <= `x`, -1 if none. */
export function lastLeq(list: ArrayLike<number>, x: number, count = list.length): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
