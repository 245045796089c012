/**
 * The start-up cost of the CLI (a helper of bench/battery.ts, not a bench of its own): wall time
 * of `npx sticksim --help` from the repository (the bin registers tsx and loads the TypeScript
 * sources, as an installed package does), and of `node bin/sticksim.js --help` without npx's own
 * start. Median of BENCH_CLI_START_RUNS runs (default 10). Run from the repository root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_CLI_START_RUNS ?? 10);

function medianMs(root: string, command: string, args: string[]): number {
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

/** Median start-up times in ms: through npx (`cli_start_ms`) and node directly (`cli_start_node_ms`). */
export function cliStartMs(root: string): { npxMs: number; nodeMs: number } {
  const bin = join(root, 'bin', 'sticksim.js');
  if (!existsSync(bin)) throw new Error(`run from the repository root (no ${bin})`);
  return { npxMs: medianMs(root, 'npx', ['sticksim', '--help']), nodeMs: medianMs(root, process.execPath, [bin, '--help']) };
}
