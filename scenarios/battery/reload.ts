/**
 * Reload of each node (a soft reload, `-sf`), and a second reload as soon as the first one's new
 * process has started, within its startup resync. Findings: how many of the keys the node held survive in its new
 * process, and how many requests over the user's limits get through on it afterwards.
 */
import { expiresWithin, probePresent, firstInstant, leakFinding, legitFinding, perNode, probeKeys, probeTable, seconds, writeProbe, type BatteryContext, type BatteryScenario } from './harness.ts';
import type { DerivedCluster } from './derive.ts';
import type { Plan } from './harness.ts';

const PROBES = 5;
const AFTER_MS = 10_000;

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
    title: twice ? `${host} reloaded twice, the second time during the new process's startup resync` : `${host} reloaded`,
    lesson: twice
      ? 'A second reload while the first one’s new process is still in its startup resync: the table survives only if some process that finished its own resync is left to teach the newest one.'
      : 'A soft reload hands the table from the old process to the new one over the peers protocol, when there is a peers section listing the local peer.',
    durationMs: faultMs + AFTER_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const table = probeTable(ctx.cluster, plan);
      const keys = table === undefined ? [] : probeKeys(table, i, PROBES);
      if (table !== undefined) s.at(faultMs - 1_000, () => keys.forEach((k, j) => writeProbe(s, host, table, k, 7 + j)));
      s.at(faultMs, () => s.reload(host));
      if (twice) {
        // The second reload as soon as the first one's new process has started: it is still in
        // its startup resync (learning from the old process) by construction.
        let armed = true;
        s.observe('process.start', (e) => {
          if (!armed || e.host !== host || e.t < faultMs) return;
          armed = false;
          s.at(e.t, () => s.reload(host));
        });
      }
      const lastReloadMs = faultMs;
      const held = (): number => (table === undefined ? 0 : keys.filter((k) => probePresent(s, host, table, k)).length);
      const backAt = firstInstant(s, { startMs: lastReloadMs, everyMs: 10, withinMs: AFTER_MS - 100 }, () => held() === PROBES);
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
            return { name: `${host}-keys-kept`, value: kept, message: `after ${what} ${host} held all ${PROBES} keys it had written in table ${table.name}${at < 0 ? '' : `, ${seconds(at - lastReloadMs)} after the ${twice ? 'first ' : ''}reload`}`, notable: false };
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
