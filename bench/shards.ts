/**
 * Sharding cost. `shard_overhead_pct`: a 1,000-seed fuzz campaign run as 4 shard processes
 * (`--shard i/4`'s seed indices, one process each, run at once) against the same campaign in one
 * process: the shards' total CPU time (each child's own process.resourceUsage(), user + system)
 * over the unsharded one's, minus 100 — what splitting costs in start-up and JIT warm-up paid 4
 * times (target ≤ 5). `merge_ms`: `sticksim report --merge` of 100 shard files of a
 * 1,000,000-seed campaign (read, check, merge, write results.json and the three reports), the
 * fastest of 3. JSON lines "bench":"shards". BENCH_SHARDS_SEEDS sets the campaign (default 1000).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzPlan } from '../cli/fuzz-campaign.ts';
import { runMerge } from '../cli/commands/report.ts';
import { writeResultsDocument } from '../reports/results-file.ts';
import { fuzz, RUNS_MAX } from '../scenarios/fuzz/fuzzer.ts';
import { PROPERTY_NAMES } from '../scenarios/fuzz/properties.ts';
import { sticksimVersion } from '../sim/trace-file.ts';
import { emit } from './emit.ts';

const SEEDS = Number(process.env['BENCH_SHARDS_SEEDS'] ?? 1000);
const SHARDS = 4;
const ROOT_SEED = 'bench-shards';
const CHILD_ENV = 'BENCH_SHARDS_CHILD';
const CPU_LINE = 'bench-shards-cpu-us ';

delete process.env['STICKSIM_PLANT_BUG'];

/** Child: runs one shard ('i/N') or the whole campaign ('whole') in this process, prints its CPU time. */
async function child(which: string): Promise<void> {
  const shard = which === 'whole' ? undefined : { index: Number(which.split('/')[0]), total: Number(which.split('/')[1]) };
  const plan = fuzzPlan({ runs: String(SEEDS), forText: undefined, seedOffset: undefined, shard, runsMax: RUNS_MAX });
  const result = await fuzz({ runs: plan.runs, rootSeed: ROOT_SEED, workers: 1, firstIndex: plan.firstIndex, indexStride: plan.indexStride });
  if (result.failure !== undefined || result.runsDone !== plan.runs) throw new Error(`bench shards ${which}: ${result.runsDone} of ${plan.runs} runs, failure ${result.failure?.property ?? 'none'}`);
  const usage = process.resourceUsage();
  process.stdout.write(`${CPU_LINE}${usage.userCPUTime + usage.systemCPUTime}\n`);
}

/** Spawns this file as a child for `which`; resolves with the CPU microseconds it reported. */
function cpuOfChild(which: string): Promise<number> {
  return new Promise((resolveCpu, rejectCpu) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, [CHILD_ENV]: which } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (out += text));
    child.on('error', rejectCpu);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(CPU_LINE));
      if (code !== 0 || line === undefined) rejectCpu(new Error(`bench shards child ${which} exited ${code}`));
      else resolveCpu(Number(line.slice(CPU_LINE.length)));
    });
  });
}

/** 100 shard files of a 1,000,000-seed campaign, as `sticksim fuzz --shard i/100 --report` writes them. */
function writeShardFiles(dir: string, shards: number, seeds: number): void {
  for (let i = 1; i <= shards; i++) {
    const count = Math.ceil((seeds - (i - 1)) / shards);
    mkdirSync(join(dir, `shard-${i}`), { recursive: true });
    writeResultsDocument(join(dir, `shard-${i}`, 'results.json'), {
      suite: { rootSeed: ROOT_SEED, runs: [] },
      provenance: {
        sticksimVersion: sticksimVersion(),
        command: 'fuzz',
        work: { seed: ROOT_SEED, runs: String(seeds), 'seed-offset': '0' },
        shard: { index: i, total: shards },
        workTotal: seeds,
        coverage: { 'peers.collision': 600 + i, 'peers.resync-partial-sent': 500, 'peers.dead-peer': i % 3 },
      },
      fuzz: { rootSeed: ROOT_SEED, indexRuns: [[i - 1, count]], indexStride: shards, runsDone: count, timeBound: false, properties: PROPERTY_NAMES, failures: [] },
    });
  }
}

const which = process.env[CHILD_ENV];
if (which !== undefined) {
  await child(which);
} else {
  const wholeUs = await cpuOfChild('whole');
  const shardUs = await Promise.all(Array.from({ length: SHARDS }, (_, k) => cpuOfChild(`${k + 1}/${SHARDS}`)));
  const totalUs = shardUs.reduce((a, b) => a + b, 0);
  emit({ bench: 'shards', metric: 'shard_overhead_pct', value: Number(((totalUs / wholeUs) * 100 - 100).toFixed(1)), unit: '%' });

  const dir = mkdtempSync(join(tmpdir(), 'sticksim-bench-shards-'));
  try {
    writeShardFiles(join(dir, 'in'), 100, 1_000_000);
    let bestMs = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = process.hrtime.bigint();
      const merged = runMerge({ paths: [join(dir, 'in')], outDir: join(dir, `out-${attempt}`) });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (merged.runs !== 1_000_000 || merged.shards !== 100) throw new Error(`bench shards merge: ${merged.runs} runs from ${merged.shards} shards`);
      bestMs = Math.min(bestMs, ms);
    }
    emit({ bench: 'shards', metric: 'merge_ms', value: Number(bestMs.toFixed(1)), unit: 'ms' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
