/**
 * What the reports need from one trace: fault and host bands, table samples, expectation
 * results. Reads only the event kinds listed in scenarios/results.ts; other kinds are skipped.
 * A malformed event of a known kind is an error naming the trace file and line.
 */
import { assert } from '../lib/assert.ts';
import type { ExpectationKind, ExpectationResult } from '../scenarios/results.ts';
import type { ParsedTrace, TraceEventRecord, TraceHeader } from '../sim/trace.ts';
import { ReportInputError } from './input-error.ts';

export type BandKind = 'partition' | 'hold' | 'crash' | 'pause' | 'reload' | 'resync';
export const BAND_KINDS: readonly BandKind[] = ['partition', 'hold', 'crash', 'pause', 'reload', 'resync'];

export interface Band {
  readonly kind: BandKind;
  readonly startMs: number;
  /** Equal to startMs for instants (reloads). */
  readonly endMs: number;
  readonly label: string;
  /** The host concerned; undefined for world faults (partitions). */
  readonly host: string | undefined;
}

export interface Sample {
  readonly tMs: number;
  readonly table: string;
  readonly key: string;
  /** host → field → value. */
  readonly values: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export interface TraceData {
  readonly file: string;
  readonly header: TraceHeader;
  readonly hash: string;
  readonly endMs: number;
  /** Every host seen, sorted. */
  readonly hosts: readonly string[];
  readonly bands: readonly Band[];
  readonly samples: readonly Sample[];
  readonly expectations: readonly ExpectationResult[];
}

const EXPECTATION_KINDS: ReadonlySet<string> = new Set<ExpectationKind>(['always', 'eventually', 'count']);
const OPEN_KIND_BY_CLOSER: ReadonlyMap<string, string> = new Map([
  ['fault.heal', 'fault.partition'],
  ['fault.release', 'fault.hold'],
  ['host.restart', 'host.crash'],
  ['host.start', 'host.crash'],
  ['host.resume', 'host.pause'],
]);
const BAND_KIND_BY_OPENER: ReadonlyMap<string, BandKind> = new Map([
  ['fault.partition', 'partition'],
  ['fault.hold', 'hold'],
  ['host.crash', 'crash'],
  ['host.pause', 'pause'],
]);

interface OpenBand {
  readonly kind: BandKind;
  readonly startMs: number;
  readonly label: string;
  readonly host: string | undefined;
}

class Reader {
  constructor(
    readonly file: string,
    readonly event: TraceEventRecord,
  ) {}

  fail(detail: string): never {
    throw new ReportInputError(this.file, this.event.line, `${this.event.kind}: ${detail}`);
  }
  string(name: string): string {
    const value = this.event.fields[name];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    // a list of hosts (fault.hold from/to) reads as one comma-separated name
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value.join(',');
    return this.fail(`field ${name} is not a string`);
  }
  number(name: string): number {
    const value = this.event.fields[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`field ${name} is not a number`);
    return value;
  }
  boolean(name: string): boolean {
    const value = this.event.fields[name];
    if (typeof value !== 'boolean') this.fail(`field ${name} is not true or false`);
    return value;
  }
  object(name: string): Record<string, unknown> {
    const value = this.event.fields[name];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(`field ${name} is not an object`);
    return value as Record<string, unknown>;
  }
}

function sideLabel(reader: Reader): string {
  const sides = reader.event.fields['sides'];
  if (!Array.isArray(sides)) return reader.fail('field sides is not an array of host lists');
  const parts = sides.map((side) => {
    if (!Array.isArray(side) || !side.every((host) => typeof host === 'string')) reader.fail('field sides is not an array of host lists');
    return (side as string[]).join(',');
  });
  const oneWay = reader.event.fields['oneWay'] === true;
  return `partition ${parts.join(oneWay ? ' → ' : ' | ')}`;
}

function openerLabel(reader: Reader, kind: BandKind): string {
  if (kind === 'partition') return sideLabel(reader);
  if (kind === 'hold') return `hold ${reader.string('from')} → ${reader.string('to')}`;
  return `${kind} ${reader.event.host}`;
}

function openerId(reader: Reader, kind: BandKind): string {
  if (kind === 'partition' || kind === 'hold') return `${kind}:${reader.string('id')}`;
  return `${kind}:${reader.event.host}`;
}

function sampleFrom(reader: Reader): Sample {
  const raw = reader.object('values');
  const values = new Map<string, Map<string, number>>();
  for (const host of Object.keys(raw).sort()) {
    const fields = raw[host];
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) reader.fail(`values.${host} is not an object`);
    const byField = new Map<string, number>();
    const record = fields as Record<string, unknown>;
    for (const field of Object.keys(record).sort()) {
      const value = record[field];
      if (typeof value !== 'number' || !Number.isFinite(value)) reader.fail(`values.${host}.${field} is not a number`);
      byField.set(field, value);
    }
    values.set(host, byField);
  }
  return { tMs: reader.event.t, table: reader.string('table'), key: reader.string('key'), values };
}

