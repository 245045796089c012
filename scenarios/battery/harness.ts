/**
 * What every battery scenario shares: the options (one object, so a `--haproxy` version can join
 * it), the timeline and the client traffic derived from the user's limits, the recorder of every
 * request's outcome, the fault-free reference run the outcomes are compared with, the probe keys
 * written through the runtime API, and findings (a figure with a sentence in the operator's terms).
 *
 * "Let through": a request the fault run allowed while the reference run — the same cluster, seed,
 * traffic and latency without the fault — denied it. Whatever HAProxy's counters do in a healthy
 * cluster is the baseline; only the fault's effect is counted.
 */
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';
import type { ScriptApi } from '../script-api.ts';
import type { DerivedCluster, LimitRule, TableInfo } from './derive.ts';

export interface BatteryOptions {
  seed: string;
  policy: MergePolicyName;
  /** The HAProxy release line every process behaves as (`--haproxy`; default 2.6). */
  haproxy?: HaproxyVersion;
  /** One-way latency between nodes, in ms (`--latency 80ms`). */
  latencyMs: number;
  /** A finding fails its scenario (for CI). */
  failOnFinding: boolean;
  /** Run only the scenario of this name (the reproduce command names it). */
  scenario?: string;
}

export interface Finding {
  readonly name: string;
  readonly value: number;
  /** One sentence an operator reads. */
  readonly message: string;
  /** Something the operator should know about (a leak, a loss, a divergence). */
  readonly notable: boolean;
}

export interface BatteryScenario {
  readonly name: string;
  readonly family: string;
  readonly title: string;
  readonly lesson: string;
  readonly durationMs: number;
  script(ctx: BatteryContext): void;
}

export interface BatteryContext {
  readonly s: ScriptApi;
  readonly cluster: DerivedCluster;
  readonly plan: Plan;
  readonly outcomes: Outcomes;
  /** The fault-free run's outcomes (undefined inside the reference run itself). */
  readonly reference: () => Outcomes | undefined;
  /** Registers a finding computed at the end of the run. */
  finding(compute: () => Finding): void;
}

// --- the plan: timeline and traffic ----------------------------------------------------------

export const TRAFFIC_START_MS = 500;
const WARMUP_MS_MIN = 3_000;
const WARMUP_MS_MAX = 15_000;
const ATTACK_RATE_PER_S_MIN = 2;
export const ATTACK_RATE_PER_S_MAX = 250;
const LEGIT_PER_NODE = 4;
const DEFAULT_RATE_PER_S = 10;

export interface Plan {
  /** Faults start here: every counter of the attackers is over its limit by then. */
  readonly warmupMs: number;
  /** The table the clients are tracked in (undefined: no client traffic). */
  readonly tracked: TableInfo | undefined;
  readonly attackEveryMs: number;
  readonly legitEveryMs: number;
  /** One attacker address per node (index = host index). */
  readonly attackers: readonly string[];
  readonly legits: readonly (readonly string[])[];
  readonly notes: readonly string[];
}

