/** `sticksim fuzz --junit`: one JUnit test case per property; a found bug is the one failure. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROPERTY_NAMES } from '../../scenarios/fuzz/properties.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sticksim.js');

describe('sticksim fuzz --junit', () => {
  it('writes every property as a test case and the planted bug as its only failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-fuzz-junit-'));
    const junit = join(dir, 'junit.xml');
    const env = { ...process.env };
    delete env['STICKSIM_PLANT_BUG'];
    const r = spawnSync(process.execPath, [BIN, 'fuzz', '--runs', '5', '--seed', '7', '--out', dir, '--junit', junit, '--plant-bug', 'merge-max'], {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<testsuites name="sticksim fuzz --plant-bug merge-max" tests="${PROPERTY_NAMES.length}" failures="1"`);
    expect(xml).toMatch(/<testcase name="merge-overwrites-field-by-field"[^>]*>\s*<failure message="[^"]*run 2, seed 7-2, planted bug merge-max/);
    expect(xml).toContain('npx sticksim fuzz --seed 7 --seed-offset 2 --runs 1 --plant-bug merge-max');
    expect(r.stdout).toContain('--plant-bug merge-max');
    expect((xml.match(/<testcase /g) ?? []).length).toBe(PROPERTY_NAMES.length);
  });
});
