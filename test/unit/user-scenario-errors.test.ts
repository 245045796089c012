/**
 * A person's mistakes in their own scenario file, as `sticksim run my.ts` says them: one line
 * naming the file, the place and the fix, exit code 2 (a failing expectation: 1), never a stack
 * trace. Each file sits in a fresh CommonJS project (no "type" in its package.json, as `npm init`
 * makes it) whose node_modules/sticksim links to this repository, so `import ... from 'sticksim'`
 * goes through the package's exports.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'sticksim.js');
const TIMEOUT_MS = 120_000;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-user-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', version: '1.0.0' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'sticksim'), 'dir');
  return dir;
}

/** Runs `sticksim run my.ts` on `source` in a fresh project. */
function run(source: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const dir = project();
  writeFileSync(join(dir, 'my.ts'), source);
  return new Promise((resolveRun) => {
    execFile(process.execPath, [BIN, 'run', 'my.ts'], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      resolveRun({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** The 1-based line of the first line of `source` containing `marker`. */
function lineOf(source: string, marker: string): number {
  const index = source.split('\n').findIndex((l) => l.includes(marker));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

const regex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const HEADER = "import { scenario, cluster, meshConfig } from 'sticksim';\n";

describe.concurrent('a user scenario’s mistakes, one line each', { timeout: 150_000 }, () => {
  it('a host written with `hostname` names the field, the host and the right field', async () => {
    const source =
      HEADER +
      "const peers = [{ name: 'hap1', address: '10.0.0.1' }];\n" +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 1000,\n" +
      "  hosts: [\n    { hostname: 'hap1', config: meshConfig({ local: 'hap1', peers }) },\n  ],\n  script: () => {},\n});\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, new RegExp(`^${regex(`sticksim: my.ts:${lineOf(source, 'hostname:')}: hosts[0]: unknown field 'hostname'; write 'name' instead`)}$`));
  });

  it('a missing durationMs says what to give', async () => {
    const source = HEADER + "export default scenario({ name: 'x', title: 'x', lesson: 'x', hosts: cluster(['hap1']), script: () => {} } as never);\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, /^sticksim: my\.ts: 'durationMs' is missing; give the run's length in milliseconds \(e\.g\. durationMs: 30_000\)$/);
  });

  it('an unknown host in a verb names the verb, the host, the known hosts and the line', async () => {
    const source =
      HEADER +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 5000, hosts: cluster(['hap1', 'hap2', 'hap3']),\n" +
      "  script: (s) => {\n    s.at(1000, () => s.cut(['hap9'], ['hap1']));\n  },\n});\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    const line = lineOf(source, 's.cut(');
    expectOneLine(r.stderr, new RegExp(`^sticksim: my\\.ts:${line}:\\d+: ${regex("s.cut: no host 'hap9' in this scenario (hosts: hap1, hap2, hap3)")}$`));
  });

  it('a peer line whose address the host does not have names the line and the addresses to give', async () => {
    const source =
      HEADER +
      "const peers = [{ name: 'hap1', address: '192.168.1.10' }, { name: 'hap2', address: '192.168.1.11' }];\n" +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 1000,\n" +
      '  hosts: peers.map((p) => ({ name: p.name, config: meshConfig({ local: p.name, peers }) })),\n  script: () => {},\n});\n';
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(
      r.stderr,
      new RegExp(
        `^${regex(
          "sticksim: my.ts: hosts[0] ('hap1'): its peer line 'peer hap1 192.168.1.10:10000' (line 12 of its config) listens on an address the host does not have (10.0.0.1); give the host addresses: ['192.168.1.10'] or correct the peer line",
        )}$`,
      ),
    );
  });

  it('a table the host does not have names the verb, the table and the tables there are', async () => {
    const source =
      HEADER +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 5000, hosts: cluster(['hap1']),\n" +
      "  script: (s) => {\n    s.at(1000, () => s.set('hap1', 'sticks', '10.0.0.9', { gpc0: 1 }));\n  },\n});\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    const line = lineOf(source, "s.set('hap1'");
    expectOneLine(r.stderr, new RegExp(`^sticksim: my\\.ts:${line}:\\d+: ${regex("s.set: host 'hap1' has no table 'sticks' (tables: st)")}$`));
  });

  it('a watched table no config declares names the tables there are', async () => {
    const source =
      HEADER +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 3000, hosts: cluster(['hap1']),\n" +
      "  watch: { table: 'sticks', keys: ['10.0.0.1'], everyMs: 500 },\n  script: () => {},\n});\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, new RegExp(`^${regex(`sticksim: my.ts:${lineOf(source, 'watch:')}: watch: no host's config declares a table 'sticks' (tables: st); watch one of those`)}$`));
  });

  it('an expectation that throws fails with the thrown message and its line; the others still run', async () => {
    const source =
      HEADER +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 3000, hosts: cluster(['hap1']),\n" +
      '  script: (s) => {\n' +
      "    s.always('breaks', () => { const o: { field: string } | undefined = undefined as never; return o!.field === 'x'; });\n" +
      "    s.count('entries', () => s.used('hap1', 'st'), { equals: 0 });\n  },\n});\n";
    const r = await run(source);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^  ✗ breaks: threw TypeError: Cannot read properties of undefined \\(reading 'field'\\) \\(at my\\.ts:${lineOf(source, "'breaks'")}:\\d+\\)$`, 'm'));
    expect(r.stdout).toMatch(/^FAIL +x +haproxy +1 +1\/2 +entries=0$/m);
  });

  it('a script that throws while it runs is said with its line', async () => {
    const source =
      HEADER +
      "export default scenario({\n  name: 'x', title: 'x', lesson: 'x', durationMs: 3000, hosts: cluster(['hap1']),\n" +
      "  script: (s) => {\n    s.at(1000, () => { throw new RangeError('my own check'); });\n  },\n});\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    const line = lineOf(source, 'RangeError');
    expectOneLine(r.stderr, new RegExp(`^sticksim: my\\.ts:${line}:\\d+: ${regex("the scenario's script threw RangeError: my own check; fix the script at this line")}$`));
  });

  it('a file without a default export says how to end it', async () => {
    const source = HEADER + "export const mine = scenario({ name: 'x', title: 'x', lesson: 'x', durationMs: 3000, hosts: cluster(['hap1']), script: () => {} });\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(
      r.stderr,
      new RegExp(`^${regex('sticksim: my.ts: no default export (found `export const mine`: make it the default export); end the file with `export default scenario({...})`')}$`),
    );
  });

  it('a file that does not compile gives the compiler’s line', async () => {
    const source = HEADER + "export default scenario({ name: 'x' title: 'x' });\n";
    const r = await run(source);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, /^sticksim: my\.ts:2:\d+: ERROR: Expected "}" but found "title"; fix the file$/);
  });
});