export function makePlan(cluster: DerivedCluster): Plan {
  const notes: string[] = [];
  const tracked = cluster.frontend === undefined ? undefined : trackedTable(cluster);
  const usable = tracked !== undefined && (tracked.keyType === 'ip' || tracked.keyType === 'ipv6');
  if (tracked !== undefined && !usable) notes.push(`table ${tracked.name} is keyed by ${tracked.keyType}: the battery's clients are tracked by address only`);
  let ratePerS = cluster.limits.length === 0 ? DEFAULT_RATE_PER_S : ATTACK_RATE_PER_S_MIN;
  let periodMsMax = 0;
  for (const l of cluster.limits) {
    periodMsMax = Math.max(periodMsMax, l.periodMs ?? 0);
    // Twice what the rule allows: over it within one period (a rate) or half the warm-up (a count).
    const need = l.periodMs !== undefined ? (2 * l.matchesFrom * 1000) / l.periodMs : (4 * l.matchesFrom * 1000) / WARMUP_MS_MIN;
    if (need > ATTACK_RATE_PER_S_MAX) notes.push(`${l.file}:${l.line}: ${l.text}: crossing it needs ${Math.ceil(need)} requests/s per client, above the battery's ${ATTACK_RATE_PER_S_MAX}; the attackers stay under it`);
    ratePerS = Math.max(ratePerS, Math.min(need, ATTACK_RATE_PER_S_MAX));
  }
  if (cluster.hosts.length > PER_NODE_MAX) {
    notes.push(`${cluster.hosts.length} nodes: the per-node scenarios (reload, crash, resync window) run for the first ${PER_NODE_MAX} only, and split brain for each node alone plus one half against the other (every 2-way split only up to 4 nodes)`);
  }
  const warmupMs = Math.min(WARMUP_MS_MAX, Math.max(WARMUP_MS_MIN, Math.round(1.5 * periodMsMax)));
  const attackEveryMs = Math.max(1, Math.floor(1000 / ratePerS));
  const n = cluster.hosts.length;
  const v6 = tracked?.keyType === 'ipv6';
  const attackers = Array.from({ length: n }, (_, i) => (v6 ? `2001:db8:bad::${(i + 1).toString(16)}` : `203.0.113.${i + 1}`));
  const legits = Array.from({ length: n }, (_, i) =>
    Array.from({ length: LEGIT_PER_NODE }, (_, j) => (v6 ? `2001:db8:600d::${(i * LEGIT_PER_NODE + j + 1).toString(16)}` : `198.51.100.${i * LEGIT_PER_NODE + j + 1}`)),
  );
  // Each legitimate address sends an eighth of the attacker's rate: a quarter of the limit.
  const legitEveryMs = (attackEveryMs * 8) / LEGIT_PER_NODE;
  return { warmupMs, tracked: usable ? tracked : undefined, attackEveryMs, legitEveryMs: Math.max(1, Math.round(legitEveryMs)), attackers, legits, notes };
}

function trackedTable(cluster: DerivedCluster): TableInfo | undefined {
  const byLimit = cluster.limits[0]?.table;
  return cluster.tables.find((t) => t.name === byLimit) ?? cluster.tables[0];
}

// --- outcomes ----------------------------------------------------------------------------------

export const NOT_SENT = 0;
export const REFUSED = 1;
export const ALLOWED = 2;
export const STOPPED = 3;

/** Every request of the standard traffic, by node, class and sequence number. */
export class Outcomes {
  readonly attack: Int8Array[];
  readonly legit: Int8Array[];
  /** Line of the rule that stopped each attacker request (0 when none did). */
  readonly attackRule: Int32Array[];
  readonly sendsByNode: Int32Array;

  constructor(
    readonly plan: Plan,
    hostCount: number,
    readonly durationMs: number,
  ) {
    const attackLen = Math.max(0, Math.ceil((durationMs - TRAFFIC_START_MS) / plan.attackEveryMs));
    const legitLen = Math.max(0, Math.ceil((durationMs - TRAFFIC_START_MS) / plan.legitEveryMs));
    this.attack = Array.from({ length: hostCount }, () => new Int8Array(attackLen));
    this.legit = Array.from({ length: hostCount }, () => new Int8Array(legitLen));
    this.attackRule = Array.from({ length: hostCount }, () => new Int32Array(attackLen));
    this.sendsByNode = new Int32Array(hostCount);
  }

  attackAtMs(k: number): number {
    return TRAFFIC_START_MS + k * this.plan.attackEveryMs;
  }
}

