/**
 * The compiled CLI (scripts/build-cli.mjs) against the sources: the same output for help, a fuzz
 * campaign, a built-in scenario run (which loads TypeScript at run time: tsx is registered on the
 * first such import) and a replay (the TUI chunk); and bin/sticksim.js's choice between them —
 * the build while no file it was made from is newer, the sources through tsx otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sticksim-compiled-'));
// Inside the repository (dist/ is not tracked): the build's imports of dependencies find node_modules.
mkdirSync(join(ROOT, 'dist'), { recursive: true });
const built = mkdtempSync(join(ROOT, 'dist', 'cli-test-'));

/** stdout of `node <entry> <args>` (exit 0 asserted), with the run-to-run wall-clock figures taken out. */
function output(entry: string, args: string[]): string {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', STICKSIM_FROM_SOURCE: '1' } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/[\d.]+ runs\/s/g, 'N runs/s').replace(/in [\d.]+ s/g, 'in N s').replace(/sticksim-regenerated-\w+/g, 'sticksim-regenerated-X');
}

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs'), built], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(built, { recursive: true, force: true });
});

describe('the compiled CLI', () => {
  const bin = join(ROOT, 'bin', 'sticksim.js');
  const cases: Array<[string, string[]]> = [
    ['help', ['--help']],
    ['fuzz', ['fuzz', '--runs', '6', '--seed', 'compiled']],
    ['a built-in scenario (TypeScript loaded at run time)', ['run', 'scenarios/builtin/crashed-node-resyncs.ts', '--seed', '3']],
    ['replay (the TUI chunk)', ['replay', 'crashed-node-resyncs', '--seed', '2']],
  ];
  for (const [name, args] of cases) {
    it(`prints what the sources print: ${name}`, () => {
      const compiled = output(join(built, 'main.mjs'), args);
      expect(compiled.length).toBeGreaterThan(0);
      expect(compiled).toBe(output(bin, args));
    }, 60_000);
  }
});

describe('bin/sticksim.js', () => {
  /** A package with the real bin, a stand-in build and stand-in sources that say which ran. */
  function fakePackage(): { dir: string; source: string } {
    const dir = mkdtempSync(join(work, 'package-'));
    for (const sub of ['bin', 'dist/cli', 'cli']) mkdirSync(join(dir, sub), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'sticksim.js'), join(dir, 'bin', 'sticksim.js'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    const source = join(dir, 'cli', 'main.ts');
    writeFileSync(source, "const from: string = 'sources';\nconsole.log(from);\n");
    writeFileSync(join(dir, 'dist', 'cli', 'main.mjs'), "console.log('compiled');\n");
    writeFileSync(join(dir, 'dist', 'cli', 'inputs.json'), '["cli/main.ts", "package.json"]\n');
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of [source, join(dir, 'package.json')]) utimesSync(f, old, old);
    return { dir, source };
  }
  const ran = (dir: string, env: Record<string, string> = {}): string =>
    execFileSync(process.execPath, [join(dir, 'bin', 'sticksim.js')], { encoding: 'utf8', env: { ...process.env, STICKSIM_FROM_SOURCE: '', ...env } }).trim();

  it('runs the build while no input is newer, the sources when one is, or when asked', () => {
    const { dir, source } = fakePackage();
    expect(ran(dir)).toBe('compiled');
    expect(ran(dir, { STICKSIM_FROM_SOURCE: '1' })).toBe('sources');
    utimesSync(source, new Date(), new Date());
    expect(ran(dir)).toBe('sources');
  });

  it('runs the sources when the build is missing or its list names a file that is gone', () => {
    const { dir } = fakePackage();
    writeFileSync(join(dir, 'dist', 'cli', 'inputs.json'), '["cli/gone.ts"]\n');
    expect(ran(dir)).toBe('sources');
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(ran(dir)).toBe('sources');
  });
});
