/**
 * A big full resync under traffic: hap1 holds ~100,000 entries, hap2 crashes and comes back over
 * a 50 ms link with a 64 KB send buffer (the lesson is paced over ~30 trips) while hap1 serves
 * 1,000 req/s that keep re-touching entries. JSON line {"bench":"sim","metric":"resync_under_traffic_wall_s",…}:
 * wall time of the 60 simulated seconds (the walk of the teach stages must not re-sort the tree
 * after every touch).
 */
import { scenario } from '../scenarios/dsl.ts';
import { mesh } from '../scenarios/builtin/cluster.ts';
import { runScenario } from '../scenarios/runner.ts';
import { emit } from './emit.ts';

const ENTRIES = 100_000;
const FILL_PER_S = 50_000;

const spec = scenario({
  name: 'bench-resync-under-traffic',
  title: 'A 100k-entry resync paced by the send buffer under 1,000 req/s',
  lesson: 'benchmark',
  hosts: mesh(['hap1', 'hap2'], { table: `stick-table type ip size ${2 * ENTRIES} expire 600s store http_req_cnt,gpc0` }),
  durationMs: 60_000,
  link: { latencyMs: 50, sendBufferBytes: 64 * 1024 },
  watch: { table: 'st', keys: [], everyMs: 10_000 },
  script: (s) => {
    s.clients({ name: 'fill', addresses: { cidr: '10.0.0.0/8', count: ENTRIES }, arrival: { kind: 'constant', ratePerSec: FILL_PER_S }, targetHost: 'hap1', startMs: 1_000, stopMs: 1_000 + Math.ceil((ENTRIES * 3 * 1000) / FILL_PER_S) });
    s.clients({ name: 'live', addresses: { cidr: '10.0.0.0/8', count: ENTRIES }, arrival: { kind: 'poisson', ratePerSec: 1_000 }, targetHost: 'hap1', startMs: 20_000 });
    s.at(25_000, () => s.crash('hap2'));
    s.at(26_000, () => s.start('hap2'));
    // hap1 keeps creating entries for new clients; hap2 must hold nearly all of them by then.
    s.eventually('hap2-learns-the-table', { afterMs: 26_000, withinMs: 30_000, describe: 'hap2 holds 99 % of hap1 entries' }, () => s.used('hap2', 'st') >= 0.99 * s.used('hap1', 'st'));
  },
});

const start = process.hrtime.bigint();
const out = runScenario(spec, { seed: 'bench', policy: 'haproxy', traceLevel: 'off' });
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
if (!out.result.passed) throw new Error(`resync bench: ${out.result.expectations.map((e) => `${e.name}: ${e.message}`).join('; ')}`);
emit({ bench: 'sim', metric: 'resync_under_traffic_wall_s', value: Number(wallS.toFixed(3)), unit: 's' });
