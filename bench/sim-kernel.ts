/**
 * Bare kernel throughput: schedule 1,000,000 timer events at pseudo-random times, run them
 * all, and print events per second of wall time as one JSON line.
 * Run: node --import tsx bench/sim-kernel.ts
 */
import { performance } from 'node:perf_hooks';
import { Kernel } from '../sim/kernel.ts';
import { Seeds } from '../sim/seeds.ts';

const EVENT_COUNT = 1_000_000;
const SPREAD_MS = 60_000;

function runOnce(): number {
  const kernel = new Kernel({ queueLengthMax: EVENT_COUNT });
  const random = new Seeds('bench').stream('kernel');
  const delaysMs = Array.from({ length: EVENT_COUNT }, () => random.nextInt(SPREAD_MS));
  let fired = 0;
  const fire = (): void => {
    fired += 1;
  };
  const startMs = performance.now();
  for (const delayMs of delaysMs) kernel.schedule(delayMs, fire);
  kernel.run();
  const elapsedMs = performance.now() - startMs;
  if (fired !== EVENT_COUNT) throw new Error(`ran ${fired} of ${EVENT_COUNT} events`);
  return EVENT_COUNT / (elapsedMs / 1000);
}

runOnce(); // warm-up
const value = Math.round(runOnce());
process.stdout.write(`${JSON.stringify({ bench: 'sim', metric: 'kernel_events_per_s', value, unit: 'event/s' })}\n`);
