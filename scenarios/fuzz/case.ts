/**
 * One fuzz case: the cluster's knobs (nodes, table, policy, latency, traffic) and its fault
 * schedule, as plain JSON data. The generator makes one from a seed; the shrinker makes smaller
 * ones; a regression file holds one literally.
 */
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import type { Fault } from './schedule.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

export interface FuzzTable {
  sizeEntries: number;
  expireMs: number;
  /** Data types stored (as in `store`), gpc0 and http_req_cnt always among them. */
  store: string[];
}

export interface FuzzTraffic {
  /** Keys (client addresses) only this node's clients use: 10.<node+1>.0.<k>. */
  keysPerNode: number;
  /** Keys every node's clients use: 10.200.0.<k>. */
  sharedKeys: number;
  /** Each node handles one request every this many ms (0: none). */
  requestEveryMs: number;
  /** Each node sets gpc0 of one of its own keys every this many ms (0: never). */
  setEveryMs: number;
  /** Each node clears one of its own keys every this many ms (0: never). */
  clearEveryMs: number;
  /** Traffic (requests, sets, clears) stops here: the quiet starts once the faults end too. */
  untilMs: number;
}

export interface FuzzCase {
  /** Host names, hap1…hapN. */
  nodes: string[];
  withPeers: boolean;
  policy: MergePolicyName;
  table: FuzzTable;
  /** One-way latency uniform in [1, latencyMsMax]. */
  latencyMsMax: number;
  traffic: FuzzTraffic;
  faults: Fault[];
  /** The HAProxy release line the case runs under; absent means 2.6 (cases from before issue 13). */
  haproxy?: HaproxyVersion;
}

export const TRAFFIC_START_MS = 1_000;

export function ownKey(nodeIndex: number, k: number): string {
  return `10.${nodeIndex + 1}.0.${k + 1}`;
}

export function sharedKey(k: number): string {
  return `10.200.0.${k + 1}`;
}

/** Every key a case's traffic may write. */
export function caseKeys(c: FuzzCase): { own: string[][]; shared: string[] } {
  const own = c.nodes.map((_, i) => Array.from({ length: c.traffic.keysPerNode }, (_, k) => ownKey(i, k)));
  const shared = Array.from({ length: c.traffic.sharedKeys }, (_, k) => sharedKey(k));
  return { own, shared };
}

export function totalKeys(c: FuzzCase): number {
  return c.nodes.length * c.traffic.keysPerNode + c.traffic.sharedKeys;
}
