/**
 * Three meshed nodes; hap3 crashes and comes back 5 s later.
 *
 * What an operator learns: a returning node asks the first peer it reaches for a full resync and
 * has the whole table within a few round trips (lab exp. 3b: 60–85 ms), but while it was down and
 * until that lesson arrives its limits are blind: it counts from zero for the keys it lacks.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEYS = Array.from({ length: 50 }, (_, i) => `10.2.0.${i + 1}`);
const RESTART_MS = 15_000;

export default scenario({
  name: 'crashed-node-resyncs',
  title: 'A crashed node returns and resyncs from its peers',
  lesson: 'After a crash the node learns the full table from a peer shortly after it starts; the blind window is the downtime plus that resync.',
  hosts: mesh(['hap1', 'hap2', 'hap3']),
  durationMs: 25_000,
  link: { latencyMs: 2 },
  watch: { table: 'st', keys: [KEYS[0]!], everyMs: 100 },
  script: (s) => {
    let learnedAtMs = -1;
    s.at(6_000, () => KEYS.forEach((k, i) => s.set('hap1', 'st', k, { gpc0: i + 1 })));
    s.at(10_000, () => s.crash('hap3'));
    s.at(RESTART_MS, () => s.start('hap3'));
    s.until({ startMs: RESTART_MS, everyMs: 5, withinMs: 8_000 }, () => s.used('hap3', 'st') === KEYS.length, (timedOut) => {
      if (!timedOut) learnedAtMs = s.nowMs();
    });
    s.eventually('hap3-relearns-every-key', { afterMs: RESTART_MS, withinMs: 2_000, describe: 'hap3 holds all 50 keys with hap1’s values' }, () =>
      KEYS.every((k, i) => s.read('hap3', 'st', k, 'gpc0') === i + 1),
    );
    s.count('resyncMsAfterRestart', () => (learnedAtMs < 0 ? -1 : learnedAtMs - RESTART_MS), { atLeast: 0, atMost: 1_000 });
    s.figure('convergeMs', () => (learnedAtMs < 0 ? -1 : learnedAtMs - RESTART_MS));
    s.figure('blindMs', () => (learnedAtMs < 0 ? -1 : learnedAtMs - 10_000));
  },
});
