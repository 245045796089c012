/**
 * Swarm generation: from one seed, a cluster (2–5 nodes), its table (size, expire, data types),
 * merge policy, latency, traffic and a fault schedule — every knob drawn per seed, so different
 * seeds stress different mixes (swarm testing). Draws come from the simulator's SeededRandom
 * (seedrandom), so a seed gives the same case on every machine.
 */
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';
import { deriveSeed, SeededRandom } from '../../sim/seeds.ts';
import type { FuzzCase, FuzzTable, FuzzTraffic } from './case.ts';
import { FILTERABLE_KINDS, type Fault, type FaultKind, type FilterableKind, type Sides } from './schedule.ts';

export const NODES_MIN = 2;
export const NODES_MAX = 5;
export const FAULTS_GENERATED_MAX = 5;
const OPTIONAL_TYPES = ['conn_cur', 'conn_cnt', 'http_req_rate(10s)', 'gpt0'] as const;

/** Options that pin a knob for every generated case (a fixed cluster from --config, a bench). */
export interface GeneratorOptions {
  nodes?: number;
  withPeers?: boolean;
  policy?: MergePolicyName;
  table?: FuzzTable;
  /** Upper bound of traffic.untilMs (default 30 s). */
  trafficUntilMsMax?: number;
  faultsMax?: number;
  /**
   * HAProxy lines a case may run under: one is used as is; from several, each case draws one from
   * its own stream (so the other knobs of a seed are the same whatever the list).
   */
  haproxy?: readonly HaproxyVersion[];
}

export function generateCase(seed: string, options: GeneratorOptions = {}): FuzzCase {
  const r = new SeededRandom('fuzz-case', deriveSeed(seed, 'fuzz-case'));
  const nodeCount = options.nodes ?? r.pick([2, 2, 3, 3, 3, 4, 5]);
  const nodes = Array.from({ length: nodeCount }, (_, i) => `hap${i + 1}`);
  const withPeers = options.withPeers ?? !r.chance(0.08);
  const policy = options.policy ?? pickPolicy(r);
  const traffic = generateTraffic(r, options.trafficUntilMsMax ?? 30_000);
  const keys = nodeCount * traffic.keysPerNode + traffic.sharedKeys;
  const table = options.table ?? generateTable(r, keys);
  const latencyMsMax = r.pick([1, 2, 5, 10, 50, 200]);
  const faultsMax = options.faultsMax ?? FAULTS_GENERATED_MAX;
  let faults = generateFaults(r, { nodes, untilMs: traffic.untilMs, faultsMax });
  // Drawn last, so every earlier draw of a seed stays as it was.
  if (faultsMax >= 1 && r.chance(SPLIT_BRAIN_CHANCE)) {
    faults = [splitBrainAtTrafficEnd(r, nodes, traffic.untilMs)];
    if (traffic.sharedKeys === 0) traffic.sharedKeys = 1;
  }
  const haproxy = pickHaproxy(seed, options.haproxy);
  return { nodes, withPeers, policy, table, latencyMsMax, traffic, faults, ...(haproxy === undefined ? {} : { haproxy }) };
}

function pickHaproxy(seed: string, versions: readonly HaproxyVersion[] | undefined): HaproxyVersion | undefined {
  if (versions === undefined || versions.length === 0) return undefined;
  if (versions.length === 1) return versions[0];
  return new SeededRandom('fuzz-haproxy', deriveSeed(seed, 'fuzz-haproxy')).pick([...versions]);
}

function pickPolicy(r: SeededRandom): MergePolicyName {
  const x = r.nextFloat();
  return x < 0.8 ? 'haproxy' : x < 0.9 ? 'aggregate' : 'max';
}

