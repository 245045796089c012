/**
 * Simulator benchmark, the production-sized world of issue 16: 10 meshed nodes with peers on,
 * tables `size 1m` storing http_req_cnt,http_req_rate(10s),gpc0,conn_cnt behind a track-sc +
 * rate-limit rule, 200,000 client addresses sending 5,000 requests/s in total spread over the
 * nodes from 5 s on, 60 simulated seconds, run exactly as `sticksim run` runs it (the default
 * trace level: the cheap fingerprint on, no JSONL). BENCH_SIM_MS shortens it.
 * Prints JSON lines ("bench":"sim-large": wall_s, speedup_x, events_per_request, peak_rss_mb).
 */
import { scenario } from '../scenarios/dsl.ts';
import { mesh } from '../scenarios/builtin/cluster.ts';
import { runScenario } from '../scenarios/runner.ts';
import { emit } from './emit.ts';

const SIMULATED_MS = Number(process.env.BENCH_SIM_MS ?? 60_000);
const TRAFFIC_START_MS = 5_000;
const NODES = Array.from({ length: 10 }, (_, i) => `hap${i + 1}`);
const ADDRESSES = 200_000;
const REQUESTS_PER_S = 5_000;

const large = scenario({
  name: 'bench-large',
  title: 'Production-sized load: 10 nodes, 200,000 clients, 5,000 req/s, 60 s',
  lesson: 'benchmark',
  hosts: mesh(NODES, {
    table: 'stick-table type ip size 1m expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt',
    frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }'],
  }),
  durationMs: SIMULATED_MS,
  watch: { table: 'st', keys: [], everyMs: 10_000 },
  script: (s) => {
    NODES.forEach((host, i) => {
      const count = Math.floor(ADDRESSES / NODES.length) + (i === 0 ? ADDRESSES % NODES.length : 0);
      s.clients({
        name: `clients-${host}`,
        addresses: { cidr: `10.${100 + i}.0.0/15`, count },
        arrival: { kind: 'poisson', ratePerSec: REQUESTS_PER_S / NODES.length },
        targetHost: host,
        startMs: TRAFFIC_START_MS,
      });
    });
    s.figure('requests_sent', () => NODES.reduce((sum, host) => sum + s.stats(`clients-${host}`).sent, 0));
  },
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
