/**
 * The cheap fingerprint (sim/fingerprint.ts) detects a single changed event: one more or one
 * less, another time, host, kind, detail name or detail value anywhere in a real run's events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import splitBrain from '../../../scenarios/builtin/split-brain-acceptor-wins.ts';
import { runScenario } from '../../../scenarios/runner.ts';
import { Fingerprint, fingerprintLeaves } from '../../../sim/fingerprint.ts';
import type { DeferredDetails } from '../../../engine/env.ts';
import { AckReceivedDetails, AckSentDetails, UpdateReceivedDetails, UpdateSentDetails } from '../../../engine/peers/update-events.ts';
import type { WireValue } from '../../../engine/peers/update-body.ts';
import { ipv4ToText } from '../../../engine/table/keys.ts';
import type { TraceEntry } from '../../../sim/trace.ts';

function fingerprintOf(entries: readonly TraceEntry[]): string {
  const f = new Fingerprint();
  for (const e of entries) f.record(e);
  return f.digest();
}

/**
 * The encoding written out plainly (sim/fingerprint.ts's header), without memos or buffering:
 * the fingerprint of `entries` as the version-2 encoding defines it.
 */
function referenceFingerprint(entries: readonly TraceEntry[]): string {
  const words: number[] = [];
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
    words.push(0x45564e54);
    num(e.t);
    text(e.host);
    text(e.kind);
    if (e.details === undefined) words.push(11);
    else object(e.details as Record<string, unknown>);
  }
  return fingerprintLeaves.digestOfWords(words, entries.length);
}

const { entries: RUN } = runScenario(splitBrain, { seed: '1', policy: 'haproxy', keepEntries: true });
const BASE = fingerprintOf(RUN);

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
    expect(fingerprintOf(RUN)).toBe(BASE);
    const again = runScenario(splitBrain, { seed: '1', policy: 'haproxy' });
    expect(again.result.fingerprint).toBe(BASE);
    expect(BASE).toMatch(/^fp2:[0-9a-f]{16}$/);
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

  it('folds deferred details (updates, acks) into the words it takes from their rendered object', () => {
    const element = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat({ max: 2 ** 32 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.record({ ageMs: fc.nat(), curr: fc.nat(), prev: fc.nat() }));
    const wire: fc.Arbitrary<WireValue> = fc.oneof(element, fc.array(element, { maxLength: 3 }), fc.constantFrom('srv1', ''), fc.constant(undefined));
    // Names may repeat (the plain object then keeps one key for both: the fold renders instead).
    const fields = fc.array(fc.tuple(fc.constantFrom('gpc0', 'conn_cnt', 'http_req_rate', 'server_key', 'bytes_in_cnt', 'gpc'), wire), { maxLength: 5 });
    const tags = fc.record({ section: fc.option(fc.constantFrom('mypeers', 'p2'), { nil: undefined }), local: fc.option(fc.constantFrom('hap1', 'hap2'), { nil: undefined }), pid: fc.option(fc.nat({ max: 2000 }), { nil: undefined }) });
    const update = fc.record({ keyType: fc.constantFrom('ip' as const, 'integer' as const), peer: fc.constantFrom('hap2', 'hap3'), session: fc.option(fc.nat({ max: 50 }), { nil: null }), table: fc.constantFrom('st', 'st2'), key: fc.nat({ max: 2 ** 32 - 1 }), updateId: fc.nat({ max: 2 ** 32 - 1 }), timed: fc.boolean(), withId: fc.boolean(), expireMs: fc.option(fc.nat({ max: 2 ** 31 }), { nil: null }), fields });
    const details = fc.oneof(
      update.map((u): DeferredDetails => {
        const names = u.fields.map(([n]) => n);
        const facts = { ...u, values: u.fields.map(([, v]) => v), layout: { names, unique: new Set(names).size === names.length } };
        return u.expireMs === null || u.withId ? new UpdateSentDetails(facts) : new UpdateReceivedDetails({ ...facts, expireMs: u.expireMs });
      }),
      fc.tuple(fc.constantFrom('hap2', 'hap3'), fc.constantFrom('st', 'st2'), fc.nat({ max: 2 ** 32 - 1 })).map(([peer, table, id]): DeferredDetails => new AckSentDetails(peer, table, id)),
      fc.tuple(fc.constantFrom('hap2', 'hap3'), fc.nat({ max: 70 }), fc.nat({ max: 2 ** 32 - 1 }), fc.boolean()).map(([peer, tableId, id, known]): DeferredDetails => new AckReceivedDetails(peer, tableId, id, known)),
    );
    const event = fc.record({ t: fc.nat({ max: 2 ** 30 }), host: fc.constantFrom('hap1', 'hap2'), kind: fc.constantFrom('update.tx', 'update.rx', 'ack.tx'), details, tags });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), (events) => {
        const folded = new Fingerprint();
        const rendered = new Fingerprint();
        for (const { t, host, kind, details: d, tags: tag } of events) {
          Object.assign(d, tag);
          folded.recordDeferred(t, host, kind, d);
          rendered.record({ t, host, kind, details: d.render() });
        }
        expect(folded.digest()).toBe(rendered.digest());
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('folds an ip key from its number as the words of its dotted-quad text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1, 0x0a000001, 0x64090a63, 0xc0a80001)), (value) => {
        expect(fingerprintLeaves.ipv4TextWords(value)).toEqual(fingerprintLeaves.stringWords(ipv4ToText(value)));
      }),
      { numRuns: 2000, seed: 11 },
    );
    // Control: one digit more or less is another string.
    expect(fingerprintLeaves.ipv4TextWords(0x0a000001)).not.toEqual(fingerprintLeaves.stringWords('10.0.0.10'));
  });

  it('a run folds its deferred events as the generic encoder takes them rendered, under every policy and version', () => {
    for (const options of [{ policy: 'aggregate' as const }, { policy: 'max' as const }, { policy: 'haproxy' as const, haproxy: '3.2' as const }]) {
      const kept = runScenario(splitBrain, { seed: '2', keepEntries: true, ...options });
      expect(kept.entries.some((e) => e.kind === 'update.rx') && kept.entries.some((e) => e.kind === 'ack.tx')).toBe(true);
      expect(runScenario(splitBrain, { seed: '2', ...options }).result.fingerprint).toBe(fingerprintOf(kept.entries));
    }
  });
});
