/**
 * The JSONL trace: a header line, then one line per event, in the order events happened.
 * Pure formatting and parsing live here; the file writer is sim/trace-file.ts.
 *
 * Every line is JSON with a fixed key order: the header's keys in the order written below,
 * an event's `t`, `host`, `kind` first and then its detail keys sorted by name (nested
 * objects too). Bytes (Uint8Array) are written as lowercase hex strings, bigints as decimal
 * strings. A run's identity is the SHA-256 over every line including its '\n'.
 */
import { createHash, type Hash } from 'node:crypto';
import { assert, fail } from '../lib/assert.ts';
import type { DeferredDetails, EventDetails, Events, TraceName } from '../engine/env.ts';
import { HAPROXY_VERSION_DEFAULT, isHaproxyVersion, type HaproxyVersion } from '../engine/version/profile.ts';

export const TRACE_FORMAT_VERSION = 1;
const DETAIL_DEPTH_MAX = 16;
/** Host name for events of the world itself (partitions, heals). */
export const WORLD_HOST = '*';

export interface TraceHeader {
  sticksimVersion: string;
  scenario: string;
  seed: string | number;
  streams: ReadonlyArray<{ name: string; seed: string }>;
  mergePolicy: string;
  /** The planted bug the run's engine had (a testing aid); absent (and not written) when none. */
  plantedBug?: string;
  /** The HAProxy release line the run modelled; a trace without it (older sticksim) means '2.6'. */
  haproxy?: HaproxyVersion;
  configText: string;
}

export interface TraceEntry {
  /** Simulated milliseconds (kernel time). */
  t: number;
  host: string;
  kind: string;
  details?: Readonly<Record<string, unknown>>;
}

/** Where trace entries go. */
export interface TraceSink {
  record(entry: TraceEntry): void;
  /**
   * When present, takes an event whose details are deferred (engine/env.ts): the sink renders
   * them for whoever needs the plain object (`details.render()`), folds them otherwise. Absent:
   * producers render and call `record`.
   */
  recordDeferred?(t: number, host: TraceName, kind: TraceName, details: DeferredDetails): void;
  /**
   * When present, false for the kinds this sink drops (a run with the trace off that only
   * observes a few kinds): producers may skip building those entries. Absent: every kind.
   */
  wants?(kind: string): boolean;
}

/** True when `sink` keeps entries of `kind`. */
export function sinkWants(sink: TraceSink, kind: string): boolean {
  return sink.wants === undefined || sink.wants(kind);
}

export function bytesToHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** A JSON-ready copy of `value` with object keys sorted and bytes in hex. */
function normalize(value: unknown, depth: number, path: string): unknown {
  if (depth > DETAIL_DEPTH_MAX) fail(`trace detail nested deeper than ${DETAIL_DEPTH_MAX} at ${path}`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`trace detail ${path} is a finite number (got ${value})`);
    return value;
  }
  if (typeof value === 'bigint') return value.toString(10);
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (Array.isArray(value)) return value.map((item, index) => normalize(item, depth + 1, `${path}[${index}]`));
  if (value instanceof Map || value instanceof Set) {
    fail(`trace detail ${path} is a Map or Set: convert it to an array first`);
  }
  if (typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source).filter((key) => source[key] !== undefined).sort();
    const result: Record<string, unknown> = {};
    for (const key of keys) result[key] = normalize(source[key], depth + 1, `${path}.${key}`);
    return result;
  }
  fail(`trace detail ${path} has unsupported type ${typeof value}`);
}

/** Builds `{...}` by hand so the key order is exactly the order of `pairs`. */
function objectLine(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  const parts = pairs.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
  return `{${parts.join(',')}}`;
}

const RESERVED_KEYS = new Set(['t', 'host', 'kind']);

export function formatHeaderLine(header: TraceHeader): string {
  const streams = header.streams.map((s) => ({ name: s.name, seed: s.seed }));
  return objectLine([
    ['trace', 'sticksim'],
    ['format', TRACE_FORMAT_VERSION],
    ['sticksim', header.sticksimVersion],
    ['scenario', header.scenario],
    ['seed', header.seed],
    ['streams', streams],
    ['mergePolicy', header.mergePolicy],
    ...(header.plantedBug === undefined ? [] : [['plantedBug', header.plantedBug] as const]),
    // Written only for the 3.x lines: a 2.6 trace stays byte-identical to one made before the field existed.
    ...(header.haproxy === undefined || header.haproxy === HAPROXY_VERSION_DEFAULT ? [] : [['haproxy', header.haproxy] as const]),
    ['config', header.configText],
  ]);
}

export function formatEventLine(entry: TraceEntry): string {
  if (!Number.isSafeInteger(entry.t) || entry.t < 0) fail(`trace time is a non-negative integer (got ${entry.t})`);
  assert(entry.kind.length > 0, 'a trace event has a kind');
  const details = (normalize(entry.details ?? {}, 0, entry.kind) ?? {}) as Record<string, unknown>;
  const pairs: Array<readonly [string, unknown]> = [
    ['t', entry.t],
    ['host', entry.host],
    ['kind', entry.kind],
  ];
  for (const key of Object.keys(details)) {
    if (RESERVED_KEYS.has(key)) fail(`trace detail of ${entry.kind} may not be named '${key}'`);
    pairs.push([key, details[key]]);
  }
  return objectLine(pairs);
}

