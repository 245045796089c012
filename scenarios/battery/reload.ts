/**
 * Reload of each node (a soft reload, `-sf`), and a second reload 1 s after the first, within the
 * new process's startup resync. Findings: how many of the keys the node held survive in its new
 * process, and how many requests over the user's limits get through on it afterwards.
 */
import { expiresWithin, probePresent, firstInstant, leakFinding, legitFinding, perNode, probeKeys, probeTable, readProbe, seconds, writeProbe, type BatteryContext, type BatteryScenario } from './harness.ts';
import type { DerivedCluster } from './derive.ts';
import type { Plan } from './harness.ts';

const PROBES = 5;
const AFTER_MS = 10_000;
const SECOND_RELOAD_MS = 1_000;

export function reloadScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  const single = perNode(cluster, (host, i) => reloadScenario(host, i, plan, false));
  const double = perNode(cluster, (host, i) => reloadScenario(host, i, plan, true));
  return [...single, ...double];
}

function reloadScenario(host: string, i: number, plan: Plan, twice: boolean): BatteryScenario {
  const faultMs = plan.warmupMs;
  return {
    name: `${twice ? 'double-reload' : 'reload'}-${host}`,
    family: 'reload',
    title: twice ? `${host} reloaded twice, 1 s apart` : `${host} reloaded`,
    lesson: twice
      ? 'A second reload before the new process finished its startup resync: the old process it replaces has nothing settled to teach.'
      : 'A soft reload hands the table from the old process to the new one over the peers protocol, when there is a peers section listing the local peer.',
    durationMs: faultMs + AFTER_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const table = probeTable(ctx.cluster, plan);
      const keys = table === undefined ? [] : probeKeys(table, i, PROBES);
      if (table !== undefined) s.at(faultMs - 1_000, () => keys.forEach((k, j) => writeProbe(s, host, table, k, 7 + j)));
      s.at(faultMs, () => s.reload(host));
      if (twice) s.at(faultMs + SECOND_RELOAD_MS, () => s.reload(host));
      const lastReloadMs = faultMs + (twice ? SECOND_RELOAD_MS : 0);
      const held = (): number => (table === undefined ? 0 : keys.filter((k) => probePresent(s, host, table, k)).length);
      const backAt = firstInstant(s, { startMs: lastReloadMs, everyMs: 10, withinMs: AFTER_MS - (twice ? SECOND_RELOAD_MS : 0) - 100 }, () => held() === PROBES);
      let heldAtEnd = 0;
      s.at(faultMs + AFTER_MS - 1, () => (heldAtEnd = held()));
      const what = twice ? 'its two reloads' : 'its reload';
      if (table !== undefined) {
        ctx.finding(() => {
          const at = backAt();
          // Kept: all back at some instant after the reload (they may expire on their own later).
          const kept = at >= 0 ? PROBES : heldAtEnd;
          const lost = PROBES - kept;
          if (lost === 0) {
            return { name: `${host}-keys-kept`, value: kept, message: `after ${what} ${host} held all ${PROBES} keys it had written in table ${table.name}${at < 0 ? '' : `, ${seconds(at - lastReloadMs)} after the ${twice ? 'second ' : ''}reload`}`, notable: false };
          }
          return {
            name: `${host}-keys-kept`,
            value: kept,
            message: `after ${what} ${host} lost ${lost} of the ${PROBES} keys it had written in table ${table.name} (${expiresWithin(table, AFTER_MS + 1_000) ? `its entries expire after ${seconds(table.expireMs)}, within this window` : table.replicated ? 'nobody taught them back' : 'the table is not replicated: each new process starts it empty'})`,
            notable: !expiresWithin(table, AFTER_MS + 1_000),
          };
        });
      }
      leakFinding(ctx, i, `after ${what}`);
      legitFinding(ctx, i, `after ${what}`);
    },
  };
}