function generateTraffic(r: SeededRandom, untilMsMax: number): FuzzTraffic {
  return {
    keysPerNode: r.nextIntBetween(1, 6),
    sharedKeys: r.chance(0.5) ? 0 : r.nextIntBetween(1, 3),
    requestEveryMs: r.pick([100, 250, 500, 1000]),
    setEveryMs: r.chance(0.3) ? 0 : r.pick([300, 700, 1500, 3000]),
    clearEveryMs: r.chance(0.8) ? 0 : r.pick([3000, 7000]),
    untilMs: r.nextIntBetween(5, Math.max(5, Math.floor(untilMsMax / 1000))) * 1000,
  };
}

function generateTable(r: SeededRandom, keys: number): FuzzTable {
  const store = ['gpc0', 'http_req_cnt', ...OPTIONAL_TYPES.filter(() => r.chance(0.4))];
  // Mostly room for every key; sometimes too small (eviction, purge on receipt).
  const sizeEntries = r.chance(0.8) ? Math.max(16, 2 * keys) : Math.max(2, Math.floor(keys / 2));
  // Mostly longer than the run; sometimes short (expiry during the run, expired entries never pushed).
  const expireMs = r.chance(0.8) ? r.pick([120_000, 600_000]) : r.nextIntBetween(2, 10) * 1000;
  return { sizeEntries, expireMs, store };
}

const FAULT_KINDS: readonly FaultKind[] = [
  'partition',
  'cut',
  'partition-one-way',
  'hold',
  'crash',
  'restart',
  'reload',
  'nat-source',
  'drop-messages',
];

/**
 * Split-brain cases: their one fault is a cut (REJECT) opened while the traffic still runs on both
 * sides (a shared key at least) and healed in the quiet, so each side holds its own changes of the
 * shared keys when the peers reconnect — the outcome HAProxy's wire order decides (spec §5.2;
 * property one-value-after-heal).
 */
const SPLIT_BRAIN_CHANCE = 0.15;

function splitBrainAtTrafficEnd(r: SeededRandom, nodes: readonly string[], untilMs: number): Fault {
  const atMs = Math.max(100, untilMs - r.nextIntBetween(20, 50) * 100);
  const durationMs = untilMs - atMs + r.nextIntBetween(5, 50) * 100;
  return { kind: 'cut', atMs, durationMs, sides: split(r, nodes) };
}

function generateFaults(r: SeededRandom, options: { nodes: readonly string[]; untilMs: number; faultsMax: number }): Fault[] {
  const count = r.nextIntBetween(0, options.faultsMax);
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) faults.push(generateFault(r, options.nodes, options.untilMs, i));
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function generateFault(r: SeededRandom, nodes: readonly string[], untilMs: number, index: number): Fault {
  const kind = r.pick(FAULT_KINDS);
  // Faults start while traffic runs or shortly after, so writes fall inside them.
  const atMs = r.nextIntBetween(1, Math.floor((untilMs + 5_000) / 100)) * 100;
  const durationMs = r.nextIntBetween(5, 150) * 100;
  const host = r.pick(nodes);
  switch (kind) {
    case 'partition':
    case 'cut':
    case 'partition-one-way':
    case 'hold':
      return { kind, atMs, durationMs, sides: split(r, nodes) };
    case 'crash':
      return { kind, atMs, durationMs, host };
    case 'restart':
    case 'reload':
      return { kind, atMs, host };
    case 'nat-source':
      return { kind, atMs, host, asAddress: `192.0.2.${10 + index}` };
    case 'drop-messages': {
      const messages = FILTERABLE_KINDS.filter(() => r.chance(0.5));
      return { kind, atMs, durationMs, messages: messages.length > 0 ? messages : [r.pick<FilterableKind>(FILTERABLE_KINDS)] };
    }
    default:
      throw new Error(`unknown fault kind ${kind}`);
  }
}

/** Two non-empty sides: one to n-1 nodes against the rest. */
function split(r: SeededRandom, nodes: readonly string[]): Sides {
  const shuffled = [...nodes];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = r.nextInt(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const cut = r.nextIntBetween(1, shuffled.length - 1);
  return [shuffled.slice(0, cut).sort(), shuffled.slice(cut).sort()];
}