/** Drives the standard traffic through the cluster's frontend, recording each outcome. */
export function installTraffic(s: ScriptApi, cluster: DerivedCluster, plan: Plan, out: Outcomes): void {
  const frontend = cluster.frontend;
  if (plan.tracked === undefined || frontend === undefined) return;
  const send = (host: string, srcAddress: string): { code: number; ruleLine: number } => {
    const h = s.world.host(host);
    const result = h.isPaused() ? undefined : h.process?.handleRequest({ srcAddress }, { frontend });
    if (result === undefined) return { code: REFUSED, ruleLine: 0 };
    return { code: result.action === 'allowed' ? ALLOWED : STOPPED, ruleLine: result.denyRuleLine ?? 0 };
  };
  cluster.hosts.forEach((h, i) => {
    const attacker = plan.attackers[i]!;
    s.world.kernel.scheduleSeries({ startMs: TRAFFIC_START_MS, everyMs: plan.attackEveryMs, count: out.attack[i]!.length }, (k) => {
      const r = send(h.name, attacker);
      out.attack[i]![k] = r.code;
      out.attackRule[i]![k] = r.ruleLine;
      out.sendsByNode[i]!++;
    });
    const legits = plan.legits[i]!;
    s.world.kernel.scheduleSeries({ startMs: TRAFFIC_START_MS, everyMs: plan.legitEveryMs, count: out.legit[i]!.length }, (k) => {
      out.legit[i]![k] = send(h.name, legits[k % legits.length]!).code;
    });
  });
}

// --- comparing with the reference ------------------------------------------------------------------

export interface Leak {
  count: number;
  firstMs: number;
  lastMs: number;
  /** Lines of the rules the reference run stopped those requests with. */
  ruleLines: number[];
}

/** Attacker requests of node `i` allowed here but stopped in the reference run. */
export function leakOf(run: Outcomes, ref: Outcomes, i: number): Leak {
  const a = run.attack[i]!;
  const b = ref.attack[i]!;
  const lines = new Set<number>();
  let count = 0;
  let first = -1;
  let last = -1;
  const len = Math.min(a.length, b.length);
  for (let k = 0; k < len; k++) {
    if (a[k] === ALLOWED && b[k] === STOPPED) {
      count++;
      if (first < 0) first = k;
      last = k;
      lines.add(ref.attackRule[i]![k]!);
    }
  }
  return { count, firstMs: first < 0 ? -1 : run.attackAtMs(first), lastMs: last < 0 ? -1 : run.attackAtMs(last), ruleLines: [...lines].sort((x, y) => x - y) };
}

/** Legitimate requests of node `i` stopped here but allowed in the reference run. */
export function legitDeniedOf(run: Outcomes, ref: Outcomes, i: number): number {
  const a = run.legit[i]!;
  const b = ref.legit[i]!;
  let count = 0;
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] === STOPPED && b[k] === ALLOWED) count++;
  return count;
}

export function refusedOf(run: Outcomes, i: number): number {
  let count = 0;
  for (const c of run.attack[i]!) if (c === REFUSED) count++;
  return count;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : ms < 10_000 ? 2 : 1)} s`;

function ruleText(cluster: DerivedCluster, lines: readonly number[]): string {
  const rules = lines.map((line) => cluster.limits.find((l) => l.line === line)).filter((l): l is LimitRule => l !== undefined);
  if (rules.length === 0) return lines.length === 0 ? 'its rules' : `the rule at line ${lines.join(', ')}`;
  return rules.map((l) => `${l.file}:${l.line} (\`${l.text}\`)`).join(' and ');
}

/**
 * The let-through finding of one node: "hap2 let 312 requests through that <rule> denies in a
 * healthy cluster, for 5.0 s from 12.0 s (after its reload)".
 */
export function leakFinding(ctx: BatteryContext, i: number, during: string): void {
  const host = ctx.cluster.hosts[i]!.name;
  ctx.finding(() => {
    const reference = ctx.reference();
    if (ctx.plan.tracked === undefined || reference === undefined || ctx.cluster.limits.length === 0) {
      return { name: `${host}-let-through`, value: 0, message: `${host}: no deny rule reads a tracked counter, so no request is measured against a limit`, notable: false };
    }
    const leak = leakOf(ctx.outcomes, reference, i);
    if (leak.count === 0) {
      return { name: `${host}-let-through`, value: 0, message: `${host} let no request over the limit through ${during} (${ruleText(ctx.cluster, ctx.cluster.limits.map((l) => l.line))} held)`, notable: false };
    }
    const span = leak.lastMs - leak.firstMs + ctx.plan.attackEveryMs;
    return {
      name: `${host}-let-through`,
      value: leak.count,
      message: `${host} let ${leak.count} request${leak.count === 1 ? '' : 's'} through that ${ruleText(ctx.cluster, leak.ruleLines)} denies in a healthy cluster, during ${seconds(span)} from t=${seconds(leak.firstMs)} ${during}`,
      notable: true,
    };
  });
}

