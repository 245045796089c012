/**
 * Two regions 200 ms apart; an attacker sends 30 req/s to each region's node, against a limit of
 * 100 requests per 10 s per node.
 *
 * What an operator learns: peers replicate the latest ENTRY, not the sum: each node's counter is
 * overwritten by the other's pushes, so an attacker spread over two regions is counted about once,
 * not twice, and gets well over the intended cluster-wide limit through. Replication itself takes
 * one latency (200 ms).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '198.51.100.77';

export default scenario({
  name: 'inter-region-latency',
  title: '200 ms between regions: overwrite, not sum',
  lesson: 'An attacker spread over regions is not summed by peers: each node sees roughly its own rate, so a per-node limit lets about twice as much through cluster-wide.',
  hosts: mesh(['hap1', 'hap2'], { frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }'] }),
  durationMs: 60_000,
  link: { latencyMs: 200 },
  watch: { table: 'st', keys: [KEY], everyMs: 500 },
  script: (s) => {
    s.clients({ name: 'attacker-eu', addresses: { list: [KEY] }, arrival: { kind: 'constant', ratePerSec: 30 }, targetHost: 'hap1', startMs: 10_000 });
    s.clients({ name: 'attacker-us', addresses: { list: [KEY] }, arrival: { kind: 'constant', ratePerSec: 30 }, targetHost: 'hap2', startMs: 10_000 });
    let replicatedAtMs = -1;
    s.at(20_000, () => s.set('hap1', 'st', '10.8.8.8', { gpc0: 1 }));
    s.until({ startMs: 20_000, everyMs: 10, withinMs: 2_000 }, () => s.read('hap2', 'st', '10.8.8.8', 'gpc0') === 1, (timedOut) => {
      if (!timedOut) replicatedAtMs = s.nowMs() - 20_000;
    });
    s.count('replicationDelayMs', () => replicatedAtMs, { atLeast: 200, atMost: 260 });
    // 50 s at 60 req/s = 3,000 requests; a summed limit of 100/10 s would allow about 500.
    s.count('attackerLetThrough', () => s.stats('attacker-eu').allowed + s.stats('attacker-us').allowed, { atLeast: 1_000 });
  },
});
