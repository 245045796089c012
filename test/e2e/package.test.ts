/**
 * The package as a project depends on it: `npm pack` of this repository, installed offline as a
 * dev dependency into a fresh CommonJS project (`npm init -y`) and a fresh ESM project
 * (`"type": "module"`); in each, `npx sticksim run my-scenario.ts` on a scenario importing from
 * 'sticksim' exits 0 with the summary table, and so does `npx sticksim run --config haproxy.cfg` (the
 * failure battery on a 3-node config with real-looking addresses); the bin runs from node_modules/.bin, and the
 * scenario type-checks against the package's own .d.ts through its exports map.
 *
 * The same for the example project of the docs (`examples/your-cluster/`, its own package.json
 * depending on sticksim): a copy of it gets the tarball installed offline, and there
 * `npx sticksim run --config haproxy.cfg` and `npx sticksim run ban-reaches-every-node.ts` exit 0
 * with their summary tables, and the scenario type-checks against the package's .d.ts.
 *
 * Offline: npm 11 resolves a new dependency's version ranges from full packuments
 * (Accept: application/json), which `npm ci` never fetches (it installs from the lockfile), so a
 * cache filled by `npm ci` alone cannot resolve sticksim's dependencies with `--offline`
 * (ENOTCACHED). The install then retries with `--prefer-offline` (the cache first, the registry
 * for what is missing, after which `--offline` works) and says so; when that fails too (no
 * registry) the test is skipped with the reason printed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/shared.ts';

const REPO = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'your-cluster');
const TSC = join(REPO, 'node_modules', '.bin', 'tsc');
const STEP_TIMEOUT_MS = 180_000;

const SCENARIO = `import { scenario, cluster, type ScriptApi } from 'sticksim';

export default scenario({
  name: 'my-scenario',
  title: 'A write on hap1 reaches hap2',
  lesson: 'Two peers replicate a key written on one of them.',
  hosts: cluster(['hap1', 'hap2']),
  durationMs: 10_000,
  script: (s: ScriptApi) => {
    s.at(6_000, () => s.set('hap1', 'st', '10.1.0.1', { gpc0: 7 }));
    s.eventually('hap2-learns', { afterMs: 6_000, withinMs: 2_000, describe: 'hap2 holds the write' }, () => s.read('hap2', 'st', '10.1.0.1', 'gpc0') === 7);
  },
});
`;

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolveRun) => {
    execFile(command, args, { cwd, encoding: 'utf8', timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolveRun({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const noNpm = npmVersion.status !== 0 ? 'npm is not on PATH' : undefined;
if (noNpm !== undefined) console.log(`package.test.ts skipped: ${noNpm}`);

describe.skipIf(noNpm !== undefined).concurrent('the packed package in a fresh project', { timeout: 2 * STEP_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'sticksim-package-'));
  let tarball = '';

  beforeAll(async () => {
    const packed = await sh('npm', ['pack', '--pack-destination', root], REPO);
    expect(packed.status, packed.stderr).toBe(0);
    const name = readdirSync(root).find((f) => f.endsWith('.tgz'));
    expect(name).toBeDefined();
    tarball = join(root, name!);
    const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
    // The public entry, its types, the bin and the built-in scenarios ship; tests and benches do not.
    for (const f of ['package/index.ts', 'package/dist/types/index.d.ts', 'package/bin/sticksim.js', 'package/scenarios/builtin/reload-keeps-table.ts']) {
      expect(listing).toContain(f);
    }
    expect(listing.filter((f) => f.startsWith('package/test/') || f.startsWith('package/bench/'))).toEqual([]);
  }, 2 * STEP_TIMEOUT_MS);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Installs the tarball as a dev dependency of the project in `dir`, offline when npm can; the reason when it cannot. */
  async function installTarball(dir: string, label: string): Promise<{ dir: string } | { skip: string }> {
    const install = (mode: string): Promise<Ran> => sh('npm', ['install', mode, '--no-audit', '--no-fund', '--save-dev', tarball], dir);
    let installed = await install('--offline');
    if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) {
      console.log(`package.test.ts (${label}): --offline: ${installed.stderr.split('\n').find((l) => l.includes('ENOTCACHED')) ?? 'ENOTCACHED'}; retrying with --prefer-offline (npm 11 wants full packuments, which npm ci does not cache)`);
      installed = await install('--prefer-offline');
    }
    if (installed.status !== 0) return { skip: `npm install of the tarball failed: ${installed.stderr.trim().split('\n').slice(-3).join(' / ')}` };
    return { dir };
  }

  /** A fresh project of that kind with the tarball installed; undefined (and why) when npm cannot install it. */
  async function freshProject(kind: 'commonjs' | 'module'): Promise<{ dir: string } | { skip: string }> {
    const dir = join(root, kind);
    mkdirSync(dir);
    const init = await sh('npm', ['init', '-y'], dir);
    expect(init.status, init.stderr).toBe(0);
    if (kind === 'module') expect((await sh('npm', ['pkg', 'set', 'type=module'], dir)).status).toBe(0);
    writeFileSync(join(dir, 'my-scenario.ts'), SCENARIO);
    return installTarball(dir, kind);
  }

  it('examples/your-cluster, copied out with the tarball installed: the battery and its own scenario exit 0 with their summary tables', async (context) => {
    const dir = join(root, 'your-cluster');
    cpSync(EXAMPLE, dir, { recursive: true, filter: (from) => !from.includes(`${join(EXAMPLE, 'node_modules')}`) });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies).toHaveProperty('sticksim');
    const project = await installTarball(dir, 'your-cluster');
    if ('skip' in project) {
      console.log(`package.test.ts (your-cluster) skipped: ${project.skip}`);
      context.skip();
      return;
    }
    // The dependency is now the tarball, not the repository the example points at.
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies.sticksim).toMatch(/\.tgz$/);
    const battery = await sh('npx', ['sticksim', 'run', '--config', 'haproxy.cfg'], dir);
    expect(battery.stderr).not.toMatch(/^\s+at /m);
    expect(battery.status, battery.stderr).toBe(0);
    expect(battery.stdout).toContain('node lb1 10.20.1.11:10000');
    expect(battery.stdout).toMatch(/^result +scenario +policy +findings$/m);
    expect(battery.stdout).toMatch(/^(pass|finding) +reload-lb2 +haproxy +\d+$/m);
    expect(battery.stdout).toMatch(/^\d+ passed, 0 failed, \d+ finding\(s\)$/m);
    const own = await sh('npx', ['sticksim', 'run', 'ban-reaches-every-node.ts'], dir);
    expect(own.stderr).not.toMatch(/^\s+at /m);
    expect(own.status, own.stderr).toBe(0);
    expect(own.stdout).toMatch(/^result +scenario +policy +seed +checks +figures$/m);
    expect(own.stdout).toMatch(/^pass +ban-reaches-every-node +haproxy +1 +4\/4 +allowedAfterBan=1 deniedOnLb2=\d+$/m);
    expect(own.stdout).toMatch(/^1 passed, 0 failed$/m);
    // It type-checks against the shipped .d.ts (Node's types from this repository: the example has no dev dependencies but sticksim).
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')] }, files: ['ban-reaches-every-node.ts'] }),
    );
    const typed = await sh(TSC, ['-p', '.'], dir);
    expect(typed.stdout + typed.stderr).toBe('');
    expect(typed.status).toBe(0);
  }, 2 * STEP_TIMEOUT_MS);

  for (const kind of ['commonjs', 'module'] as const) {
    it(`${kind} project: npx sticksim run my-scenario.ts exits 0 with the summary table`, async (context) => {
      const project = await freshProject(kind);
      if ('skip' in project) {
        console.log(`package.test.ts (${kind}) skipped: ${project.skip}`);
        context.skip();
        return;
      }
      const { dir } = project;
      expect(existsSync(join(dir, 'node_modules', '.bin', 'sticksim'))).toBe(true);
      const run = await sh('npx', ['sticksim', 'run', 'my-scenario.ts'], dir);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^result +scenario +policy +seed +checks +figures$/m);
      expect(run.stdout).toMatch(/^pass +my-scenario +haproxy +1 +1\/1/m);
      expect(run.stdout).toMatch(/^1 passed, 0 failed$/m);

      // The operator's front door: the failure battery on their own 3-node config, real addresses.
      copyFileSync(fixture('battery/three-nodes.cfg'), join(dir, 'haproxy.cfg'));
      const battery = await sh('npx', ['sticksim', 'run', '--config', 'haproxy.cfg'], dir);
      expect(battery.stderr).not.toMatch(/^\s+at /m);
      expect(battery.status, battery.stderr).toBe(0);
      expect(battery.stdout).toMatch(/^result +scenario +policy +findings$/m);
      expect(battery.stdout).toMatch(/^\d+ passed, 0 failed, \d+ finding\(s\)$/m);

      const help = await sh(join(dir, 'node_modules', '.bin', 'sticksim'), ['--help'], dir);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: sticksim /m);

      // The scenario type-checks against the shipped .d.ts through the exports map.
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: [] }, files: ['my-scenario.ts'] }),
      );
      const typed = await sh(TSC, ['-p', '.'], dir);
      expect(typed.stdout + typed.stderr).toBe('');
      expect(typed.status).toBe(0);
    }, 2 * STEP_TIMEOUT_MS);
  }
});
