/**
 * Measures the peer-session timings issue 14 compares with the lab, over many seeds: the startup
 * teardown of a 3-node mesh (nodes started `gapMs` apart, as the lab's script starts them) and the
 * reconnect after healing a cut between two nodes. Prints one distribution per figure.
 *
 *   npx tsx scripts/measure-peer-timings.ts [seeds=50] [gapMs=10] [latencyMs=1]
 *
 * The lab ran on loopback (latency well under 1 ms): latencyMs 0 is the nearest whole number.
 */
import { distribution, measureHeal, measureStartup, type HealTimings, type StartupTimings } from '../test/helpers/peer-timings.ts';

const SEEDS = Number(process.argv[2] ?? 50);
const GAP_MS = Number(process.argv[3] ?? 10);
const LATENCY_MS = Number(process.argv[4] ?? 1);

const show = (values: readonly number[]): string => {
  if (values.length === 0) return 'none';
  const d = distribution(values);
  return `n=${d.n} min=${d.min} p25=${d.p25} median=${d.median} p75=${d.p75} max=${d.max}`;
};

const starts: StartupTimings[] = [];
const heals: HealTimings[] = [];
for (let i = 1; i <= SEEDS; i++) {
  starts.push(measureStartup(String(i), { gapMs: GAP_MS, latencyMs: LATENCY_MS }));
  heals.push(measureHeal(String(i), { latencyMs: LATENCY_MS }));
}
console.log(`seeds ${SEEDS}, start gap ${GAP_MS} ms, link latency ${LATENCY_MS} ms`);
console.log(`startup: collisions per run ${show(starts.map((s) => s.collisions))}`);
console.log(`startup: established sessions closed in the first 4 s, at ms: ${show(starts.flatMap((s) => s.teardownMs))} (runs with one: ${starts.filter((s) => s.teardownMs.length > 0).length})`);
console.log(`startup: all three pairs up again after the teardown, ms: ${show(starts.map((s) => s.meshRemadeMs))}`);
console.log(`startup: pairs (of 3) whose re-made session the lower-numbered node initiated: ${show(starts.map((s) => s.pairsInitiatedByLowerNumbered))}`);
console.log(`startup: runs with 0x80 on hap1/hap2/hap3: ${[0, 1, 2].map((i) => starts.filter((s) => s.remoteAbortFlag[i] === 1).length).join('/')}`);
console.log(`startup: resync end at ms: ${show(starts.flatMap((s) => s.resyncEndMs))}`);
console.log(`heal: reconnect delay ms: ${show(heals.map((h) => h.reconnectMs))} (slower than 2.5 s: ${heals.filter((h) => h.reconnectMs > 2500).length})`);
console.log(`heal: runs with a collision: ${heals.filter((h) => h.collisions > 0).length}; collisions per heal ${show(heals.map((h) => h.collisions))}`);
console.log(`heal: ms between the two sides' last session creation before the heal: ${show(heals.map((h) => h.createdApartMs))}`);
console.log(`heal: acceptor hap1 ${heals.filter((h) => h.acceptor === 'hap1').length}, hap2 ${heals.filter((h) => h.acceptor === 'hap2').length}`);
