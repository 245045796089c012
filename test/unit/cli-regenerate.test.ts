/**
 * A run without --trace keeps only its fingerprint; `sticksim show|diff|replay SCENARIO --seed S`
 * makes its JSONL trace again, exactly: the same fingerprint, and the same SHA-256 as
 * `sticksim run --trace` of that seed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sticksim.js');

function sticksim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('traces regenerated from a scenario and a seed', () => {
  it('match the run: fingerprint, and the SHA-256 of the trace run --trace writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-regen-'));
    const tracePath = join(dir, 'run.jsonl');
    const plain = sticksim(['run', 'split-brain-acceptor-wins', '--seed', '2', '--policy', 'haproxy']);
    expect(plain.status).toBe(0);
    const fingerprint = /fingerprint (fp3:[0-9a-f]{16})/.exec(plain.stdout)?.[1];
    expect(fingerprint).toBeDefined();
    expect(plain.stdout).not.toMatch(/trace sha256/);

    const traced = sticksim(['run', 'split-brain-acceptor-wins', '--seed', '2', '--policy', 'haproxy', '--trace', tracePath]);
    expect(traced.stdout).toContain(`fingerprint ${fingerprint}, trace sha256 `);
    const sha = createHash('sha256').update(readFileSync(tracePath)).digest('hex');
    expect(traced.stdout).toContain(sha);

    const shown = sticksim(['show', 'split-brain-acceptor-wins', '--seed', '2', '--at', '39s', '--node', 'hap1', 'show table st']);
    expect(shown.status).toBe(0);
    expect(shown.stderr).toContain(`fingerprint ${fingerprint}, trace sha256 ${sha}`);
    expect(shown.stdout).toMatch(/# table: st, type: ip/);
  });

  it('diff takes two seeds of one scenario; a bad scenario or a lone --policy is a one-line error', () => {
    const d = sticksim(['diff', 'split-brain-acceptor-wins', 'split-brain-acceptor-wins', '--seed', '1', '--seed-b', '2']);
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/futures part at event \d+/);
    const bad = sticksim(['show', 'no-such-scenario', '--seed', '1', '--at', '1s', 'show table st']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['sticksim: no-such-scenario: no such scenario file, folder or built-in scenario']);
    const lone = sticksim(['show', 'x.jsonl', '--policy', 'max', '--at', '1s', 'show table st']);
    expect(lone.status).toBe(2);
    expect(lone.stderr).toMatch(/^sticksim: --policy needs --seed/);
  });
});
