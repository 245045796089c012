/**
 * Lab 02's steps from (c) to (d)'s cut detection (lab/02-replication.sh), as its script runs them,
 * on the lab-port shell (scenarios/lab-port.ts: each helper process takes its COMMAND_MS time
 * times the lab run's speed). Shared by the built-in port (scenarios/builtin/lab-02-replication.ts)
 * and the lab comparison harness (test/helpers/peer-timings.ts measureRejectDetect), so that the
 * port's cut-detection figure and `cut.rejectDetectMs` come from the same steps.
 *
 *   (c) five rounds of `cli 1 "set ..." & cli 3 "set ..." & wait` (two background socats: each
 *       write lands where its call reads the node, SAMPLE_AT.cli; the round ends with the later);
 *       `sleep 1`; the fifteen rows of (c)'s printout (5 keys x hap1..hap3).
 *   (d) cut_link 1 3: two iptables processes, each adding one OUTPUT REJECT rule (tcp-reset, owner
 *       match): the first rejects what hap1 sends to hap3's peer port (connections hap1 opened),
 *       the second what hap3 sends to hap1's; `t0=$(date)`; then `wait_sess 1 3 DOWN 30` and,
 *       from its return, `wait_sess 3 1 DOWN 30`, each timed from its own date (common.sh).
 *
 * What decides the detection: an end notices at its next send, and (c)'s writes re-armed both
 * ends' heartbeats 3 s ahead; the steps above take the rest of the 3 s.
 */
import type { HaproxyVersion } from '../engine/version/profile.ts';
import type { ScriptApi } from './script-api.ts';
import type { Step, StepResult } from './sequence.ts';
import { COMMAND_MS, LabShell, PeerSessions, SAMPLE_AT } from './lab-port.ts';

/** COMMAND_MS's mean `cli` (ms): what a run's measured CLI poll is divided by. */
const CLI_MEAN_MS = (COMMAND_MS.cli.minMs + COMMAND_MS.cli.maxMs) / 2;

export interface Lab02Run {
  output: string;
  line: HaproxyVersion;
  /** "one CLI poll costs about X ms" (ten getv: socat | grep | head | cut, in one loop). */
  cliPollMs: number;
  /** What the run printed for (d): hap1's wait_sess, then hap3's from its return. */
  hap1DetectMs: number;
  hap3MoreMs: number;
}

/**
 * The lab 02 runs and their helper speed, read from each run's own output
 * (scripts/lab02-helper-costs.py). 3.4 has runs too; sticksim has no 3.4 line.
 */
export const LAB_02_RUNS: readonly Lab02Run[] = [
  { output: 'lab/out/02-replication.out', line: '2.6', cliPollMs: 5.4, hap1DetectMs: 1894, hap3MoreMs: 229 },
  { output: 'lab/v3/out/2.6/02-replication.quiet.out', line: '2.6', cliPollMs: 31.6, hap1DetectMs: 1553, hap3MoreMs: 73 },
  { output: 'lab/v3/out/3.0/02-replication.out', line: '3.0', cliPollMs: 69.9, hap1DetectMs: 1528, hap3MoreMs: 134 },
  { output: 'lab/v3/out/3.0/02-replication.quiet.out', line: '3.0', cliPollMs: 35.2, hap1DetectMs: 1697, hap3MoreMs: 80 },
  { output: 'lab/v3/out/3.2/02-replication.out', line: '3.2', cliPollMs: 48.8, hap1DetectMs: 318, hap3MoreMs: 344 },
  { output: 'lab/v3/out/3.2/02-replication.quiet.out', line: '3.2', cliPollMs: 36.5, hap1DetectMs: 3460, hap3MoreMs: 86 },
];

/** The speed factor a lab 02 run's helpers ran at against COMMAND_MS. */
export function lab02SpeedFactor(run: Lab02Run): number {
  return run.cliPollMs / CLI_MEAN_MS;
}

export const CONCURRENT_KEYS = [52, 53, 54, 55, 56].map((k) => `127.0.0.${k}`);
const ROW_NODES = ['hap1', 'hap2', 'hap3'] as const;
/** wait_sess's timeout (s) in lab 02 (d), and its sleep between polls. */
const WAIT_SESS_TIMEOUT_MS = 30_000;
const WAIT_SESS_SLEEP_MS = 20;

export interface ConcurrentRound {
  key: string;
  /** hap3's write less hap1's (ms; negative: hap3 wrote first). */
  hap3AfterHap1Ms: number;
  /** gpc0 per node as (c)'s rows read it after `sleep 1` ('-' when absent). */
  values: string;
}

export interface CutDetect {
  /** wait_sess 1 3 DOWN's printed ms (-1: not within its 30 s). */
  hap1Ms: number;
  /** wait_sess 3 1 DOWN's printed ms, from the first's return (-1: not within 30 s). */
  hap3MoreMs: number;
}

