/**
 * Peer-session timings of a simulated run, as the lab measured them on real haproxy: the startup
 * of a 3-node mesh (nodes started `gapMs` apart, as the lab's script starts them one after the
 * other) and the reconnect after healing a cut between two nodes. Used by the lab comparison test
 * (test/scenarios/lab-timings.test.ts) and scripts/measure-peer-timings.ts.
 */
import { scenario } from '../../scenarios/dsl.ts';
import { mesh } from '../../scenarios/builtin/cluster.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { LabShell, PeerSessions } from '../../scenarios/lab-port.ts';
import type { Step, StepResult } from '../../scenarios/sequence.ts';

export const STARTUP_NODES = ['hap1', 'hap2', 'hap3'] as const;

export interface StartupTimings {
  collisions: number;
  /** When established sessions closed in the first 4 s (ms after the first start). */
  teardownMs: number[];
  /**
   * When all three pairs were up again after the startup teardown (ms after the first start): the
   * latest of each pair's first session made after its first established session closed. Lab 02's
   * "all three sessions up again from +2.8 s"; scripts/exp-startup.ts measures it the same way.
   */
  meshRemadeMs: number;
  /** Pairs (of 3) whose first re-made session the lower-numbered node initiated. */
  pairsInitiatedByLowerNumbered: number;
  /** Per node (hap1..hap3): 1 when PEERS_F_RESYNC_REMOTEABORT (0x80) was set. */
  remoteAbortFlag: number[];
  /** When each node's startup resync ended. */
  resyncEndMs: number[];
}

