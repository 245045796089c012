/**
 * Split brain: each 2-way partition of the peer set (every one for up to 4 nodes; for more, each
 * node alone plus one half against the other — bounded, and said), the same key written on both
 * sides, then the heal: which value each node ends with under the merge policy. And permanent
 * divergence where a node's peers do not relay: only the link between two nodes is cut, both
 * still reach a third, and the key one writes never reaches the other through it.
 */
import { leakFinding, probePresent, probeKeys, probeTable, readProbe, seconds, writeProbe, type BatteryContext, type BatteryScenario, type Plan } from './harness.ts';
import type { DerivedCluster } from './derive.ts';

export const ALL_SPLITS_NODES_MAX = 4;
const WRITE_AFTER_MS = 1_000;
const HEAL_AFTER_MS = 6_000;
const AFTER_HEAL_MS = 6_000;

/** Two-way splits with hosts[0] on the first side. */
export function splits(names: readonly string[]): string[][][] {
  const n = names.length;
  if (n < 2) return [];
  if (n <= ALL_SPLITS_NODES_MAX) {
    const out: string[][][] = [];
    for (let mask = 0; mask < 2 ** (n - 1) - 1; mask++) {
      const a = [names[0]!, ...names.slice(1).filter((_, j) => (mask & (1 << j)) !== 0)];
      out.push([a, names.filter((x) => !a.includes(x))]);
    }
    return out;
  }
  const half = Math.ceil(n / 2);
  return [...names.map((x) => [[x], names.filter((y) => y !== x)]), [names.slice(0, half), names.slice(half)]];
}

const sideName = (side: readonly string[]): string => side.join('+');

export function splitBrainScenarios(cluster: DerivedCluster, plan: Plan): BatteryScenario[] {
  const names = cluster.hosts.map((h) => h.name);
  const out = splits(names).map((sides) => splitScenario(cluster, plan, sides));
  if (names.length >= 3) out.push(noRelayScenario(cluster, plan, names[0]!, names[1]!, names[2]!));
  return out;
}

function splitScenario(cluster: DerivedCluster, plan: Plan, sides: string[][]): BatteryScenario {
  const [a, b] = sides as [string[], string[]];
  const splitMs = plan.warmupMs;
  const healMs = splitMs + HEAL_AFTER_MS;
  return {
    name: `split-${sideName(a)}-vs-${sideName(b)}`,
    family: 'split-brain',
    title: `split brain: ${sideName(a)} | ${sideName(b)}, the same key written on both sides, heal`,
    lesson: 'During a partition each side counts alone; at the heal the merge policy decides which value each node keeps (HAProxy: the last update received wins, per entry, not the higher count).',
    durationMs: healMs + AFTER_HEAL_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const table = probeTable(ctx.cluster, plan);
      const key = table === undefined ? undefined : probeKeys(table, 90, 1)[0]!;
      s.at(splitMs, () => s.partition(a, b));
      if (table !== undefined && key !== undefined) {
        s.at(splitMs + WRITE_AFTER_MS, () => writeProbe(s, a[0]!, table, key, 100));
        s.at(splitMs + WRITE_AFTER_MS + 500, () => writeProbe(s, b[0]!, table, key, 200));
      }
      s.at(healMs, () => s.heal());
      const values = new Map<string, number | undefined>();
      s.at(healMs + AFTER_HEAL_MS - 1, () => {
        for (const h of ctx.cluster.hosts) values.set(h.name, table === undefined || key === undefined ? undefined : readProbe(s, h.name, table, key));
      });
      if (table !== undefined && key !== undefined) {
        ctx.finding(() => {
          const distinct = new Set([...values.values()].map((v) => String(v)));
          const listing = [...values].map(([h, v]) => `${h}=${v === undefined ? 'absent' : v}`).join(' ');
          const field = table.probeField;
          if (field === undefined) {
            const listing = [...values].map(([h, v]) => `${h}:${v === undefined ? 'absent' : 'present'}`).join(' ');
            return { name: 'values-after-heal', value: distinct.size, message: `key ${key} of table ${table.name} (which stores no counter to compare) written on both sides during the split; after the heal: ${listing}`, notable: distinct.size !== 1 };
          }
          return {
            name: 'values-after-heal',
            value: distinct.size,
            message: `key ${key} of table ${table.name} written ${field}=100 on ${a[0]} then ${field}=200 on ${b[0]} during the split; ${seconds(AFTER_HEAL_MS)} after the heal (merge policy ${s.policy}): ${listing}${distinct.size === 1 ? '' : ' — the nodes still disagree'}`,
            notable: distinct.size !== 1,
          };
        });
      }
      ctx.cluster.hosts.forEach((_, i) => leakFinding(ctx, i, `during and after the split`));
    },
  };
}

function noRelayScenario(cluster: DerivedCluster, plan: Plan, x: string, y: string, relay: string): BatteryScenario {
  const cutMs = plan.warmupMs;
  const readMs = cutMs + HEAL_AFTER_MS - 1;
  return {
    name: `no-relay-${x}-${y}`,
    family: 'split-brain',
    title: `only the link ${x}–${y} is cut; both still reach ${relay}`,
    lesson: 'Peers do not relay what they learned from another peer: a node cut from one peer never gets that peer’s updates, even through nodes that have them.',
    durationMs: cutMs + HEAL_AFTER_MS + AFTER_HEAL_MS,
    script: (ctx: BatteryContext) => {
      const { s } = ctx;
      const table = probeTable(ctx.cluster, plan);
      const key = table === undefined ? undefined : probeKeys(table, 91, 1)[0]!;
      s.at(cutMs, () => s.partition([x], [y]));
      if (table !== undefined && key !== undefined) s.at(cutMs + WRITE_AFTER_MS, () => writeProbe(s, x, table, key, 300));
      s.at(cutMs + HEAL_AFTER_MS, () => s.heal());
      let onY = false;
      let onRelay = false;
      let afterHeal = false;
      if (table !== undefined && key !== undefined) {
        s.at(readMs, () => {
          onY = probePresent(s, y, table, key);
          onRelay = probePresent(s, relay, table, key);
        });
        s.at(cutMs + HEAL_AFTER_MS + AFTER_HEAL_MS - 1, () => (afterHeal = probePresent(s, y, table, key)));
        ctx.finding(() => {
          const diverged = !onY && onRelay;
          return {
            name: `${y}-diverged`,
            value: diverged ? 1 : 0,
            message: diverged
              ? `${y} never got key ${key} that ${x} wrote (while ${relay} had it): peers do not relay, so ${y} diverged for the ${seconds(HEAL_AFTER_MS - WRITE_AFTER_MS)} the link was cut${afterHeal ? '; it got the key after the heal' : '; still without it after the heal'}`
              : `${y} ${onY ? 'had' : 'lacked'} key ${key} written on ${x} while their link was cut (${relay} ${onRelay ? 'had' : 'lacked'} it)`,
            notable: diverged,
          };
        });
      }
      ctx.cluster.hosts.forEach((_, i) => leakFinding(ctx, i, `while ${x}–${y} was cut`));
    },
  };
}
