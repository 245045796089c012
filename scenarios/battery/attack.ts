/**
 * The table under attack: a botnet of more addresses than the table holds hits the first node.
 * A purging table evicts its oldest unreferenced entries in batches to make room — the attacker's
 * and the legitimate clients' counters among them — so limits restart from zero; a `nopurge`
 * table stops creating entries once full, and every new client after that is tracked nowhere.
 * Findings: the table's fill, the entries written before the attack that were evicted, the keys
 * refused (nopurge), and the requests over the limits let through meanwhile.
 */
import { addressesFromCidr } from '../../sim/traffic.ts';
import { leakFinding, legitFinding, probePresent, probeKeys, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster, TableInfo } from './derive.ts';

export const ATTACK_ADDRESSES_MAX = 4_000;
const ATTACK_MS = 6_000;
const AFTER_MS = 4_000;
const PROBES = 5;
const REQUESTS_PER_ADDRESS = 2;

export function attackScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  const table = plan.tracked;
  if (table === undefined || table.keyType !== 'ip' || cluster.frontend === undefined) return [];
  return [attackScenario(cluster, plan, table)];
}

function attackScenario(cluster: DerivedCluster, plan: Plan, table: TableInfo): BatteryScenario {
  const host = cluster.hosts[0]!.name;
  const startMs = plan.warmupMs;
  const botnetSize = Math.min(table.sizeEntries + Math.max(16, Math.ceil(table.sizeEntries / 4)), ATTACK_ADDRESSES_MAX);
  const overflows = botnetSize > table.sizeEntries;
  const total = botnetSize * REQUESTS_PER_ADDRESS;
  const perMs = Math.ceil(total / ATTACK_MS);
  const frontend = cluster.frontend!;
  return {
    name: `${table.nopurge ? 'nopurge' : 'attack'}-${table.name.replace(/[^A-Za-z0-9._-]/g, '_')}`,
    family: 'attack',
    title: `${botnetSize} addresses hit ${host} (table ${table.name}: size ${table.sizeEntries}${table.nopurge ? ', nopurge' : ''})`,
    lesson: table.nopurge
      ? 'A full nopurge table refuses new keys: clients that arrive after it filled are never tracked, so no limit applies to them.'
      : 'A full table evicts its oldest idle entries to make room: with more clients than entries, counters (the attacker’s too) keep restarting from zero.',
    durationMs: startMs + ATTACK_MS + AFTER_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const botnet = addressesFromCidr('100.64.0.0/16', botnetSize);
      const keys = probeKeys(table, 70, PROBES);
      s.at(startMs - 1_000, () => keys.forEach((k, j) => writeProbe(s, host, table, k, 31 + j)));
      let usedBefore = 0;
      s.at(startMs - 1, () => (usedBefore = s.used(host, table.name)));
      let sent = 0;
      let allowed = 0;
      let next = 0;
      s.world.kernel.scheduleSeries({ startMs, everyMs: 1, count: Math.ceil(total / perMs) }, () => {
        const p = s.world.host(host).process;
        for (let j = 0; j < perMs && sent < total; j++) {
          const r = p?.handleRequest({ srcAddress: botnet[next]! }, { frontend });
          next = (next + 1) % botnet.length;
          sent++;
          if (r?.action === 'allowed') allowed++;
        }
      });
      let usedAfter = 0;
      let probesLeft = 0;
      s.at(startMs + ATTACK_MS, () => {
        usedAfter = s.used(host, table.name);
        probesLeft = keys.filter((k) => probePresent(s, host, table, k)).length;
      });
      ctx.finding(() => ({
        name: 'table-used',
        value: usedAfter,
        message: overflows
          ? `${botnetSize} addresses sent ${sent} requests to ${host} in ${seconds(ATTACK_MS)} (${allowed} allowed): table ${table.name} went from ${usedBefore} to ${usedAfter} of its ${table.sizeEntries} entries`
          : `table ${table.name} holds ${table.sizeEntries} entries: the battery's attack of ${botnetSize} addresses (its bound) fills ${Math.round((100 * usedAfter) / table.sizeEntries)} % of it; no eviction`,
        notable: false,
      }));
      if (table.nopurge) {
        ctx.finding(() => {
          const refused = Math.max(0, botnetSize + usedBefore - usedAfter);
          return {
            name: 'keys-refused',
            value: refused,
            message: refused === 0
              ? `table ${table.name} (nopurge) took every new key`
              : `table ${table.name} (nopurge, size ${table.sizeEntries}) refused ${refused} new keys once full: those clients are tracked nowhere and no rule can limit them`,
            notable: refused > 0,
          };
        });
      } else {
        ctx.finding(() => ({
          name: 'entries-evicted',
          value: PROBES - probesLeft,
          message: PROBES - probesLeft === 0
            ? `the ${PROBES} entries written on ${host} before the attack were all still there after it`
            : `the attack evicted ${PROBES - probesLeft} of the ${PROBES} entries written on ${host} before it (the purge takes the oldest idle entries, legitimate counters included)`,
          notable: PROBES - probesLeft > 0,
        }));
      }
      leakFinding(ctx, 0, 'during and after the attack');
      legitFinding(ctx, 0, 'during and after the attack');
    },
  };
}
