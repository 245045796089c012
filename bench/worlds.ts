/**
 * The two worlds the simulator benchmarks run (a helper, not a benchmark):
 *   - the reference load (bench/sim.ts): 3 meshed nodes with peers on, 10,000 client addresses
 *     sending 1,000 requests/s in total through a track-sc + rate-limit rule;
 *   - the production-sized world of issue 16 (bench/sim-large.ts): 10 meshed nodes, tables
 *     `size 1m`, 200,000 client addresses sending 5,000 requests/s spread over the nodes from 5 s on.
 * Both store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt behind the same rule.
 */
import { scenario, type ScenarioSpec } from '../scenarios/dsl.ts';
import { mesh } from '../scenarios/builtin/cluster.ts';

export const STORE = 'store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';
export const FRONTEND = ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }'];

/** What a world is made of, for the simulator (a scenario) and for the engine's floor (bench/floor.ts). */
export interface WorldShape {
  readonly nodes: readonly string[];
  readonly tableSize: string;
  readonly clients: number;
  /** The prefix length of each node's client block (10.(100+i).0.0/bits). */
  readonly clientPrefixBits: number;
  readonly requestsPerS: number;
  readonly simulatedMs: number;
  /** Traffic starts here (the simulated time before it still counts in a speed-up). */
  readonly trafficStartMs: number;
}

export function referenceShape(simulatedMs: number): WorldShape {
  return { nodes: ['hap1', 'hap2', 'hap3'], tableSize: '100k', clients: 10_000, clientPrefixBits: 16, requestsPerS: 1_000, simulatedMs, trafficStartMs: 0 };
}

export function largeShape(simulatedMs: number): WorldShape {
  const nodes = Array.from({ length: 10 }, (_, i) => `hap${i + 1}`);
  return { nodes, tableSize: '1m', clients: 200_000, clientPrefixBits: 15, requestsPerS: 5_000, simulatedMs, trafficStartMs: Math.min(5_000, simulatedMs) };
}

/** Requests the world's clients send (the Poisson rate over the traffic's time, rounded). */
export function requestsOf(shape: WorldShape): number {
  return Math.round(((shape.simulatedMs - shape.trafficStartMs) / 1000) * shape.requestsPerS);
}

/**
 * The scenario of a world: one client class per node, its share of the addresses and of the rate,
 * a watch of the table, and the figure `requests_sent`.
 */
export function worldScenario(shape: WorldShape, options: { name: string; title: string; watchEveryMs: number }): ScenarioSpec {
  const nodes = shape.nodes;
  return scenario({
    name: options.name,
    title: options.title,
    lesson: 'benchmark',
    hosts: mesh([...nodes], { table: `stick-table type ip size ${shape.tableSize} expire 60s ${STORE}`, frontend: FRONTEND }),
    durationMs: shape.simulatedMs,
    watch: { table: 'st', keys: [], everyMs: options.watchEveryMs },
    script: (s) => {
      nodes.forEach((host, i) => {
        const count = Math.floor(shape.clients / nodes.length) + (i === 0 ? shape.clients % nodes.length : 0);
        s.clients({
          name: `clients-${host}`,
          addresses: { cidr: `10.${100 + i}.0.0/${shape.clientPrefixBits}`, count },
          arrival: { kind: 'poisson', ratePerSec: shape.requestsPerS / nodes.length },
          targetHost: host,
          ...(shape.trafficStartMs === 0 ? {} : { startMs: shape.trafficStartMs }),
        });
      });
      s.figure('requests_sent', () => nodes.reduce((sum, host) => sum + s.stats(`clients-${host}`).sent, 0));
    },
  });
}
