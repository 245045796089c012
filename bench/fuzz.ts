/**
 * Fuzz throughput: seeds per second for a 3-node cluster and a 60-simulated-second run (traffic
 * for 5–45 s, up to 2 faults, then the quiet and the convergence bound), as `sticksim fuzz` runs
 * them with `--workers 1` (in this process) and `--workers 2` (two worker processes). JSON lines
 * "bench":"fuzz": seeds_per_s_1w, seeds_per_s_2w. No planted bug (none is given in the fuzz options): every run passes, so each
 * measures N full runs, worker start-up and JIT warm-up included. Each figure comes from a fresh
 * process (BENCH_FUZZ_WORKERS picks one), so neither inherits the other's warm code.
 * BENCH_FUZZ_SEEDS sets N (default 1000: a campaign the size of the planted-bug proof, where
 * each worker's start-up and JIT warm-up, about 1 s, is paid once).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { caseDurationMs } from '../scenarios/fuzz/bound.ts';
import { fuzz } from '../scenarios/fuzz/fuzzer.ts';
import { generateCase, type GeneratorOptions } from '../scenarios/fuzz/generator.ts';
import { emit } from './emit.ts';

const SEEDS = Number(process.env.BENCH_FUZZ_SEEDS ?? 1000);
const GENERATOR: GeneratorOptions = {
  nodes: 3,
  withPeers: true,
  policy: 'haproxy',
  table: { sizeEntries: 1000, expireMs: 600_000, store: ['gpc0', 'http_req_cnt', 'conn_cnt', 'http_req_rate(10s)'] },
  trafficUntilMsMax: 45_000,
  faultsMax: 2,
};
// Under `npm run bench` the workers run a bundled worker (STICKSIM_FUZZ_WORKER, like this file);
// run directly, they load the TypeScript through tsx from the repository (cwd = repo root).
const bundledWorker = process.env['STICKSIM_FUZZ_WORKER'];
const WORKER_URL = pathToFileURL(bundledWorker ?? join(process.cwd(), 'scenarios', 'fuzz', 'worker-entry.js'));

const only = process.env['BENCH_FUZZ_WORKERS'];
if (only === undefined) {
  for (const workers of [1, 2]) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_FUZZ_WORKERS: String(workers) },
    });
    if (child.status !== 0) throw new Error(`bench fuzz with ${workers} worker(s) exited with ${child.status}`);
  }
  let simulatedMs = 0;
  for (let i = 0; i < SEEDS; i++) simulatedMs += caseDurationMs(generateCase(`bench-${i}`, GENERATOR));
  emit({ bench: 'fuzz', metric: 'simulated_s_per_seed', value: Number((simulatedMs / SEEDS / 1000).toFixed(1)), unit: 's' });
} else {
  const workers = Number(only);
  const start = process.hrtime.bigint();
  const result = await fuzz({ runs: SEEDS, rootSeed: 'bench', workers, generator: GENERATOR, workerUrl: WORKER_URL });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.failure !== undefined) throw new Error(`bench run ${result.failure.index} failed: ${result.failure.property}`);
  emit({ bench: 'fuzz', metric: `seeds_per_s_${workers}w`, value: Number((result.runsDone / wallS).toFixed(1)), unit: 'seed/s' });
}
