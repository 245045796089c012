/**
 * The fuzz loop: runs N generated cases (seed `<root>-<i>`) in this process (K = 1) or in K worker
 * processes, stops at the first violated property (the lowest failing index: every lower index has
 * run, so the result does not depend on the number of workers), shrinks it, and reports the
 * coverage marks.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { ExpectationResult } from '../results.ts';
import type { FuzzCase } from './case.ts';
import { CoverageTally } from './coverage.ts';
import { generateCase, type GeneratorOptions } from './generator.ts';
import { runCase } from './run-case.ts';
import { shrinkCase } from './shrink.ts';

export const RUNS_MAX = 10_000_000;
export const WORKERS_MAX = 64;
const CHUNK_RUNS = 4;
/** Chunks a worker process holds at once: it starts the next while its report travels back. */
const CHUNKS_IN_FLIGHT_MAX = 2;

export interface FuzzOptions {
  runs: number;
  rootSeed: string;
  workers: number;
  generator?: GeneratorOptions;
  /** A deliberately wrong engine behaviour (testing aid: does the fuzz find it?); usually none. */
  plantedBug?: PlantedBug | undefined;
  /** The worker process's entry (default: worker-entry.js beside this file, which loads TS through tsx). */
  workerUrl?: URL;
  /** Called after every finished run. */
  onProgress?: (done: number) => void;
  /**
   * Which seed indices: run k (0 ≤ k < runs) is index `firstIndex + k × indexStride` (defaults 0
   * and 1: indices 0…runs-1). A shard i/N of a campaign at offset O is firstIndex O + i - 1,
   * stride N.
   */
  firstIndex?: number;
  indexStride?: number;
  /**
   * Asked before each run (or chunk) is started; true stops handing out new ones (a time-bound
   * campaign: the caller owns the clock, this module never reads one). Started runs finish.
   */
  shouldStop?: () => boolean;
}

export interface RunReport {
  index: number;
  passed: boolean;
  failure: ExpectationResult | undefined;
  marks: [string, number][];
}

export interface FuzzFailure {
  index: number;
  seed: string;
  original: FuzzCase;
  property: string;
  message: string;
  shrunk: FuzzCase;
  shrunkMessage: string;
  shrinkRuns: number;
}

export interface FuzzResult {
  runsDone: number;
  /** The seed indices that ran, ascending. */
  indices: number[];
  /** Whether shouldStop ended the campaign before its runs were all handed out. */
  stoppedEarly: boolean;
  /** The planted bug the campaign ran with (a testing aid), if any. */
  plantedBug: PlantedBug | undefined;
  failure: FuzzFailure | undefined;
  coverage: CoverageTally;
}

export function caseSeed(rootSeed: string, index: number): string {
  return `${rootSeed}-${index}`;
}

/** What one run of a campaign needs besides its index (a worker's chunk carries it). */
export interface RunIndexOptions {
  generator?: GeneratorOptions | undefined;
  plantedBug?: PlantedBug | undefined;
}

/** One run, as a worker does it. */
export function runIndex(rootSeed: string, index: number, options: RunIndexOptions = {}): RunReport {
  const seed = caseSeed(rootSeed, index);
  const out = runCase(generateCase(seed, options.generator), seed, { plantedBug: options.plantedBug });
  return { index, passed: out.passed, failure: out.failure, marks: [...out.marks] };
}

export async function fuzz(options: FuzzOptions): Promise<FuzzResult> {
  if (!Number.isSafeInteger(options.runs) || options.runs < 1 || options.runs > RUNS_MAX) throw new Error(`--runs is an integer in [1, ${RUNS_MAX}]`);
  if (!Number.isSafeInteger(options.workers) || options.workers < 1 || options.workers > WORKERS_MAX) throw new Error(`--workers is an integer in [1, ${WORKERS_MAX}]`);
  const firstIndex = options.firstIndex ?? 0;
  const indexStride = options.indexStride ?? 1;
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0) throw new Error(`firstIndex is a whole number (got ${firstIndex})`);
  if (!Number.isSafeInteger(indexStride) || indexStride < 1) throw new Error(`indexStride is a positive integer (got ${indexStride})`);
  if (!Number.isSafeInteger(firstIndex + (options.runs - 1) * indexStride)) throw new Error('the last seed index is beyond 2^53');
  const coverage = new CoverageTally();
  const stop = { early: false };
  const plan: IndexPlan = { firstIndex, indexStride, stop };
  const reports = options.workers === 1 ? runInProcess(options, plan, coverage) : await runInWorkers(options, plan, coverage);
  const indices = reports.map((r) => r.index).sort((a, b) => a - b);
  const failed = reports.filter((r) => !r.passed).sort((a, b) => a.index - b.index)[0];
  const base = { runsDone: reports.length, indices, stoppedEarly: stop.early, plantedBug: options.plantedBug, coverage };
  if (failed === undefined) return { ...base, failure: undefined };
  return { ...base, failure: shrinkFailure(options, failed) };
}

