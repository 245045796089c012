/**
 * A lone node is reloaded 2 s after it started, before its own startup resync finished (5 s).
 *
 * What an operator learns: the hand-over only happens once the old process considers itself
 * synced; alone in its section that takes the 5 s resync timeout. Two reloads in quick succession
 * (a deploy script, a config-management loop) lose the table (lab exp. 3b).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export default scenario({
  name: 'reload-before-startup-resync-loses-table',
  title: 'A reload within 5 s of start loses the table',
  lesson: 'The old process teaches the new one only if its own startup resync finished (5 s when alone): quick double reloads lose everything.',
  hosts: mesh(['hap1']),
  durationMs: 12_000,
  script: (s) => {
    let taughtUpdates = 0;
    s.observe('update.tx', (e) => {
      if (e.details?.['timed'] === true) taughtUpdates++;
    });
    s.at(1_000, () => ['10.1.0.1', '10.1.0.2'].forEach((k) => s.set('hap1', 'st', k, { gpc0: 9 })));
    s.at(2_000, () => s.reload('hap1'));
    s.count('entriesAfterReload', () => s.used('hap1', 'st'), { equals: 0 });
    s.count('updatesTaught', () => taughtUpdates, { equals: 0 });
  },
});
