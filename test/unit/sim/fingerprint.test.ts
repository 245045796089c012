/**
 * The cheap fingerprint (sim/fingerprint.ts) detects a single changed event: one more or one
 * less, another time, host, kind, detail name or detail value anywhere in a real run's events,
 * whether the event came as a plain object or as deferred details folded from their facts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import splitBrain from '../../../scenarios/builtin/split-brain-acceptor-wins.ts';
import { runScenario, startScenario } from '../../../scenarios/runner.ts';
import type { ScenarioSpec } from '../../../scenarios/dsl.ts';
import { Fingerprint, fingerprintLeaves } from '../../../sim/fingerprint.ts';
import { TraceName, TraceNames, type DeferredDetails } from '../../../engine/env.ts';
import { AckReceivedDetails, AckSentDetails, LayoutNames, UpdateReceivedDetails, UpdateSentDetails } from '../../../engine/peers/update-events.ts';
import type { WireValue } from '../../../engine/peers/update-body.ts';
import { DeliverDetails } from '../../../sim/deliver-details.ts';
import type { TraceEntry } from '../../../sim/trace.ts';

function fingerprintOf(entries: readonly TraceEntry[]): string {
  const f = new Fingerprint();
  for (const e of entries) f.record(e);
  return f.digest();
}

/**
 * The encoding written out plainly (sim/fingerprint.ts's header), without memos: the fingerprint
 * of plain `entries` as the version-3 encoding defines it.
 */
function referenceFingerprint(entries: readonly TraceEntry[]): string {
  const words: number[] = [];
  const dictionary = new Map<string, number>();
  const name = (t: string): void => {
    const index = dictionary.get(t);
    if (index !== undefined) words.push(fingerprintLeaves.nameWord(index));
    else {
      words.push(...fingerprintLeaves.newNameWords(t));
      dictionary.set(t, dictionary.size);
    }
  };
  const text = (t: string): void => void words.push(...fingerprintLeaves.stringWords(t));
  const tagAndLength = (tag: number, n: number): void => {
    words.push((tag << 24) | Math.min(n, 0xffffff));
    if (n >= 0xffffff) words.push(n);
  };
  const num = (v: number): void => {
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 24) words.push((13 << 24) | v);
    else if ((v | 0) === v) words.push(4, v);
    else {
      const halves = new Uint32Array(new Float64Array([v]).buffer);
      words.push(5, halves[0]!, halves[1]!);
    }
  };
  const value = (v: unknown): void => {
    if (v === null) words.push(1);
    else if (v === false) words.push(2);
    else if (v === true) words.push(3);
    else if (v === undefined) words.push(11);
    else if (typeof v === 'number') num(v);
    else if (typeof v === 'string') text(v);
    else if (typeof v === 'bigint') {
      words.push(7);
      text(v.toString(16));
    } else if (v instanceof Uint8Array) {
      tagAndLength(8, v.length);
      let i = 0;
      for (; i + 4 <= v.length; i += 4) words.push(v[i]! | (v[i + 1]! << 8) | (v[i + 2]! << 16) | (v[i + 3]! << 24));
      let tail = 0;
      for (let shift = 0; i < v.length; i++, shift += 8) tail |= v[i]! << shift;
      words.push(tail);
    } else if (Array.isArray(v)) {
      tagAndLength(9, v.length);
      for (const item of v) value(item);
    } else object(v as Record<string, unknown>);
  };
  const object = (o: Record<string, unknown>): void => {
    words.push(10);
    const names: string[] = [];
    for (const key in o) {
      if (o[key] === undefined) continue;
      names.push(key);
      value(o[key]);
    }
    words.push(...fingerprintLeaves.objectEndWords(names));
  };
  for (const e of entries) {
    num(e.t);
    name(e.host);
    name(e.kind);
    if (e.details === undefined) words.push(11);
    else object(e.details as Record<string, unknown>);
  }
  return fingerprintLeaves.digestOfWords(words, entries.length);
}

