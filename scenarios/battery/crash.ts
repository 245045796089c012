/**
 * Crash of each node (the machine dies, nothing said on the wire) and its start 5 s later.
 * Findings: its blind window (from the crash until it holds again the keys it had, taught by a
 * peer), the requests refused while it was down, and the requests over the limits let through
 * after it came back.
 */
import { expiresWithin, probePresent, firstInstant, leakFinding, perNode, probeKeys, probeTable, refusedOf, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster } from './derive.ts';

const PROBES = 5;
export const DOWN_MS = 5_000;
const AFTER_MS = 10_000;
/** A resync slower than this after the start is a finding (the downtime itself is the operator's). */
const RESYNC_NOTABLE_MS = 1_000;

export function crashScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  return perNode(cluster, (host, i) => {
    const crashMs = plan.warmupMs;
    const startMs = crashMs + DOWN_MS;
    return {
      name: `crash-${host}`,
      family: 'crash',
      title: `${host} crashes and starts again ${seconds(DOWN_MS)} later`,
      lesson: 'A node that starts again asks its peers for the whole table; until that lesson arrives its limits count from zero.',
      durationMs: startMs + AFTER_MS,
      script: (ctx: BatteryContext) => {
        const { s } = ctx;
        const table = probeTable(ctx.cluster, plan);
        const keys = table === undefined ? [] : probeKeys(table, i, PROBES);
        if (table !== undefined) s.at(crashMs - 1_000, () => keys.forEach((k, j) => writeProbe(s, host, table, k, 11 + j)));
        s.at(crashMs, () => s.crash(host));
        s.at(startMs, () => s.start(host));
        const backAt = firstInstant(s, { startMs, everyMs: 5, withinMs: AFTER_MS - 100 }, () => table !== undefined && keys.every((k) => probePresent(s, host, table, k)));
        if (table !== undefined) {
          ctx.finding(() => {
            const at = backAt();
            if (at < 0) {
              return {
                name: `${host}-blind-ms`,
                value: -1,
                message: `${host} never got back the ${PROBES} keys it held in table ${table.name} within ${seconds(AFTER_MS)} of starting again (${expiresWithin(table, DOWN_MS + 1_000) ? `its entries expire after ${seconds(table.expireMs)}, before it came back` : table.replicated && ctx.cluster.hosts.length > 1 ? 'its peers did not teach them' : 'no peer holds a copy'}): its limits restart from zero`,
                notable: !expiresWithin(table, DOWN_MS + 1_000),
              };
            }
            return {
              name: `${host}-blind-ms`,
              value: at - crashMs,
              message: `${host} was blind for ${seconds(at - crashMs)}: down ${seconds(DOWN_MS)}, then ${seconds(at - startMs)} until a peer taught it back the ${PROBES} keys of table ${table.name}`,
              notable: at - startMs >= RESYNC_NOTABLE_MS,
            };
          });
        }
        ctx.finding(() => {
          const refused = refusedOf(ctx.outcomes, i);
          return { name: `${host}-refused`, value: refused, message: `${refused} attacker requests found ${host} down (clients must retry elsewhere)`, notable: false };
        });
        leakFinding(ctx, i, 'after it started again');
      },
    };
  });
}
