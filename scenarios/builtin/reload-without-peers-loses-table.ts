/**
 * The same reload without any peers section.
 *
 * What an operator learns: without a peers section a reload starts from an empty table: every
 * rate limit and abuse counter is reset at each reload (lab exp. 3a, control).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export default scenario({
  name: 'reload-without-peers-loses-table',
  title: 'Reload without peers loses the table',
  lesson: 'A reload without a peers section resets every counter: the new process starts empty.',
  hosts: mesh(['hap1'], { withPeers: false }),
  durationMs: 15_000,
  script: (s) => {
    s.at(6_000, () => ['10.1.0.1', '10.1.0.2', '10.1.0.3'].forEach((k) => s.set('hap1', 'st', k, { gpc0: 7 })));
    s.at(10_000, () => s.reload('hap1'));
    let before = 0;
    s.at(9_000, () => (before = s.used('hap1', 'st')));
    s.count('entriesBeforeReload', () => before, { equals: 3 });
    s.count('entriesAfterReload', () => s.used('hap1', 'st'), { equals: 0 });
  },
});