/** A real run's events as the fingerprint took them: plain entries, and deferred details unrendered. */
interface Captured {
  readonly t: number;
  readonly host: string;
  readonly kind: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly deferred?: DeferredDetails;
  /** The names a deferred event came with (the run's fingerprint keeps its words on them). */
  readonly names?: { readonly host: TraceName; readonly kind: TraceName };
}

function capture(spec: ScenarioSpec, options: { seed: string; policy: 'haproxy' | 'aggregate' | 'max'; haproxy?: '2.6' | '3.0' | '3.2' }): { events: Captured[]; fingerprint: string } {
  const events: Captured[] = [];
  const run = startScenario(spec, {
    ...options,
    tee: {
      record: (entry) => void events.push(entry),
      recordDeferred: (t, host, kind, deferred) => void events.push({ t, host: host.text, kind: kind.text, deferred, names: { host, kind } }),
    },
  });
  run.runUntil(spec.durationMs);
  return { events, fingerprint: run.finish().result.fingerprint };
}

/** The fingerprint of captured events, each folded the way the run folded it. */
function refold(events: readonly Captured[]): string {
  const f = new Fingerprint();
  for (const e of events) {
    if (e.deferred !== undefined) f.recordDeferred(e.t, e.names?.host ?? new TraceName(e.host), e.names?.kind ?? new TraceName(e.kind), e.deferred);
    else f.record(e);
  }
  return f.digest();
}

/** A copy of deferred details (same class, same facts), for a mutation that leaves the run's own untouched. */
function copyDetails<T extends object>(details: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(details) as object) as T, details);
}

/**
 * Deferred details of every producer with facts of every kind (names that repeat, numbers in and
 * out of the one-word range, floats, bigints, strings, missing values, arrays, byte strings up to
 * `bytesMax` long) and any of the receiver's tags.
 */
function deferredDetails(options: { bytesMax: number; byteMax: number }): fc.Arbitrary<DeferredDetails> {
  const element = fc.oneof(fc.constantFrom(0, 1, 2 ** 24, 2 ** 31, 2 ** 32 - 1, -1, 1.5), fc.constantFrom(0n, 2n ** 64n - 1n), fc.record({ ageMs: fc.constantFrom(0, 5, 2 ** 30), curr: fc.constantFrom(0, 1), prev: fc.constantFrom(0, 1) }));
  const wire: fc.Arbitrary<WireValue> = fc.oneof(element, fc.array(element, { maxLength: 2 }), fc.constantFrom('srv1', ''), fc.constant(undefined));
  // Names may repeat (the plain object then keeps one key for both).
  const fields = fc.array(fc.tuple(fc.constantFrom('gpc0', 'http_req_rate', 'server_key'), wire), { maxLength: 3 });
  const tags = fc.record({ section: fc.option(fc.constantFrom('mypeers', 'p2'), { nil: undefined }), local: fc.option(fc.constantFrom('hap1', 'hap2'), { nil: undefined }), pid: fc.option(fc.constantFrom(0, 1000, 2 ** 30), { nil: undefined }) });
  const update = fc.record({ keyType: fc.constantFrom('ip' as const, 'integer' as const, 'string' as const), peer: fc.constantFrom('hap2', 'hap3'), session: fc.option(fc.constantFrom(0, 1, 2 ** 25), { nil: null }), table: fc.constantFrom('st', 'st2'), key: fc.constantFrom(0, 1, 10, 0x0a000001, 2 ** 32 - 1), updateId: fc.constantFrom(0, 1, 2 ** 32 - 1), timed: fc.boolean(), withId: fc.boolean(), expireMs: fc.option(fc.constantFrom(0, 1, 2 ** 31), { nil: null }), fields });
  // Lengths drawn uniformly (fast-check keeps arrays short by default): long ones cross reservations.
  const bytes = fc.nat({ max: options.bytesMax }).chain((length) => fc.uint8Array({ minLength: length, maxLength: length, max: options.byteMax }));
  const details = fc.oneof(
    update.map((u): DeferredDetails => {
      const names = u.fields.map(([n]) => n);
      const key = u.keyType === 'string' ? String(u.key) : u.key;
      const facts = { ...u, peer: new TraceName(u.peer), table: new TraceName(u.table), key, values: u.fields.map(([, v]) => v), layout: new LayoutNames(names) };
      return u.expireMs === null || u.withId ? new UpdateSentDetails(facts) : new UpdateReceivedDetails({ ...facts, expireMs: u.expireMs });
    }),
    fc.tuple(fc.constantFrom('hap2', 'hap3'), fc.constantFrom('st', 'st2'), fc.constantFrom(0, 1, 2 ** 32 - 1)).map(([peer, table, id]): DeferredDetails => new AckSentDetails(new TraceName(peer), new TraceName(table), id)),
    fc.tuple(fc.constantFrom('hap2', 'hap3'), fc.constantFrom(0, 1, 70, 2 ** 24), fc.constantFrom(0, 1, 2 ** 32 - 1), fc.boolean()).map(([peer, tableId, id, known]): DeferredDetails => new AckReceivedDetails(new TraceName(peer), tableId, id, known)),
    fc.tuple(fc.constantFrom(0, 1, 2 ** 20, 2 ** 24 + 1), fc.constantFrom('up' as const, 'down' as const), bytes).map(([conn, dir, bytes]): DeferredDetails => new DeliverDetails(conn, dir, bytes)),
  );
  return fc.tuple(details, tags).map(([d, tag]) => Object.assign(d, { section: tag.section === undefined ? undefined : new TraceName(tag.section), local: tag.local === undefined ? undefined : new TraceName(tag.local), pid: tag.pid }));
}

