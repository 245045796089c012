/**
 * Resync window: a node restarts while its peers are unreachable. Its startup resync finds
 * nobody, gives up after its timeout, and it runs with an empty table until the network heals
 * and its peers push to it. Findings: how long it ran without its peers' keys, and the requests
 * over the limits it let through meanwhile.
 */
import { expiresWithin, probePresent, firstInstant, leakFinding, perNode, probeKeys, probeTable, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster } from './derive.ts';

const PROBES = 5;
const ISOLATED_MS = 8_000;
const AFTER_HEAL_MS = 6_000;

export function resyncWindowScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  if (cluster.hosts.length < 2) return [];
  return perNode(cluster, (host, i) => {
    const cutMs = plan.warmupMs;
    const startMs = cutMs + 1_000;
    const healMs = startMs + ISOLATED_MS;
    const others = cluster.hosts.map((h) => h.name).filter((x) => x !== host);
    return {
      name: `resync-isolated-${host}`,
      family: 'resync-window',
      title: `${host} restarts while its peers are unreachable, for ${seconds(ISOLATED_MS)}`,
      lesson: 'A node that starts without reaching any peer gives up its startup resync after the timeout and counts from zero until its peers can push to it again.',
      durationMs: healMs + AFTER_HEAL_MS,
      script: (ctx: BatteryContext) => {
        const { s } = ctx;
        const table = probeTable(ctx.cluster, plan);
        const keys = table === undefined ? [] : probeKeys(table, 40 + i, PROBES);
        const writer = others[0]!;
        if (table !== undefined) s.at(cutMs - 1_000, () => keys.forEach((k, j) => writeProbe(s, writer, table, k, 21 + j)));
        s.at(cutMs, () => s.partition([host], others));
        s.at(cutMs + 500, () => s.crash(host));
        s.at(startMs, () => s.start(host));
        s.at(healMs, () => s.heal());
        const backAt = firstInstant(s, { startMs, everyMs: 10, withinMs: ISOLATED_MS + AFTER_HEAL_MS - 100 }, () => table !== undefined && keys.every((k) => probePresent(s, host, table, k)));
        if (table !== undefined) {
          ctx.finding(() => {
            const at = backAt();
            return at < 0
              ? {
                  name: `${host}-without-peer-keys-ms`,
                  value: -1,
                  message: expiresWithin(table, healMs - cutMs + 1_000)
                    ? `${host} never got the ${PROBES} keys ${writer} wrote in table ${table.name}: they expire after ${seconds(table.expireMs)}, before the heal`
                    : `${host} never got the ${PROBES} keys ${writer} wrote in table ${table.name}, not even ${seconds(AFTER_HEAL_MS)} after the heal: its startup resync gave up after 5 s with no peer reachable, a finished resync is never asked again, and peers push only what changes after that`,
                  notable: !expiresWithin(table, healMs - cutMs + 1_000),
                }
              : {
                  name: `${host}-without-peer-keys-ms`,
                  value: at - startMs,
                  message: `${host} ran ${seconds(at - startMs)} without the keys ${writer} wrote in table ${table.name}: isolated at start, it learned them ${seconds(Math.max(0, at - healMs))} after the heal`,
                  notable: true,
                };
          });
        }
        leakFinding(ctx, i, 'after it started isolated');
      },
    };
  });
}