function expectationFrom(reader: Reader): ExpectationResult {
  // The expectation's kind is `expectKind`: `kind` is the event's own kind in a trace line.
  const kind = reader.string('expectKind');
  if (!EXPECTATION_KINDS.has(kind)) reader.fail(`field expectKind '${kind}' is not always, eventually or count`);
  const atMs = reader.event.fields['atMs'];
  return {
    name: reader.string('name'),
    kind: kind as ExpectationKind,
    passed: reader.boolean('passed'),
    message: reader.string('message'),
    ...(typeof atMs === 'number' ? { atMs } : {}),
  };
}

interface Collector {
  readonly open: Map<string, OpenBand>;
  readonly bands: Band[];
  readonly samples: Sample[];
  readonly expectations: ExpectationResult[];
  readonly hosts: Set<string>;
}

function collectEvent(collector: Collector, reader: Reader): void {
  const event = reader.event;
  if (event.host !== '*') collector.hosts.add(event.host);
  const openerKind = BAND_KIND_BY_OPENER.get(event.kind);
  if (openerKind !== undefined) {
    const id = openerId(reader, openerKind);
    if (!collector.open.has(id)) {
      collector.open.set(id, { kind: openerKind, startMs: event.t, label: openerLabel(reader, openerKind), host: openerKind === 'partition' ? undefined : hostOf(reader, openerKind) });
    }
    return;
  }
  const opener = OPEN_KIND_BY_CLOSER.get(event.kind);
  if (opener !== undefined) {
    const kind = BAND_KIND_BY_OPENER.get(opener)!;
    const id = kind === 'partition' || kind === 'hold' ? `${kind}:${reader.string('id')}` : `${kind}:${event.host}`;
    // id -1: the world healed (or released) every fault of that kind at once
    const closesAll = (kind === 'partition' || kind === 'hold') && reader.string('id') === '-1';
    for (const [openId, open] of [...collector.open]) {
      if (openId !== id && !(closesAll && open.kind === kind)) continue;
      collector.open.delete(openId);
      collector.bands.push({ ...open, endMs: event.t });
    }
    return;
  }
  switch (event.kind) {
    case 'host.reload':
      collector.bands.push({ kind: 'reload', startMs: event.t, endMs: event.t, label: `reload ${event.host}`, host: event.host });
      return;
    case 'resync.window': {
      const host = event.host; // 'host' is reserved in details: the event's own host is the node
      const startMs = reader.number('startMs');
      const endMs = reader.number('endMs');
      if (endMs < startMs) reader.fail(`endMs ${endMs} is before startMs ${startMs}`);
      collector.hosts.add(host);
      collector.bands.push({ kind: 'resync', startMs, endMs, label: `resync ${host}`, host });
      return;
    }
    case 'table.sample': {
      const sample = sampleFrom(reader);
      for (const host of sample.values.keys()) collector.hosts.add(host);
      collector.samples.push(sample);
      return;
    }
    case 'expect.result':
      collector.expectations.push(expectationFrom(reader));
      return;
    default:
      return;
  }
}

function hostOf(reader: Reader, kind: BandKind): string {
  if (kind === 'hold') return reader.string('from');
  return reader.event.host;
}

/**
 * Extracts the report data of one parsed trace. The first problem the parser found (bad JSON,
 * time going backwards, no header) is raised as a ReportInputError naming file and line.
 */
export function traceDataFrom(options: { file: string; parsed: ParsedTrace; hash: string }): TraceData {
  const { file, parsed } = options;
  const problem = parsed.problems[0];
  if (problem !== undefined) throw new ReportInputError(file, problem.line, problem.message);
  if (parsed.header === undefined) throw new ReportInputError(file, 1, 'no trace header');
  const collector: Collector = { open: new Map(), bands: [], samples: [], expectations: [], hosts: new Set() };
  for (const event of parsed.events) collectEvent(collector, new Reader(file, event));
  const last = parsed.events[parsed.events.length - 1];
  const endMs = last === undefined ? 0 : last.t;
  for (const open of collector.open.values()) collector.bands.push({ ...open, endMs });
  collector.bands.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  for (const band of collector.bands) assert(band.endMs >= band.startMs, `band ${band.label} ends after it starts`);
  return {
    file,
    header: parsed.header,
    hash: options.hash,
    endMs: Math.max(endMs, ...collector.bands.map((band) => band.endMs)),
    hosts: [...collector.hosts].sort(),
    bands: collector.bands,
    samples: collector.samples,
    expectations: collector.expectations,
  };
}
