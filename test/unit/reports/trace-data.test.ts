/** Reading the report data out of traces: bands, samples, expectations, and errors with file:line. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { ReportInputError } from '../../../reports/input-error.ts';
import { traceDataFrom } from '../../../reports/trace-data.ts';
import { parseTrace, traceTextHash } from '../../../sim/trace.ts';
import { SyntheticTrace, typicalRun } from '../../helpers/synthetic-trace.ts';

function dataOf(text: string, file = 'run.jsonl') {
  return traceDataFrom({ file, parsed: parseTrace(text), hash: traceTextHash(text) });
}

function errorOf(text: string, file = 'run.jsonl'): ReportInputError {
  return thrown(() => dataOf(text, file), ReportInputError);
}

describe('traceDataFrom', () => {
  it('turns fault and host events into bands with their start and end', () => {
    const { text } = typicalRun();
    const data = dataOf(text);
    const spans = data.bands.map((band) => [band.kind, band.startMs, band.endMs, band.host]);
    expect(spans).toEqual([
      ['partition', 5_000, 15_000, undefined],
      ['crash', 8_000, 10_000, 'hap2'],
      ['resync', 10_000, 11_500, 'hap2'],
      ['hold', 17_000, 18_500, 'hap1'],
      ['reload', 20_000, 20_000, 'hap1'],
    ]);
    expect(data.bands[0]!.label).toBe('partition hap1,hap2 | hap3');
    expect(data.hosts).toEqual(['hap1', 'hap2', 'hap3']);
    expect(data.endMs).toBe(30_000);
  });

  it('a fault never healed lasts until the end of the trace; a second crash while crashed is one band', () => {
    const trace = new SyntheticTrace({ scenario: 's', seed: '1', policy: 'max' });
    trace.partition({ atMs: 100, id: 'p', sides: [['a'], ['b']], oneWay: true }).host(200, 'a', 'crash').host(300, 'a', 'crash');
    trace.sample(900, 'st', 'k', { a: { gpc0: 1 }, b: { gpc0: 2 } });
    const data = dataOf(trace.build().text);
    expect(data.bands.map((band) => [band.kind, band.startMs, band.endMs])).toEqual([
      ['partition', 100, 900],
      ['crash', 200, 900],
    ]);
    expect(data.bands[0]!.label).toBe('partition a → b');
  });

  it('reads samples as host → field → value and expectations from expect.result', () => {
    const { text, result } = typicalRun({ failing: true });
    const data = dataOf(text);
    const first = data.samples[0]!;
    expect(first.table).toBe('st');
    expect([...first.values.keys()]).toEqual(['hap1', 'hap2', 'hap3']);
    expect(first.values.get('hap1')!.get('gpc0')).toBe(0);
    expect(data.expectations.map((e) => [e.name, e.kind, e.passed, e.message])).toEqual(
      result.expectations.map((e) => [e.name, e.kind, e.passed, e.message]),
    );
    expect(data.hash).toBe(traceTextHash(text));
  });

  it('a malformed known event names the file and its line', () => {
    const trace = new SyntheticTrace({ scenario: 's', seed: '1', policy: 'max' });
    trace.sample(0, 'st', 'k', { a: { gpc0: 1 } }).event(10, '*', 'table.sample', { table: 'st', key: 'k', values: { a: { gpc0: 'x' } } });
    const error = errorOf(trace.build().text, 'traces/bad.jsonl');
    expect(error.message).toMatch(/^traces\/bad\.jsonl:3: table\.sample: values\.a\.gpc0 is not a number$/);
  });

  it('a line that is not JSON, or time going backwards, is reported at its line', () => {
    const { text } = typicalRun();
    const lines = text.split('\n');
    lines[4] = '{"t": 1, oops';
    expect(errorOf(lines.join('\n')).message).toMatch(/^run\.jsonl:5: not JSON/);
    const lines2 = typicalRun().text.split('\n');
    lines2.splice(3, 0, '{"t":999999,"host":"*","kind":"x"}');
    expect(errorOf(lines2.join('\n')).message).toMatch(/^run\.jsonl:5: time goes backwards/);
    expect(errorOf('').message).toMatch(/^run\.jsonl:1: empty trace/);
    expect(errorOf('{"x":1}\n').message).toMatch(/^run\.jsonl:1: first line is not a sticksim trace header/);
  });

  it('unknown event kinds are skipped', () => {
    const trace = new SyntheticTrace({ scenario: 's', seed: '1', policy: 'haproxy' });
    trace.event(5, 'a', 'peers.session.open', { weird: [1, 2] }).sample(10, 'st', 'k', { a: { gpc0: 3 } });
    const data = dataOf(trace.build().text);
    expect(data.samples).toHaveLength(1);
    expect(data.bands).toEqual([]);
  });
});
