/**
 * Simulator benchmark, the production-sized world of issue 16: 10 meshed nodes with peers on,
 * tables `size 1m` storing http_req_cnt,http_req_rate(10s),gpc0,conn_cnt behind a track-sc +
 * rate-limit rule, 200,000 client addresses sending 5,000 requests/s in total spread over the
 * nodes from 5 s on, 60 simulated seconds, run exactly as `sticksim run` runs it (the default
 * trace level: the cheap fingerprint on, no JSONL). BENCH_SIM_MS shortens it.
 * Prints JSON lines ("bench":"sim-large": wall_s, speedup_x, events_per_request, peak_rss_mb).
 */
import { runScenario } from '../scenarios/runner.ts';
import { emit } from './emit.ts';
import { largeShape, worldScenario } from './worlds.ts';

const SIMULATED_MS = Number(process.env.BENCH_SIM_MS ?? 60_000);

const large = worldScenario(largeShape(SIMULATED_MS), {
  name: 'bench-large',
  title: 'Production-sized load: 10 nodes, 200,000 clients, 5,000 req/s, 60 s',
  watchEveryMs: 10_000,
});

const start = process.hrtime.bigint();
// The options `sticksim run` passes (cli/commands/run.ts) without --trace: traceLevel defaults.
const out = runScenario(large, { seed: 'bench', policy: 'haproxy', scenarioRef: 'bench-large' });
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
const sentFigure = out.result.figures['requests_sent'];
const requests = typeof sentFigure === 'number' ? sentFigure : 0;
emit({ bench: 'sim-large', metric: 'wall_s', value: Number(wallS.toFixed(3)), unit: 's' });
emit({ bench: 'sim-large', metric: 'speedup_x', value: Number((SIMULATED_MS / 1000 / wallS).toFixed(2)), unit: 'x' });
emit({ bench: 'sim-large', metric: 'events_per_request', value: Number((out.kernelEvents / Math.max(1, requests)).toFixed(2)), unit: 'event/req' });
emit({ bench: 'sim-large', metric: 'peak_rss_mb', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' });
