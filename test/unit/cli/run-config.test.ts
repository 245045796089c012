/**
 * `sticksim run --config` as a user meets it: the 3-node config with real addresses runs (exit 0,
 * findings with their reproduce command), and each class of mistake in the configs ends in one
 * line naming the file, the line and the fix, exit 2, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runConfigCommand } from '../../../cli/commands/run-config.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'sticksim.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'battery', 'three-nodes.cfg');
const LONE = join(ROOT, 'test', 'fixtures', 'battery', 'lone-node.cfg');
const dir = mkdtempSync(join(tmpdir(), 'sticksim-run-config-'));

function cfg(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n\n';
const FRONTEND = 'frontend fe\n    bind :80\n    stick-table type ip size 1k expire 30s store http_req_rate(10s) peers p\n    http-request track-sc0 src\n    http-request deny if { sc_http_req_rate(0) gt 10 }\n';

describe('sticksim run --config (the binary)', () => {
  it('runs the battery on the 3-node config and prints findings with their reproduce command', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--config', FIXTURE, '--battery-scenario', 'resync-isolated-haproxy1', '--latency', '5ms'], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('node haproxy1 192.168.1.10:10000');
    expect(r.stdout).toMatch(/haproxy1 let \d+ requests? through that .*three-nodes\.cfg:19/);
    expect(r.stdout).toContain('reproduce: npx sticksim run --config');
    expect(r.stdout).toContain('--battery-scenario resync-isolated-haproxy1 --seed 1 --policy haproxy --haproxy 2.6 --latency 5ms');
  });

  it('--haproxy all: the lines side by side, the finding that differs said so, a reproduce command per line', () => {
    const out = join(dir, 'all-report');
    const r = spawnSync(process.execPath, [BIN, 'run', '--config', LONE, '--haproxy', 'all', '--battery-scenario', 'reload-lb1', '--report', out], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^scenario +policy +haproxy 2\.6 +haproxy 3\.0 +haproxy 3\.2 +versions$/m);
    expect(r.stdout).toMatch(/^reload-lb1 +haproxy +findings 2 +pass +pass +differ$/m);
    expect(r.stdout).toContain('  • differs between HAProxy versions (lb1-keys-kept):');
    expect(r.stdout).toMatch(/^ {6}2\.6: after its reload lb1 lost 5 of the 5 keys/m);
    expect(r.stdout).toMatch(/^ {6}3\.0, 3\.2: after its reload lb1 held all 5 keys/m);
    for (const v of ['2.6', '3.0', '3.2']) expect(r.stdout).toContain(`--battery-scenario reload-lb1 --seed 1 --policy haproxy --haproxy ${v}\n`);
    expect(r.stdout).toMatch(/^HAProxy 2\.6, 3\.0, 3\.2: 1 scenario\(s\) whose findings differ between versions \(reload-lb1\)$/m);
    expect(r.stdout).toMatch(/^3 passed, 0 failed, 2 finding\(s\)$/m);
    // The reports name each run's line: one JUnit suite per line, a haproxy column, results.json keeps it.
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['reload-lb1 [policy=haproxy seed=1]', 'reload-lb1 [policy=haproxy haproxy=3.0 seed=1]', 'reload-lb1 [policy=haproxy haproxy=3.2 seed=1]']);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^\| scenario \| policy \| haproxy \| seed \|/m);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: { haproxy?: string }[] };
    expect(results.runs.map((x) => x.haproxy)).toEqual([undefined, '3.0', '3.2']);
  });

  it('--haproxy: a data type the line does not know is refused in its words; the line that knows it runs', () => {
    const file = cfg('glitch.cfg', readFileSync(LONE, 'latin1').replace('store http_req_rate(2s),gpc0', 'store http_req_rate(2s),gpc0,glitch_cnt'));
    const old = spawnSync(process.execPath, [BIN, 'run', '--config', file, '--haproxy', '2.6', '--battery-scenario', 'reload-lb1'], { encoding: 'utf8', timeout: 60_000 });
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/^\[ALERT\] .*glitch\.cfg:\d+:\d+: stick-table: unknown store option 'glitch_cnt'\. \(data type 'glitch_cnt' needs HAProxy 3\.0\+, the target is 2\.6\)/m);
    expect(old.stderr).toMatch(/^sticksim: \d+ error\(s\) in the configuration; HAProxy 2\.6 would refuse to start$/m);
    expect(old.stderr).not.toMatch(/\n\s+at /);
    const all = spawnSync(process.execPath, [BIN, 'run', '--config', file, '--haproxy', 'all', '--battery-scenario', 'reload-lb1'], { encoding: 'utf8', timeout: 60_000 });
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/^\[ALERT\] \(haproxy 2\.6\) .*glitch_cnt/m);
    const now = spawnSync(process.execPath, [BIN, 'run', '--config', file, '--haproxy', '3.2', '--battery-scenario', 'reload-lb1'], { encoding: 'utf8', timeout: 60_000 });
    expect(now.stderr).toBe('');
    expect(now.status).toBe(0);
    expect(now.stdout).toMatch(/store .*glitch_cnt/);
    expect(now.stdout).toMatch(/^pass +reload-lb1 +haproxy +3\.2 +0$/m);
  });

  it('a derivation mistake is one line with file:line, exit 2, no stack trace', () => {
    const file = cfg('dns.cfg', `${HEAD}peers p\n    peer a lb-a.example.com:10000\n    peer b 10.1.0.2:10000\n\n${FRONTEND}`);
    const r = spawnSync(process.execPath, [BIN, 'run', '--config', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`sticksim: ${file}:8: peer a is addressed by the name 'lb-a.example.com': sticksim does not resolve names; write the address the name resolves to`]);
  });
});

describe('run --config: each class of mistake', () => {
  let stderr = '';
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const cases: { name: string; files: () => string[]; extra?: Record<string, unknown>; line: RegExp }[] = [
    {
      name: 'a syntax error, in HAProxy’s words',
      files: () => [cfg('syntax.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n\nbackend st\n    stick-table type nosuch size 1k\n`)],
      line: /syntax\.cfg:11:\d+: .*stick-table: unknown type 'nosuch'/,
    },
    {
      name: 'a table name that does not exist',
      files: () => [cfg('notable.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n\nfrontend fe\n    bind :80\n    http-request track-sc0 src table nosuch\n`)],
      line: /notable\.cfg:12:\d+: .*nosuch/,
    },
    {
      name: 'no peers section and no stick-table',
      files: () => [cfg('empty.cfg', `${HEAD}frontend fe\n    bind :80\n`)],
      line: /empty\.cfg:1: no peers section and no stick-table: nothing for the battery to test; add a stick-table/,
    },
    {
      name: 'a remote peer without an address',
      files: () => [cfg('noaddr.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b\n\n${FRONTEND}`)],
      line: /noaddr\.cfg:9: peer b has no address, so sticksim cannot place that node .*write `peer b <address>:<port>`/,
    },
    {
      name: 'a local peer without an address',
      files: () => [cfg('lone.cfg', `${HEAD}peers p\n    peer a\n\n${FRONTEND}`)],
      line: /lone\.cfg:8: peer a is the local peer and has no address: .*write `peer a 127\.0\.0\.1:10000`/,
    },
    {
      name: 'an empty peers section a table replicates through (sticksim check, HAProxy’s words)',
      files: () => [cfg('nopeer.cfg', `${HEAD}peers p\n\n${FRONTEND}`)],
      line: /nopeer\.cfg:9: Proxy 'fe': unable to find local peer 'localhost' in peers section 'p'\. \[error\]/,
    },
    {
      name: 'two peers at one address (sticksim check)',
      files: () => [cfg('dup.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.1:10000\n\n${FRONTEND}`)],
      line: /dup\.cfg:\d+: .*10\.1\.0\.1/,
    },
    {
      name: 'a --hostname that is no peer',
      files: () => [cfg('host.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.2:10000\n\n${FRONTEND}`)],
      extra: { hostname: ['c'] },
      line: /host\.cfg:7: --hostname c: peers section 'p' has no peer of that name \(it lists a, b\)/,
    },
    {
      name: 'one config per host without a way to tell which host runs it',
      files: () => [
        cfg('h1.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.2:10000\n\n${FRONTEND}`),
        cfg('h2.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.2:10000\n\n${FRONTEND}`),
      ],
      line: /h1\.cfg:1: cannot tell which host runs this config: add `localpeer <name>`.* or pass --hostname/,
    },
    {
      name: 'an unknown battery scenario',
      files: () => [cfg('ok.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.2:10000\n\n${FRONTEND}`)],
      extra: { batteryScenario: 'nosuch' },
      line: /no battery scenario 'nosuch' for this cluster; there are: reload-a, /,
    },
    {
      name: 'a bad --latency',
      files: () => [cfg('ok2.cfg', `${HEAD}peers p\n    peer a 10.1.0.1:10000\n\n${FRONTEND}`)],
      extra: { latency: 'fast' },
      line: /--latency fast: a time such as 80ms or 1s/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exit 2 and one line saying where and what to do`, async () => {
      const code = await runConfigCommand([], { config: c.files(), ...c.extra });
      expect(code).toBe(2);
      expect(stderr).toMatch(c.line);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('the per-host shape: one config per host, each with its localpeer, runs', async () => {
    const peers = 'peers p\n    peer a 10.1.0.1:10000\n    peer b 10.1.0.2:10000\n\n';
    const a = cfg('a.cfg', `global\n    localpeer a\n\n${HEAD}${peers}${FRONTEND}`);
    const b = cfg('b.cfg', `global\n    localpeer b\n\n${HEAD}${peers}${FRONTEND}`);
    const code = await runConfigCommand([], { config: [a, b], batteryScenario: 'crash-b' });
    expect(stderr).not.toMatch(/sticksim:/);
    expect(code).toBe(0);
  });
});
