/**
 * Simulator benchmark, the reference scenario: 3 meshed nodes with peers on, 10,000 client
 * addresses sending 1,000 requests/s in total through a track-sc + rate-limit rule, for 10
 * simulated minutes. Prints wall time, speed-up over real time, kernel events per second and
 * peak RSS as JSON lines ("bench":"sim": wall_s, speedup_x, events_per_s, peak_rss_mb), then
 * runs it again as `sticksim run` does, with the determinism fingerprint on (speedup_x_default).
 */
import { runScenario } from '../scenarios/runner.ts';
import { emit } from './emit.ts';
import { referenceShape, worldScenario } from './worlds.ts';

const SIMULATED_MS = Number(process.env.BENCH_SIM_MS ?? 600_000);

const reference = worldScenario(referenceShape(SIMULATED_MS), {
  name: 'bench-reference',
  title: 'Reference load: 3 nodes, 10,000 clients, 1,000 req/s, 10 minutes',
  watchEveryMs: 60_000,
});

const start = process.hrtime.bigint();
const out = runScenario(reference, { seed: 'bench', policy: 'haproxy', traceLevel: 'off' });
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
emit({ bench: 'sim', metric: 'wall_s', value: Number(wallS.toFixed(3)), unit: 's' });
emit({ bench: 'sim', metric: 'speedup_x', value: Math.round(SIMULATED_MS / 1000 / wallS), unit: 'x' });
emit({ bench: 'sim', metric: 'events_per_s', value: Math.round(out.kernelEvents / wallS), unit: 'event/s' });
emit({ bench: 'sim', metric: 'peak_rss_mb', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' });

// The same world as `sticksim run` runs it: every event folded into the determinism fingerprint.
const startDefault = process.hrtime.bigint();
const outDefault = runScenario(reference, { seed: 'bench', policy: 'haproxy' });
const wallDefaultS = Number(process.hrtime.bigint() - startDefault) / 1e9;
if (outDefault.result.fingerprint === '' || outDefault.kernelEvents !== out.kernelEvents) throw new Error('the default run fingerprints the same world');
emit({ bench: 'sim', metric: 'speedup_x_default', value: Math.round(SIMULATED_MS / 1000 / wallDefaultS), unit: 'x' });
