/**
 * Port of lab experiment 3b (lab/03b-reload-threshold.sh, RESULTS.md "Experiment 3", output
 * lab/out/03b-reload-threshold.out): a lone node (its peers section names only itself) gets two
 * entries and is soft-reloaded PRE seconds after it started, for PRE = 0.5, 3, 4.6, 5.4, 6 and 7 s,
 * each on a fresh process; 2 s after the reload the new process's table is read.
 *
 * Figures it reproduces: the table is handed over (used:2) only when the old process had finished
 * its own startup resync, 5 s after start (kept at 5.4, 6 and 7 s; lost at 0.5, 3 and 4.6 s), and
 * the section flags the lab printed: 0x11 before a reload inside the window and 0x0 after it (the
 * new process waits for an old one that never teaches), 0x33 before a late reload and 0x1103 after
 * (learned from the local old process).
 *
 * What an operator learns: reloading a node within 5 s of its start (a crash loop, a deploy that
 * reloads twice) silently empties its tables, even with a peers section.
 *
 * Differs by version (docs/haproxy-versions.md S1; lab/v3/out/<line>/03b-reload-threshold.out):
 * from 3.0 a section with no remote peer is synced at start, so every reload keeps the table,
 * with the section flags 0x300003 before and 0x11000003 after (PRE_SECONDS_3X). The kept table is
 * profile `loneLocalPeerSyncedAtStart`, the flag values `showPeers3x` (R11). Expectation
 * `kept-only-after-the-startup-resync` is per line; test/scenarios/versions.test.ts judges each
 * line's run by the other line's rows (negative controls).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

/** Seconds after the start at which the lab reloaded, and whether the table was kept (used:2). */
export const PRE_SECONDS: readonly { preS: number; kept: boolean; flagsBefore: string; flagsAfter: string }[] = [
  { preS: 0.5, kept: false, flagsBefore: '0x11', flagsAfter: '0x0' },
  { preS: 3, kept: false, flagsBefore: '0x11', flagsAfter: '0x0' },
  { preS: 4.6, kept: false, flagsBefore: '0x11', flagsAfter: '0x0' },
  { preS: 5.4, kept: true, flagsBefore: '0x33', flagsAfter: '0x1103' },
  { preS: 6, kept: true, flagsBefore: '0x33', flagsAfter: '0x1103' },
  { preS: 7, kept: true, flagsBefore: '0x33', flagsAfter: '0x1103' },
];

/** The same rounds as HAProxy 3.0.11 and 3.2.26 ran them: kept at every delay. */
export const PRE_SECONDS_3X: typeof PRE_SECONDS = PRE_SECONDS.map(({ preS }) => ({ preS, kept: true, flagsBefore: '0x300003', flagsAfter: '0x11000003' }));

interface Round {
  preS: number;
  usedBefore: number;
  usedAfter: number;
  flagsBefore: string;
  flagsAfter: string;
}

export default scenario({
  name: 'lab-03b-reload-threshold',
  title: 'Lab experiment 3b ported: a lone node reloaded 0.5-7 s after its start',
  lesson:
    'A soft reload hands the table over only once the old process has finished its startup resync (5 s after start for a node alone in its peers section in 2.6); a reload sooner loses every entry. Differs by HAProxy line: from 3.0 a node alone in its section is synced at start, so every reload keeps the table (and `show peers` prints 3.x flag values).',
  hosts: mesh(['hap1']).map((h) => ({ ...h, startAtZero: false })),
  durationMs: 60_000,
  script: (s) => {
    const rounds: Round[] = [];
    const flags = (): string => /flags=(0x[0-9a-f]+)/.exec(s.cli('hap1', 'show peers'))?.[1] ?? 'none';
    s.sequence(function* () {
      for (const { preS } of PRE_SECONDS) {
        const t0 = s.nowMs();
        s.start('hap1');
        s.set('hap1', 'st', '127.0.0.60', { gpc0: 7 });
        s.set('hap1', 'st', '127.0.0.61', { gpc0: 8 });
        yield s.sleep(t0 + preS * 1000 - s.nowMs());
        const before = { usedBefore: s.used('hap1', 'st'), flagsBefore: flags() };
        s.reload('hap1');
        yield s.sleep(2_000);
        rounds.push({ preS, ...before, usedAfter: s.used('hap1', 'st'), flagsAfter: flags() });
        yield s.sleep(300);
        s.crash('hap1');
        yield s.sleep(300);
      }
    });
    const expected = s.haproxy === '2.6' ? PRE_SECONDS : PRE_SECONDS_3X;
    const lab = (preS: number) => expected.find((p) => p.preS === preS)!;
    s.count('rounds', () => rounds.length, { equals: PRE_SECONDS.length });
    // The table kept or lost as in the lab, and the section flags it printed around each reload.
    s.always('kept-only-after-the-startup-resync', () => {
      const wrong = rounds.filter((r) => {
        const l = lab(r.preS);
        return (r.usedAfter === 2) !== l.kept || r.usedBefore !== 2 || r.flagsBefore !== l.flagsBefore || r.flagsAfter !== l.flagsAfter;
      });
      return wrong.length === 0 ? true : wrong.map((r) => `reload at ${r.preS} s: used ${r.usedBefore} -> ${r.usedAfter}, flags ${r.flagsBefore} -> ${r.flagsAfter}`).join('; ');
    });
    for (const { preS } of PRE_SECONDS) {
      s.figure(`reloadAt${String(preS).replace('.', '_')}s`, () => {
        const r = rounds.find((x) => x.preS === preS);
        return r === undefined ? 'not run' : { usedBefore: r.usedBefore, usedAfter: r.usedAfter, flagsBefore: r.flagsBefore, flagsAfter: r.flagsAfter };
      });
    }
  },
});