/**
 * What one of (c)'s rows (`cli N "show table st key K"` through its awk) costs against one CLI
 * poll, in hundredths: it varied from run to run between 0.90 and 1.30 polls per row in 12 runs of
 * the lab's own 02 script on haproxy 2.6.12 at polls of 5.8-7.6 ms (scripts/exp-lab02-cut.sh,
 * scripts/out/exp-lab02-cut/, `python3 scripts/lab02-helper-costs.py`). One ratio is drawn per run.
 */
export const ROW_POLL_RATIO_PCT = { min: 90, max: 130 } as const;

/** Lab 02 (c): the five rounds of crossing writes, `sleep 1`, the rows (at this run's row cost, ROW_POLL_RATIO_PCT). */
export function* concurrentWrites(sh: LabShell): Generator<Step, ConcurrentRound[], StepResult> {
  const s = sh.s;
  const rounds: ConcurrentRound[] = [];
  for (const key of CONCURRENT_KEYS) {
    const hap1 = writeAt(sh, 'hap1', key, 100);
    const hap3 = writeAt(sh, 'hap3', key, 300);
    const [first, second] = hap1.atMs <= hap3.atMs ? [hap1, hap3] : [hap3, hap1];
    yield s.sleep(first.atMs);
    first.write();
    yield s.sleep(second.atMs - first.atMs);
    second.write();
    yield s.sleep(Math.max(hap1.totalMs, hap3.totalMs) - second.atMs);
    rounds.push({ key, hap3AfterHap1Ms: hap3.atMs - hap1.atMs, values: '' });
  }
  yield* sh.sleep(1_000);
  const rowSh = sh.scaled(s.random.nextIntBetween(ROW_POLL_RATIO_PCT.min, ROW_POLL_RATIO_PCT.max) / 100);
  for (const round of rounds) {
    const values: string[] = [];
    for (const node of ROW_NODES) values.push(yield* rowSh.call('cli', () => String(s.read(node, 'st', round.key, 'gpc0') ?? '-')));
    round.values = values.join('/');
  }
  return rounds;
}

/** One background `cli N "set table ..."`: its duration and where in it the node takes the write. */
function writeAt(sh: LabShell, host: string, key: string, gpc0: number): { totalMs: number; atMs: number; write: () => void } {
  const totalMs = sh.commandMs('cli');
  return { totalMs, atMs: Math.round(totalMs * SAMPLE_AT.cli), write: () => sh.s.set(host, 'st', key, { gpc0 }) };
}

/** Lab 02 (d) up to both wait_sess: cut_link 1 3, t0, then each end's DOWN as the script times it. */
export function* cutLinkAndWait(sh: LabShell, sessions: PeerSessions): Generator<Step, CutDetect, StepResult> {
  const s = sh.s;
  yield* sh.run('iptables');
  s.rejectOneWay(['hap1'], ['hap3']);
  yield* sh.run('iptables');
  s.rejectOneWay(['hap3'], ['hap1']);
  yield* sh.run('date');
  const hap1Ms = yield* waitSessDown(sh, () => !sessions.established('hap1', 'hap3'));
  const hap3MoreMs = yield* waitSessDown(sh, () => !sessions.established('hap3', 'hap1'));
  return { hap1Ms, hap3MoreMs };
}

/**
 * common.sh's wait_sess N P DOWN 30: `t0=$(date)`, the deadline's awk, then `show peers` until
 * DOWN (ms_since t0: a date and an awk), else a deadline check and `sleep 0.02`. The printed ms
 * (taken as the `sess` that showed DOWN returns), or -1 when 30 s passed.
 */
function* waitSessDown(sh: LabShell, down: () => boolean): Generator<Step, number, StepResult> {
  yield* sh.run('date');
  const t0Ms = sh.nowMs();
  yield* sh.run('clock');
  // Each pass sleeps 20 ms at least, so the deadline ends the loop before this bound does.
  for (let poll = 0; poll <= WAIT_SESS_TIMEOUT_MS / WAIT_SESS_SLEEP_MS; poll++) {
    const seen = yield* sh.call('sess', down);
    const atMs = sh.nowMs();
    yield* sh.run('clock');
    if (seen) return atMs - t0Ms;
    if (sh.nowMs() - t0Ms > WAIT_SESS_TIMEOUT_MS) break;
    yield* sh.sleep(WAIT_SESS_SLEEP_MS);
  }
  return -1;
}

/**
 * The lab 02 run this seed runs at: one of LAB_02_RUNS (any line, as the lab-04 port draws its
 * runs: the speed is the machine's, not the line's), drawn from the script's stream.
 */
export function drawLab02Run(s: ScriptApi): Lab02Run {
  return LAB_02_RUNS[s.random.nextInt(LAB_02_RUNS.length)]!;
}
