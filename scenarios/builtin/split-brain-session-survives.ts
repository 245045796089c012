/**
 * Two nodes; the link is clogged (packets held, like an iptables DROP shorter than the timeouts)
 * while both sides change the same client's entry differently, then released.
 *
 * Before the hold both nodes hold gpc0=1 http_req_cnt=2. During it hap1 flags the client
 * (gpc0=5) and counts 2 more requests (http_req_cnt=4); hap2 counts 7 more (http_req_cnt=9).
 *
 * What an operator learns: when the TCP session survives the cut, each side's pending update is
 * delivered to the other after the release, each side applies the other's whole entry, and the
 * entries SWAP: hap1 ends with hap2's 1/9, hap2 with hap1's 5/4 — not the larger values (5/9)
 * nor the sums (5/11) — and they stay swapped until the next write (lab exp. 4, "session
 * survived").
 *
 * No session is re-opened, so no acceptor decides anything here: the outcome is the same on
 * every seed (the built-in test runs seeds 1, 2 and 3).
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

const KEY = '10.9.9.8';
const RELEASE_MS = 11_500;
const SWAPPED_BY_MS = 14_000;

interface Entry {
  gpc0: number;
  http_req_cnt: number;
}

const BEFORE: Entry = { gpc0: 1, http_req_cnt: 2 };
/** Each side's entry at the end of the hold (hap2 leaves gpc0 alone). */
const DURING = { hap1: { gpc0: 5, http_req_cnt: 4 }, hap2: { gpc0: BEFORE.gpc0, http_req_cnt: 9 } } as const satisfies Record<string, Entry>;

export default scenario({
  name: 'split-brain-session-survives',
  title: 'A held link with writes on both sides: the entries swap',
  lesson: 'If the peers session survives a short cut, concurrent changes cross on the wire and each node ends with the other’s whole entry; neither keeps its own change.',
  hosts: mesh(['hap1', 'hap2']),
  durationMs: 20_000,
  watch: { table: 'st', keys: [KEY], everyMs: 250 },
  script: (s) => {
    s.at(8_000, () => s.set('hap1', 'st', KEY, { ...BEFORE }));
    s.at(10_000, () => s.hold(['hap1'], ['hap2']));
    s.at(10_500, () => {
      s.set('hap1', 'st', KEY, { gpc0: DURING.hap1.gpc0, http_req_cnt: DURING.hap1.http_req_cnt });
      s.set('hap2', 'st', KEY, { http_req_cnt: DURING.hap2.http_req_cnt });
    });
    s.at(RELEASE_MS, () => s.release());
    const holds = (h: string, want: Entry): boolean => {
      const e = s.entry(h, 'st', KEY);
      return e?.read('gpc0') === want.gpc0 && e.read('http_req_cnt') === want.http_req_cnt;
    };
    const show = (h: string): string => {
      const e = s.entry(h, 'st', KEY);
      return e === undefined ? `${h} has no entry` : `${h} has gpc0=${e.read('gpc0')} http_req_cnt=${e.read('http_req_cnt')}`;
    };
    const swapped = (): boolean => holds('hap1', DURING.hap2) && holds('hap2', DURING.hap1);
    s.eventually('values-swapped', { afterMs: RELEASE_MS, withinMs: 2_000, describe: 'hap1 holds hap2’s gpc0=1 http_req_cnt=9 and hap2 holds hap1’s gpc0=5 http_req_cnt=4' }, swapped);
    s.always('stays-swapped', () => {
      if (s.nowMs() < SWAPPED_BY_MS) return true;
      return swapped() ? true : `${show('hap1')}, ${show('hap2')}; expected the swapped entries 1/9 and 5/4`;
    });
  },
});
