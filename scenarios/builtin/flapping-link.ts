/**
 * The link between two nodes goes down (with resets) and up every 2 s for 20 s while both write.
 *
 * What an operator learns: a flapping link costs reconnects and collisions, and writes made
 * while it is down are exchanged on each reconnect from the last ACK; once it is stable the nodes
 * converge on the last writes.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.7.7.7';

export default scenario({
  name: 'flapping-link',
  title: 'A flapping link between two nodes',
  lesson: 'Flapping costs reconnects and loses concurrent increments, but the nodes converge once the link is stable.',
  hosts: mesh(['hap1', 'hap2']),
  durationMs: 45_000,
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    let sessions = 0;
    s.observe('hello.status', (e) => {
      if (e.details?.['code'] === 200 && e.details['role'] === 'acceptor') sessions++;
    });
    for (let t = 8_000; t < 28_000; t += 4_000) {
      s.at(t, () => s.cut(['hap1'], ['hap2']));
      s.at(t + 2_000, () => s.heal());
    }
    s.every({ startMs: 7_000, everyMs: 700, untilMs: 28_000 }, (ms) => s.set(ms % 1400 === 0 ? 'hap1' : 'hap2', 'st', KEY, { gpc0: ms }));
    s.at(30_000, () => s.set('hap1', 'st', KEY, { gpc0: 999 }));
    s.eventually('converges-once-stable', { afterMs: 30_000, withinMs: 2_000, describe: 'both nodes hold 999' }, () =>
      s.read('hap1', 'st', KEY, 'gpc0') === 999 && s.read('hap2', 'st', KEY, 'gpc0') === 999,
    );
    s.count('sessionsEstablished', () => sessions, { atLeast: 5 });
  },
});