/** Which indices to run, and whether shouldStop has ended the hand-out. */
interface IndexPlan {
  firstIndex: number;
  indexStride: number;
  stop: { early: boolean };
}

/** Whether the caller's shouldStop says no more runs may start (remembered once true). */
function stopAsked(options: FuzzOptions, plan: IndexPlan): boolean {
  if (!plan.stop.early && options.shouldStop?.() === true) plan.stop.early = true;
  return plan.stop.early;
}

function runInProcess(options: FuzzOptions, plan: IndexPlan, coverage: CoverageTally): RunReport[] {
  const reports: RunReport[] = [];
  for (let k = 0; k < options.runs; k++) {
    if (stopAsked(options, plan)) break;
    const r = runIndex(options.rootSeed, plan.firstIndex + k * plan.indexStride, options);
    coverage.add(r.marks);
    reports.push(r);
    options.onProgress?.(reports.length);
    if (!r.passed) break;
  }
  return reports;
}

/**
 * K worker processes run chunks of CHUNK_RUNS indices, each holding up to CHUNKS_IN_FLIGHT_MAX so
 * it never waits for this process, which only hands chunks out and takes reports in. Chunks are
 * handed out in index order and, once a case fails, no new chunk is; every chunk handed out is
 * finished, so every index below the lowest failure has run.
 */
async function runInWorkers(options: FuzzOptions, plan: IndexPlan, coverage: CoverageTally): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  let next = 0;
  let stopping = false;
  const take = (): number[] | undefined => {
    if (stopping || next >= options.runs || stopAsked(options, plan)) return undefined;
    const indices = Array.from({ length: Math.min(CHUNK_RUNS, options.runs - next) }, (_, k) => plan.firstIndex + (next + k) * plan.indexStride);
    next += indices.length;
    return indices;
  };
  const accept = (batch: readonly RunReport[]): void => {
    for (const r of batch) {
      coverage.add(r.marks);
      reports.push(r);
      if (!r.passed) stopping = true;
    }
    options.onProgress?.(reports.length);
  };
  const processes = Math.min(options.workers, Math.ceil(options.runs / CHUNK_RUNS));
  const execArgv = workerV8Flags({ workers: processes, cores: availableParallelism() });
  const workersDone = Array.from({ length: processes }, () => runWorkerProcess(options, { take, accept, execArgv }));
  // A worker's error stops the hand-out at once; the others finish the chunks they hold.
  for (const done of workersDone) done.catch(() => (stopping = true));
  const results = await Promise.allSettled(workersDone);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return reports;
}

/**
 * The V8 flags of the worker processes. When they are as many as the cores, V8's own helper
 * threads (concurrent GC, background compilation) can only take time from the workers: each
 * worker then does that work itself (`--single-threaded`). Its optimizing compiler then runs on
 * the worker's own time, so it should compile only what stays hot: a tier-up budget several times
 * V8's default (67,584) makes it wait for fuller type feedback, which skips the functions a run
 * calls only a few times per case and most re-optimizations after a deopt.
 * Measured on 2 cores (`npm run bench -- fuzz`, 1,000 3-node cases, three interleaved tries):
 * 2 default workers 176–177 runs/s, 2 single-threaded ones 198–200, with a budget of 400,000 205–212;
 * TurboFan time in one worker's first 300 cases 1.04 s → 0.56 s (414 → 252 compilations,
 * `--trace-opt`), with later cases as fast or faster.
 * Re-measured 2026-12-05 on the grown engine (version profiles, timing fidelity, deferred event
 * details), 2 workers, 1,000 cases, tries alternated: budget 400,000 127.7–129 runs/s, 200,000
 * 131.9–134.5, 800,000 119.4–123.3, `--single-threaded` alone 130.3–131.4, no flags 120.9–121.4.
 * With cores to spare the helpers use them, and V8's defaults stay.
 */
