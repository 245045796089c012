import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/kernel.ts';
import { Network } from '../../../sim/network.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { openTraceFile, readTraceFile, sticksimVersion } from '../../../sim/trace-file.ts';
import {
  TraceWriter,
  formatEventLine,
  hostEvents,
  parseTrace,
  traceTextHash,
  type TraceHeader,
} from '../../../sim/trace.ts';
import { bytes, record } from './world.ts';

function header(seeds: Seeds): TraceHeader {
  return {
    sticksimVersion: '0.0.0-test',
    scenario: 'trace-test',
    seed: seeds.root,
    streams: seeds.list(),
    mergePolicy: 'haproxy-2.6',
    configText: 'peers mypeers\n  peer hap1 10.0.0.1:10000\n',
  };
}

/** A small networked run written through a TraceWriter; `payload` changes one delivered byte. */
function tracedRun(options: { root: string; payload: string }): { lines: string[]; digest: string } {
  const seeds = new Seeds(options.root);
  const network = seeds.stream('network');
  const lines: string[] = [];
  const writer = new TraceWriter(header(seeds), (line) => lines.push(line));
  const kernel = new Kernel();
  const net = new Network({ kernel, random: network, sink: writer, link: { latencyMs: { kind: 'uniform', minMs: 1, maxMs: 30 } } });
  net.addHost({ name: 'hap1', addresses: ['10.0.0.1'] });
  net.addHost({ name: 'hap2', addresses: ['10.0.0.2'] });
  net.netFor('hap2').listen({ address: '10.0.0.2', port: 10000 }, (stream) => stream.onData((b) => stream.write(b)));
  const client = record(kernel, net.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
  for (let i = 0; i < 20; i += 1) {
    client.stream.write(bytes(i === 10 ? options.payload : `msg${i}`));
    kernel.runFor(5);
  }
  client.stream.close();
  kernel.run();
  hostEvents({ host: 'hap1', nowMs: () => kernel.nowMs(), sink: writer }).emit('table.purge', { entries: 3 });
  return { lines, digest: writer.digest() };
}

describe('trace lines', () => {
  it('writes t, host, kind first, then details sorted by name (nested too), bytes as hex', () => {
    const line = formatEventLine({
      t: 12,
      host: 'hap1',
      kind: 'peer.send',
      details: { zeta: 1, alpha: { b: 2, a: [1, { y: 1, x: 2 }] }, bytes: new Uint8Array([0, 1, 0xab]), skipped: undefined, big: 2n ** 64n },
    });
    expect(line).toBe(
      '{"t":12,"host":"hap1","kind":"peer.send","alpha":{"a":[1,{"x":2,"y":1}],"b":2},"big":"18446744073709551616","bytes":"0001ab","zeta":1}',
    );
  });

  it('refuses details that would make the line ambiguous or lossy', () => {
    expect(() => formatEventLine({ t: 1, host: 'h', kind: 'k', details: { t: 5 } })).toThrow(/may not be named 't'/);
    expect(() => formatEventLine({ t: 1, host: 'h', kind: 'k', details: { x: Number.NaN } })).toThrow(/finite/);
    expect(() => formatEventLine({ t: 1, host: 'h', kind: 'k', details: { m: new Map() } })).toThrow(/Map/);
    expect(() => formatEventLine({ t: 1.5, host: 'h', kind: 'k' })).toThrow(/integer/);
  });

  it('hostEvents stamps kernel time and host', () => {
    const lines: string[] = [];
    const writer = new TraceWriter(header(new Seeds(1)), (l) => lines.push(l));
    let now = 42;
    const events = hostEvents({ host: 'hap3', nowMs: () => now, sink: writer });
    events.emit('peer.connect', { peer: 'hap1' });
    now = 50;
    events.emit('peer.close', {});
    expect(lines.slice(1)).toEqual([
      '{"t":42,"host":"hap3","kind":"peer.connect","peer":"hap1"}\n',
      '{"t":50,"host":"hap3","kind":"peer.close"}\n',
    ]);
    expect(() => {
      now = 49;
      events.emit('late', {});
    }).toThrow(/goes forward/);
  });
});

describe('trace hash', () => {
  it('is identical across two identical runs and is the SHA-256 of the text', () => {
    const a = tracedRun({ root: 'r1', payload: 'same' });
    const b = tracedRun({ root: 'r1', payload: 'same' });
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.digest).toBe(b.digest);
    expect(a.lines).toEqual(b.lines);
    expect(traceTextHash(a.lines.join(''))).toBe(a.digest);
    expect(a.lines.length).toBeGreaterThan(50);
  });

  it('differs when one event differs (one byte, or another seed)', () => {
    const base = tracedRun({ root: 'r1', payload: 'same' });
    const oneByte = tracedRun({ root: 'r1', payload: 'samf' });
    const otherSeed = tracedRun({ root: 'r2', payload: 'same' });
    expect(oneByte.digest).not.toBe(base.digest);
    expect(otherSeed.digest).not.toBe(base.digest);
    const differing = base.lines.filter((line, i) => line !== oneByte.lines[i]);
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe('trace file and reader', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('appends each line at once (a crashed run leaves a readable trace) and reads back', () => {
    dir = mkdtempSync(join(tmpdir(), 'sticksim-trace-'));
    const path = join(dir, 'run.jsonl');
    const seeds = new Seeds('file');
    seeds.stream('network');
    const file = openTraceFile({ path, header: { ...header(seeds), sticksimVersion: sticksimVersion() } });
    file.writer.record({ t: 0, host: 'hap1', kind: 'host.start' });
    file.writer.record({ t: 5, host: 'hap2', kind: 'net.deliver', details: { bytes: new Uint8Array([1, 2]) } });
    const midRun = readTraceFile(path);
    expect(midRun.problems).toEqual([]);
    expect(midRun.events.map((e) => e.kind)).toEqual(['host.start', 'net.deliver']);
    const digest = file.close();
    expect(traceTextHash(readFileSync(path, 'utf8'))).toBe(digest);
    const parsed = readTraceFile(path);
    expect(parsed.header?.sticksimVersion).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(parsed.header?.streams).toEqual([{ name: 'network', seed: seeds.stream('network').seed }]);
    expect(parsed.header?.configText).toContain('peer hap1');
    expect(parsed.events[1]?.fields['bytes']).toBe('0102');
  });

  it('reports bad lines with their line number', () => {
    const good = tracedRun({ root: 'r1', payload: 'x' }).lines;
    const lines = [
      good[0]!,
      '{"t":5,"host":"a","kind":"k"}\n',
      '{"t":6,"host":"a","kind":"k"}\n',
      '{"t":7,"host":"a"\n',
      '{"t":9,"host":"a","kind":"k"}\n',
      '{"t":8,"host":"a","kind":"k"}\n',
      '[1,2]\n',
      '{"t":999999,"host":"a"}\n',
    ];
    const parsed = parseTrace(lines.join(''));
    expect(parsed.header?.scenario).toBe('trace-test');
    expect(parsed.problems.map((p) => p.line)).toEqual([4, 6, 7, 8]);
    expect(parsed.problems[0]?.message).toMatch(/not JSON/);
    expect(parsed.problems[1]?.message).toMatch(/backwards/);
    expect(parsed.problems[2]?.message).toMatch(/not a JSON object/);
    expect(parsed.problems[3]?.message).toMatch(/kind/);
    expect(parsed.events).toHaveLength(3);
    expect(parseTrace('{"hello":1}\n').problems).toEqual([{ line: 1, message: expect.stringMatching(/header/) }]);
  });
});
