/**
 * hap2 reaches hap1 through a NAT: hap2's config lists hap1 at a public address (192.0.2.1) that
 * the network maps to hap1, and hap1's connections to hap2 appear from that public address.
 *
 * What an operator learns: the peers handshake checks only names, never addresses, so NAT and
 * VIPs in front of a peer just work as long as the address reaches the right process (spec §6.2).
 */
import { meshConfig, scenario } from '../dsl.ts';

const INSIDE = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
];
const SEEN_FROM_HAP2 = [
  { name: 'hap1', address: '192.0.2.1' },
  { name: 'hap2', address: '10.0.0.2' },
];

export default scenario({
  name: 'peer-behind-nat',
  title: 'A peer behind NAT replicates normally',
  lesson: 'Identity in the peers protocol is the name only: addresses may be translated freely.',
  hosts: [
    { name: 'hap1', addresses: ['10.0.0.1'], config: meshConfig({ local: 'hap1', peers: INSIDE }) },
    { name: 'hap2', addresses: ['10.0.0.2'], config: meshConfig({ local: 'hap2', peers: SEEN_FROM_HAP2 }) },
  ],
  durationMs: 15_000,
  script: (s) => {
    s.natDestination({ address: '192.0.2.1', toHost: 'hap1' });
    s.natSource({ host: 'hap1', asAddress: '192.0.2.1' });
    s.at(8_000, () => {
      s.set('hap1', 'st', '10.5.0.4', { gpc0: 4 });
      s.set('hap2', 'st', '10.5.0.5', { gpc0: 5 });
    });
    s.eventually('both-directions-replicate', { afterMs: 8_000, withinMs: 1_000, describe: 'each node holds the other’s write' }, () =>
      s.read('hap2', 'st', '10.5.0.4', 'gpc0') === 4 && s.read('hap1', 'st', '10.5.0.5', 'gpc0') === 5,
    );
  },
});
