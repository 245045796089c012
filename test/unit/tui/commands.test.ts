import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExploreSession } from '../../../tui/explore-session.ts';
import { diffMain, parseMoment, showMain } from '../../../tui/main.tsx';
import { initialState, reduce, type Trace } from '../../../tui/state.ts';
import { TraceStore } from '../../../tui/trace-store.ts';
import type { ScenarioSpec } from '../../../scenarios/dsl.ts';
import { openSplitBrain } from './fixtures.ts';

let path = '';
let spec: ScenarioSpec;
let trace: Trace;
beforeAll(async () => {
  ({ path, spec, trace } = await openSplitBrain());
});

const root = join(import.meta.dirname, '..', '..', '..');

describe('state reducer (no Ink)', () => {
  it('steps stay within the trace; jumps move time by a second', () => {
    let s = initialState(trace);
    s = reduce(s, { type: 'step', by: -5 }, trace);
    expect(s.cursor).toBe(0);
    s = reduce(s, { type: 'step', by: 10 ** 9 }, trace);
    expect(s.cursor).toBe(trace.store.count - 1);
    s = reduce({ ...s, cursor: 0, timeMs: 0 }, { type: 'jumpMs', byMs: 1000 }, trace);
    expect(s.timeMs).toBe(1000);
    expect(trace.store.time(s.cursor)).toBeLessThanOrEqual(1000);
  });

  it('plays by simulated time per wall time at the chosen speed and stops at the end', () => {
    let s = reduce(initialState(trace), { type: 'togglePlay' }, trace);
    s = reduce(s, { type: 'tick', wallMs: 100 }, trace);
    expect(s.timeMs).toBe(100);
    s = reduce(s, { type: 'speed', by: 1 }, trace);
    s = reduce(s, { type: 'tick', wallMs: 100 }, trace);
    expect(s.timeMs).toBe(300);
    s = reduce(s, { type: 'tick', wallMs: 10 ** 6 }, trace);
    expect(s.playing).toBe(false);
    expect(s.cursor).toBe(trace.store.count - 1);
  });
});

describe('sticksim show', () => {
  it('answers show table from the run replayed to the moment, per node', async () => {
    expect(parseMoment('12.5s')).toBe(12_500);
    expect(parseMoment('700ms')).toBe(700);
    expect(() => parseMoment('soon')).toThrow(/--at soon/);
    const during = await showMain({ path, atMs: 15_000, node: 'hap2', command: 'show table st' });
    expect(during.text).toMatch(/key=10\.9\.9\.9 .*gpc0=1 .*http_req_cnt=9 /);
    const all = await showMain({ path, atMs: 15_000, command: 'show table st' });
    expect(all.text).toMatch(/# node hap1[\s\S]*gpc0=5 .*http_req_cnt=4 [\s\S]*# node hap2[\s\S]*gpc0=1 .*http_req_cnt=9 /);
    // the replayed value at the end equals the trace's own last sample
    const end = await showMain({ path, atMs: 40_000, node: 'hap1', command: 'show table st' });
    const lastSample = readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"kind":"table.sample"')).pop()!;
    const gpc0 = (JSON.parse(lastSample) as { values: { hap1: { gpc0: number } } }).values.hap1.gpc0;
    expect(end.text).toContain(`gpc0=${gpc0}`);
  });

  it('without the scenario answers show table from samples and refuses other commands', async () => {
    const text = readFileSync(path, 'utf8').replace('"scenario":"split-brain-acceptor-wins"', '"scenario":"gone-scenario"');
    const other = join(mkdtempSync(join(tmpdir(), 'sticksim-show-')), 'x.jsonl');
    writeFileSync(other, text);
    const table = await showMain({ path: other, atMs: 15_000, node: 'hap2', command: 'show table st' });
    expect(table.text).toContain('from table.sample');
    expect(table.text).toMatch(/key=10\.9\.9\.9 .*gpc0=1 .*http_req_cnt=9 /);
    const peers = await showMain({ path: other, atMs: 15_000, command: 'show peers' });
    expect(peers.code).toBe(2);
  });
});

describe('sticksim diff', () => {
  it('finds where a branch parts from its trace and how the tables differ after', async () => {
    const store = TraceStore.openFile(path);
    const cursor = store.lastAtOrBefore(12_000);
    const session = ExploreSession.fork(spec, { ...trace, cursor });
    session.perform({ verb: 'crash', host: 'hap2' });
    session.advanceTo(40_000);
    const branch = join(mkdtempSync(join(tmpdir(), 'sticksim-diff-')), 'b.jsonl');
    session.save(branch);
    const report = await diffMain({ pathA: path, pathB: branch });
    expect(report).toMatch(/common: \d+ events, up to 12\.000s/);
    // the branch parts where the person took over (the script's later faults no longer happen)
    expect(report).toMatch(/B .*script\.hand-over/);
    expect(report).toMatch(/10\.9\.9\.9 hap2: present -> absent/);
    const same = await diffMain({ pathA: path, pathB: path });
    expect(same).toContain('identical');
  });
});

describe('not a terminal', () => {
  it('sticksim replay prints a plain summary instead of drawing', () => {
    const out = execFileSync('node', ['bin/sticksim.js', 'replay', path], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(out).toContain('trace: scenario split-brain-acceptor-wins, seed 1, policy haproxy');
    expect(out).toMatch(/10\.000s \.\. 20\.000s\s+partition/);
    expect(out).not.toContain('\u001b[');
  });

  it('a bad trace is a clear error with its place, not a stack trace', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'sticksim-bad-')), 'bad.jsonl');
    writeFileSync(bad, 'hello\n');
    let stderr = '';
    try {
      execFileSync('node', ['bin/sticksim.js', 'replay', bad], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(/bad\.jsonl:1: not JSON/);
    expect(stderr).not.toContain('at ');
  });
});
