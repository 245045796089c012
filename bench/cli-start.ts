/**
 * CLI start-up benchmark: `npx sticksim --help` from the repository (the bin registers tsx and
 * loads the TypeScript sources, as an installed package does), and `node bin/sticksim.js --help`
 * without npx's own start. Wall time per run, median of BENCH_CLI_START_RUNS (default 10).
 * Prints JSON lines: {"bench":"cli-start","metric":"cli_start_ms",…} (npx) and
 * "cli_start_node_ms" (node directly). Run from the repository root (`npm run bench -- cli-start`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emit } from './emit.ts';

const RUNS = Number(process.env.BENCH_CLI_START_RUNS ?? 10);
const root = process.cwd();
const bin = join(root, 'bin', 'sticksim.js');
if (!existsSync(bin)) throw new Error(`run from the repository root (no ${bin})`);

function medianMs(command: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
    const dt = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(dt);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!);
}

emit({ bench: 'cli-start', metric: 'cli_start_ms', value: medianMs('npx', ['sticksim', '--help']), unit: 'ms' });
emit({ bench: 'cli-start', metric: 'cli_start_node_ms', value: medianMs(process.execPath, [bin, '--help']), unit: 'ms' });