/**
 * The fold of each producer written plainly with the DetailFold methods (what the producers'
 * fast path through engine/trace-words.ts must write, word for word): layout, flags, facts, tags.
 */
function referenceFold(fold: Fingerprint, d: DeferredDetails): void {
  const tagFlags = (d.section === undefined ? 0 : 1) | (d.local === undefined ? 0 : 2) | (d.pid === undefined ? 0 : 4);
  const tags = (): void => {
    if (d.section !== undefined) fold.name(d.section.text);
    if (d.local !== undefined) fold.name(d.local.text);
    if (d.pid !== undefined) fold.number(d.pid);
  };
  const element = (value: unknown): void => {
    if (typeof value === 'number') fold.number(value);
    else if (typeof value === 'bigint') fold.plain(value);
    else {
      const f = value as { ageMs: number; curr: number; prev: number };
      fold.arrayStart(3);
      fold.number(f.ageMs);
      fold.number(f.curr);
      fold.number(f.prev);
    }
  };
  if (d instanceof UpdateSentDetails || d instanceof UpdateReceivedDetails) {
    const sent = d instanceof UpdateSentDetails;
    const expireMs = d.expireMs;
    const own = sent ? (d.withId ? 64 : 0) | (d.expireMs === null ? 0 : 16) : 16;
    const ip = d.keyType === 'ip';
    fold.layout(sent ? 1 : 2);
    fold.int(own | tagFlags | (d.session === null ? 0 : 8) | (d.timed ? 32 : 0) | (ip ? 256 : 0));
    fold.name(d.peer);
    if (d.session !== null) fold.number(d.session);
    fold.name(d.table);
    if (ip) fold.int(d.key as number);
    else fold.text(d.keyText());
    fold.int(d.updateId);
    fold.names(d.layout.names);
    d.layout.names.forEach((_, i) => {
      const value = d.values[i];
      if (value === undefined) fold.nil();
      else if (typeof value === 'string') fold.text(value);
      else if (Array.isArray(value)) {
        fold.arrayStart(value.length);
        for (const item of value) element(item);
      } else element(value);
    });
    tags();
    if (expireMs !== null) fold.number(expireMs);
  } else if (d instanceof AckSentDetails) {
    fold.layout(3);
    fold.int(tagFlags);
    fold.name(d.peer);
    fold.name(d.table);
    fold.int(d.updateId);
    tags();
  } else if (d instanceof AckReceivedDetails) {
    fold.layout(4);
    fold.int(tagFlags | (d.known ? 128 : 0));
    fold.name(d.peer);
    fold.number(d.tableId);
    fold.int(d.updateId);
    tags();
  } else if (d instanceof DeliverDetails) {
    fold.layout(16);
    fold.int(tagFlags | (d.dir === 'up' ? 0 : 8));
    fold.number(d.conn);
    fold.bytes(d.bytes);
    tags();
  } else throw new Error('a producer the reference knows');
}

