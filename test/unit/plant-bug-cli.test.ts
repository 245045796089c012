/**
 * `--plant-bug NAME` on `sticksim run`, `sticksim fuzz` and `sticksim peer`: a documented testing aid, a one-line
 * usage error (exit 2) for an unknown name, the retired STICKSIM_PLANT_BUG variable refused with
 * the flag named, and the bug named in the trace header and the reproduce command.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLANTED_BUGS } from '../../engine/peers/planted-bug.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sticksim.js');

function sticksim(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const base = { ...process.env };
  delete base['STICKSIM_PLANT_BUG'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What each command needs besides the flag to reach the flag's check (peer requires --config). */
const BASE_ARGS: Record<string, readonly string[]> = { run: [], fuzz: [], peer: ['--config', '/dev/null'] };

describe('--plant-bug', () => {
  it.each(['run', 'fuzz', 'peer'])('%s --help documents it as a testing aid with every bug name', (command) => {
    const r = sticksim([command, '--help']);
    expect(r.status).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--plant-bug <name>');
    expect(help).toContain('testing aid');
    for (const bug of PLANTED_BUGS) expect(help).toContain(bug);
  });

  it.each(['run', 'fuzz', 'peer'])('%s refuses an unknown bug with one line listing the valid names, exit 2', (command) => {
    const r = sticksim([command, ...BASE_ARGS[command]!, '--plant-bug', 'nosuch']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--plant-bug nosuch: unknown planted bug (valid: ${PLANTED_BUGS.join(', ')})`);
  });

  it.each(['run', 'fuzz'])('%s refuses to run while STICKSIM_PLANT_BUG is set, naming the flag', (command) => {
    const r = sticksim([command, 'split-brain-acceptor-wins'], { STICKSIM_PLANT_BUG: 'merge-max' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`sticksim ${command}: STICKSIM_PLANT_BUG is no longer read: use --plant-bug merge-max (and unset the variable)`);
  });

  it('run names the bug in the trace header, the summary and the reproduce command; a run without it names none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-plant-'));
    const withBug = join(dir, 'with.jsonl');
    const r = sticksim(['run', 'split-brain-acceptor-wins', '--seed', '2', '--policy', 'haproxy', '--plant-bug', 'push-before-read', '--trace', withBug]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('planted bug push-before-read');
    expect(r.stdout).toContain('reproduce: npx sticksim run split-brain-acceptor-wins --seed 2 --policy haproxy --haproxy 2.6 --plant-bug push-before-read');
    const header = JSON.parse(readFileSync(withBug, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(header['plantedBug']).toBe('push-before-read');

    const without = join(dir, 'without.jsonl');
    const ok = sticksim(['run', 'split-brain-acceptor-wins', '--seed', '1', '--policy', 'haproxy', '--trace', without]);
    expect(ok.status).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(without, 'utf8').split('\n')[0]!) as object)).not.toContain('plantedBug');
  });
});
