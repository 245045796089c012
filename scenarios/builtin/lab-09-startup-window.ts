/**
 * Port of lab experiment 9 (lab/09-startup-window.sh, RESULTS.md "Experiment 9", output
 * lab/out/09-startup-window.out): three nodes started together; W = 0.5, 1.0 and 2.0 s after the
 * start (one round each, fresh processes), 6 keys are written on hap1 100 ms apart and one each on
 * hap2 and hap3, inside the window where the startup sessions collide and are re-made. The three
 * tables are compared 1, 4 and 13 s after the writes.
 *
 * Figures it reproduces: every node holds all 8 keys with their values in the end, in every
 * round, including writes made while every session was down (the lab: already at the first check,
 * 1 s after the writes, in its one trial per round; sticksim has a key still missing at that
 * check in 20 of 50 seeds for W=0.5 s and 13 of 50 for W=1 s, figure missingAt1s, which one lab
 * trial per round can neither confirm nor rule out); the section flags at the last check, after
 * the 5 s resync timeout, in every round: 0x6833 on hap1 and 0x68b3 on the others.
 *
 * Differs by version in the flag values only (docs/haproxy-versions.md R11, S8): 3.0.11 and 3.2.26
 * printed 0x28300003 on hap1 and 0x28b00003 on the others at the last check of every round
 * (lab/v3/out/<line>/09-startup-window.out). The section went through the same states; 3.x numbers
 * them with other bits (profile `showPeers3x`). Every write still reaches every node in all three.
 *
 * What an operator learns: the startup collision window delays replication but loses nothing:
 * updates that could not be sent are kept and pushed when the session comes back.
 */
import { scenario } from '../dsl.ts';
import { PeerSessions } from '../lab-port.ts';
import { mesh } from './cluster.ts';

const NODES = ['hap1', 'hap2', 'hap3'] as const;
export const WRITE_AT_S: readonly number[] = [0.5, 1.0, 2.0];
/**
 * The section flags `show peers` printed on hap1/hap2/hap3 at the last check of every round, per
 * line: lab/out/09-startup-window.out (2.6.12), lab/v3/out/3.0|3.2/09-startup-window.out.
 */
export const FLAGS_AT_LAST_CHECK = { '2.6': '0x6833/0x68b3/0x68b3', '3.x': '0x28300003/0x28b00003/0x28b00003' } as const;
/** The keys written and their gpc0: 6 on hap1, one on hap2, one on hap3. */
const WRITES: readonly { host: string; key: string; gpc0: number }[] = [
  ...[1, 2, 3, 4, 5, 6].map((k) => ({ host: 'hap1', key: `127.0.0.${10 + k}`, gpc0: k })),
  { host: 'hap2', key: '127.0.0.20', gpc0: 20 },
  { host: 'hap3', key: '127.0.0.30', gpc0: 30 },
];

interface Round {
  writeAtS: number;
  /** Sessions 1-2, 1-3, 2-3 as the lab printed them just before the writes. */
  sessions: string;
  /** Keys missing or wrong per check (+1 s, +4 s, +13 s after the writes), over all nodes. */
  missing: number[];
  flags: string;
}

export default scenario({
  name: 'lab-09-startup-window',
  title: 'Lab experiment 9 ported: writes made while a 3-node cluster starts',
  lesson:
    'Writes made during the startup collision window reach every node once the sessions are re-made: the window delays replication, it loses nothing. The same in 2.6, 3.0 and 3.2; only the section flags `show peers` prints differ by line (3.x numbers the same states with other bits).',
  hosts: mesh([...NODES]).map((h) => ({ ...h, startAtZero: false })),
  durationMs: 70_000,
  script: (s) => {
    const rounds: Round[] = [];
    const sessions = new PeerSessions(s);
    const missing = (): number => {
      let n = 0;
      for (const node of NODES) for (const w of WRITES) if (s.read(node, 'st', w.key, 'gpc0') !== w.gpc0) n++;
      return n;
    };
    s.sequence(function* () {
      for (const writeAtS of WRITE_AT_S) {
        const t0 = s.nowMs();
        for (const node of NODES) {
          s.start(node);
          yield s.sleep(10);
        }
        yield s.sleep(t0 + writeAtS * 1000 - s.nowMs());
        const state = (a: string, b: string): string => sessions.state(a, b);
        const seen = `1-2 ${state('hap1', 'hap2')} 1-3 ${state('hap1', 'hap3')} 2-3 ${state('hap2', 'hap3')}`;
        for (const w of WRITES.filter((x) => x.host === 'hap1')) {
          s.set(w.host, 'st', w.key, { gpc0: w.gpc0 });
          yield s.sleep(100);
        }
        for (const w of WRITES.filter((x) => x.host !== 'hap1')) s.set(w.host, 'st', w.key, { gpc0: w.gpc0 });
        const counts: number[] = [];
        for (const waitS of [1, 3, 9]) {
          yield s.sleep(waitS * 1000);
          counts.push(missing());
        }
        const flags = NODES.map((n) => /flags=(0x[0-9a-f]+)/.exec(s.cli(n, 'show peers'))?.[1] ?? 'none').join('/');
        rounds.push({ writeAtS, sessions: seen, missing: counts, flags });
        for (const node of NODES) {
          s.crash(node);
          sessions.forget(node);
        }
        yield s.sleep(500);
      }
    });
    s.count('rounds', () => rounds.length, { equals: WRITE_AT_S.length });
    s.always('every-write-everywhere-by-the-last-check', () => {
      const wrong = rounds.filter((r) => r.missing[2] !== 0);
      return wrong.length === 0 ? true : wrong.map((r) => `writes at +${r.writeAtS} s: missing or wrong per check ${r.missing.join(', ')}`).join('; ');
    });
    // Per line: the same section state (resync finished, hap1 by its timeout, the others taught),
    // printed with 2.6's or 3.x's bit values (R11, profile showPeers3x).
    const line = s.haproxy === '2.6' ? '2.6' : '3.x';
    s.always('section-flags-at-the-last-check', () => {
      const wrong = rounds.filter((r) => r.flags !== FLAGS_AT_LAST_CHECK[line]);
      return wrong.length === 0 ? true : wrong.map((r) => `writes at +${r.writeAtS} s: flags ${r.flags} (lab, ${line}: ${FLAGS_AT_LAST_CHECK[line]})`).join('; ');
    });
    for (const writeAtS of WRITE_AT_S) {
      s.figure(`writesAt${String(writeAtS).replace('.', '_')}s`, () => {
        const r = rounds.find((x) => x.writeAtS === writeAtS);
        return r === undefined ? 'not run' : { sessions: r.sessions, missingAt1s: r.missing[0]!, missingAt13s: r.missing[2]!, flags: r.flags };
      });
    }
  },
});
