/**
 * hap1 and hap2 each list the other at hap3's address.
 *
 * What an operator learns: when both directions are wrong no session ever forms: both get 503
 * from hap3, stop retrying, and replicate nothing, silently (lab exp. 5: last_status=NAME,
 * new_conn stops increasing).
 */
import { meshConfig, scenario } from '../dsl.ts';

const PEERS = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
  { name: 'hap3', address: '10.0.0.3' },
];
const wrongFor = (who: string) => PEERS.map((p) => (p.name !== who && p.name !== 'hap3' ? { ...p, address: '10.0.0.3' } : p));

export default scenario({
  name: 'misaddressed-peer-both-ways',
  title: 'Both sides misaddress each other: no replication at all',
  lesson: 'A two-way addressing mistake never forms a session and never retries: the nodes silently stop sharing counters.',
  hosts: [
    { name: 'hap1', addresses: ['10.0.0.1'], config: meshConfig({ local: 'hap1', peers: wrongFor('hap1') }) },
    { name: 'hap2', addresses: ['10.0.0.2'], config: meshConfig({ local: 'hap2', peers: wrongFor('hap2') }) },
    { name: 'hap3', addresses: ['10.0.0.3'], config: meshConfig({ local: 'hap3', peers: PEERS }) },
  ],
  durationMs: 30_000,
  script: (s) => {
    let connects = 0;
    s.observe('session.connect', (e) => {
      if ((e.host === 'hap1' && e.details?.['peer'] === 'hap2') || (e.host === 'hap2' && e.details?.['peer'] === 'hap1')) connects++;
    });
    s.at(8_000, () => s.set('hap1', 'st', '10.5.0.2', { gpc0: 5 }));
    s.always('hap2-never-learns', () => (s.read('hap2', 'st', '10.5.0.2', 'gpc0') === undefined ? true : 'hap2 learned a value without any session'));
    s.count('connectAttemptsBetweenHap1AndHap2', () => connects, { atMost: 2 });
  },
});