/**
 * Formats entries, keeps the running SHA-256 and hands each line to `writeLine`
 * (a file, an array, nothing). Time must not go backwards between entries.
 */
export class TraceWriter implements TraceSink {
  private readonly hash: Hash = createHash('sha256');
  private linesWritten = 0;
  private lastT = 0;
  private finished: string | undefined;

  constructor(
    header: TraceHeader,
    private readonly writeLine: (line: string) => void,
  ) {
    this.append(formatHeaderLine(header));
  }

  record(entry: TraceEntry): void {
    if (entry.t < this.lastT) fail(`trace time goes forward (${entry.t} after ${this.lastT})`);
    this.lastT = entry.t;
    this.append(formatEventLine(entry));
  }

  lineCount(): number {
    return this.linesWritten;
  }

  /** The SHA-256 (hex) over every line written; no line may follow. */
  digest(): string {
    if (this.finished === undefined) this.finished = this.hash.digest('hex');
    return this.finished;
  }

  private append(line: string): void {
    assert(this.finished === undefined, 'no trace line after the digest was taken');
    assert(!line.includes('\n'), 'a trace line holds no newline');
    const text = `${line}\n`;
    this.hash.update(text, 'utf8');
    this.linesWritten += 1;
    this.writeLine(text);
  }
}

/** SHA-256 over trace text exactly as written (for checking a trace file). */
export function traceTextHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The engine's `Events` for one host, stamped with kernel time. */
export function hostEvents(options: { host: string; nowMs: () => number; sink: TraceSink }): Events {
  const { host, nowMs, sink } = options;
  return {
    emit(kind: string, details: EventDetails): void {
      sink.record({ t: nowMs(), host, kind, details });
    },
  };
}

/** A sink that keeps entries in memory (tests, replay). */
export class MemorySink implements TraceSink {
  readonly entries: TraceEntry[] = [];
  record(entry: TraceEntry): void {
    this.entries.push(entry);
  }
}

// ---------------------------------------------------------------------------------------
// Reading

export interface TraceEventRecord {
  line: number;
  t: number;
  host: string;
  kind: string;
  /** The whole parsed line, details included. */
  fields: Record<string, unknown>;
}

export interface TraceProblem {
  line: number;
  message: string;
}

export interface ParsedTrace {
  header: TraceHeader | undefined;
  events: TraceEventRecord[];
  problems: TraceProblem[];
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  return value as Record<string, unknown>;
}

function parseHeader(fields: Record<string, unknown>): TraceHeader | string {
  if (fields['trace'] !== 'sticksim') return "first line is not a sticksim trace header (no \"trace\":\"sticksim\")";
  if (fields['format'] !== TRACE_FORMAT_VERSION) return `unsupported trace format ${String(fields['format'])}`;
  const seed = fields['seed'];
  const streams = fields['streams'];
  if (typeof seed !== 'string' && typeof seed !== 'number') return 'header seed is not a string or number';
  if (!Array.isArray(streams)) return 'header streams is not an array';
  const strings = ['sticksim', 'scenario', 'mergePolicy', 'config'] as const;
  for (const key of strings) {
    if (typeof fields[key] !== 'string') return `header ${key} is not a string`;
  }
  const plantedBug = fields['plantedBug'];
  if (plantedBug !== undefined && typeof plantedBug !== 'string') return 'header plantedBug is not a string';
  const haproxy = fields['haproxy'] ?? HAPROXY_VERSION_DEFAULT;
  if (typeof haproxy !== 'string' || !isHaproxyVersion(haproxy)) return `header haproxy is not a known version (${String(haproxy)})`;
  return {
    sticksimVersion: fields['sticksim'] as string,
    scenario: fields['scenario'] as string,
    seed,
    streams: streams as Array<{ name: string; seed: string }>,
    mergePolicy: fields['mergePolicy'] as string,
    ...(plantedBug === undefined ? {} : { plantedBug }),
    haproxy,
    configText: fields['config'] as string,
  };
}

function parseEvent(fields: Record<string, unknown>, line: number, lastT: number): TraceEventRecord | string {
  const t = fields['t'];
  const host = fields['host'];
  const kind = fields['kind'];
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return 'field t is not a non-negative integer';
  if (t < lastT) return `time goes backwards (${t} after ${lastT})`;
  if (typeof host !== 'string') return 'field host is not a string';
  if (typeof kind !== 'string' || kind === '') return 'field kind is not a non-empty string';
  return { line, t, host, kind, fields };
}

/** Parses trace text; every bad line is reported with its 1-based line number. */
export function parseTrace(text: string): ParsedTrace {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const result: ParsedTrace = { header: undefined, events: [], problems: [] };
  let lastT = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fields = parseJsonObject(raw);
    if (typeof fields === 'string') {
      result.problems.push({ line, message: fields });
      return;
    }
    if (index === 0) {
      const header = parseHeader(fields);
      if (typeof header === 'string') result.problems.push({ line, message: header });
      else result.header = header;
      return;
    }
    const event = parseEvent(fields, line, lastT);
    if (typeof event === 'string') {
      result.problems.push({ line, message: event });
      return;
    }
    lastT = event.t;
    result.events.push(event);
  });
  if (lines.length === 0) result.problems.push({ line: 1, message: 'empty trace (no header line)' });
  return result;
}
