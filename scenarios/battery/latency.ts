/**
 * Inter-node latency (`--latency`, applied to every link of every battery scenario): how long a
 * key written on the first node takes to reach each other node, and how long a node that starts
 * again waits for its table.
 */
import { probePresent, firstInstant, probeKeys, probeTable, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster } from './derive.ts';

const WITHIN_MS = 5_000;
const DOWN_MS = 1_000;

export function latencyScenarios(cluster: DerivedCluster, plan: Plan, latencyMs: number): BatteryScenario[] {
  const names = cluster.hosts.map((h) => h.name);
  if (names.length < 2) return [];
  const writeMs = plan.warmupMs;
  const last = names[names.length - 1]!;
  const crashMs = writeMs + WITHIN_MS;
  const startMs = crashMs + DOWN_MS;
  return [
    {
      name: 'latency',
      family: 'latency',
      title: `replication with ${latencyMs} ms between nodes`,
      lesson: 'Every update reaches the other nodes one link latency (plus a little) later; a restarted node waits a few round trips for its table.',
      durationMs: startMs + WITHIN_MS,
      script: (ctx: BatteryContext) => {
        const { s } = ctx;
        const table = probeTable(ctx.cluster, plan);
        if (table === undefined) return;
        const [key] = probeKeys(table, 95, 1) as [string];
        s.at(writeMs, () => writeProbe(s, names[0]!, table, key, 600));
        const arrivals = names.slice(1).map((h) => ({ h, at: firstInstant(s, { startMs: writeMs, everyMs: 1, withinMs: WITHIN_MS - 1 }, () => probePresent(s, h, table, key)) }));
        s.at(crashMs, () => s.crash(last));
        s.at(startMs, () => s.start(last));
        const relearned = firstInstant(s, { startMs, everyMs: 1, withinMs: WITHIN_MS - 1 }, () => probePresent(s, last, table, key));
        ctx.finding(() => {
          const slowest = Math.max(...arrivals.map((a) => (a.at() < 0 ? Infinity : a.at() - writeMs)));
          const list = arrivals.map((a) => `${a.h} in ${a.at() < 0 ? `more than ${seconds(WITHIN_MS)}` : `${a.at() - writeMs} ms`}`).join(', ');
          return {
            name: 'replication-ms',
            value: Number.isFinite(slowest) ? slowest : -1,
            message: `with ${latencyMs} ms between nodes a key written on ${names[0]} reached ${list}${table.replicated ? '' : ` (table ${table.name} is not replicated)`}`,
            notable: !Number.isFinite(slowest),
          };
        });
        ctx.finding(() => {
          const at = relearned();
          return {
            name: 'restart-resync-ms',
            value: at < 0 ? -1 : at - startMs,
            message: at < 0 ? `${last} restarted and did not get the key back within ${seconds(WITHIN_MS)}` : `${last} restarted and had the key back ${at - startMs} ms after starting`,
            notable: at < 0,
          };
        });
      },
    },
  ];
}