export function legitFinding(ctx: BatteryContext, i: number, during: string): void {
  const host = ctx.cluster.hosts[i]!.name;
  ctx.finding(() => {
    const reference = ctx.reference();
    const count = ctx.plan.tracked === undefined || reference === undefined ? 0 : legitDeniedOf(ctx.outcomes, reference, i);
    return count === 0
      ? { name: `${host}-legit-denied`, value: 0, message: `${host} denied no legitimate request ${during} that a healthy cluster allows`, notable: false }
      : { name: `${host}-legit-denied`, value: count, message: `${host} denied ${count} legitimate requests ${during} that a healthy cluster allows`, notable: true };
  });
}

// --- probe keys ----------------------------------------------------------------------------------

/** `count` keys of the table's type, distinct per `group` (a node index or a scenario step). */
export function probeKeys(table: TableInfo, group: number, count: number): string[] {
  return Array.from({ length: count }, (_, j) => {
    const n = group * 10 + j + 1;
    switch (table.keyType) {
      case 'ip':
        return `192.0.2.${n % 254 + 1}`;
      case 'ipv6':
        return `2001:db8:7e57::${n.toString(16)}`;
      case 'integer':
        return String(900_000 + n);
      case 'binary':
        return `7e57${n.toString(16).padStart(4, '0')}`;
      default:
        return `probe-${n}`;
    }
  });
}

/** Writes a key on a host through the runtime API (the probe field set to `value` when there is one). */
export function writeProbe(s: ScriptApi, host: string, table: TableInfo, key: string, value: number): void {
  s.set(host, table.name, key, table.probeField === undefined ? {} : { [table.probeField]: value });
}

/** The probe value a host holds: the field, 1 for a present entry without one, undefined if absent. */
export function readProbe(s: ScriptApi, host: string, table: TableInfo, key: string): number | undefined {
  const e = s.entry(host, table.name, key);
  if (e === undefined) return undefined;
  return table.probeField === undefined ? 1 : e.read(table.probeField);
}

/**
 * True when a host holds the probe key. Presence, not the value: under the aggregate and max
 * merge policies a value learned back may legitimately differ from the one written.
 */
export function probePresent(s: ScriptApi, host: string, table: TableInfo, key: string): boolean {
  return s.entry(host, table.name, key) !== undefined;
}

/** True when the table's entries expire within `ms` of being written (a lost probe may have just expired). */
export function expiresWithin(table: TableInfo, ms: number): boolean {
  return table.expireMs > 0 && table.expireMs <= ms;
}

/** The table the state probes use: the replicated one the clients are tracked in, else the first replicated, else the first. */
export function probeTable(cluster: DerivedCluster, plan: Plan): TableInfo | undefined {
  return (plan.tracked?.replicated ? plan.tracked : undefined) ?? cluster.tables.find((t) => t.replicated) ?? cluster.tables[0];
}

/** Polls until `ready`, recording the first instant it holds (or -1). */
export function firstInstant(s: ScriptApi, options: { startMs: number; everyMs: number; withinMs: number }, ready: () => boolean): () => number {
  let at = -1;
  s.until(options, ready, (timedOut) => {
    if (!timedOut) at = s.nowMs();
  });
  return () => at;
}

/** At most this many nodes get a scenario each in the per-node families. */
export const PER_NODE_MAX = 4;

export function perNode<T>(cluster: DerivedCluster, make: (host: string, i: number) => T): T[] {
  return cluster.hosts.slice(0, PER_NODE_MAX).map((h, i) => make(h.name, i));
}
