/**
 * `npm run bench`: bundles every benchmark under bench/ with esbuild (what a production build of
 * sticksim runs; the tsx loader used in development adds a per-closure naming cost) and runs each
 * in its own Node process (so one's heap does not skew another's), passing its JSON lines through.
 * `npm run bench -- table codec` runs some.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const HELPERS = new Set(['run.ts', 'emit.ts', 'cli-start-time.ts', 'worlds.ts', 'floor.ts']);
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !HELPERS.has(f))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();

// The bundle lives in <tmp>/bench/ next to a copy of package.json (read for the version).
const out = mkdtempSync(join(tmpdir(), 'sticksim-bench-'));
mkdirSync(join(out, 'bench'));
copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
// CommonJS dependencies bundled into ESM (Ink's) call require() for Node built-ins.
const REQUIRE_BANNER = "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

/** Bundles one entry point; false when esbuild failed. */
function bundleEntry(entry: string, outfile: string): boolean {
  const build = spawnSync(esbuild, [entry, '--bundle', '--platform=node', '--format=esm', `--outfile=${outfile}`, '--log-level=warning', '--external:tsx', `--alias:react-devtools-core=${join(here, 'stubs', 'react-devtools-core.js')}`, `--banner:js=${REQUIRE_BANNER}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return build.status === 0;
}

// The fuzz bench's worker processes run the bundled worker too (not the TypeScript through tsx).
const fuzzWorker = join(out, 'bench', 'fuzz-worker.mjs');
const fuzzWorkerOk = !files.includes('fuzz.ts') || bundleEntry(join(root, 'scenarios', 'fuzz', 'worker.ts'), fuzzWorker);

let failed = 0;
for (const file of files) {
  const bundle = join(out, 'bench', file.replace(/\.ts$/, '.mjs'));
  if (!bundleEntry(join(here, file), bundle)) {
    process.stderr.write(`bench ${file}: bundling failed\n`);
    failed++;
    continue;
  }
  const env = file === 'fuzz.ts' && fuzzWorkerOk ? { ...process.env, STICKSIM_FUZZ_WORKER: fuzzWorker } : process.env;
  const result = spawnSync(process.execPath, ['--expose-gc', bundle], { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, env });
  if (result.status !== 0) {
    process.stderr.write(`bench ${file} failed with exit code ${result.status}\n`);
    failed++;
  }
}
rmSync(out, { recursive: true, force: true });
process.exitCode = failed === 0 ? 0 : 1;
