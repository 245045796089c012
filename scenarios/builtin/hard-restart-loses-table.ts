/**
 * A lone node with a one-peer section is stopped and started again (not reloaded).
 *
 * What an operator learns: only a soft reload hands the table over; a hard restart (systemctl
 * restart, a crash, an OOM kill) of a node with no other peer loses it all (lab exp. 3a).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export default scenario({
  name: 'hard-restart-loses-table',
  title: 'Hard restart of a lone node loses the table',
  lesson: 'A hard restart is not a reload: with no remote peer to learn from, the table starts empty.',
  hosts: mesh(['hap1']),
  durationMs: 20_000,
  script: (s) => {
    s.at(6_000, () => ['10.1.0.1', '10.1.0.2'].forEach((k) => s.set('hap1', 'st', k, { gpc0: 3 })));
    s.at(10_000, () => s.restart('hap1'));
    s.count('entriesAfterRestart', () => s.used('hap1', 'st'), { equals: 0 });
  },
});
