/**
 * A fuzz worker process (forked by fuzzer.ts): runs the indices of each chunk it is sent and sends
 * their reports back; exits when the parent closes the channel.
 */
import { runIndex, type RunReport, type WorkerJob } from './fuzzer.ts';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('scenarios/fuzz/worker.ts runs as a worker process of sticksim fuzz');
process.on('message', (job: WorkerJob) => {
  const out: RunReport[] = [];
  for (const index of job.indices) {
    const r = runIndex(job.rootSeed, index, { generator: job.generator, plantedBug: job.plantedBug });
    out.push(r);
    if (!r.passed) break;
  }
  send(out);
});
process.on('disconnect', () => process.exit(0));
