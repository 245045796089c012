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
import { concurrentWrites, cutLinkAndWait, LAB_02_RUNS, lab02SpeedFactor, type CutDetect } from '../../scenarios/lab-02-steps.ts';

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

/** When lab 02's (c) began, about (ms after the start): the mesh stable at +6.6 s, then (a) and (b). */
const LAB_02_PART_C_MS = 14_000;

/**
 * Lab 02 (c) then (d) as its script runs them (scenarios/lab-02-steps.ts, the same steps the
 * built-in port runs), each helper process at the speed of the lab 02 run `output` names (default
 * lab/out/02-replication.out, the run the fixture's values come from). The two values the run
 * prints: [hap1's wait_sess ms, hap1's + hap3's "more" ms] (the fixture's 1894 and 1894 + 229).
 */
export function measureRejectDetect(seed: string, options: { latencyMs: number; output?: string }): number[] {
  const run = LAB_02_RUNS.find((r) => r.output === (options.output ?? 'lab/out/02-replication.out'));
  if (run === undefined) throw new Error(`measureRejectDetect: no lab 02 run ${options.output}`);
  let detect: CutDetect = { hap1Ms: -1, hap3MoreMs: -1 };
  const spec = scenario({
    name: 'measure-reject-detect',
    title: 'reject detection',
    lesson: '',
    hosts: mesh([...STARTUP_NODES]),
    durationMs: LAB_02_PART_C_MS + 70_000,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      const sessions = new PeerSessions(s);
      const sh = new LabShell(s, lab02SpeedFactor(run));
      s.sequence(function* () {
        yield s.sleep(LAB_02_PART_C_MS);
        yield* concurrentWrites(sh);
        detect = yield* cutLinkAndWait(sh, sessions);
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off' });
  return [detect.hap1Ms, detect.hap1Ms < 0 || detect.hap3MoreMs < 0 ? -1 : detect.hap1Ms + detect.hap3MoreMs];
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
