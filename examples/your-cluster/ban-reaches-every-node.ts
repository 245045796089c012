/**
 * A ban written on one node must stop the client on every node, and survive a reload.
 *
 * The cluster is this project's own haproxy.cfg: one node per `peer` line, at that line's address,
 * each running the shared file with `-L <its name>` as the real nodes do. An operator bans
 * 203.0.113.66 on lb1 through the runtime API (`set table www key 203.0.113.66 data.gpc0 1`);
 * the client keeps sending to lb2 and lb3, and lb2 is reloaded meanwhile.
 */
import { readFileSync } from 'node:fs';
import { scenario, type HostSpec } from 'sticksim';

const config = readFileSync(new URL('./haproxy.cfg', import.meta.url), 'latin1');
const hosts: HostSpec[] = [...config.matchAll(/^\s*peer\s+(\S+)\s+([\d.]+):\d+\s*$/gm)].map(([, name, address]) => ({
  name: name!,
  addresses: [address!],
  cliLocalPeer: name!,
}));

const BANNED = '203.0.113.66';
// Between two of the client's requests (every 200 ms from 1 s): an update lb2 or lb3 sends for the
// client at the same instant carries its own gpc0=0 and would overwrite the ban (whole entries, the last write wins).
const BAN_MS = 6_100;
const RELOAD_MS = 10_000;

export default scenario({
  name: 'ban-reaches-every-node',
  title: 'A ban set on lb1 stops the client on lb2 and lb3, across a reload of lb2',
  lesson:
    'A ban written on one node reaches its peers within a network round trip, and a reloaded node keeps it (the old process teaches the new one); but the new process serves at once, so the request that arrives with the reload passes.',
  hosts,
  config,
  durationMs: 20_000,
  watch: { table: 'www', keys: [BANNED], everyMs: 500 },
  script: (s) => {
    for (const target of ['lb2', 'lb3']) {
      s.clients({ name: `banned-on-${target}`, addresses: { list: [BANNED] }, arrival: { kind: 'constant', ratePerSec: 5 }, targetHost: target, startMs: 1_000 });
    }
    s.at(BAN_MS, () => s.set('lb1', 'www', BANNED, { gpc0: 1 }));
    s.at(RELOAD_MS, () => s.reload('lb2'));

    s.eventually('ban-on-every-node', { afterMs: BAN_MS, withinMs: 1_000, describe: 'lb2 and lb3 hold the ban' }, () =>
      ['lb2', 'lb3'].every((h) => s.read(h, 'www', BANNED, 'gpc0') === 1),
    );
    s.eventually('ban-after-reload', { afterMs: RELOAD_MS, withinMs: 1_000, describe: 'the new process of lb2 holds the ban' }, () =>
      s.read('lb2', 'www', BANNED, 'gpc0') === 1,
    );
    s.always('one-entry-per-node', () => {
      for (const h of ['lb1', 'lb2', 'lb3']) if (s.used(h, 'www') > 1) return `${h} holds ${s.used(h, 'www')} entries`;
      return true;
    });

    // Requests the banned client got through once the ban had reached every node: the one that
    // reaches lb2's new process with the reload, before its old process has taught it the ban.
    let allowedAtBan = 0;
    const allowed = (): number => s.stats('banned-on-lb2').allowed + s.stats('banned-on-lb3').allowed;
    s.at(BAN_MS + 1_000, () => (allowedAtBan = allowed()));
    s.count('allowedAfterBan', () => allowed() - allowedAtBan, { atMost: 1 });
    s.figure('deniedOnLb2', () => s.stats('banned-on-lb2').denied);
  },
});
