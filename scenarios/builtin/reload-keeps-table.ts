/**
 * A lone node whose peers section lists only itself is reloaded (haproxy -sf) 10 s after start.
 *
 * What an operator learns: a peers section with just the local peer is what keeps stick tables
 * across reloads: the old process teaches the new one over the local peer address before it leaves
 * (lab exp. 3a). Nothing is lost.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEYS = ['10.1.0.1', '10.1.0.2', '10.1.0.3'];

export default scenario({
  name: 'reload-keeps-table',
  title: 'Reload with a one-peer section keeps the table',
  lesson: 'With a peers section naming the local peer, a soft reload hands the whole table to the new process.',
  hosts: mesh(['hap1']),
  durationMs: 15_000,
  watch: { table: 'st', keys: [KEYS[0]!], everyMs: 250 },
  script: (s) => {
    s.at(6_000, () => KEYS.forEach((k, i) => s.set('hap1', 'st', k, { gpc0: i + 1 })));
    s.at(10_000, () => s.reload('hap1'));
    s.eventually('new-process-has-every-entry', { afterMs: 10_000, withinMs: 1_000, describe: 'the new process holds all 3 entries' }, () =>
      KEYS.every((k, i) => s.read('hap1', 'st', k, 'gpc0') === i + 1),
    );
    s.count('entriesAfterReload', () => s.used('hap1', 'st'), { equals: 3 });
  },
});