export function workerV8Flags(o: { workers: number; cores: number }): string[] {
  return o.workers >= o.cores ? ['--single-threaded', `--interrupt-budget=${WORKER_TIER_UP_BUDGET}`] : [];
}

/** V8's `--interrupt-budget` for single-threaded workers (bytecode executed before tier-up). */
const WORKER_TIER_UP_BUDGET = 200_000;

/** One worker process fed chunks from `take` until none is left; resolves once it has exited. */
function runWorkerProcess(
  options: FuzzOptions,
  io: { take: () => number[] | undefined; accept: (batch: readonly RunReport[]) => void; execArgv: string[] },
): Promise<void> {
  return new Promise((resolveDone, rejectDone) => {
    const entry = fileURLToPath(options.workerUrl ?? new URL('./worker-entry.js', import.meta.url));
    const child = fork(entry, [], { execArgv: io.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    // The worker's stderr, kept (its last WORKER_STDERR_KEPT_MAX bytes) for the error if it dies.
    let stderr = '';
    let stderrOpen = child.stderr !== null;
    let onStderrClosed: (() => void) | undefined;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-WORKER_STDERR_KEPT_MAX);
    });
    child.stderr?.on('close', () => {
      stderrOpen = false;
      onStderrClosed?.();
    });
    let inFlight = 0;
    let ended = false;
    let failure: Error | undefined;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (child.connected) child.disconnect(); // the worker exits once its channel closes
    };
    const feed = (): void => {
      while (!ended && inFlight < CHUNKS_IN_FLIGHT_MAX) {
        const indices = io.take();
        if (indices === undefined) break;
        inFlight++;
        const job: WorkerJob = { rootSeed: options.rootSeed, indices, generator: options.generator, plantedBug: options.plantedBug };
        child.send(job);
      }
      if (inFlight === 0) end();
    };
    child.on('message', (batch: RunReport[]) => {
      inFlight--;
      io.accept(batch);
      feed();
    });
    child.on('error', (error) => {
      failure ??= error;
      ended = true;
      child.kill();
    });
    child.on('exit', (code, signal) => {
      const settle = (): void => {
        if (failure !== undefined) rejectDone(failure);
        else if (!ended || inFlight > 0 || code !== 0) {
          const said = stderr.trim() === '' ? '' : `; it said:\n${stderr.trim()}`;
          rejectDone(new WorkerFailedError(`fuzz worker process ${child.pid ?? '?'} exited (${code ?? signal}) with ${inFlight} chunk(s) unfinished${said}`));
        } else resolveDone();
      };
      // What it wrote last may still be in the pipe when it exits.
      if (stderrOpen) onStderrClosed = settle;
      else settle();
    });
    feed();
  });
}

/** A worker process died before its runs were done (the message carries what it said last). */
export class WorkerFailedError extends Error {}

/** Bytes of a worker's stderr kept for the error that reports its death. */
const WORKER_STDERR_KEPT_MAX = 4096;

/** What a worker process is sent: the indices of one chunk, and everything its runs need. */
export interface WorkerJob {
  rootSeed: string;
  indices: number[];
  generator: GeneratorOptions | undefined;
  plantedBug: PlantedBug | undefined;
}

function shrinkFailure(options: FuzzOptions, failed: RunReport): FuzzFailure {
  const seed = caseSeed(options.rootSeed, failed.index);
  const original = generateCase(seed, options.generator);
  const property = failed.failure?.name ?? 'unknown';
  let lastMessage = failed.failure?.message ?? '';
  const { shrunk, runs } = shrinkCase(original, (candidate) => {
    const out = runCase(candidate, seed, { plantedBug: options.plantedBug });
    if (out.passed || out.failure?.name !== property) return false;
    lastMessage = out.failure.message;
    return true;
  });
  // The message of the shrunk case itself (the last accepted candidate's run).
  const final = runCase(shrunk, seed, { plantedBug: options.plantedBug });
  const shrunkMessage = final.failure?.name === property ? final.failure.message : lastMessage;
  return { index: failed.index, seed, original, property, message: failed.failure?.message ?? '', shrunk, shrunkMessage, shrinkRuns: runs };
}
