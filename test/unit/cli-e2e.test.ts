/** The `sticksim` binary as a user runs it: `sticksim cli` over stdin, errors with their place. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sticksim.js');

function sticksim(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'latin1', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sticksim cli', () => {
  it('answers like the stats socket, each answer ending with an empty line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-cli-'));
    const cfg = join(dir, 'h.cfg');
    writeFileSync(cfg, 'backend st\n    stick-table type ip size 1k expire 60s store gpc0,http_req_rate(10s)\n');
    const r = sticksim(['cli', '--config', cfg], 'set table st key 10.0.0.1 data.gpc0 3\nshow table st\nshow table x\n');
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/0x[0-9a-f]+:/, 'PTR:')).toBe(
      '\n# table: st, type: ip, size:1024, used:1\nPTR: key=10.0.0.1 use=0 exp=60000 gpc0=3 http_req_rate(10000)=0\n\nNo such table\n\n',
    );
  });

  it('a bad config gives every error as file:line:column and exit code 2, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-cli-'));
    const cfg = join(dir, 'bad.cfg');
    writeFileSync(cfg, 'backend st\n    stick-table type ip\n    stick-table type nosuch size 1\n');
    const r = sticksim(['cli', '--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${cfg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+: `));
    expect(r.stderr).toMatch(/:3:\d+: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('every command has --help', () => {
    for (const args of [['--help'], ['cli', '--help'], ['demo', '--help']]) {
      const r = sticksim(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: sticksim/);
    }
  });
});

describe('sticksim fuzz bounds', () => {
  it('refuses --workers and --runs beyond their bounds with a usage message, no stack trace', () => {
    for (const args of [['--workers', '100'], ['--runs', '0'], ['--workers', 'two']]) {
      const r = sticksim(['fuzz', '--runs', '2', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/sticksim fuzz: --(workers|runs) takes an integer from 1 to \d+/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
