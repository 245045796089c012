/**
 * One-way partitions: what one node sends to another is lost, the other direction still flows
 * (an asymmetric firewall rule, a broken route). Findings: which node missed the other's key,
 * and the requests over the limits let through meanwhile.
 */
import { probePresent, leakFinding, probeKeys, probeTable, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster } from './derive.ts';

const CUT_MS = 8_000;
const AFTER_MS = 6_000;

export function oneWayScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  const names = cluster.hosts.map((h) => h.name);
  if (names.length < 2) return [];
  const [x, y] = names as [string, string];
  return [scenarioFor(plan, x, y), scenarioFor(plan, y, x)];
}

function scenarioFor(plan: Plan, from: string, to: string): BatteryScenario {
  const cutMs = plan.warmupMs;
  return {
    name: `one-way-${from}-to-${to}`,
    family: 'one-way',
    title: `what ${from} sends to ${to} is lost for ${seconds(CUT_MS)}`,
    lesson: 'A one-way loss stalls the session in both directions (acknowledgements and heartbeats go missing) until it times out and reconnects.',
    durationMs: cutMs + CUT_MS + AFTER_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const table = probeTable(ctx.cluster, plan);
      const [kFrom, kTo] = table === undefined ? [undefined, undefined] : probeKeys(table, 80, 2);
      s.at(cutMs, () => s.partitionOneWay([from], [to]));
      if (table !== undefined && kFrom !== undefined && kTo !== undefined) {
        s.at(cutMs + 1_000, () => {
          writeProbe(s, from, table, kFrom, 400);
          writeProbe(s, to, table, kTo, 500);
        });
      }
      s.at(cutMs + CUT_MS, () => s.heal());
      const seen = { toHasFrom: false, fromHasTo: false, toAfter: false, fromAfter: false };
      if (table !== undefined && kFrom !== undefined && kTo !== undefined) {
        s.at(cutMs + CUT_MS - 1, () => {
          seen.toHasFrom = probePresent(s, to, table, kFrom);
          seen.fromHasTo = probePresent(s, from, table, kTo);
        });
        s.at(cutMs + CUT_MS + AFTER_MS - 1, () => {
          seen.toAfter = probePresent(s, to, table, kFrom);
          seen.fromAfter = probePresent(s, from, table, kTo);
        });
        ctx.finding(() => {
          const missing = (seen.toHasFrom ? 0 : 1) + (seen.fromHasTo ? 0 : 1);
          const during = `during the cut ${to} ${seen.toHasFrom ? 'got' : 'missed'} ${from}'s key and ${from} ${seen.fromHasTo ? 'got' : 'missed'} ${to}'s key (the direction ${to}→${from} was open)`;
          const after = `${seconds(AFTER_MS)} after the heal: ${seen.toAfter && seen.fromAfter ? 'both have both keys' : `${seen.toAfter ? '' : `${to} still lacks ${from}'s key `}${seen.fromAfter ? '' : `${from} still lacks ${to}'s key`}`.trim()}`;
          return { name: 'keys-missed', value: missing, message: `${during}; ${after}`, notable: missing > 0 || !seen.toAfter || !seen.fromAfter };
        });
      }
      ctx.cluster.hosts.forEach((_, i) => leakFinding(ctx, i, `during the one-way cut`));
    },
  };
}
