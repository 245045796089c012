/** A fuzz worker thread: runs the indices it is sent and posts their reports back. */
import { parentPort } from 'node:worker_threads';
import type { GeneratorOptions } from './generator.ts';
import { runIndex, type RunReport } from './fuzzer.ts';

const port = parentPort;
if (port === null) throw new Error('scenarios/fuzz/worker.ts runs as a worker thread');
port.on('message', (job: { rootSeed: string; indices: number[]; generator: GeneratorOptions | undefined }) => {
  const out: RunReport[] = [];
  for (const index of job.indices) {
    const r = runIndex(job.rootSeed, index, job.generator);
    out.push(r);
    if (!r.passed) break;
  }
  port.postMessage(out);
});
