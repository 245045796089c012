/**
 * A 100-entry table limits each source to 20 requests per 10 s. A botnet of 500 addresses, each
 * sending 5 requests per second (far above the limit), hits the node for 20 s.
 *
 * What an operator learns: with more abusers than entries, each new key evicts the oldest entry
 * (or, when the oldest ones were touched since, finds nothing to evict and goes untracked), so
 * counters keep restarting from zero and most abusive requests get through. Size tables for the
 * number of distinct clients in an expiry period, not for the ones you hope to block.
 *
 * Differs by version in degree only: 3.0 evicts inside hash buckets and 3.2 purges up to 100
 * entries at once (docs/haproxy-versions.md E2/E3); the limit still stops little in each.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export const SMALL_TABLE = 'stick-table type ip size 100 expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';

export default scenario({
  name: 'table-too-small-under-attack',
  title: 'A table too small: eviction makes the rate limit useless',
  lesson:
    'Eviction resets the attacker’s counter whenever the table is full of other keys: the limit stops almost nothing. Differs by HAProxy line in degree: 3.0 evicts inside hash buckets and lets about 85 % through instead of all; 3.2 purges up to 100 entries at once, so the table can end far from full.',
  hosts: mesh(['hap1'], { table: SMALL_TABLE, frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }),
  durationMs: 20_000,
  script: (s) => {
    s.clients({ name: 'botnet', addresses: { cidr: '100.64.0.0/16', count: 500 }, arrival: { kind: 'poisson', ratePerSec: 2_500 }, targetHost: 'hap1', stopMs: 20_000 });
    // With a table big enough for the 500 sources about half of these requests would be denied.
    // 3.0 evicts the oldest entry of the lowest non-empty bucket, often a fresh key, so an older
    // abuser's counter survives a little more often (docs/haproxy-versions.md E2): still most get through.
    const letThroughMin = s.haproxy === '3.0' ? 80 : 90;
    s.count('botnetLetThroughPercent', () => Math.round((100 * s.stats('botnet').allowed) / Math.max(1, s.stats('botnet').sent)), { atLeast: letThroughMin });
    // 3.2 purges a batch of up to 100 entries (2 per bucket) when full, so at the end the table
    // may be anywhere between nearly empty and full (docs/haproxy-versions.md E2/E3, study D3/D4).
    s.count('tableFull', () => s.used('hap1', 'st'), s.haproxy === '3.2' ? { atLeast: 1, atMost: 100 } : { equals: 100 });
  },
});
