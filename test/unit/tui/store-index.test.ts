import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrace, formatHeaderLine, formatEventLine } from '../../../sim/trace.ts';
import { TraceIndex } from '../../../tui/trace-index.ts';
import { TraceOpenError, TraceStore } from '../../../tui/trace-store.ts';
import { splitBrainTrace } from './fixtures.ts';

let path = '';
beforeAll(async () => {
  path = (await splitBrainTrace()).path;
});

const header = { sticksimVersion: 't', scenario: 'none', seed: 's', streams: [], mergePolicy: 'haproxy', configText: '' };

describe('TraceStore', () => {
  it('reads every event as parseTrace does (time, host, kind, details)', () => {
    const text = readFileSync(path, 'utf8');
    const parsed = parseTrace(text);
    const store = TraceStore.fromText(text);
    expect(store.count).toBe(parsed.events.length);
    for (let i = 0; i < store.count; i++) {
      const e = parsed.events[i]!;
      expect([store.time(i), store.host(i), store.kind(i)]).toEqual([e.t, e.host, e.kind]);
    }
    const { t: _t, host: _h, kind: _k, ...details } = parsed.events[100]!.fields;
    expect(store.details(100)).toEqual(details);
  });

  it('agrees with JSON.parse on arbitrary lines, escapes included (fast path or slow path)', () => {
    const event = fc.record({
      t: fc.nat({ max: 1000 }),
      host: fc.string({ minLength: 0, maxLength: 6 }),
      kind: fc.string({ minLength: 1, maxLength: 8 }),
      x: fc.oneof(fc.integer(), fc.string()),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        const sorted = [...events].sort((a, b) => a.t - b.t);
        const lines = [formatHeaderLine(header), ...sorted.map((e) => formatEventLine({ t: e.t, host: e.host, kind: e.kind, details: { x: e.x } }))];
        const store = TraceStore.fromText(`${lines.join('\n')}\n`);
        expect(store.count).toBe(sorted.length);
        sorted.forEach((e, i) => {
          expect([store.time(i), store.host(i), store.kind(i), store.details(i)['x']]).toEqual([e.t, e.host, e.kind, e.x]);
        });
      }),
      { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) },
    );
  });

  it('keeps bad lines as problems with their line numbers and goes on', () => {
    const lines = [formatHeaderLine(header), '{"t":5,"host":"a","kind":"x"}', 'not json', '{"t":1,"host":"a","kind":"y"}', '{"t":7,"host":"b","kind":"z"}'];
    const store = TraceStore.fromText(lines.join('\n'));
    expect(store.count).toBe(2);
    expect(store.problems.map((p) => p.line)).toEqual([3, 4]);
    expect(store.problems[1]!.message).toContain('backwards');
  });

  it('rejects a file without a header, naming line 1', () => {
    expect(() => TraceStore.fromText('{"t":0,"host":"a","kind":"x"}\n', 'f.jsonl')).toThrow(TraceOpenError);
    expect(() => TraceStore.fromText('{"t":0,"host":"a","kind":"x"}\n', 'f.jsonl')).toThrow(/f\.jsonl:1:/);
  });

  it('finds the last event at or before a time, and text forward and backward', () => {
    const store = TraceStore.openFile(path);
    const i = store.lastAtOrBefore(10_000);
    expect(store.time(i)).toBeLessThanOrEqual(10_000);
    expect(i + 1 >= store.count || store.time(i + 1) > 10_000).toBe(true);
    expect(store.lastAtOrBefore(-1)).toBe(-1);
    const first = store.findText('"kind":"fault.partition"', { from: -1, direction: 1 });
    expect(store.kind(first)).toBe('fault.partition');
    const back = store.findText('"kind":"fault.partition"', { from: store.count, direction: -1 });
    expect(back).toBe(first);
    expect(store.findText('"kind":"fault.partition"', { from: first, direction: 1 })).toBe(-1);
  });

  it('appends live events after the file ones and searches them too', () => {
    const store = TraceStore.live(header);
    store.append({ t: 0, host: 'a', kind: 'x', details: { key: 'k1' } });
    store.append({ t: 3, host: 'b', kind: 'y', details: { key: 'k2' } });
    expect(store.count).toBe(2);
    expect(store.details(1)).toEqual({ key: 'k2' });
    expect(store.findText('"key":"k2"', { from: -1, direction: 1 })).toBe(1);
    expect(() => store.append({ t: 1, host: 'a', kind: 'x' })).toThrow(/forward/);
  });
});

describe('TraceIndex', () => {
  it('finds the partition band, the resync windows and the divergences of the split brain', () => {
    const store = TraceStore.openFile(path);
    const index = new TraceIndex(store);
    const partition = index.bands.find((b) => b.kind === 'partition')!;
    expect([partition.startMs, partition.endMs]).toEqual([10_000, 20_000]);
    expect(index.bands.filter((b) => b.kind === 'resync').map((b) => b.host).sort()).toEqual(['hap1', 'hap2']);
    const divergence = index.marks.find((m) => m.kind === 'divergence' && store.time(m.index) >= 10_000)!;
    expect(store.time(divergence.index)).toBe(11_000);
    const converged = index.marks.find((m) => m.kind === 'converged' && store.time(m.index) > 20_000)!;
    expect(store.time(converged.index)).toBeGreaterThan(20_000);
    expect(index.hosts()).toEqual(['hap1', 'hap2']);
  });

  it('says ESTA before the cut, partitioned during it, ESTA again after the heal', () => {
    const store = TraceStore.openFile(path);
    const index = new TraceIndex(store);
    const before = store.lastAtOrBefore(9_000);
    const during = store.lastAtOrBefore(15_000);
    const after = store.count - 1;
    expect(index.linkLabelAt('hap1', 'hap2', before)).toBe('ESTA');
    expect(index.linkFaultAt('hap1', 'hap2', before)).toBeUndefined();
    expect(index.linkFaultAt('hap1', 'hap2', during)).toBe('partitioned');
    expect(index.linkFaultAt('hap2', 'hap1', during)).toBe('partitioned');
    expect(index.linkLabelAt('hap1', 'hap2', during)).not.toBe('ESTA');
    expect(index.linkLabelAt('hap1', 'hap2', after)).toBe('ESTA');
    expect(index.linkLabelAt('hap2', 'hap1', after)).toBe('ESTA');
  });
});
