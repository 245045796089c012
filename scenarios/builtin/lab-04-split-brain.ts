/**
 * Port of lab experiment 4 (lab/04-splitbrain.sh, RESULTS.md "Experiment 4", outputs
 * lab/out/04-splitbrain.out and 04-splitbrain.run2.out): the twelve split-brain trials S1-S12 on
 * two nodes, each on a fresh pair, in the lab's order and with its waits.
 *
 * Per trial: start hap1 then hap2, wait for the session, 1.5 s, baseline on A (2 requests from K
 * and gpc0=1, replicated to B), cut, wait until both sides show the session DOWN (not in S12),
 * write on A and/or B 0.2 s apart, 0.2 s, heal so that the chosen node re-opens the session
 * (INIT=A: connections to hap2 pass first; S11/S12 heal at once), watch until 2.5 s after both
 * sides are up, classify as the lab does (whose partition value both ended with, or SWAPPED).
 *
 * The cut: the lab's rules hit every packet from or to each node's peer port, REJECT or DROP.
 * On that rule set the RST a REJECT sends back is itself rejected (it comes from a peer port), so
 * the "REJECT" trials behave like DROP: the lab saw both sides DOWN 4.6-9.5 s after the cut in
 * REJECT and DROP trials alike (the read timeout), never at the next heartbeat. Hence
 * `s.reject(..., { rstLost: true })`, whose one-way heal reproduces uncut_node.
 *
 * The lab's steps take time: each CLI call (socat), `show peers` poll and iptables process of the
 * script lasts what it measured on the lab's machine (COMMAND_MS), and its loops poll at their
 * cadence (wait_val 5 ms, wait_both_down 20 ms, the heal timeline 0.1 s after four CLI calls). The
 * cut's detection time counts from t0, taken after the last rule, and a read timeout fires 5 s
 * after the last input (the baseline update), so what it shows is 5 s less the steps between the
 * replicated write and t0 (~330 ms here; 500-1000 ms in lab/v3's runs, whose CLI poll cost 31.6 ms
 * against 5.4: their early 3980-4468 ms, not reproduced with this machine's durations).
 *
 * Figures it reproduces: in S1-S8 the acceptor's whole entry on both nodes (32 of 32 lab trials),
 * S9/S10 A's one-sided write on both (8 of 8), S11 the acceptor's entry (4 of 4, acceptor A in 3),
 * S12 SWAPPED (4 of 4); and the time each side took to see the session DOWN (4658-9546 ms).
 *
 * The final acceptor matches the lab's in every S1-S10 trial (scripts/lab-04-frequencies.ts): A's
 * own connect, under way (SYNs dropped) when it accepts B's session, is dropped with the session
 * (a client abort during the connection attempt), so nothing collides after the full heal. Before
 * that was modelled about a quarter of the INIT=B trials ended with B accepting a late session.
 * That holds for 2.6 only: under 3.0 and 3.2 the connect goes on (profile sessionEndAbortsConnect,
 * docs/haproxy-versions.md S9), its hello replaces the session after the heal, and the final
 * acceptor is often the other side (lab/v3 04: 6 of 20 and 8 of 30 REJECT trials; seeds 1-60
 * here: 77 and 76 of 600). `acc` is then not `firstAcc`.
 *
 * Under 3.0 and 3.2 both sides also wait for their sync task before they push (S4), so each may push
 * before it has read the other's update: each then ends with the other's value (SWAPPED, issue 13,
 * docs/haproxy-versions.md S10; scripts/lab-swap-capture.sh on the binaries). The race comes from
 * the hosts' `taskWakeDelay` (0-1 ms, TASK_WAKE_DELAY); seeds 1-60 (scripts/lab-04-versions.ts):
 * 136 and 130 of 540 both-wrote trials swap under 3.0 and 3.2, none under 2.6 (3.2's fewer: its
 * session waits one more pass after the sync task's acknowledgement, S11 `taskRunsOncePerPass`).
 *
 * What an operator learns: a healed partition is not merged. Per key, the node that accepts the
 * re-opened session imposes its whole entry when both sides wrote; a session that survives the
 * cut swaps the two sides' values.
 */
