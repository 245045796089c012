/**
 * A lone node is reloaded 2 s after it started, before its own startup resync finished (5 s).
 *
 * What an operator learns: the hand-over only happens once the old process considers itself
 * synced; alone in its section that takes the 5 s resync timeout in HAProxy 2.6. Two reloads in
 * quick succession (a deploy script, a config-management loop) lose the table (lab exp. 3b).
 *
 * Differs by version: from 3.0 a section with no remote peer counts as synced at once (4b1a7ea66),
 * so the old process teaches and the table is kept (docs/haproxy-versions.md S1, study B1). With a
 * remote peer configured but down, every version still loses it (S2).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export default scenario({
  name: 'reload-before-startup-resync-loses-table',
  title: 'A reload within 5 s of start loses the table',
  lesson:
    'The old process teaches the new one only if its own startup resync finished (5 s when alone in 2.6): quick double reloads lose everything. From 3.0 a node alone in its section is synced at once and keeps its table.',
  hosts: mesh(['hap1']),
  durationMs: 12_000,
  script: (s) => {
    let taughtUpdates = 0;
    s.observe('update.tx', (e) => {
      if (e.details?.['timed'] === true) taughtUpdates++;
    });
    s.at(1_000, () => ['10.1.0.1', '10.1.0.2'].forEach((k) => s.set('hap1', 'st', k, { gpc0: 9 })));
    s.at(2_000, () => s.reload('hap1'));
    // 2.6 loses both keys; 3.x (no remote peer: synced at start) teaches and keeps them.
    const kept = s.haproxy === '2.6' ? 0 : 2;
    s.count('entriesAfterReload', () => s.used('hap1', 'st'), { equals: kept });
    s.count('updatesTaught', () => taughtUpdates, { equals: kept });
  },
});
