/**
 * The fuzz loop: runs N generated cases (seed `<root>-<i>`) on K threads (this one and K-1 worker
 * threads), stops at the first violated property (the lowest failing index: every lower index has
 * run, so the result does not depend on the number of workers), shrinks it, and reports the
 * coverage marks.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ExpectationResult } from '../results.ts';
import type { FuzzCase } from './case.ts';
import { CoverageTally } from './coverage.ts';
import { generateCase, type GeneratorOptions } from './generator.ts';
import { runCase } from './run-case.ts';
import { shrinkCase } from './shrink.ts';

export const RUNS_MAX = 10_000_000;
export const WORKERS_MAX = 64;
const CHUNK_RUNS = 4;
/** Chunks a worker thread holds at once: it starts the next while its report travels back. */
const CHUNKS_IN_FLIGHT_MAX = 2;

export interface FuzzOptions {
  runs: number;
  rootSeed: string;
  workers: number;
  generator?: GeneratorOptions;
  /** The worker thread's entry (default: worker-entry.js beside this file, which loads TS through tsx). */
  workerUrl?: URL;
  /** Called after every finished run. */
  onProgress?: (done: number) => void;
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
  failure: FuzzFailure | undefined;
  coverage: CoverageTally;
}

export function caseSeed(rootSeed: string, index: number): string {
  return `${rootSeed}-${index}`;
}

/** One run, as a worker does it. */
export function runIndex(rootSeed: string, index: number, generator: GeneratorOptions | undefined): RunReport {
  const seed = caseSeed(rootSeed, index);
  const out = runCase(generateCase(seed, generator), seed);
  return { index, passed: out.passed, failure: out.failure, marks: [...out.marks] };
}

export async function fuzz(options: FuzzOptions): Promise<FuzzResult> {
  if (!Number.isSafeInteger(options.runs) || options.runs < 1 || options.runs > RUNS_MAX) throw new Error(`--runs is an integer in [1, ${RUNS_MAX}]`);
  if (!Number.isSafeInteger(options.workers) || options.workers < 1 || options.workers > WORKERS_MAX) throw new Error(`--workers is an integer in [1, ${WORKERS_MAX}]`);
  const coverage = new CoverageTally();
  const reports = options.workers === 1 ? runInProcess(options, coverage) : await runInWorkers(options, coverage);
  const failed = reports.filter((r) => !r.passed).sort((a, b) => a.index - b.index)[0];
  if (failed === undefined) return { runsDone: reports.length, failure: undefined, coverage };
  return { runsDone: reports.length, failure: shrinkFailure(options, failed), coverage };
}

function runInProcess(options: FuzzOptions, coverage: CoverageTally): RunReport[] {
  const reports: RunReport[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = runIndex(options.rootSeed, i, options.generator);
    coverage.add(r.marks);
    reports.push(r);
    options.onProgress?.(reports.length);
    if (!r.passed) break;
  }
  return reports;
}

/**
 * K threads: this one runs cases between its event-loop turns, K-1 worker threads run chunks of
 * CHUNK_RUNS indices, each holding up to CHUNKS_IN_FLIGHT_MAX so it never waits for this thread.
 * Chunks are handed out in index order and, once a case fails, no new chunk is; every chunk
 * handed out is finished, so every index below the lowest failure has run.
 */
async function runInWorkers(options: FuzzOptions, coverage: CoverageTally): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  let next = 0;
  let stopping = false;
  const take = (): number[] | undefined => {
    if (stopping || next >= options.runs) return undefined;
    const indices = Array.from({ length: Math.min(CHUNK_RUNS, options.runs - next) }, (_, k) => next + k);
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
  const threads = Math.min(options.workers, Math.ceil(options.runs / CHUNK_RUNS));
  const workersDone = Array.from({ length: threads - 1 }, () => runWorkerThread(options, take, accept));
  let failure: unknown;
  const settled = Promise.allSettled(workersDone).then((results) => {
    for (const r of results) if (r.status === 'rejected') failure ??= r.reason;
  });
  // A worker's error stops the hand-out at once (this thread's loop sees `stopping`).
  for (const done of workersDone) done.catch(() => (stopping = true));
  for (let chunk = take(); chunk !== undefined; chunk = take()) {
    for (const index of chunk) {
      const r = runIndex(options.rootSeed, index, options.generator);
      accept([r]);
      if (!r.passed) break;
      // Between cases, worker reports are taken in and workers fed.
      await yieldToEventLoop();
    }
  }
  await settled;
  if (failure !== undefined) throw failure;
  return reports;
}

/** One worker thread fed chunks from `take` until none is left; resolves once it has exited. */
function runWorkerThread(
  options: FuzzOptions,
  take: () => number[] | undefined,
  accept: (batch: readonly RunReport[]) => void,
): Promise<void> {
  return new Promise((resolveDone, rejectDone) => {
    const worker = new Worker(options.workerUrl ?? new URL('./worker-entry.js', import.meta.url));
    let inFlight = 0;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      void worker.terminate().then(() => resolveDone());
    };
    const feed = (): void => {
      while (!ended && inFlight < CHUNKS_IN_FLIGHT_MAX) {
        const indices = take();
        if (indices === undefined) break;
        inFlight++;
        worker.postMessage({ rootSeed: options.rootSeed, indices, generator: options.generator });
      }
      if (inFlight === 0) end();
    };
    worker.on('message', (batch: RunReport[]) => {
      inFlight--;
      accept(batch);
      feed();
    });
    worker.on('error', (error) => {
      ended = true;
      void worker.terminate();
      rejectDone(error);
    });
    feed();
  });
}

function shrinkFailure(options: FuzzOptions, failed: RunReport): FuzzFailure {
  const seed = caseSeed(options.rootSeed, failed.index);
  const original = generateCase(seed, options.generator);
  const property = failed.failure?.name ?? 'unknown';
  let lastMessage = failed.failure?.message ?? '';
  const { shrunk, runs } = shrinkCase(original, (candidate) => {
    const out = runCase(candidate, seed);
    if (out.passed || out.failure?.name !== property) return false;
    lastMessage = out.failure.message;
    return true;
  });
  // The message of the shrunk case itself (the last accepted candidate's run).
  const final = runCase(shrunk, seed);
  const shrunkMessage = final.failure?.name === property ? final.failure.message : lastMessage;
  return { index: failed.index, seed, original, property, message: failed.failure?.message ?? '', shrunk, shrunkMessage, shrinkRuns: runs };
}
