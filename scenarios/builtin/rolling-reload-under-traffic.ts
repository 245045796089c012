/**
 * Three nodes under traffic are reloaded one after the other, 5 s apart; an attacker is spread
 * over the three nodes and legitimate users send 1 request per second each.
 *
 * What an operator learns: with peers, a rolling reload keeps every counter: each new process
 * learns the table from its old one and no legitimate user is denied. But the new process serves
 * traffic at once, before the lesson arrives: a request or so per reload meets an empty table and
 * slips past the limit.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const LIMIT = 50;

export default scenario({
  name: 'rolling-reload-under-traffic',
  title: 'Rolling reload of a 3-node cluster under traffic',
  lesson: 'With peers, a rolling reload loses no counter; only the requests that arrive before the hand-over completes (about one per reload here) see an empty table.',
  hosts: mesh(['hap1', 'hap2', 'hap3'], { frontend: [`http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${LIMIT} }`] }),
  durationMs: 40_000,
  link: { latencyMs: 1 },
  watch: { table: 'st', keys: ['198.51.100.9'], everyMs: 500 },
  script: (s) => {
    for (const h of ['hap1', 'hap2', 'hap3']) {
      s.clients({ name: `attacker-${h}`, addresses: { list: ['198.51.100.9'] }, arrival: { kind: 'constant', ratePerSec: 20 }, targetHost: h });
      s.clients({ name: `users-${h}`, addresses: { cidr: `10.50.${h.slice(3)}.0/24`, count: 50 }, arrival: { kind: 'poisson', ratePerSec: 5 }, targetHost: h });
    }
    s.at(15_000, () => s.reload('hap1'));
    s.at(20_000, () => s.reload('hap2'));
    s.at(25_000, () => s.reload('hap3'));
    // Each reload must hand the counter over: the new process reads at least what the old one had.
    let lost = 0;
    for (const [h, t] of [['hap1', 15_000], ['hap2', 20_000], ['hap3', 25_000]] as const) {
      let before = 0;
      s.at(t - 1, () => (before = s.read(h, 'st', '198.51.100.9', 'http_req_cnt') ?? 0));
      s.at(t + 100, () => {
        const after = s.read(h, 'st', '198.51.100.9', 'http_req_cnt') ?? 0;
        if (after < before) lost++;
      });
    }
    let attackerAllowedAt14s = 0;
    s.at(14_000, () => (attackerAllowedAt14s = ['hap1', 'hap2', 'hap3'].reduce((n, h) => n + s.stats(`attacker-${h}`).allowed, 0)));
    s.count('usersDenied', () => ['hap1', 'hap2', 'hap3'].reduce((n, h) => n + s.stats(`users-${h}`).denied, 0), { equals: 0 });
    s.count('reloadsThatLostTheCounter', () => lost, { equals: 0 });
    s.count('attackerAllowedDuringReloads', () => ['hap1', 'hap2', 'hap3'].reduce((n, h) => n + s.stats(`attacker-${h}`).allowed, 0) - attackerAllowedAt14s, { atMost: 3 });
  },
});
