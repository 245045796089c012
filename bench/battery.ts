/**
 * The whole failure battery (`sticksim run --config`) on the 3-node config with real-looking
 * addresses (test/fixtures/battery/three-nodes.cfg): the reference run plus every scenario, under
 * one seed and the haproxy merge policy: {"bench":"battery","metric":"battery_wall_s",…}; and the
 * front door's start-up cost, `npx sticksim --help` (`cli_start_ms`) and `node bin/sticksim.js
 * --help` (`cli_start_node_ms`), medians of BENCH_CLI_START_RUNS runs (bench/cli-start-time.ts).
 * Run from the repository root (bench/run.ts does).
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../engine/config/parse.ts';
import { deriveCluster } from '../scenarios/battery/derive.ts';
import { runBattery } from '../scenarios/battery/index.ts';
import { cliStartMs } from './cli-start-time.ts';
import { emit } from './emit.ts';

const FILE = 'test/fixtures/battery/three-nodes.cfg';
const text = readFileSync(FILE, 'latin1');
const parsed = parseConfig(text, { file: FILE });
if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
const cluster = deriveCluster([{ file: FILE, text, config: parsed.config }]);

const start = process.hrtime.bigint();
const run = runBattery(cluster, { seed: 'bench', policy: 'haproxy', latencyMs: 1, failOnFinding: false });
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
const broken = run.results.filter((r) => !r.result.passed);
if (broken.length > 0) throw new Error(`battery bench: ${broken.map((r) => r.result.scenario).join(', ')} broke`);
emit({ bench: 'battery', metric: 'battery_wall_s', value: Number(wallS.toFixed(3)), unit: 's' });
emit({ bench: 'battery', metric: 'battery_scenarios', value: run.results.length, unit: 'count' });
const cliStart = cliStartMs(process.cwd());
emit({ bench: 'battery', metric: 'cli_start_ms', value: cliStart.npxMs, unit: 'ms' });
emit({ bench: 'battery', metric: 'cli_start_node_ms', value: cliStart.nodeMs, unit: 'ms' });
