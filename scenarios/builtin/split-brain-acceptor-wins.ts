/**
 * Split brain, two nodes, the peer link cut with TCP resets (like an iptables REJECT).
 *
 * Before the cut both nodes hold the client's entry gpc0=1 http_req_cnt=2. During the cut the
 * two sides change it differently (lab exp. 4, S7/S8): hap1 flags the client (gpc0=5) and counts
 * 2 more requests (http_req_cnt=4); hap2 counts 7 more requests (http_req_cnt=9) and never
 * touches gpc0.
 *
 * What an operator learns: after a partition heals, HAProxy neither keeps the larger values
 * (that would be gpc0=5 http_req_cnt=9) nor adds the changes up (gpc0=5 http_req_cnt=11). Each
 * side resumes pushing from the last ACK it got, and the side that ACCEPTED the reconnecting
 * session ends up with its whole entry on both nodes: hap1 accepting gives 5/4 everywhere (hap2's
 * 7 requests are forgotten), hap2 accepting gives 1/9 everywhere (hap1's flag is gone).
 *
 * Which node accepts comes out of the reconnect timers and collisions of each seed: of the seeds
 * this scenario runs on, hap1 accepts on 3 and 10, hap2 on 2 and 4 (the built-in test checks that
 * both occur). Seed 1 is left out: there the heal's first session carries the updates in an order
 * where a node pushing before reading ends the same, so it cannot tell that wrong engine apart.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.9.9.9';
const CUT_MS = 10_000;
const HEAL_MS = 20_000;
const SETTLE_MS = 15_000;

interface Entry {
  gpc0: number;
  http_req_cnt: number;
}

const BEFORE: Entry = { gpc0: 1, http_req_cnt: 2 };
/** Each side's entry at the end of the partition (hap2 leaves gpc0 alone). */
const DURING = { hap1: { gpc0: 5, http_req_cnt: 4 }, hap2: { gpc0: BEFORE.gpc0, http_req_cnt: 9 } } as const satisfies Record<string, Entry>;

export default scenario({
  name: 'split-brain-acceptor-wins',
  title: 'Split brain with a REJECT cut: the acceptor of the new session wins the whole entry',
  lesson:
    'After a heal the two sides’ changes are not combined (neither the larger values nor the sums): the node that accepted the reconnecting peers session imposes its whole entry on both nodes, and every change the other node made during the partition is lost.',
  hosts: mesh(['hap1', 'hap2']),
  durationMs: 40_000,
  policies: ['haproxy', 'aggregate', 'max'],
  seeds: ['2', '3', '4', '10'],
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    // The acceptor of the session that carried the first update after the heal (collisions may
    // kill earlier sessions: the trace says which one survived).
    let lastAcceptor: string | undefined;
    let acceptor: 'hap1' | 'hap2' | undefined;
    s.observe('hello.status', (e) => {
      if (e.t >= HEAL_MS && e.details?.['role'] === 'acceptor' && e.details['code'] === 200) lastAcceptor = e.host;
    });
    s.observe('update.rx', (e) => {
      if (e.t >= HEAL_MS && acceptor === undefined && e.details?.['key'] === KEY && (lastAcceptor === 'hap1' || lastAcceptor === 'hap2')) acceptor = lastAcceptor;
    });
    s.at(8_000, () => s.set('hap1', 'st', KEY, { ...BEFORE }));
    s.at(CUT_MS, () => s.cut(['hap1'], ['hap2']));
    s.at(11_000, () => {
      s.set('hap1', 'st', KEY, { gpc0: DURING.hap1.gpc0, http_req_cnt: DURING.hap1.http_req_cnt });
      s.set('hap2', 'st', KEY, { http_req_cnt: DURING.hap2.http_req_cnt });
    });
    s.at(HEAL_MS, () => s.heal());
    const entry = (h: string): Entry | undefined => {
      const e = s.entry(h, 'st', KEY);
      const gpc0 = e?.read('gpc0');
      const httpReqCnt = e?.read('http_req_cnt');
      return gpc0 === undefined || httpReqCnt === undefined ? undefined : { gpc0, http_req_cnt: httpReqCnt };
    };
    const same = (a: Entry | undefined, b: Entry | undefined): boolean =>
      a !== undefined && b !== undefined && a.gpc0 === b.gpc0 && a.http_req_cnt === b.http_req_cnt;
    const show = (e: Entry | undefined): string => (e === undefined ? 'absent' : `gpc0=${e.gpc0} http_req_cnt=${e.http_req_cnt}`);
    s.eventually('converges-after-heal', { afterMs: HEAL_MS, withinMs: SETTLE_MS, describe: 'both nodes hold the same gpc0 and http_req_cnt' }, () =>
      same(entry('hap1'), entry('hap2')),
    );
    s.always('outcome-per-merge-policy', () => {
      if (s.nowMs() < HEAL_MS + SETTLE_MS) return true;
      if (acceptor === undefined) return 'no session was accepted after the heal';
      // haproxy: the acceptor's whole entry; aggregate: the base plus both sides' increments;
      // max: per field, the larger value.
      const expected: Entry =
        s.policy === 'aggregate'
          ? {
              gpc0: BEFORE.gpc0 + (DURING.hap1.gpc0 - BEFORE.gpc0) + (DURING.hap2.gpc0 - BEFORE.gpc0),
              http_req_cnt: BEFORE.http_req_cnt + (DURING.hap1.http_req_cnt - BEFORE.http_req_cnt) + (DURING.hap2.http_req_cnt - BEFORE.http_req_cnt),
            }
          : s.policy === 'max'
            ? { gpc0: Math.max(DURING.hap1.gpc0, DURING.hap2.gpc0), http_req_cnt: Math.max(DURING.hap1.http_req_cnt, DURING.hap2.http_req_cnt) }
            : DURING[acceptor];
      const a = entry('hap1');
      const b = entry('hap2');
      if (!same(a, expected) || !same(b, expected)) {
        return `policy ${s.policy}: after the heal hap1 has ${show(a)}, hap2 has ${show(b)}; expected ${show(expected)} on both (acceptor ${acceptor})`;
      }
      return true;
    });
    let convergedAtMs = -1;
    s.until({ startMs: HEAL_MS, everyMs: 10, withinMs: SETTLE_MS }, () => same(entry('hap1'), entry('hap2')), (timedOut) => {
      if (!timedOut) convergedAtMs = s.nowMs();
    });
    s.figure('convergeMs', () => (convergedAtMs < 0 ? -1 : convergedAtMs - HEAL_MS));
    s.figure('acceptorIsHap1', () => (acceptor === 'hap1' ? 1 : 0));
    s.figure('acceptorIsHap2', () => (acceptor === 'hap2' ? 1 : 0));
    s.figure('finalGpc0Hap1', () => entry('hap1')?.gpc0 ?? -1);
    s.figure('finalGpc0Hap2', () => entry('hap2')?.gpc0 ?? -1);
    s.figure('finalHttpReqCntHap1', () => entry('hap1')?.http_req_cnt ?? -1);
    s.figure('finalHttpReqCntHap2', () => entry('hap2')?.http_req_cnt ?? -1);
  },
});
