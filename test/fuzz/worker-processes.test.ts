/**
 * Worker processes of `sticksim fuzz --workers K`: V8 runs single-threaded only when the workers
 * take every core, a run split over processes reports every run, and a worker that cannot
 * start fails the run with a message instead of hanging it.
 */
import { describe, expect, it } from 'vitest';
import { fuzz, workerV8Flags } from '../../scenarios/fuzz/fuzzer.ts';

describe('workerV8Flags', () => {
  it('asks for a single-threaded V8 with a later tier-up only when the workers take every core', () => {
    const busy = ['--single-threaded', '--interrupt-budget=200000'];
    expect(workerV8Flags({ workers: 2, cores: 2 })).toEqual(busy);
    expect(workerV8Flags({ workers: 3, cores: 2 })).toEqual(busy);
    expect(workerV8Flags({ workers: 1, cores: 1 })).toEqual(busy);
    expect(workerV8Flags({ workers: 2, cores: 4 })).toEqual([]);
  });
});

describe('fuzz in worker processes', () => {
  it('reports every run across 2 processes, with the coverage marks of a 1-worker run', async () => {
    const two = await fuzz({ runs: 12, rootSeed: 'procs', workers: 2 });
    const one = await fuzz({ runs: 12, rootSeed: 'procs', workers: 1 });
    expect(two.failure).toBeUndefined();
    expect(two.runsDone).toBe(12);
    expect([...two.coverage.counts].sort()).toEqual([...one.coverage.counts].sort());
  }, 60_000);

  it('fails with the worker named when a worker process cannot start', async () => {
    const missing = new URL('file:///nonexistent/sticksim-fuzz-worker.mjs');
    await expect(fuzz({ runs: 8, rootSeed: 'procs', workers: 2, workerUrl: missing })).rejects.toThrow(/fuzz worker process \d+ exited \(1\) with \d chunk\(s\) unfinished; it said:\n[^]*Cannot find module/);
  }, 60_000);
});
