/**
 * A fuzz case as a runnable scenario: the hosts' haproxy.cfg (a full mesh, the case's table),
 * the traffic (requests, gpc0/conn_cur sets, clears on each node's own keys, drawn from the run's
 * `fuzz-traffic` stream), the fault schedule, and the cluster properties as expectations.
 */
import type { TraceEntry } from '../../sim/trace.ts';
import { meshConfig, scenario, type HostSpec, type ScenarioSpec } from '../dsl.ts';
import type { ScriptApi } from '../script-api.ts';
import { caseDurationMs } from './bound.ts';
import { caseKeys, TRAFFIC_START_MS, type FuzzCase } from './case.ts';
import { installProperties, type TrafficLedger } from './properties.ts';
import { applySchedule } from './schedule.ts';

export const TABLE = 'st';

export type Observe = (kind: string, fn: (entry: TraceEntry) => void) => void;

export function tableLine(c: FuzzCase): string {
  return `stick-table type ip size ${c.table.sizeEntries} expire ${c.table.expireMs}ms store ${c.table.store.join(',')}`;
}

export function fuzzHosts(c: FuzzCase): HostSpec[] {
  const peers = c.nodes.map((name, i) => ({ name, address: `10.0.0.${i + 1}` }));
  return c.nodes.map((name, i) => ({
    name,
    addresses: [`10.0.0.${i + 1}`],
    config: meshConfig({ local: name, peers, table: tableLine(c), withPeers: c.withPeers }),
  }));
}

export function fuzzDurationMs(c: FuzzCase): number {
  return caseDurationMs(c);
}

/**
 * The script of a fuzz run. `observe` is the script's own `s.observe` (passed so the runner sees
 * that this script observes engine events and has the engine build them even with traces off).
 */
export function fuzzScript(s: ScriptApi, c: FuzzCase, observe: Observe): void {
  const ledger = driveTraffic(s, c);
  const hooks = installProperties(s, c, { observe, observeDetails: (kind, fn) => s.observeDetails(kind, fn), ledger });
  applySchedule(s, { faults: c.faults }, hooks);
}

/** The whole scenario of a case (what the fuzzer runs; a regression file spells the same out). */
export function fuzzSpec(c: FuzzCase, meta: { name?: string; title?: string; lesson?: string } = {}): ScenarioSpec {
  return scenario({
    name: meta.name ?? 'fuzz',
    title: meta.title ?? 'A generated cluster, traffic and fault schedule',
    lesson: meta.lesson ?? 'The cluster properties hold under this fault schedule.',
    hosts: fuzzHosts(c),
    durationMs: fuzzDurationMs(c),
    policies: [c.policy],
    watch: { table: TABLE, keys: [], everyMs: 500 },
    script: (s) => fuzzScript(s, c, (kind, fn) => s.observe(kind, fn)),
  });
}

/** Requests, sets and clears on every node until traffic.untilMs; returns what was done. */
function driveTraffic(s: ScriptApi, c: FuzzCase): TrafficLedger {
  const ledger: TrafficLedger = { handled: new Map(), lastWriteMs: new Map(), cleared: new Set(), lastClearMs: new Map(), connCurSet: new Set() };
  const random = s.world.seeds.stream('fuzz-traffic');
  const keys = caseKeys(c);
  const t = c.traffic;
  const hasConnCur = c.table.store.includes('conn_cur');
  c.nodes.forEach((node, i) => {
    const own = keys.own[i]!;
    const usable = [...own, ...keys.shared];
    // The ledger's `node|key` names, made once (a request happens every few hundred ms).
    const ledgerKeys = usable.map((key) => `${node}|${key}`);
    const host = s.world.host(node);
    const offsetMs = (i * 37) % Math.max(1, t.requestEveryMs);
    if (t.requestEveryMs > 0 && usable.length > 0) {
      s.every({ startMs: TRAFFIC_START_MS + offsetMs, everyMs: t.requestEveryMs, untilMs: t.untilMs }, (ms) => {
        const k = random.nextInt(usable.length); // as random.pick(usable)
        const haproxyProcess = host.process;
        if (haproxyProcess === undefined || host.isPaused()) return;
        haproxyProcess.handleRequest({ srcAddress: usable[k]! });
        const ledgerKey = ledgerKeys[k]!;
        ledger.handled.set(ledgerKey, (ledger.handled.get(ledgerKey) ?? 0) + 1);
        ledger.lastWriteMs.set(ledgerKey, ms);
      });
    }
    if (t.setEveryMs > 0 && own.length > 0) {
      s.every({ startMs: TRAFFIC_START_MS + offsetMs + 13, everyMs: t.setEveryMs, untilMs: t.untilMs }, (ms) => {
        const key = random.pick(own);
        const value = random.nextInt(1000);
        if (!s.world.host(node).isUp()) return;
        s.set(node, TABLE, key, hasConnCur ? { gpc0: value, conn_cur: 1 + (value % 7) } : { gpc0: value });
        if (hasConnCur) ledger.connCurSet.add(`${node}|${key}`);
        ledger.lastWriteMs.set(`${node}|${key}`, ms);
      });
    }
    if (t.clearEveryMs > 0 && own.length > 0) {
      s.every({ startMs: TRAFFIC_START_MS + offsetMs + 29, everyMs: t.clearEveryMs, untilMs: t.untilMs }, (ms) => {
        const key = random.pick(own);
        if (!s.world.host(node).isUp()) return;
        ledger.cleared.add(key);
        ledger.lastClearMs.set(`${node}|${key}`, ms);
        ledger.onClear?.(node, key);
        s.cli(node, `clear table ${TABLE} key ${key}`);
      });
    }
  });
  return ledger;
}