const CAPTURED = capture(splitBrain, { seed: '1', policy: 'haproxy' });
const RUN_FINGERPRINT = CAPTURED.fingerprint;
/** The same run's events all as plain objects (the generic encoding's test input). */
const RUN: TraceEntry[] = CAPTURED.events.map((e) => (e.deferred === undefined ? e : { t: e.t, host: e.host, kind: e.kind, details: e.deferred.render() }));
const BASE = fingerprintOf(RUN);

/** Deferred details as the JSONL trace writes them (bytes as hex, bigints as text). */
function plainOf(details: DeferredDetails): unknown {
  return JSON.parse(JSON.stringify(details.render(), (_key, value: unknown) => (value instanceof Uint8Array ? `bytes:${Buffer.from(value).toString('hex')}` : typeof value === 'bigint' ? `bigint:${value}` : value)));
}

/**
 * Changes one fact of `details` in place (the `pick`-th of its fields that a trace shows): a
 * number by one, a string by a letter, a boolean flipped, one value or byte of a list. Returns the
 * field's name, or undefined when the pick found nothing to change.
 */
function mutateFact(details: Record<string, unknown>, pick: number): string | undefined {
  const fields = Object.keys(details).filter((k) => k !== 'layout' && k !== 'keyType' && details[k] !== undefined);
  const field = fields[pick % Math.max(1, fields.length)];
  if (field === undefined) return undefined;
  const value = details[field];
  if (typeof value === 'number') details[field] = field === 'key' || field === 'updateId' ? (value + 1) >>> 0 : value + 1;
  else if (typeof value === 'string') details[field] = `${value}x`;
  else if (typeof value === 'boolean') details[field] = !value;
  else if (value === null) details[field] = 0;
  else if (value instanceof TraceName) details[field] = new TraceName(`${value.text}x`);
  else if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    const bytes = Uint8Array.from(value);
    const at = pick % bytes.length;
    bytes[at] = bytes[at]! ^ 1;
    details[field] = bytes;
  } else if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const values = [...(value as unknown[])];
    const at = pick % values.length;
    const item = values[at];
    values[at] = typeof item === 'number' ? item + 1 : item === undefined ? 0 : typeof item === 'object' && item !== null && 'curr' in item ? { ...item, curr: (item as { curr: number }).curr + 1 } : undefined;
    details[field] = values;
  } else return undefined;
  return field;
}

type Mutation = 'time' | 'host' | 'kind' | 'drop' | 'duplicate' | 'swap' | 'detail-value' | 'detail-name' | 'detail-added';

