/**
 * The cheap fingerprint (sim/fingerprint.ts) detects a single changed event: one more or one
 * less, another time, host, kind, detail name or detail value anywhere in a real run's events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import splitBrain from '../../../scenarios/builtin/split-brain-acceptor-wins.ts';
import { runScenario } from '../../../scenarios/runner.ts';
import { Fingerprint } from '../../../sim/fingerprint.ts';
import type { TraceEntry } from '../../../sim/trace.ts';

function fingerprintOf(entries: readonly TraceEntry[]): string {
  const f = new Fingerprint();
  for (const e of entries) f.record(e);
  return f.digest();
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
    expect(BASE).toMatch(/^fp1:[0-9a-f]{16}$/);
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
});
