/**
 * The same attack on the same 100-entry table, declared with `nopurge`.
 *
 * What an operator learns: nopurge keeps the entries it has (the heavy attacker, if it came early,
 * stays limited), but once the table is full every new source is served untracked: new abusers are
 * never limited at all (lab exp. 6, nopurge).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const TABLE = 'stick-table type ip size 100 expire 60s nopurge store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';

export default scenario({
  name: 'table-too-small-nopurge',
  title: 'A full nopurge table refuses new keys: late abusers go untracked',
  lesson: 'With nopurge, entries already in the table stay limited, but every new source is served and never tracked.',
  hosts: mesh(['hap1'], { table: TABLE, frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }),
  durationMs: 30_000,
  script: (s) => {
    s.clients({ name: 'early-attacker', addresses: { list: ['198.51.100.1'] }, arrival: { kind: 'constant', ratePerSec: 100 }, targetHost: 'hap1' });
    s.clients({ name: 'botnet', addresses: { cidr: '100.64.0.0/16', count: 2_000 }, arrival: { kind: 'poisson', ratePerSec: 200 }, targetHost: 'hap1', startMs: 1_000 });
    s.clients({ name: 'late-attacker', addresses: { list: ['198.51.100.2'] }, arrival: { kind: 'constant', ratePerSec: 100 }, targetHost: 'hap1', startMs: 5_000 });
    s.count('earlyAttackerLetThrough', () => s.stats('early-attacker').allowed, { atMost: 80 });
    s.count('lateAttackerLetThrough', () => s.stats('late-attacker').allowed, { atLeast: 2_000 });
    s.count('lateAttackerTracked', () => (s.read('hap1', 'st', '198.51.100.2', 'http_req_cnt') === undefined ? 0 : 1), { equals: 0 });
  },
});