/** The run with event `index` changed by `how` (undefined when `how` cannot apply there). */
function mutate(entries: readonly TraceEntry[], index: number, how: Mutation): TraceEntry[] | undefined {
  const out = [...entries];
  const e = out[index]!;
  const details = e.details ?? {};
  const keys = Object.keys(details).filter((k) => details[k] !== undefined);
  switch (how) {
    case 'time':
      out[index] = { ...e, t: e.t + 1 };
      return out;
    case 'host':
      out[index] = { ...e, host: `${e.host}x` };
      return out;
    case 'kind':
      out[index] = { ...e, kind: `${e.kind}.x` };
      return out;
    case 'drop':
      out.splice(index, 1);
      return out;
    case 'duplicate':
      out.splice(index, 0, e);
      return out;
    case 'swap': {
      const next = out[index + 1];
      if (next === undefined || JSON.stringify(next) === JSON.stringify(e)) return undefined;
      out[index] = next;
      out[index + 1] = e;
      return out;
    }
    case 'detail-value': {
      const key = keys[0];
      if (key === undefined) return undefined;
      const v = details[key];
      const changed = typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}x` : typeof v === 'boolean' ? !v : 'other';
      out[index] = { ...e, details: { ...details, [key]: changed } };
      return out;
    }
    case 'detail-name': {
      const key = keys[0];
      if (key === undefined) return undefined;
      const { [key]: v, ...rest } = details;
      out[index] = { ...e, details: { ...rest, [`${key}x`]: v } };
      return out;
    }
    case 'detail-added':
      out[index] = { ...e, details: { ...details, zz: 0 } };
      return out;
  }
}

describe('the cheap fingerprint', () => {
  it('is the same for the same events, and for a second run of the same seed', () => {
    expect(refold(CAPTURED.events)).toBe(RUN_FINGERPRINT);
    expect(fingerprintOf(RUN)).toBe(BASE);
    const again = runScenario(splitBrain, { seed: '1', policy: 'haproxy' });
    expect(again.result.fingerprint).toBe(RUN_FINGERPRINT);
    expect(RUN_FINGERPRINT).toMatch(/^fp3:[0-9a-f]{16}$/);
    // The run folded its hottest kinds from their facts.
    expect(new Set(CAPTURED.events.filter((e) => e.deferred !== undefined).map((e) => e.kind))).toEqual(new Set(['update.tx', 'update.rx', 'ack.tx', 'ack.rx', 'net.deliver']));
  });

  it('is the plainly written encoding: the memos and the word buffer change only the speed', () => {
    expect(BASE).toBe(referenceFingerprint(RUN));
    // A kind whose names, values and nesting change from event to event (every memo replaced).
    const name = fc.constantFrom('a', 'b', 'c', 'section');
    const leaf = fc.oneof(fc.integer({ min: -5, max: 2 ** 25 }), fc.constantFrom('x', 'y', 'hap1', ''), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: -10n, max: 2n ** 70n }), fc.uint8Array({ maxLength: 9 }));
    const details = fc.dictionary(name, fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(name, leaf, { maxKeys: 3 }), fc.array(fc.dictionary(name, leaf, { maxKeys: 2 }), { maxLength: 2 })), { maxKeys: 4 });
    const entry = fc.record({ t: fc.nat({ max: 2 ** 30 }), host: fc.constantFrom('h1', 'h2', '*'), kind: fc.constantFrom('k', 'k2'), details: fc.option(details, { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const events = entries.map(({ details: d, ...rest }) => (d === undefined ? rest : { ...rest, details: d }));
        expect(fingerprintOf(events)).toBe(referenceFingerprint(events));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('folds a TraceName (TraceNames) word for word as its text (list), whichever fingerprint folded it before', () => {
    // Fingerprints taking turns on the same name objects (a run's and a refold's do) each keep their own words.
    const texts = ['hap1', 'hap2', 'update.tx', 'st'];
    const lists = [['gpc0', 'http_req_rate'], ['conn_cnt'], ['gpc0', 'http_req_rate']];
    const step = fc.record({ fp: fc.constantFrom(0, 1, 2), name: fc.nat({ max: texts.length - 1 }), list: fc.nat({ max: lists.length - 1 }), byObject: fc.boolean(), word: fc.nat() });
    let crossed = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const names = texts.map((text) => new TraceName(text));
        // Two of the lists have the same texts in other arrays: the dictionary codes them by content.
        const listNames = lists.map((texts) => new TraceNames(texts));
        const tested = [new Fingerprint(), new Fingerprint(), new Fingerprint()];
        const reference = [new Fingerprint(), new Fingerprint(), new Fingerprint()];
        for (const s of steps) {
          const name = names[s.name]!;
          if (name.foldOwner !== undefined && name.foldOwner !== tested[s.fp]) crossed++;
          if (s.byObject) tested[s.fp]!.traceName(name);
          else tested[s.fp]!.name(name.text);
          reference[s.fp]!.name(name.text);
          const list = listNames[s.list]!;
          if (s.byObject) tested[s.fp]!.traceNames(list);
          else tested[s.fp]!.names(list.texts);
          reference[s.fp]!.names(list.texts);
          // Other words between names: the dictionary's words do not depend on them.
          tested[s.fp]!.int(s.word);
          reference[s.fp]!.int(s.word);
        }
        expect(tested.map((f) => f.digest())).toEqual(reference.map((f) => f.digest()));
      }),
      { numRuns: 300, seed: 31 },
    );
    // Control: names did pass from one fingerprint to another.
    expect(crossed).toBeGreaterThan(100);
    // And a name object does not stand for another text: two names fold differently.
    const one = new Fingerprint();
    one.traceName(new TraceName('hap1'));
    const other = new Fingerprint();
    other.traceName(new TraceName('hap2'));
    expect(one.digest()).not.toBe(other.digest());
  });

  it('changes when any single event of a real run changes', () => {
    const mutations: Mutation[] = ['time', 'host', 'kind', 'drop', 'duplicate', 'swap', 'detail-value', 'detail-name', 'detail-added'];
    fc.assert(
      fc.property(fc.nat({ max: RUN.length - 2 }), fc.constantFrom(...mutations), (index, how) => {
        const changed = mutate(RUN, index, how);
        fc.pre(changed !== undefined);
        expect(fingerprintOf(changed!)).not.toBe(BASE);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('tells values of different types apart, and takes an undefined detail as absent (as the JSONL trace does)', () => {
    const one = (details: Record<string, unknown>): string => fingerprintOf([{ t: 1, host: 'h', kind: 'k', details }]);
    const variants = [one({ a: 1 }), one({ a: '1' }), one({ a: [1] }), one({ a: 1n }), one({ a: new Uint8Array([1]) }), one({ a: true }), one({ a: null }), one({ a: 1.5 }), one({})];
    expect(new Set(variants).size).toBe(variants.length);
    expect(one({ a: 1, b: undefined })).toBe(one({ a: 1 }));
    expect(one({ a: new Uint8Array([1, 2, 3, 4, 5]) })).not.toBe(one({ a: new Uint8Array([1, 2, 3, 4, 6]) }));
  });

  it('does not depend on whether the JSONL trace is also written', () => {
    const full = runScenario(splitBrain, { seed: '3', policy: 'haproxy', traceLevel: 'full' });
    const cheap = runScenario(splitBrain, { seed: '3', policy: 'haproxy' });
    expect(cheap.result.fingerprint).toBe(full.result.fingerprint);
    expect(full.result.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(cheap.result.traceHash).toBe('');
  });

  it('a scenario with one more event in its run has another fingerprint', () => {
    const extra = { ...splitBrain, script: (s: Parameters<typeof splitBrain.script>[0]) => { splitBrain.script(s); s.at(30_000, () => s.world.record('test.extra', {})); } };
    expect(runScenario(extra, { seed: '1', policy: 'haproxy' }).result.fingerprint).not.toBe(BASE);
  });

  it('changes when one fact of one deferred event of a real run changes', () => {
    const deferredAt = CAPTURED.events.flatMap((e, i) => (e.deferred === undefined ? [] : [i]));
    let renderedChanges = 0;
    fc.assert(
      fc.property(fc.constantFrom(...deferredAt), fc.nat(), (index, pick) => {
        const event = CAPTURED.events[index]!;
        const changed = copyDetails(event.deferred!);
        const field = mutateFact(changed as unknown as Record<string, unknown>, pick);
        fc.pre(field !== undefined);
        if (JSON.stringify(plainOf(changed)) === JSON.stringify(plainOf(event.deferred!))) return;
        renderedChanges++;
        const events = [...CAPTURED.events];
        events[index] = { ...event, deferred: changed };
        expect(refold(events), `${event.kind} ${field}`).not.toBe(RUN_FINGERPRINT);
      }),
      { numRuns: 400, seed: 21 },
    );
    // Control: the mutations did change what the trace would show.
    expect(renderedChanges).toBeGreaterThan(300);
  });

  it('folds two deferred details of any producer differently when their plain objects differ', () => {
    const tagged = deferredDetails({ bytesMax: 6, byteMax: 1 });
    let differing = 0;
    fc.assert(
      fc.property(fc.array(tagged, { minLength: 2, maxLength: 8 }), (list) => {
        const folds = list.map((d) => {
          const f = new Fingerprint();
          f.recordDeferred(1, new TraceName('hap1'), new TraceName('k'), d);
          return f.digest();
        });
        const plains = list.map((d) => JSON.stringify(plainOf(d)));
        for (let i = 0; i < list.length; i++) {
          for (let j = i + 1; j < list.length; j++) {
            if (plains[i] === plains[j]) continue;
            differing++;
            expect(folds[i], `${plains[i]} / ${plains[j]}`).not.toBe(folds[j]);
          }
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
    expect(differing).toBeGreaterThan(1000);
  });

  it('writes, on the fast path of every producer, the words of the DetailFold methods', () => {
    // Long byte strings cross the producers' reservations and the fold buffer's capacity.
    const list = fc.array(deferredDetails({ bytesMax: 5_000, byteMax: 255 }), { minLength: 1, maxLength: 60 });
    let fallbacks = 0;
    fc.assert(
      fc.property(list, fc.nat({ max: 2 ** 26 }), (events, t0) => {
        const fast = new Fingerprint();
        const reference = new Fingerprint();
        const host = new TraceName('hap1');
        const kind = new TraceName('k');
        events.forEach((d, i) => {
          fast.recordDeferred(t0 + i, host, kind, d);
          // The same event, its details folded by the reference (the head by the same code).
          reference.recordDeferred(t0 + i, host, kind, { section: undefined, local: undefined, pid: undefined, render: () => ({}), foldInto: (f) => referenceFold(f as Fingerprint, d) });
          if (t0 + i >= 2 ** 24) fallbacks++;
        });
        expect(fast.digest()).toBe(reference.digest());
        // The head against the methods: an event of no details through each door.
        const headFast = new Fingerprint();
        const headMethods = new Fingerprint();
        headFast.recordDeferred(t0, host, kind, { section: undefined, local: undefined, pid: undefined, render: () => ({}), foldInto: (f) => f.plain(undefined) });
        headMethods.record({ t: t0, host: host.text, kind: kind.text });
        expect(headFast.digest()).toBe(headMethods.digest());
      }),
      { numRuns: 400, seed: 41 },
    );
    // Control: times past the one-word range took the fallback through `number`.
    expect(fallbacks).toBeGreaterThan(100);
  });

  it('a run folds its events the same under every policy and version, and again from what it captured', () => {
    for (const options of [{ policy: 'aggregate' as const }, { policy: 'max' as const }, { policy: 'haproxy' as const, haproxy: '3.2' as const }]) {
      const captured = capture(splitBrain, { seed: '2', ...options });
      expect(captured.events.some((e) => e.kind === 'update.rx' && e.deferred !== undefined)).toBe(true);
      expect(refold(captured.events)).toBe(captured.fingerprint);
      expect(runScenario(splitBrain, { seed: '2', ...options }).result.fingerprint).toBe(captured.fingerprint);
    }
  });
});
