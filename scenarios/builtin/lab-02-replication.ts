/**
 * Port of lab experiment 2 (lab/02-replication.sh, RESULTS.md "Experiment 2", output
 * lab/out/02-replication.out): replication in a 3-node full mesh.
 *
 * (a) `set table` on hap1 ten times: the value on hap2 and hap3 (lab: on the wire 2.9-4.6 ms
 *     after the command, most of it socat's start; seen by CLI polling after 13-19 ms).
 * (b) HTTP requests to hap2: each one's count reaches the other nodes.
 * (c)-(d) run as lab 02's script runs them (scenarios/lab-02-steps.ts, the steps the lab comparison
 *     harness's `cut.rejectDetectMs` runs too): each seed's shell runs at the helper speed of one
 *     of the six lab 02 runs of 2.6, 3.0 and 3.2 (LAB_02_RUNS: "one CLI poll costs about X ms" in
 *     that run's output, scripts/lab02-helper-costs.py), drawn from the script's stream.
 * (c) 5 rounds of `cli 1 set 100 & cli 3 set 300 & wait` (each write where its socat reaches the
 *     node), `sleep 1`, the fifteen rows. Lab: 0, 3 and 1 of 5 keys diverged in three runs; a
 *     diverged key has hap1 and hap3 swapped (hap1=300, hap3=100), hap2 holding whichever it
 *     received last.
 * (d) Only the hap1-hap3 link cut with cut_link (two iptables rules, OUTPUT REJECT with tcp-reset,
 *     owner match: `s.rejectOneWay` each way as each rule lands), then wait_sess 1 3 DOWN and, from
 *     its return, wait_sess 3 1 DOWN, as common.sh times them (figure cutDetectMs: hap1, hap3More).
 *     Lab 2.6: 1894 then 229 more (lab/out), 1553 then 73 (v3 2.6 quiet); 3.0 1528/134, 1697/80;
 *     3.2 318/344, 3460/86. An end notices at its next send, and (c)'s pushes re-armed both ends'
 *     heartbeats 3 s ahead: the steps above (~1.1 s at the fast run's speed, ~1.5-2 s at the slow
 *     runs') take the rest. Then a write on hap1: it reaches hap2 but not hap3 (no relay); after
 *     the heal hap3 gets it from hap1 directly (lab: 1876 ms and 998 ms later in two runs).
 *
 * The same outcome in 2.6, 3.0 and 3.2 (the lab's relay and push rows are equal per line: fixture
 * `no-relay`). Before these steps the port slept 500 ms after each (c) write and timed the cut from
 * the reject instant with a 1 ms poll: hap3 (or the initiator) at 2502 ms (3000 less the 500 ms),
 * and 4503-5397 ms where hap1 had accepted the session (its end seen only at its read timeout or
 * the dead-peer check), a figure no lab run printed (lab 318-3705 for hap1, the steps being
 * ~1.1 s on the fast run and longer on the slow ones). cutSeenByBothMs bounds the time until both
 * ends are seen DOWN by two heartbeat periods (6 s: the next send, or the one after a dropped
 * tick); the lab's 8 runs of lab 02 saw both within 0.4-3.9 s. Not bounded per line: one or two
 * lab runs per line.
 *
 * What an operator learns: replication is a direct push of each local change to every connected
 * peer; nothing is forwarded for other nodes, so a broken link between two nodes leaves them
 * apart even though both still talk to a third; writes that cross on the wire swap.
 */
import { scenario } from '../dsl.ts';
import { LabShell, PeerSessions } from '../lab-port.ts';
import { concurrentWrites, cutLinkAndWait, drawLab02Run, lab02SpeedFactor, type ConcurrentRound, type CutDetect } from '../lab-02-steps.ts';
import { mesh } from './cluster.ts';

const PUSH_KEY = '127.0.0.50';
const REQ_KEY = '127.0.0.51';
const CUT_KEY = '127.0.0.60';
/** Lab (a): CLI polling saw each value on hap2 after 13-19 ms; one poll costs 5-6 ms. */
const PUSH_VISIBLE_MS_MAX = 19;
/** Two heartbeat periods (3 s each, PEER_HEARTBEAT_TIMEOUT): the latest an end's next send comes after the cut. */
const CUT_SEEN_MS_MAX = 6_000;

