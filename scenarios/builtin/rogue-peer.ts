/**
 * A third machine ("rogue", 10.0.0.66) runs haproxy with -L hap2 and a config claiming to be hap2,
 * and connects to hap1. It sets an entry that blocks a customer (gpc0 = 1000).
 *
 * What an operator learns: the peers protocol authenticates nothing but a name. Any process that
 * can reach the peer port and knows a peer's name can inject counters (and knocks the real hap2's
 * session out as a "collision"). Put peers on a private network, or use ssl on peer lines.
 */
import { meshConfig, scenario } from '../dsl.ts';

const PEERS = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
];
const ROGUE_VIEW = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.66' },
];
const VICTIM = '203.0.113.7';

export default scenario({
  name: 'rogue-peer',
  title: 'A rogue process claiming a peer’s name injects entries',
  lesson: 'Identity is only the name: a rogue peer can write any counter into your tables.',
  hosts: [
    { name: 'hap1', addresses: ['10.0.0.1'], config: meshConfig({ local: 'hap1', peers: PEERS }) },
    { name: 'hap2', addresses: ['10.0.0.2'], config: meshConfig({ local: 'hap2', peers: PEERS }) },
    { name: 'rogue', addresses: ['10.0.0.66'], cliLocalPeer: 'hap2', config: meshConfig({ local: 'hap2', peers: ROGUE_VIEW, localpeer: false }), startAtZero: false },
  ],
  durationMs: 20_000,
  script: (s) => {
    let collisions = 0;
    s.observe('collision', (e) => {
      if (e.host === 'hap1' && e.t >= 7_000) collisions++; // startup collisions between hap1 and hap2 do not count
    });
    s.at(7_000, () => s.start('rogue'));
    s.at(9_000, () => s.set('rogue', 'st', VICTIM, { gpc0: 1000 }));
    s.eventually('hap1-accepts-the-injected-entry', { afterMs: 9_000, withinMs: 2_000, describe: 'hap1 holds gpc0=1000 for the victim' }, () =>
      s.read('hap1', 'st', VICTIM, 'gpc0') === 1000,
    );
    s.count('collisionsOnHap1AfterRogueStarts', () => collisions, { atLeast: 1 });
  },
});
