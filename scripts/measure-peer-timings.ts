/**
 * Measures the peer-session timings issue 14 compares with the lab, over many seeds: the startup
 * teardown (a 3-node mesh, nodes started `gapMs` apart as the lab's script does), and the
 * reconnect after a heal of a REJECT-like cut between two nodes. Prints one summary per figure.
 *
 *   npx tsx scripts/measure-peer-timings.ts [seeds=50] [gapMs=10] [latencyMs=1]
 *
 * The lab ran on loopback (latency well under 1 ms): latencyMs 0 is the nearest whole number.
 */
import { scenario } from '../scenarios/dsl.ts';
import { mesh } from '../scenarios/builtin/cluster.ts';
import { runScenario } from '../scenarios/runner.ts';

const SEEDS = Number(process.argv[2] ?? 50);
const GAP_MS = Number(process.argv[3] ?? 10);
const LATENCY_MS = Number(process.argv[4] ?? 1);
const NAMES = ['hap1', 'hap2', 'hap3'];

interface Startup {
  collisions: number;
  /** When sessions that had been up ended in the first 4 s (ms after the first start). */
  endsMs: number[];
  /** When the last session of the final mesh was made. */
  madeMs: number;
  /** Pairs whose final session the lower-numbered node initiated. */
  lowerInitiated: number;
  aborts: number;
  finishedMs: number[];
}

function startup(seed: string): Startup {
  const out: Startup = { collisions: 0, endsMs: [], madeMs: 0, lowerInitiated: 0, aborts: 0, finishedMs: [] };
  const initiatorOf = new Map<string, string>();
  const madeAt = new Map<string, number>();
  const spec = scenario({
    name: 'measure-startup',
    title: '',
    lesson: '',
    hosts: mesh(NAMES).map((h) => ({ ...h, startAtZero: false })),
    durationMs: 20_000,
    link: { latencyMs: LATENCY_MS },
    script: (s) => {
      NAMES.forEach((name, i) => s.at(i * GAP_MS, () => s.start(name)));
      s.observe('collision', (e) => {
        if (e.t < 10_000) out.collisions++;
      });
      s.observe('resync.abort', () => out.aborts++);
      s.observe('resync.state', (e) => {
        if (e.details?.['state'] === 'FINISHED') out.finishedMs.push(e.t);
      });
      s.observe('session.closed', (e) => {
        if (e.t < 4_000) out.endsMs.push(e.t);
      });
      s.observe('hello.status', (e) => {
        if (e.details?.['role'] !== 'initiator' || e.details['code'] !== 200) return;
        const pair = [e.host, String(e.details['peer'])].sort().join('-');
        initiatorOf.set(pair, e.host);
        madeAt.set(pair, e.t);
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy' });
  for (const [pair, initiator] of initiatorOf) if (pair.startsWith(initiator)) out.lowerInitiated++;
  out.madeMs = Math.max(...madeAt.values());
  return out;
}

const CUT_MS = 10_000;
const HEAL_MS = 20_000;

function heal(seed: string): { reconnectMs: number; collisions: number; acceptor: string } {
  let reconnectMs = -1;
  let collisions = 0;
  let acceptor = '';
  const spec = scenario({
    name: 'measure-heal',
    title: '',
    lesson: '',
    hosts: mesh(['hap1', 'hap2']),
    durationMs: 30_000,
    link: { latencyMs: LATENCY_MS },
    script: (s) => {
      s.at(CUT_MS, () => s.cut(['hap1'], ['hap2']));
      s.at(HEAL_MS, () => s.heal());
      s.observe('collision', (e) => {
        if (e.t >= HEAL_MS) collisions++;
      });
      s.observe('hello.status', (e) => {
        if (e.t < HEAL_MS || e.details?.['code'] !== 200) return;
        if (e.details['role'] === 'acceptor') acceptor = e.host;
        if (e.details['role'] === 'initiator' && reconnectMs < 0) reconnectMs = e.t - HEAL_MS;
      });
    },
  });
  runScenario(spec, { seed, policy: 'haproxy' });
  return { reconnectMs, collisions, acceptor };
}

function summary(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `n=${sorted.length} min=${sorted[0]} p25=${at(0.25)} median=${at(0.5)} p75=${at(0.75)} max=${sorted.at(-1)}`;
}

const starts: Startup[] = [];
const heals: ReturnType<typeof heal>[] = [];
for (let i = 1; i <= SEEDS; i++) {
  starts.push(startup(String(i)));
  heals.push(heal(String(i)));
}
console.log(`seeds ${SEEDS}, start gap ${GAP_MS} ms, link latency ${LATENCY_MS} ms`);
console.log(`startup: runs with a collision: ${starts.filter((s) => s.collisions > 0).length}; collisions ${summary(starts.map((s) => s.collisions))}`);
console.log(`startup: established sessions closed in the first 4 s, at ms: ${summary(starts.flatMap((s) => s.endsMs))}`);
console.log(`startup: runs where a session closed: ${starts.filter((s) => s.endsMs.length > 0).length}`);
console.log(`startup: final mesh made by ms: ${summary(starts.map((s) => s.madeMs))}`);
console.log(`startup: pairs (of 3) initiated by the lower-numbered node: ${summary(starts.map((s) => s.lowerInitiated))}`);
console.log(`startup: runs with a resync abort (0x80): ${starts.filter((s) => s.aborts > 0).length}`);
console.log(`startup: resync FINISHED at ms: ${summary(starts.flatMap((s) => s.finishedMs))}`);
console.log(`heal: reconnect delay ms: ${summary(heals.map((h) => h.reconnectMs))}`);
console.log(`heal: reconnects slower than 2.5 s: ${heals.filter((h) => h.reconnectMs > 2500).length}`);
console.log(`heal: runs with a collision: ${heals.filter((h) => h.collisions > 0).length}; collisions ${summary(heals.map((h) => h.collisions))}`);
console.log(`heal: acceptor hap1 ${heals.filter((h) => h.acceptor === 'hap1').length}, hap2 ${heals.filter((h) => h.acceptor === 'hap2').length}`);