export default scenario({
  name: 'lab-02-replication',
  title: 'Lab experiment 2 ported: push replication, no relay, crossing writes',
  lesson:
    'Each local change is pushed at once to every connected peer and never forwarded further: a cut between two nodes keeps them apart even through a third, and writes that cross on the wire swap. The same in 2.6, 3.0 and 3.2; only the time to see the cut differs (a 2.6 acceptor can lack its read timeout and wait for the dead-peer check).',
  hosts: mesh(['hap1', 'hap2', 'hap3']),
  durationMs: 60_000,
  // Seeds where the relaying control (relay-learned) also upsets the crossing writes: on others
  // its relayed copies happen to agree with one of the lab's outcomes.
  seeds: ['25', '30', '55'],
  script: (s) => {
    const sessions = new PeerSessions(s);
    const pushMs: number[] = [];
    const requestCounts: string[] = [];
    const concurrent: ConcurrentRound[] = [];
    const cut: { checked: boolean; hap2HadIt: boolean; hap3HadIt: boolean; detect: CutDetect; healToHap3Ms: number } = {
      checked: false,
      hap2HadIt: false,
      hap3HadIt: true,
      detect: { hap1Ms: -1, hap3MoreMs: -1 },
      healToHap3Ms: -1,
    };
    const gpc0 = (host: string, key: string): number | undefined => s.read(host, 'st', key, 'gpc0');
    // The lab 02 run whose helper speed this seed's shell runs at.
    const run = drawLab02Run(s);
    s.sequence(function* () {
      yield s.sleep(8_000);
      // (a) ten pushes from hap1.
      for (let v = 1; v <= 10; v++) {
        const t0 = s.nowMs();
        s.set('hap1', 'st', PUSH_KEY, { gpc0: v });
        const timedOut = yield s.waitUntil(() => gpc0('hap2', PUSH_KEY) === v && gpc0('hap3', PUSH_KEY) === v, { everyMs: 1, withinMs: 1_000 });
        pushMs.push(timedOut === true ? -1 : s.nowMs() - t0);
        yield s.sleep(200);
      }
      // (b) requests to hap2, each count on the others.
      for (let n = 1; n <= 5; n++) {
        s.request('hap2', REQ_KEY);
        yield s.sleep(100);
        requestCounts.push(['hap1', 'hap2', 'hap3'].map((h) => s.read(h, 'st', REQ_KEY, 'http_req_cnt') ?? 0).join('/'));
      }
      // (c) then (d) up to both wait_sess, as lab 02 runs them (scenarios/lab-02-steps.ts).
      const sh = new LabShell(s, lab02SpeedFactor(run));
      concurrent.push(...(yield* concurrentWrites(sh)));
      cut.detect = yield* cutLinkAndWait(sh, sessions);
      s.set('hap1', 'st', CUT_KEY, { gpc0: 42 });
      yield s.sleep(1_000);
      cut.hap2HadIt = gpc0('hap2', CUT_KEY) === 42;
      cut.hap3HadIt = gpc0('hap3', CUT_KEY) === 42;
      cut.checked = true;
      const healMs = s.nowMs();
      s.heal();
      const timedOut = yield s.waitUntil(() => gpc0('hap3', CUT_KEY) === 42, { everyMs: 1, withinMs: 15_000 });
      if (timedOut !== true) cut.healToHap3Ms = s.nowMs() - healMs;
    });
    s.always('push-reaches-both-peers', () => {
      const slow = pushMs.filter((ms) => ms < 0 || ms > PUSH_VISIBLE_MS_MAX);
      return slow.length === 0 ? true : `pushes seen on both peers after ${pushMs.join(', ')} ms (lab: within ${PUSH_VISIBLE_MS_MAX} ms)`;
    });
    s.always('each-request-counted-everywhere', () => {
      const wrong = requestCounts.filter((c, i) => c !== `${i + 1}/${i + 1}/${i + 1}`);
      return wrong.length === 0 ? true : `http_req_cnt on hap1/hap2/hap3 after each request: ${requestCounts.join(', ')}`;
    });
    s.always('crossing-writes-converge-or-swap', () => {
      // Lab outcomes: all three equal, or hap1 and hap3 swapped (hap1=300, hap3=100).
      const wrong = concurrent.filter((c) => {
        const [a, b, d] = c.values.split('/');
        return !(a === b && b === d) && !(a === '300' && d === '100');
      });
      return wrong.length === 0 ? true : wrong.map((c) => `${c.key}: ${c.values}`).join('; ');
    });
    s.always('no-relay-across-the-cut', () => !cut.checked || (cut.hap2HadIt && !cut.hap3HadIt) ? true : `hap2 ${cut.hap2HadIt ? 'had' : 'lacked'} the write, hap3 ${cut.hap3HadIt ? 'had' : 'lacked'} it during the cut`);
    // Each end notices at its next send: a heartbeat within 3 s of the cut, or one period later when
    // the sync task's tick for it was dropped; both within two periods (lab, 8 runs: 0.4-3.9 s).
    s.count('cutSeenByBothMs', () => (cut.detect.hap1Ms < 0 || cut.detect.hap3MoreMs < 0 ? -1 : cut.detect.hap1Ms + cut.detect.hap3MoreMs), { atLeast: 0, atMost: CUT_SEEN_MS_MAX });
    s.count('cutPhaseRun', () => (cut.checked ? 1 : 0), { equals: 1 });
    s.count('healToHap3Ms', () => cut.healToHap3Ms, { atLeast: 0, atMost: 15_000 });
    s.figure('pushMs', () => Object.fromEntries(pushMs.map((ms, i) => [`w${i + 1}`, ms])));
    s.figure('concurrentWrites', () => Object.fromEntries(concurrent.map((c) => [c.key, `${c.values} (hap3 ${c.hap3AfterHap1Ms >= 0 ? '+' : ''}${c.hap3AfterHap1Ms} ms)`])));
    s.figure('concurrentDiverged', () => concurrent.filter((c) => new Set(c.values.split('/')).size > 1).length);
    s.figure('cutDetectMs', () => ({ hap1: cut.detect.hap1Ms, hap3More: cut.detect.hap3MoreMs, labRun: run.output }));
  },
});
