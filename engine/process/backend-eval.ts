/**
 * Backend switching (`use_backend` in order, then `default_backend`; a listen section is its own
 * backend), server choice (a `stick match|on` hit, else round robin with equal weights), and
 * stick storage (2.6 `stream.c:process_sticking_rules`, `process_store_rules`): only the first
 * store rule per table applies; a match hit refreshes the entry; after server selection every
 * pending store sets server_id and server_key (`srvkey name|addr`) unless the server is
 * `non-stick`. The candidate entry is allocated before the key is looked up (spec §3.3 quirk).
 */
import type { Proxy, ServerLine, StickRule } from '../config/types.ts';
import { DATA_TYPE_IDS as DT, stickMatch, stickStore } from '../table/tracking.ts';
import { NO_ENTRY, type StickTable } from '../table/table.ts';
import type { StoredKey } from '../table/keys.ts';
import { compileRules, type ProxyRules } from './actions-eval.ts';
import { compileCondition, conditionHolds, type CondFn } from './conditions-eval.ts';
import { fetchSample, type FetchScope } from './fetches-eval.ts';
import { sampleToKey } from './samples-eval.ts';

/** A backend a request can go to, with its compiled rules. */
export interface BackendTarget {
  readonly proxy: Proxy;
  readonly rules: ProxyRules;
}

/** A frontend's backend switching resolved against one backends list (the config is immutable). */
export interface BackendChoice {
  readonly backends: readonly Proxy[];
  /** `use_backend` rules in order: the condition (undefined: always) and the backend it names. */
  readonly useConds: readonly (CondFn | undefined)[];
  readonly useTargets: readonly (BackendTarget | undefined)[];
  /** `default_backend`, else the listen section itself, else none. */
  readonly fallback: BackendTarget | undefined;
}

export function backendChoice(frontend: Proxy, backends: readonly Proxy[]): BackendChoice {
  const target = (proxy: Proxy | undefined): BackendTarget | undefined =>
    proxy === undefined ? undefined : { proxy, rules: compileRules(proxy.rules) };
  const byName = (name: string): BackendTarget | undefined =>
    target(backends.find((b) => b.name === name && (b.kind === 'backend' || b.kind === 'listen')));
  return {
    backends,
    useConds: frontend.useBackends.map((use) => (use.cond === undefined ? undefined : compileCondition(use.cond))),
    useTargets: frontend.useBackends.map((use) => byName(use.backend)),
    fallback: frontend.defaultBackend !== undefined ? byName(frontend.defaultBackend) : frontend.kind === 'listen' ? target(frontend) : undefined,
  };
}

/** The backend for a frontend's request, or undefined when none (HAProxy answers 503). */
export function selectBackend(choice: BackendChoice, scope: FetchScope): BackendTarget | undefined {
  const conds = choice.useConds;
  for (let i = 0; i < conds.length; i++) {
    const cond = conds[i];
    if (cond === undefined || cond(scope)) return choice.useTargets[i];
  }
  return choice.fallback;
}

export interface PendingStore {
  readonly table: StickTable;
  readonly key: StoredKey;
}

export interface StickRequestOutcome {
  /** Server named by a match hit, if it exists in the backend. */
  readonly stuckServer: ServerLine | undefined;
  readonly stores: PendingStore[];
}

function ruleKey(rule: StickRule, scope: FetchScope): PendingStore | undefined {
  const table = scope.tables.get(rule.tableName);
  if (table === undefined) return undefined;
  const sample = fetchSample(rule.sample, scope);
  if (sample === undefined) return undefined;
  const key = sampleToKey(sample, table.spec);
  return key === undefined ? undefined : { table, key };
}

/** `sticking_rule_find_target`: server_key (by name or address) first, then server_id. */
function serverOfEntry(backend: Proxy, table: StickTable, ref: number): ServerLine | undefined {
  const keySlot = table.slot(DT.serverKey);
  const name = keySlot === undefined ? undefined : table.getDict(ref, keySlot);
  if (name !== undefined) {
    const byKey = backend.servers.find((s) => (table.spec.srvkey === 'addr' ? s.address : s.name) === name);
    if (byKey !== undefined) return byKey;
  }
  const idSlot = table.slot(DT.serverId);
  if (idSlot === undefined) return undefined;
  const id = table.getSint(ref, idSlot);
  return backend.servers.find((s) => s.id === id);
}

/** `process_sticking_rules`: match / on / store-request rules of the backend, in order. */
export function applyStickRequestRules(backend: Proxy, scope: FetchScope): StickRequestOutcome {
  if (backend.stickRules.length === 0) return { stuckServer: undefined, stores: [] };
  let stuckServer: ServerLine | undefined;
  const stores: PendingStore[] = [];
  for (const rule of backend.stickRules) {
    if (rule.kind === 'store-response') continue;
    const isStore = rule.kind === 'on' || rule.kind === 'store-request';
    const isMatch = rule.kind === 'on' || rule.kind === 'match';
    if (isStore && stores.some((s) => s.table.spec.name === rule.tableName)) continue;
    if (!conditionHolds(rule.cond, scope)) continue;
    const target = ruleKey(rule, scope);
    if (target === undefined) continue;
    if (isMatch) {
      const ref = stickMatch(target.table, target.key, scope.now);
      if (ref !== NO_ENTRY && stuckServer === undefined) stuckServer = serverOfEntry(backend, target.table, ref);
    }
    if (isStore) stores.push(target);
  }
  return { stuckServer, stores };
}

/** `process_store_rules` part one: store-response rules (first per table, beside store-request ones). */
export function collectStickResponseStores(backend: Proxy, scope: FetchScope, stores: PendingStore[]): void {
  const requestStores = stores.length;
  for (const rule of backend.stickRules) {
    if (rule.kind !== 'store-response') continue;
    if (stores.slice(requestStores).some((s) => s.table.spec.name === rule.tableName)) continue;
    if (!conditionHolds(rule.cond, scope)) continue;
    const target = ruleKey(rule, scope);
    if (target !== undefined) stores.push(target);
  }
}

/** `process_store_rules` part two: write server_id / server_key for every pending store. */
export function commitStickStores(stores: readonly PendingStore[], server: ServerLine, scope: FetchScope): void {
  if (server.options.includes('non-stick')) return;
  for (const s of stores) {
    const key = s.table.spec.srvkey === 'addr' ? server.address : server.name;
    stickStore(s.table, s.key, scope.now, { id: server.id, key });
  }
}

/** Round robin over the backend's servers (equal weights), the cursor kept by the caller. */
export function balanceRoundRobin(backend: Proxy, cursors: Map<string, number> | undefined): ServerLine | undefined {
  const servers = backend.servers;
  if (servers.length === 0) return undefined;
  // One server: the cursor stays 0 (an absent cursor reads as 0), nothing to keep.
  if (cursors === undefined || servers.length === 1) return servers[0];
  const at = (cursors.get(backend.name) ?? 0) % servers.length;
  cursors.set(backend.name, (at + 1) % servers.length);
  return servers[at];
}