export function measureStartup(seed: string, options: { gapMs: number; latencyMs: number }): StartupTimings {
  const out: StartupTimings = { collisions: 0, teardownMs: [], meshRemadeMs: -1, pairsInitiatedByLowerNumbered: 0, remoteAbortFlag: [0, 0, 0], resyncEndMs: [] };
  const pairOf = (a: string, b: string): string => [a, b].sort().join('-');
  /** Per pair: when its first established session closed, and the first session made after that. */
  const closedAt = new Map<string, number>();
  const remade = new Map<string, { ms: number; initiator: string }>();
  const spec = scenario({
    name: 'measure-startup',
    title: 'startup timings',
    lesson: '',
    hosts: mesh([...STARTUP_NODES]).map((h) => ({ ...h, startAtZero: false })),
    durationMs: 20_000,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      STARTUP_NODES.forEach((name, i) => s.at(i * options.gapMs, () => s.start(name)));
      s.observe('collision', (e) => {
        if (e.t < 10_000) out.collisions++;
      });
      s.observe('resync.abort', (e) => {
        out.remoteAbortFlag[STARTUP_NODES.indexOf(e.host as (typeof STARTUP_NODES)[number])] = 1;
      });
      // The startup resync ends by its timeout or by a lesson from a peer that had finished its own.
      s.observe('resync.state', (e) => {
        if (e.details?.['state'] === 'FINISHED') out.resyncEndMs.push(e.t);
      });
      s.observe('resync.learned', (e) => {
        if (e.details?.['how'] === 'finished') out.resyncEndMs.push(e.t);
      });
      s.observe('session.closed', (e) => {
        if (e.t < 4_000) out.teardownMs.push(e.t);
        const peer = e.details?.['peer'];
        if (typeof peer !== 'string') return;
        const pair = pairOf(e.host, peer);
        if (!closedAt.has(pair)) closedAt.set(pair, e.t);
      });
      s.observe('hello.status', (e) => {
        if (e.details?.['role'] !== 'initiator' || e.details['code'] !== 200) return;
        const pair = pairOf(e.host, String(e.details['peer']));
        if (closedAt.has(pair) && !remade.has(pair)) remade.set(pair, { ms: e.t, initiator: e.host });
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy' });
  for (const [pair, { initiator }] of remade) if (pair.startsWith(initiator)) out.pairsInitiatedByLowerNumbered++;
  if (remade.size === 3) out.meshRemadeMs = Math.max(...[...remade.values()].map((r) => r.ms));
  return out;
}

export interface HealTimings {
  /** From the heal to the first status 200 an initiator read. */
  reconnectMs: number;
  collisions: number;
  /** The acceptor of the last session made after the heal. */
  acceptor: string;
  /** How far apart the two sides created their last sessions before the heal (lockstep: 0). */
  createdApartMs: number;
}

export function measureHeal(seed: string, options: { latencyMs: number; cutMs?: number; healMs?: number }): HealTimings {
  const cutMs = options.cutMs ?? 10_000;
  const healMs = options.healMs ?? 20_000;
  const lastCreated = new Map<string, number>();
  const out: HealTimings = { reconnectMs: -1, collisions: 0, acceptor: '', createdApartMs: 0 };
  const spec = scenario({
    name: 'measure-heal',
    title: 'heal timings',
    lesson: '',
    hosts: mesh(['hap1', 'hap2']),
    durationMs: healMs + 10_000,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      s.at(cutMs, () => s.cut(['hap1'], ['hap2']));
      s.at(healMs, () => s.heal());
      s.observe('collision', (e) => {
        if (e.t >= healMs) out.collisions++;
      });
      s.observe('session.connect', (e) => {
        if (e.t < healMs) lastCreated.set(e.host, e.t);
      });
      s.observe('hello.status', (e) => {
        if (e.t < healMs || e.details?.['code'] !== 200) return;
        if (e.details['role'] === 'acceptor') out.acceptor = e.host;
        if (e.details['role'] === 'initiator' && out.reconnectMs < 0) out.reconnectMs = e.t - healMs;
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy' });
  out.createdApartMs = Math.abs((lastCreated.get('hap1') ?? 0) - (lastCreated.get('hap2') ?? 0));
  return out;
}

/** min, quartiles, median, max of `values` (sorted copy). */
export function distribution(values: readonly number[]): { n: number; min: number; p25: number; median: number; p75: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { n: sorted.length, min: sorted[0]!, p25: at(0.25), median: at(0.5), p75: at(0.75), max: sorted.at(-1)! };
}

/**
 * The lab 02 run's helper speed against COMMAND_MS (scenarios/lab-port.ts): lab/out/02-replication.out
 * measured "one CLI poll costs about 5.4 ms" (ten getv: socat | grep | head | cut), COMMAND_MS's
 * `cli` is 7.5 ms on average.
 */
export const LAB_02_SPEED_FACTOR = 5.4 / 7.5;
/** When lab 02's (c) began, about (ms after the start): the mesh stable at +6.6 s, then (a) and (b). */
const LAB_02_PART_C_MS = 14_000;

/**
 * Lab 02 (c) then (d), as its script runs them (lab/02-replication.sh), each helper process taking
 * its COMMAND_MS time at the lab 02 run's speed: five rounds of a `set table` on hap1 and one on
 * hap3 (background socats, then `wait`), `sleep 1`, the fifteen rows of (c)'s printout, then only
 * the hap1-hap3 link cut with cut_link (two iptables rules: OUTPUT REJECT with tcp-reset, owner
 * match: the RST reaches the sender), t0; then wait_sess 1 3 DOWN and, from its return, wait_sess 3
 * 1 DOWN (a `show peers` each 20 ms). When each end was seen DOWN, ms after t0: [hap1, hap3].
 * What decides it: an end notices at its next send, and the last writes re-armed both ends'
 * heartbeats 3 s ahead (process_peer_sync, pending updates), ~1.1 s before t0.
 */
export function measureRejectDetect(seed: string, options: { latencyMs: number }): number[] {
  const noticed: number[] = [-1, -1];
  const spec = scenario({
    name: 'measure-reject-detect',
    title: 'reject detection',
    lesson: '',
    hosts: mesh([...STARTUP_NODES]),
    durationMs: LAB_02_PART_C_MS + 40_000,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      const sessions = new PeerSessions(s);
      const sh = new LabShell(s, LAB_02_SPEED_FACTOR);
      s.sequence(function* () {
        yield s.sleep(LAB_02_PART_C_MS);
        for (let k = 52; k <= 56; k++) yield* sh.call('cli', () => ['hap1', 'hap3'].forEach((h, i) => s.set(h, 'st', `127.0.0.${k}`, { gpc0: i === 0 ? 100 : 300 })));
        yield* sh.sleep(1_000);
        for (let r = 0; r < 15; r++) yield* sh.call('cli', () => undefined);
        yield* sh.run('iptables');
        yield* sh.run('iptables');
        s.reject(['hap1'], ['hap3']);
        const t0 = s.nowMs();
        noticed[0] = yield* waitSessDown(sh, () => !sessions.established('hap1', 'hap3'), t0);
        noticed[1] = yield* waitSessDown(sh, () => !sessions.established('hap3', 'hap1'), t0);
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off' });
  return noticed;
}

/**
 * common.sh's wait_sess N P DOWN 30: its t0 and deadline (a date, a date and an awk), then `show
 * peers` until DOWN (ms_since), else a deadline check and 20 ms of sleep. Ms from `t0Ms` when the
 * `sess` that showed DOWN returned (-1: not within 30 s).
 */
function* waitSessDown(sh: LabShell, down: () => boolean, t0Ms: number): Generator<Step, number, StepResult> {
  yield* sh.run('date');
  yield* sh.run('clock');
  const endMs = sh.nowMs() + 30_000;
  // Each pass sleeps 20 ms at least, so the deadline ends the loop before this bound does.
  for (let poll = 0; poll <= 30_000 / 20; poll++) {
    const seen = yield* sh.call('sess', down);
    const atMs = sh.nowMs();
    yield* sh.run('clock');
    if (seen) return atMs - t0Ms;
    if (sh.nowMs() > endMs) break;
    yield* sh.sleep(20);
  }
  return -1;
}

/**
 * Lab 03 (b): hap3 of a 3-node mesh is killed, a key is written on hap1 while it is down, and
 * hap3 is started again: ms from its start until it holds every entry (-1: not within 5 s).
 */
export function measureRestartResync(seed: string, options: { latencyMs: number }): number {
  const keys = Array.from({ length: 7 }, (_, i) => `127.0.0.${50 + i}`);
  const startMs = 15_000;
  let learnedMs = -1;
  const spec = scenario({
    name: 'measure-restart-resync',
    title: 'resync after a restart',
    lesson: '',
    hosts: mesh([...STARTUP_NODES]),
    durationMs: startMs + 5_000,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      s.at(6_000, () => keys.slice(0, 6).forEach((k, i) => s.set('hap1', 'st', k, { gpc0: i + 1 })));
      s.at(10_000, () => s.crash('hap3'));
      s.at(11_000, () => s.set('hap1', 'st', keys[6]!, { gpc0: 7 }));
      s.at(startMs, () => s.start('hap3'));
      s.until({ startMs, everyMs: 1, withinMs: 5_000 }, () => s.used('hap3', 'st') === keys.length, (timedOut) => {
        if (!timedOut) learnedMs = s.nowMs() - startMs;
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off' });
  return learnedMs;
}
