/**
 * A host named `vm` runs a config without `localpeer`, whose peers section names hap1 and hap2.
 *
 * What an operator learns: when no peer line matches the local name (the host name, unless
 * localpeer or -L says otherwise), HAProxy drops the whole peers section with a warning —
 * "Removing incomplete section 'peers mypeers' (no peer named 'vm')." — and the tables run
 * without replication, with no error (lab exp. 5d).
 */
import { meshConfig, scenario } from '../dsl.ts';

const PEERS = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
];

export default scenario({
  name: 'no-local-peer-name',
  title: 'No peer line matches the host name: replication silently off',
  lesson: 'Without localpeer (or -L) the host name picks the local peer; if none matches, the section is removed with only a warning.',
  hosts: [
    { name: 'vm', addresses: ['10.0.0.1'], config: meshConfig({ local: 'hap1', peers: PEERS, localpeer: false }) },
    { name: 'hap2', addresses: ['10.0.0.2'], config: meshConfig({ local: 'hap2', peers: PEERS }) },
  ],
  durationMs: 15_000,
  script: (s) => {
    const warnings: string[] = [];
    s.observe('config.warning', (e) => {
      if (e.host === 'vm') warnings.push(String(e.details?.['message'] ?? ''));
    });
    s.at(8_000, () => s.set('vm', 'st', '10.5.0.3', { gpc0: 3 }));
    s.count('removingIncompleteSectionWarnings', () => warnings.filter((w) => w.includes("Removing incomplete section 'peers mypeers' (no peer named 'vm').")).length, { equals: 1 });
    s.count('vmTableWorksLocally', () => s.read('vm', 'st', '10.5.0.3', 'gpc0') ?? 0, { equals: 3 });
    s.always('hap2-never-learns', () => (s.read('hap2', 'st', '10.5.0.3', 'gpc0') === undefined ? true : 'hap2 learned from a node without peers'));
  },
});
