/**
 * Two nodes; the link is clogged (packets held, like an iptables DROP shorter than the timeouts)
 * while both sides write the same key, then released.
 *
 * What an operator learns: when the TCP session survives the cut, each side's pending update is
 * delivered to the other after the release, each side applies the other's value, and the values
 * SWAP — and stay swapped until the next write (lab exp. 4, "session survived").
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.9.9.8';

export default scenario({
  name: 'split-brain-session-survives',
  title: 'A held link with writes on both sides: the values swap',
  lesson: 'If the peers session survives a short cut, concurrent writes cross on the wire and each node ends with the other’s value.',
  hosts: mesh(['hap1', 'hap2']),
  durationMs: 20_000,
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    s.at(8_000, () => s.set('hap1', 'st', KEY, { gpc0: 1 }));
    s.at(10_000, () => s.hold(['hap1'], ['hap2']));
    s.at(10_500, () => {
      s.set('hap1', 'st', KEY, { gpc0: 15 });
      s.set('hap2', 'st', KEY, { gpc0: 12 });
    });
    s.at(11_500, () => s.release());
    s.eventually('values-swapped', { afterMs: 11_500, withinMs: 2_000, describe: 'hap1 holds 12 and hap2 holds 15' }, () =>
      s.read('hap1', 'st', KEY, 'gpc0') === 12 && s.read('hap2', 'st', KEY, 'gpc0') === 15,
    );
    s.always('stays-swapped', () => {
      if (s.nowMs() < 14_000) return true;
      const a = s.read('hap1', 'st', KEY, 'gpc0');
      const b = s.read('hap2', 'st', KEY, 'gpc0');
      return a === 12 && b === 15 ? true : `hap1=${a} hap2=${b}, expected the swapped 12/15`;
    });
  },
});
