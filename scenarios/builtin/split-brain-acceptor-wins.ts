/**
 * Split brain, two nodes, the peer link cut with TCP resets (like an iptables REJECT).
 *
 * What an operator learns: after a partition heals, HAProxy does NOT keep the higher count and does
 * not add the two sides up. Each side resumes pushing from the last ACK it got, and the side that
 * ACCEPTED the reconnecting session ends up with its value on both nodes: the whole entry is
 * replaced, and the other side's increments during the partition are lost (lab exp. 4).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.9.9.9';
const CUT_MS = 10_000;
const HEAL_MS = 20_000;
const WRITES = { hap1: 5, hap2: 12 } as const;

export default scenario({
  name: 'split-brain-acceptor-wins',
  title: 'Split brain with a REJECT cut: the acceptor of the new session wins the whole entry',
  lesson:
    'After a heal neither the higher nor the summed count survives: the node that accepted the reconnecting peers session pushes last-ACKed changes, and its entry replaces the other one everywhere.',
  hosts: mesh(['hap1', 'hap2']),
  durationMs: 40_000,
  policies: ['haproxy', 'aggregate', 'max'],
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    // The acceptor of the session that carried the first update after the heal (collisions may
    // kill earlier sessions: the trace says which one survived).
    let lastAcceptor: string | undefined;
    let acceptor: string | undefined;
    s.observe('hello.status', (e) => {
      if (e.t >= HEAL_MS && e.details?.['role'] === 'acceptor' && e.details['code'] === 200) lastAcceptor = e.host;
    });
    s.observe('update.rx', (e) => {
      if (e.t >= HEAL_MS && acceptor === undefined && e.details?.['key'] === KEY) acceptor = lastAcceptor;
    });
    s.at(8_000, () => s.set('hap1', 'st', KEY, { gpc0: 1 }));
    s.at(CUT_MS, () => s.cut(['hap1'], ['hap2']));
    s.at(11_000, () => {
      s.set('hap1', 'st', KEY, { gpc0: WRITES.hap1 });
      s.set('hap2', 'st', KEY, { gpc0: WRITES.hap2 });
    });
    s.at(HEAL_MS, () => s.heal());
    const value = (h: string): number | undefined => s.read(h, 'st', KEY, 'gpc0');
    s.eventually('converges-after-heal', { afterMs: HEAL_MS, withinMs: 15_000, describe: 'both nodes hold the same gpc0' }, () => {
      const a = value('hap1');
      return a !== undefined && a === value('hap2');
    });
    s.always('outcome-per-merge-policy', () => {
      if (s.nowMs() < HEAL_MS + 15_000) return true;
      const a = value('hap1');
      const b = value('hap2');
      if (acceptor === undefined) return 'no session was accepted after the heal';
      // haproxy: the acceptor's entry; aggregate: 1 + both sides' increments; max: the larger.
      const expected =
        s.policy === 'aggregate'
          ? 1 + (WRITES.hap1 - 1) + (WRITES.hap2 - 1)
          : s.policy === 'max'
            ? Math.max(WRITES.hap1, WRITES.hap2)
            : WRITES[acceptor as keyof typeof WRITES];
      if (a !== expected || b !== expected) {
        return `policy ${s.policy}: after the heal hap1=${a} hap2=${b}, expected ${expected} (acceptor ${acceptor} wrote ${WRITES[acceptor as keyof typeof WRITES]})`;
      }
      return true;
    });
    let convergedAtMs = -1;
    s.until({ startMs: HEAL_MS, everyMs: 10, withinMs: 15_000 }, () => {
      const a = value('hap1');
      return a !== undefined && a === value('hap2') && a !== 1;
    }, (timedOut) => {
      if (!timedOut) convergedAtMs = s.nowMs();
    });
    s.figure('convergeMs', () => (convergedAtMs < 0 ? -1 : convergedAtMs - HEAL_MS));
    s.figure('acceptorIsHap1', () => (acceptor === 'hap1' ? 1 : 0));
    s.figure('finalGpc0Hap1', () => value('hap1') ?? -1);
    s.figure('finalGpc0Hap2', () => value('hap2') ?? -1);
  },
});
