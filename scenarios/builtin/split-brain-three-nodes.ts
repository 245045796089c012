/**
 * Three meshed nodes; hap3 is cut from hap1 only (hap2 still sees both). A key written on hap1
 * during the cut reaches hap2, but hap2 does not relay it to hap3.
 *
 * What an operator learns: peers never relay what they learned from another peer incrementally
 * (only a full resync teaches it), so in a partial partition a node stays diverged for the whole
 * cut even though it is connected to a node that has the value; it only converges when the writer
 * itself reconnects and resumes pushing from that node's last ACK (lab exp. 4, three nodes).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.9.9.7';

export default scenario({
  name: 'split-brain-three-nodes',
  title: 'Three nodes, partial partition: nothing is relayed',
  lesson: 'A node cut from the writer does not get the value through a third node; it diverges until the writer itself reconnects to it.',
  hosts: mesh(['hap1', 'hap2', 'hap3']),
  durationMs: 30_000,
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    s.at(10_000, () => s.cut(['hap1'], ['hap3']));
    s.at(11_000, () => s.set('hap1', 'st', KEY, { gpc0: 42 }));
    s.at(20_000, () => s.heal());
    s.eventually('hap2-learns-from-hap1', { afterMs: 11_000, withinMs: 1_000, describe: 'hap2 holds 42' }, () => s.read('hap2', 'st', KEY, 'gpc0') === 42);
    s.always('hap3-never-gets-it-through-hap2', () => {
      if (s.nowMs() < 11_000 || s.nowMs() >= 20_000) return true;
      const v = s.read('hap3', 'st', KEY, 'gpc0');
      return v === undefined ? true : `hap3 holds ${v} during the cut: something relayed it`;
    });
    s.count('hap3HasKeyAtEnd', () => (s.read('hap3', 'st', KEY, 'gpc0') === 42 ? 1 : 0), { equals: 1 });
  },
});
