/**
 * The fuzz loop: runs N generated cases (seed `<root>-<i>`) across worker threads, stops at the
 * first violated property (the lowest failing index: every lower index has run, so the result
 * does not depend on the number of workers), shrinks it, and reports the coverage marks.
 */
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

function runInWorkers(options: FuzzOptions, coverage: CoverageTally): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  let next = 0;
  let stopping = false;
  let live = 0;
  return new Promise((resolveAll, rejectAll) => {
    const finishOne = (): void => {
      live--;
      if (live === 0) resolveAll(reports);
    };
    for (let w = 0; w < Math.min(options.workers, options.runs); w++) {
      live++;
      const worker = new Worker(options.workerUrl ?? new URL('./worker-entry.js', import.meta.url));
      const feed = (): void => {
        if (stopping || next >= options.runs) {
          void worker.terminate().then(finishOne);
          return;
        }
        const indices = Array.from({ length: Math.min(CHUNK_RUNS, options.runs - next) }, (_, k) => next + k);
        next += indices.length;
        worker.postMessage({ rootSeed: options.rootSeed, indices, generator: options.generator });
      };
      worker.on('message', (batch: RunReport[]) => {
        for (const r of batch) {
          coverage.add(r.marks);
          reports.push(r);
          if (!r.passed) stopping = true;
        }
        options.onProgress?.(reports.length);
        feed();
      });
      worker.on('error', (error) => {
        stopping = true;
        rejectAll(error);
      });
      feed();
    }
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
