/**
 * hap1's peer line for hap2 carries hap3's address; hap2's and hap3's configs are right.
 *
 * What an operator learns: a wrong address is answered 503 by the host it reaches (the name on the
 * hello is not that host's), and the caller never retries by itself — but replication between
 * hap1 and hap2 still works, because hap2 connects in and a session serves both directions
 * (lab exp. 5a). One-way mistakes hide; `show peers` shows last_status=NAME until hap2 calls.
 */
import { meshConfig, scenario } from '../dsl.ts';

const PEERS = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
  { name: 'hap3', address: '10.0.0.3' },
];
/** When hap2 crashes, and hap1 has to call "hap2" itself. */
const CRASH_MS = 10_000;
const WRONG = PEERS.map((p) => (p.name === 'hap2' ? { ...p, address: '10.0.0.3' } : p));

export default scenario({
  name: 'misaddressed-peer-one-way',
  title: 'A peer line pointing at the wrong host, in one config only',
  lesson: 'A misaddressed peer gets 503 and stops retrying, yet replication survives if the other side can connect in: one-way mistakes stay hidden.',
  hosts: [
    { name: 'hap1', addresses: ['10.0.0.1'], config: meshConfig({ local: 'hap1', peers: WRONG }) },
    { name: 'hap2', addresses: ['10.0.0.2'], config: meshConfig({ local: 'hap2', peers: PEERS }) },
    { name: 'hap3', addresses: ['10.0.0.3'], config: meshConfig({ local: 'hap3', peers: PEERS }) },
  ],
  durationMs: 40_000,
  script: (s) => {
    // As in the lab: at start hap2 calls hap1 and all is well; hap1 only calls "hap2" itself
    // (at hap3's address) once hap2 is gone.
    // The lab started its nodes one after the other, so hap1's first calls found no listener at
    // hap3's address; here all three start at once and hap1's startup call may reach hap3 (503)
    // before hap1 has taken hap2's incoming session (as when hap1 processes that accept 1 ms late,
    // sim/accept-delay.ts). The lab's question is what happens once hap2 is gone: counted from the crash.
    let status503 = 0;
    let callsAfter503 = 0;
    s.observe('hello.status', (e) => {
      if (e.t >= CRASH_MS && e.host === 'hap1' && e.details?.['code'] === 503 && e.details['peer'] === 'hap2') status503++;
    });
    s.observe('session.connect', (e) => {
      if (e.host === 'hap1' && e.details?.['peer'] === 'hap2' && status503 > 0) callsAfter503++;
    });
    s.at(8_000, () => s.set('hap1', 'st', '10.5.0.1', { gpc0: 77 }));
    s.eventually('hap2-learns-hap1-writes-at-start', { afterMs: 8_000, withinMs: 1_000, describe: 'hap2 holds hap1’s write' }, () =>
      s.read('hap2', 'st', '10.5.0.1', 'gpc0') === 77,
    );
    s.at(CRASH_MS, () => s.crash('hap2'));
    s.at(25_000, () => s.start('hap2'));
    s.at(30_000, () => s.set('hap1', 'st', '10.5.0.1', { gpc0: 78 }));
    s.count('hap1GotNameErrorFromHap3', () => status503, { equals: 1 });
    s.count('hap1CallsHap2AfterThe503', () => callsAfter503, { equals: 0 });
    s.eventually('replication-back-once-hap2-calls-in', { afterMs: 30_000, withinMs: 1_000, describe: 'hap2 holds hap1’s new write' }, () =>
      s.read('hap2', 'st', '10.5.0.1', 'gpc0') === 78,
    );
  },
});