import { scenario } from '../dsl.ts';
import { PeerSessions, row } from '../lab-port.ts';
import type { ScriptApi } from '../script-api.ts';
import type { Step, StepResult } from '../sequence.ts';
import { mesh } from './cluster.ts';

const K = '127.0.0.50';
/** Each host's sync-task wake delay (sim/task-wake.ts): at once or one link latency later. */
export const TASK_WAKE_DELAY = { minMs: 0, maxMs: 1 } as const;
const FIELDS = ['gpc0', 'conn_cnt', 'http_req_cnt'] as const;

type Op = { gpc0: number } | { req: number } | 'none';
type Side = 'A' | 'B';

export interface Trial {
  label: string;
  how: 'REJECT' | 'DROP';
  opA: Op;
  opB: Op;
  order: 'AB' | 'BA';
  init: Side | 'any';
  waitDown: boolean;
}

/** The lab's trial list, in its order (04-splitbrain.sh). */
export const TRIALS: readonly Trial[] = [
  { label: 'S1', how: 'REJECT', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'AB', init: 'A', waitDown: true },
  { label: 'S2', how: 'REJECT', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'AB', init: 'B', waitDown: true },
  { label: 'S3', how: 'REJECT', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'BA', init: 'A', waitDown: true },
  { label: 'S4', how: 'REJECT', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'BA', init: 'B', waitDown: true },
  { label: 'S5', how: 'REJECT', opA: { req: 3 }, opB: { req: 7 }, order: 'AB', init: 'A', waitDown: true },
  { label: 'S6', how: 'REJECT', opA: { req: 3 }, opB: { req: 7 }, order: 'AB', init: 'B', waitDown: true },
  { label: 'S7', how: 'REJECT', opA: { gpc0: 5 }, opB: { req: 7 }, order: 'AB', init: 'A', waitDown: true },
  { label: 'S8', how: 'REJECT', opA: { gpc0: 5 }, opB: { req: 7 }, order: 'AB', init: 'B', waitDown: true },
  { label: 'S9', how: 'REJECT', opA: { gpc0: 5 }, opB: 'none', order: 'AB', init: 'A', waitDown: true },
  { label: 'S10', how: 'REJECT', opA: { gpc0: 5 }, opB: 'none', order: 'AB', init: 'B', waitDown: true },
  { label: 'S11', how: 'DROP', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'AB', init: 'any', waitDown: true },
  { label: 'S12', how: 'DROP', opA: { gpc0: 5 }, opB: { gpc0: 12 }, order: 'AB', init: 'any', waitDown: false },
];

export interface TrialOutcome {
  label: string;
  init: Side | 'any';
  /** Who accepted the session shown at the end (the lab read it from A's `show peers`). */
  acceptor: Side;
  /** Who accepted the first session made after the heal (the one that carried the updates). */
  firstAcceptor: Side;
  outcome: string;
  /** Session DOWN on A and on B, ms after the cut (-1: not waited for or never). */
  downAMs: number;
  downBMs: number;
  /** From the heal's first step to both sides EST (the lab's first timeline line with both up). */
  reconnectMs: number;
  /** Collisions (a session accepted while the node had its own) from the heal to the trial's end. */
  collisions: number;
}

const NODE: Record<Side, string> = { A: 'hap1', B: 'hap2' };

