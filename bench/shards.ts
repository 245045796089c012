/**
 * Sharding cost, as a user runs it. `shard_overhead_pct`: the CPU time of the real CLI run as
 * `sticksim fuzz --runs N --seed bench-shards` (one process; default N = 1,000) against the same
 * campaign as 4 processes `sticksim fuzz --runs N --seed bench-shards --shard i/4` run at once:
 * the 4 processes' total CPU over the one's, minus 100 (target ≤ 5); the median of
 * BENCH_SHARDS_PAIRS (default 3) pairs run in alternating order, with the smallest and largest
 * (`shard_overhead_pct_min`, `_max`): CPU time too varies with the machine's load. Each process is
 * `node bin/sticksim.js …` (what the installed `sticksim` bin runs; npx's own start is left out),
 * and its CPU time is everything it cost, user + system, start-up included: the children's time
 * the kernel adds to this process once they are reaped (/proc/self/stat cutime + cstime, so
 * Linux only, in 10 ms ticks). Also `shard_start_cpu_ms`: one `sticksim fuzz --runs 1 --shard 2/2` (start-up,
 * module loading and option handling, no seed), the fastest of 3, and `shard_warmup_cpu_ms`:
 * what is left of the overhead per extra process once its start-up is taken out (mostly V8
 * warming up — interpreting, then optimizing — the same code again in every process).
 * `merge_ms`: `sticksim report --merge` of 100 shard files of a 1,000,000-seed campaign (read,
 * check, merge, write results.json and the three reports), the fastest of 3.
 * JSON lines "bench":"shards". BENCH_SHARDS_SEEDS sets N. Run from the repository root. The bin
 * runs the compiled CLI (dist/cli/); STICKSIM_FROM_SOURCE=1 measures the sources through tsx.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMerge } from '../cli/commands/report.ts';
import { writeResultsDocument } from '../reports/results-file.ts';
import { PROPERTY_NAMES } from '../scenarios/fuzz/properties.ts';
import { sticksimVersion } from '../sim/trace-file.ts';
import { emit } from './emit.ts';

const SEEDS = Number(process.env['BENCH_SHARDS_SEEDS'] ?? 1000);
const SHARDS = 4;
const PAIRS = Number(process.env['BENCH_SHARDS_PAIRS'] ?? 3);
const ROOT_SEED = 'bench-shards';
/** Linux reports cutime/cstime in USER_HZ ticks, 100 a second on every architecture. */
const TICK_US = 10_000;
const bin = join(process.cwd(), 'bin', 'sticksim.js');
if (!existsSync(bin)) throw new Error(`run from the repository root (no ${bin})`);

delete process.env['STICKSIM_PLANT_BUG'];

/** CPU time (µs) of this process's reaped children so far: fields 16 and 17 of /proc/self/stat. */
function reapedChildrenCpuUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is stat's 3rd field (state): cutime is the 16th, cstime the 17th.
  return (Number(fields[13]) + Number(fields[14])) * TICK_US;
}

/** Runs `sticksim fuzz <args>`; resolves once it has exited 0 with `<runs> passed` on stdout. */
function fuzzCli(args: string[], runs: number): Promise<void> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, [bin, 'fuzz', '--seed', ROOT_SEED, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (out += text));
    child.on('error', rejectRun);
    child.on('close', (code) => {
      if (code === 0 && out.includes(`\n${runs} passed, 0 failed\n`)) resolveRun();
      else rejectRun(new Error(`bench shards: sticksim fuzz ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** CPU µs of the children `run` starts and reaps (nothing else may run children meanwhile). */
async function childrenCpuUs(run: () => Promise<unknown>): Promise<number> {
  const before = reapedChildrenCpuUs();
  await run();
  return reapedChildrenCpuUs() - before;
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

if (!existsSync('/proc/self/stat')) throw new Error('bench shards reads /proc/self/stat (Linux)');
if (!Number.isSafeInteger(PAIRS) || PAIRS < 1) throw new Error(`BENCH_SHARDS_PAIRS is a positive integer (got ${PAIRS})`);
const shardRuns = (k: number): number => Math.ceil((SEEDS - k) / SHARDS);
const whole = (): Promise<number> => childrenCpuUs(() => fuzzCli(['--runs', String(SEEDS)], SEEDS));
const sharded = (): Promise<number> => childrenCpuUs(() => Promise.all(Array.from({ length: SHARDS }, (_, k) => fuzzCli(['--runs', String(SEEDS), '--shard', `${k + 1}/${SHARDS}`], shardRuns(k)))));
// Pairs in alternating order, so that the machine's drift weighs on both sides; the median pair counts.
const pairs: Array<{ wholeUs: number; shardsUs: number }> = [];
for (let p = 0; p < PAIRS; p++) {
  if (p % 2 === 0) pairs.push({ wholeUs: await whole(), shardsUs: await sharded() });
  else pairs.push({ shardsUs: await sharded(), wholeUs: await whole() });
}
const pct = (pair: { wholeUs: number; shardsUs: number }): number => (pair.shardsUs / pair.wholeUs) * 100 - 100;
pairs.sort((a, b) => pct(a) - pct(b));
const { wholeUs, shardsUs } = pairs[Math.floor(pairs.length / 2)]!;
let startUs = Infinity;
for (let attempt = 0; attempt < 3; attempt++) startUs = Math.min(startUs, await childrenCpuUs(() => fuzzCli(['--runs', '1', '--shard', '2/2'], 0)));
const overheadUs = shardsUs - wholeUs;
emit({ bench: 'shards', metric: 'shard_overhead_pct', value: Number(pct({ wholeUs, shardsUs }).toFixed(1)), unit: '%' });
emit({ bench: 'shards', metric: 'shard_overhead_pct_min', value: Number(pct(pairs[0]!).toFixed(1)), unit: '%' });
emit({ bench: 'shards', metric: 'shard_overhead_pct_max', value: Number(pct(pairs[pairs.length - 1]!).toFixed(1)), unit: '%' });
emit({ bench: 'shards', metric: 'shard_whole_cpu_s', value: Number((wholeUs / 1e6).toFixed(2)), unit: 's' });
emit({ bench: 'shards', metric: 'shard_start_cpu_ms', value: Math.round(startUs / 1000), unit: 'ms' });
emit({ bench: 'shards', metric: 'shard_warmup_cpu_ms', value: Math.round((overheadUs / (SHARDS - 1) - startUs) / 1000), unit: 'ms' });

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
