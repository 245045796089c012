/**
 * hap1 is restarted (hard) while the network cuts it off from hap2; an attacker hammers hap1 the
 * whole time against a limit of 20 requests per 10 s.
 *
 * What an operator learns: a restarted node asks its peers for the table; if none answers within
 * the 5 s resync timeout it declares itself synced with whatever it has — an empty table — and its
 * rate limits start from zero: the attacker gets a fresh allowance right after the restart, even
 * though the cluster "knew" it was abusive.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const LIMIT = 20;
const RESTART_MS = 20_000;

export default scenario({
  name: 'resync-window-empty-table',
  title: 'Restart with no reachable peer: synced after 5 s with an empty table',
  lesson: 'A node that cannot reach any peer at start declares itself synced after 5 s with an empty table; limits restart from zero.',
  hosts: mesh(['hap1', 'hap2'], { frontend: [`http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${LIMIT} }`] }),
  durationMs: 40_000,
  watch: { table: 'st', keys: ['198.51.100.66'], everyMs: 250 },
  script: (s) => {
    let finishedAtMs = -1;
    let finishedHow = '';
    let allowedBeforeRestart = 0;
    s.observe('resync.state', (e) => {
      if (e.host === 'hap1' && e.t >= RESTART_MS && e.details?.['state'] === 'FINISHED' && finishedAtMs < 0) {
        finishedAtMs = e.t;
        finishedHow = String(e.details['how'] ?? '');
      }
    });
    s.clients({ name: 'attacker', addresses: { list: ['198.51.100.66'] }, arrival: { kind: 'constant', ratePerSec: 50 }, targetHost: 'hap1' });
    s.at(RESTART_MS - 1_000, () => s.cut(['hap1'], ['hap2']));
    s.at(RESTART_MS - 1, () => (allowedBeforeRestart = s.stats('attacker').allowed));
    s.at(RESTART_MS, () => s.restart('hap1'));
    s.at(RESTART_MS + 12_000, () => s.heal());
    s.count('resyncFinishedAfterRestartMs', () => (finishedAtMs < 0 ? -1 : finishedAtMs - RESTART_MS), { atLeast: 5_000, atMost: 5_100 });
    s.count('finishedByTimeout', () => (finishedHow === 'timeout' ? 1 : 0), { equals: 1 });
    s.count('attackerLetThroughAfterRestart', () => {
      // within the first 10 s window after the restart the attacker gets the whole allowance again
      return allowedAfter10s - allowedBeforeRestart;
    }, { atLeast: LIMIT });
    let allowedAfter10s = 0;
    s.at(RESTART_MS + 10_000, () => (allowedAfter10s = s.stats('attacker').allowed));
    s.figure('attackerAllowedBeforeRestart', () => allowedBeforeRestart);
  },
});