/** The trials whose outcome says the acceptor wins (both sides wrote). */
const BOTH_WROTE = new Set(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S11']);

export default scenario({
  name: 'lab-04-split-brain',
  title: 'Lab experiment 4 ported: the twelve split-brain trials on fresh pairs',
  lesson:
    'A healed partition is not merged: per key, the node that accepted the re-opened session imposes its whole entry when both sides wrote, a one-sided write just propagates, and a session that survives the cut swaps the two values.',
  // The lab ran on a loaded 2-CPU machine: a woken sync task runs at once or one link latency
  // later (sim/task-wake.ts). Under 3.x that decides whether each side of the re-opened session
  // reads the other's pending update before it pushes its own (the swap, issue 13); under 2.6 the
  // acceptor's push leaves with its 200 and nothing changes.
  hosts: mesh(['hap1', 'hap2']).map((h) => ({ ...h, startAtZero: false, taskWakeDelay: TASK_WAKE_DELAY })),
  // Room for all twelve trials even when a control never cuts or never heals: each trial then
  // runs the lab's loops to their bounds (wait_both_down's 1500 polls of two `show peers` and
  // 20 ms: ~61 s; wait_sess 12 s and the timeline's 140 passes: ~18 s), and an acceptor without a
  // read timeout notices the cut only after 5-10 s.
  durationMs: 900_000,
  seeds: ['1', '2', '3'],
  script: (s) => {
    const outcomes: TrialOutcome[] = [];
    const sessions = new PeerSessions(s);
    const seen = { collisions: 0 };
    s.observe('collision', () => {
      seen.collisions++;
    });
    s.sequence(function* () {
      for (const trial of TRIALS) outcomes.push(yield* runTrial(s, { sessions, seen }, trial));
    });
    const byLabel = (label: string): TrialOutcome | undefined => outcomes.find((o) => o.label === label);
    // The updates travel on the first session after the heal: its acceptor's entry wins.
    const accValue = (o: TrialOutcome): string => `${o.firstAcceptor}'s partition value`;
    s.count('trialsRun', () => outcomes.length, { equals: TRIALS.length });
    // 3.x: or SWAPPED, when each side pushed before it had read the other's update (the acceptor's
    // push waits for its sync task, the initiator's too: docs/haproxy-versions.md S10).
    const swapAllowed = s.haproxy !== '2.6';
    s.always('acceptor-wins-when-both-wrote', () => {
      const wrong = outcomes.filter((o) => BOTH_WROTE.has(o.label) && o.outcome !== accValue(o) && !(swapAllowed && o.outcome.startsWith('SWAPPED')));
      return wrong.length === 0 ? true : wrong.map((o) => `${o.label}: ${o.outcome} (first acceptor ${o.firstAcceptor})`).join('; ');
    });
    s.always('one-sided-write-propagates', () => {
      const wrong = outcomes.filter((o) => (o.label === 'S9' || o.label === 'S10') && o.outcome !== "A's partition value");
      return wrong.length === 0 ? true : wrong.map((o) => `${o.label}: ${o.outcome}`).join('; ');
    });
    s.always('surviving-session-swaps', () => {
      const o = byLabel('S12');
      return o === undefined || o.outcome.startsWith('SWAPPED') ? true : `S12: ${o.outcome}`;
    });
    s.always('chosen-node-reconnects', () => {
      const wrong = outcomes.filter((o) => o.init !== 'any' && o.firstAcceptor === o.init);
      return wrong.length === 0 ? true : wrong.map((o) => `${o.label}: init ${o.init} but ${o.firstAcceptor} accepted the first session`).join('; ');
    });
    for (const trial of TRIALS) {
      s.figure(trial.label, () => {
        const o = byLabel(trial.label);
        return o === undefined ? 'not run' : { init: o.init, acc: o.acceptor, firstAcc: o.firstAcceptor, outcome: o.outcome, downAMs: o.downAMs, downBMs: o.downBMs, reconnectMs: o.reconnectMs, collisions: o.collisions };
      });
    }
  },
});

/** One trial, as 04-splitbrain.sh's `trial` runs it. */
function* runTrial(s: ScriptApi, run: { sessions: PeerSessions; seen: { collisions: number } }, trial: Trial): Generator<Step, TrialOutcome, StepResult> {
  const sessions = run.sessions;
  s.start('hap1');
  yield s.sleep(10);
  s.start('hap2');
  yield s.waitUntil(() => sessions.established('hap1', 'hap2'), { everyMs: 5, withinMs: 10_000 });
  yield s.sleep(1_500);
  // Baseline on A: 2 requests from K and gpc0=1, replicated to B.
  s.request('hap1', K);
  s.request('hap1', K);
  s.set('hap1', 'st', K, { gpc0: 1 });
  // wait_val: a CLI read of hap2 (socat), 5 ms of sleep, again, until gpc0=1 shows.
  yield* waitVal(s, () => s.read('hap2', 'st', K, 'gpc0') === 1, 5_000);
  yield s.sleep(300);
  // "A before" / "B before": one CLI read each.
  yield s.sleep(commandMs(s, 'cli'));
  yield s.sleep(commandMs(s, 'cli'));
  // The cut: cut_node 1 then cut_node 2, two iptables rules each (one `ip netns exec iptables`
  // process per rule); the lab takes t0 after the last rule. The link is cut here, at t0: between
  // the first rule and the last (8-24 ms) no peer message is due (the last one, the baseline's
  // update and its ack, left >= 300 ms before; the next heartbeat is due 3 s after it).
  for (let rule = 0; rule < 4; rule++) yield s.sleep(commandMs(s, 'iptables'));
  if (trial.how === 'REJECT') s.reject(['hap1'], ['hap2'], { rstLost: true });
  else s.partition(['hap1'], ['hap2']);
  const cutMs = s.nowMs();
  let downAMs = -1;
  let downBMs = -1;
  if (trial.waitDown) {
    // wait_both_down: `show peers` on hap1, then on hap2 (each a CLI call), 20 ms of sleep.
    for (let poll = 0; poll < WAIT_DOWN_POLLS_MAX && (downAMs < 0 || downBMs < 0); poll++) {
      if (downAMs < 0) {
        yield s.sleep(commandMs(s, 'sess'));
        if (!sessions.established('hap1', 'hap2')) downAMs = s.nowMs() - cutMs;
      }
      if (downBMs < 0) {
        yield s.sleep(commandMs(s, 'sess'));
        if (!sessions.established('hap2', 'hap1')) downBMs = s.nowMs() - cutMs;
      }
      yield s.sleep(20);
    }
  }
  // The writes, 0.2 s apart, in the trial's order.
  const [first, second]: Side[] = trial.order === 'AB' ? ['A', 'B'] : ['B', 'A'];
  apply(s, first!, first === 'A' ? trial.opA : trial.opB);
  yield s.sleep(200);
  apply(s, second!, second === 'A' ? trial.opA : trial.opB);
  yield s.sleep(200);
  const preA = row(s, 'hap1', 'st', K, FIELDS);
  const preB = row(s, 'hap2', 'st', K, FIELDS);
  // The heal: only the chosen node's connect() can succeed until its session is up.
  const healMs = s.nowMs();
  const collisionsBefore = run.seen.collisions;
  if (trial.init !== 'any') {
    const initiator = NODE[trial.init];
    const acceptor = NODE[trial.init === 'A' ? 'B' : 'A'];
    // uncut_node: its two rules deleted (one iptables process each); then wait_sess: `show peers`
    // on the initiator, 20 ms of sleep, until EST (at most 12 s).
    for (let rule = 0; rule < 2; rule++) yield s.sleep(commandMs(s, 'iptables'));
    s.healOneWay(initiator, acceptor);
    const estEndMs = s.nowMs() + 12_000;
    for (let poll = 0; poll < 12_000 / 20; poll++) {
      yield s.sleep(commandMs(s, 'sess'));
      if (sessions.established(initiator, acceptor) || s.nowMs() > estEndMs) break;
      yield s.sleep(20);
    }
  }
  // heal: `iptables -F INPUT` (every rule is in INPUT), then `iptables -F OUTPUT`.
  yield s.sleep(commandMs(s, 'iptables'));
  s.heal();
  yield s.sleep(commandMs(s, 'iptables'));
  // The timeline: each pass reads A's row, B's row, A's session, B's session (four CLI calls)
  // and prints the time when something changed; 0.1 s of sleep; until 25 passes after the first
  // pass with both sides EST (at most 140 passes).
  let reconnectMs = -1;
  for (let pass = 0, estPass = -1; pass < TIMELINE_PASSES_MAX; pass++) {
    yield s.sleep(commandMs(s, 'cli') + commandMs(s, 'cli'));
    yield s.sleep(commandMs(s, 'sess'));
    const estA = sessions.established('hap1', 'hap2');
    yield s.sleep(commandMs(s, 'sess'));
    const estB = sessions.established('hap2', 'hap1');
    if (estPass < 0 && estA && estB) {
      estPass = pass;
      reconnectMs = s.nowMs() - healMs;
    }
    if (estPass >= 0 && pass - estPass >= 25) break;
    yield s.sleep(100);
  }
  const finalA = row(s, 'hap1', 'st', K, FIELDS);
  const finalB = row(s, 'hap2', 'st', K, FIELDS);
  const collisions = run.seen.collisions - collisionsBefore;
  const acceptor: Side = sessions.state('hap1', 'hap2') === 'EST(accepted)' ? 'A' : 'B';
  const firstAcceptor: Side = sessions.firstAcceptorSince(healMs, 'hap1', 'hap2') === 'hap1' ? 'A' : 'B';
  // Stop both nodes, clear the rules.
  s.crash('hap1');
  s.crash('hap2');
  sessions.forget('hap1');
  sessions.forget('hap2');
  s.heal();
  yield s.sleep(200);
  return { label: trial.label, init: trial.init, acceptor, firstAcceptor, outcome: classify({ preA, preB, finalA, finalB }), downAMs, downBMs, reconnectMs, collisions };
}

/**
 * How long one of the lab's helper commands takes (ms), drawn from the script's own stream. Measured
 * on the lab's machine with the lab's helpers (scripts/exp-lab04-steps.sh: lab 04 itself with the
 * steps timed, haproxy 2.6.12, load 1.6-1.9): `cli`/`getv`/`row` (socat to the stats socket, plus grep/sed) 5-10 ms (two rows 14-16 ms;
 * lab/out/02-replication.out: "one CLI poll costs about 5.4 ms"); `sess` (a CLI call plus awk and
 * greps) 8-13 ms (lab/out/02's 0.25 s loop of three sess calls: 280-287 ms per pass); one
 * `ip netns exec iptables -A` 2-6 ms (cut_node, two rules: 4-11 ms).
 */
export const COMMAND_MS = { cli: { minMs: 5, maxMs: 10 }, sess: { minMs: 8, maxMs: 13 }, iptables: { minMs: 2, maxMs: 6 } } as const;
/** wait_both_down's loop bound (`seq 1 1500`). */
const WAIT_DOWN_POLLS_MAX = 1_500;
/** The heal timeline's loop bound (`seq 1 140`). */
const TIMELINE_PASSES_MAX = 140;

function commandMs(s: ScriptApi, command: keyof typeof COMMAND_MS): number {
  const cost = COMMAND_MS[command];
  return s.random.nextIntBetween(cost.minMs, cost.maxMs);
}

/** common.sh's wait_val: read (one CLI call), stop when it holds, else 5 ms of sleep; up to `withinMs`. */
function* waitVal(s: ScriptApi, holds: () => boolean, withinMs: number): Generator<Step, boolean, StepResult> {
  const endMs = s.nowMs() + withinMs;
  // Each pass takes at least 5 ms, so this bound is never the one that ends the loop.
  for (let poll = 0; poll <= withinMs / 5; poll++) {
    yield s.sleep(commandMs(s, 'cli'));
    if (holds()) return true;
    if (s.nowMs() > endMs) return false;
    yield s.sleep(5);
  }
  return false;
}

function apply(s: ScriptApi, side: Side, op: Op): void {
  if (op === 'none') return;
  if ('gpc0' in op) s.set(NODE[side], 'st', K, { gpc0: op.gpc0 });
  else for (let i = 0; i < op.req; i++) s.request(NODE[side], K);
}

/** The lab's verdict line: whose partition value both ended with, or SWAPPED, or DIVERGED. */
export function classify(rows: { preA: string; preB: string; finalA: string; finalB: string }): string {
  const { preA, preB, finalA, finalB } = rows;
  if (finalA === finalB) return finalA === preA ? "A's partition value" : finalA === preB ? "B's partition value" : 'a mix';
  return finalA === preB && finalB === preA ? "SWAPPED (each got the other's value)" : 'DIVERGED';
}
