/**
 * The cluster properties, installed on a run as `always` expectations (each holds its first
 * violation; the runner reports it with the instant it was seen). The fuzzer and the vitest
 * property tests run the same checks through `runScenario`.
 *
 * Merge (HAProxy policy): a received update overwrites field by field; a key changed on one side
 * only is equal everywhere after heal and quiet; conn_cur is never learned; no update is lost
 * across reconnects (convergence) nor applied twice (an acknowledged update is never pushed
 * again); no delete propagates. `aggregate` sums per-node
 * contributions; `max` keeps the largest. Expiry/eviction: size never exceeded, no expired entry
 * pushed or shown, convergence within the computed bound (bound.ts). Reload: with peers a reload
 * loses no live entry; without peers it loses all. Wire order: a learned update is never pushed on
 * incrementally with a local update id (HAProxy never relays); after a split brain healed in the
 * quiet, a key both sides changed holds one value on both (the acceptor's, spec §5.2).
 */
import { assert, fail } from '../../lib/assert.ts';
import { AckReceivedDetails, UpdateReceivedDetails, UpdateSentDetails } from '../../engine/peers/update-events.ts';
import type { WireValue } from '../../engine/peers/update-body.ts';
import type { DeferredDetails } from '../../engine/env.ts';
import { inetaddrHost } from '../../engine/table/keys.ts';
import { NO_ENTRY } from '../../engine/table/table.ts';
import { tickIsExpired, type Tick } from '../../engine/ticks.ts';
import type { TraceEntry } from '../../sim/trace.ts';
import type { DetailObserver, ScriptApi } from '../script-api.ts';
import { caseDurationMs, convergenceBound, type ConvergenceBound } from './bound.ts';
import { caseKeys, totalKeys, type FuzzCase } from './case.ts';
import { faultEndMs, type Fault, type ScheduleHooks } from './schedule.ts';

/** What the traffic did, per `node|key`. */
export interface TrafficLedger {
  /** Requests handled by a node's process for a key. */
  handled: Map<string, number>;
  /** Last time a node wrote a key (request or set). */
  lastWriteMs: Map<string, number>;
  /** Keys cleared somewhere (excluded from convergence). */
  cleared: Set<string>;
  /** Last time a node cleared a key, per `node|key`. */
  lastClearMs: Map<string, number>;
  /** `node|key` where the node set conn_cur itself. */
  connCurSet: Set<string>;
  /** Called just before a node clears one of its keys. */
  onClear?: (node: string, key: string) => void;
}

export const PROPERTY_NAMES = [
  'merge-overwrites-field-by-field',
  'max-keeps-largest',
  'converges-after-heal-and-quiet',
  'conn-cur-never-learned',
  'no-update-applied-twice',
  'no-delete-propagates',
  'aggregate-sums-contributions',
  'table-size-never-exceeded',
  'no-expired-entry-pushed',
  'no-expired-entry-shown',
  'reload-keeps-live-entries',
  'reload-without-peers-loses-all',
  'learned-update-never-relayed',
  'one-value-after-heal',
  // Not installed here: the runner's failure for a run the engine's own assertions stopped.
  'engine-invariants-hold',
] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** Fields compared across nodes (plain counters and tags; rates depend on each node's clock). */
const COMPARED_FIELDS = new Set(['gpc0', 'http_req_cnt', 'conn_cnt', 'gpt0']);
const TABLE = 'st';
/** A reload's hand-over: local reconnect 500 ms + connect and teach over the host's own 0-ms link + slack. */
const RELOAD_HANDOVER_MS = 2_000;
/** A clear is checked after one latency round trip plus 1 s: long enough for any delete to travel. */
const CLEAR_CHECK_MS = 1_000;
const SHOWN_CHECK_EVERY_MS = 5_000;

type Observe = (kind: string, fn: (entry: TraceEntry) => void) => void;
/** `s.observeDetails`: the hot update and ack events, read unrendered (script-api.ts). */
type ObserveDetails = (kind: string, fn: DetailObserver) => void;

interface Context {
  s: ScriptApi;
  c: FuzzCase;
  ledger: TrafficLedger;
  bound: ConvergenceBound;
  violations: Map<PropertyName, string>;
}

interface ShownEntry {
  expMs: number;
  /** The entry's `name=number` fields (parsed on first use: most checks only need exp). */
  readonly fields: Map<string, number>;
}

/** One `show table` entry line: `0x…: key=K use=U exp=E shard=0 f1=v1 …`. */
class ShownLine implements ShownEntry {
  private parsed: Map<string, number> | undefined;
  constructor(
    readonly expMs: number,
    private readonly line: string,
  ) {}

  get fields(): Map<string, number> {
    if (this.parsed === undefined) {
      this.parsed = new Map();
      for (const m of this.line.matchAll(/\b([a-z_0-9]+)=(\d+)\b/g)) this.parsed.set(m[1]!, Number(m[2]));
    }
    return this.parsed;
  }
}

export function installProperties(
  s: ScriptApi,
  c: FuzzCase,
  options: { observe: Observe; observeDetails: ObserveDetails; ledger: TrafficLedger },
): ScheduleHooks {
  // The generator (or a regression file it wrote) made the case: these hold by construction.
  assert(c.nodes.length >= 1 && new Set(c.nodes).size === c.nodes.length, 'a fuzz case names its nodes once each');
  assert(Number.isSafeInteger(c.latencyMsMax) && c.latencyMsMax >= 1, 'a fuzz case has a latency of at least 1 ms');
  const ctx: Context = { s, c, ledger: options.ledger, bound: convergenceBound(c), violations: new Map() };
  assert(ctx.bound.convergedByMs > c.traffic.untilMs, 'convergence is checked after the traffic stops');
  const applies = applicable(c);
  for (const name of PROPERTY_NAMES) {
    if (applies.has(name) && name !== 'table-size-never-exceeded') s.always(name, () => ctx.violations.get(name) ?? true);
  }
  const observe = options.observe;
  const observeDetails = options.observeDetails;
  if (applies.has('merge-overwrites-field-by-field') || applies.has('max-keeps-largest')) {
    observeDetails('update.rx', (host, d) => {
      if (d instanceof UpdateReceivedDetails) checkReceipt(ctx, host, d);
    });
  }
  observeDetails('update.tx', (host, d) => {
    if (d instanceof UpdateSentDetails) checkSent(ctx, host, d);
  });
  if (applies.has('no-update-applied-twice')) watchAckResume(ctx, observe, observeDetails);
  if (applies.has('learned-update-never-relayed')) {
    const owners = keyOwners(c);
    observeDetails('update.tx', (host, d) => {
      if (d instanceof UpdateSentDetails) checkNotRelayed(ctx, owners, host, d);
    });
  }
  s.always('table-size-never-exceeded', () => {
    for (const node of c.nodes) {
      const used = s.used(node, TABLE);
      if (used > c.table.sizeEntries) violate(ctx, 'table-size-never-exceeded', `${node} holds ${used} entries in a table of size ${c.table.sizeEntries}`);
    }
    return ctx.violations.get('table-size-never-exceeded') ?? true;
  });
  s.every({ startMs: SHOWN_CHECK_EVERY_MS, everyMs: SHOWN_CHECK_EVERY_MS, untilMs: caseDurationMs(c) }, () => checkShown(ctx));
  s.at(ctx.bound.convergedByMs, () => {
    checkShown(ctx);
    if (applies.has('converges-after-heal-and-quiet')) checkConvergence(ctx);
    if (applies.has('conn-cur-never-learned')) checkConnCur(ctx);
    if (applies.has('aggregate-sums-contributions')) checkSums(ctx);
    if (applies.has('one-value-after-heal')) checkOneValueAfterHeal(ctx);
  });
  if (applies.has('no-delete-propagates')) options.ledger.onClear = (node, key) => watchClear(ctx, node, key);
  const finished = trackResyncFinished(observe);
  return reloadHooks(ctx, applies, finished);
}

/** The properties a case can be held to (others are vacuous or not HAProxy's promise there). */
export function applicable(c: FuzzCase): Set<PropertyName> {
  const out = new Set<PropertyName>(['table-size-never-exceeded', 'no-expired-entry-pushed', 'no-expired-entry-shown', 'conn-cur-never-learned']);
  // A spare slot is needed: the peers receiver allocates a candidate entry BEFORE it looks the key
  // up, so a FULL table evicts one of its entries on every received update, even for a known key
  // (spec §3.3 quirk). With size == keys, convergence is not HAProxy's promise.
  const roomy = c.table.sizeEntries > totalKeys(c);
  const longLived = c.table.expireMs > caseDurationMs(c) + 1_000;
  const processLost = c.faults.some((f) => f.kind === 'crash' || f.kind === 'restart' || f.kind === 'reload');
  if (c.policy === 'haproxy') out.add('merge-overwrites-field-by-field');
  if (c.policy === 'max') out.add('max-keeps-largest');
  if (!c.withPeers) {
    out.add('reload-without-peers-loses-all');
    return out;
  }
  out.add('no-update-applied-twice');
  out.add('learned-update-never-relayed');
  // With 3+ nodes HAProxy relays what it learned (teach after a reconnect sends every entry, the
  // learned ones too), so after a heal a stale copy from a third node may overwrite the writer's
  // newer value: equality is HAProxy's promise for 2 nodes, or when no fault overlaps writes.
  const faultsDuringWrites = c.faults.some((f) => f.atMs < c.traffic.untilMs);
  const noRelay = c.nodes.length === 2 || !faultsDuringWrites;
  // A process started while the network is faulty may finish its startup resync by timeout and
  // then never learn the older entries (HAProxy resyncs once per process): not promised either.
  const networkFault = c.faults.some((f) => f.kind !== 'crash' && f.kind !== 'restart' && f.kind !== 'reload' && f.kind !== 'nat-source');
  const resyncPromised = !(processLost && networkFault);
  // aggregate: a learner taught by a full resync gets the teacher's own share only (merge.ts).
  if (roomy && longLived && noRelay && resyncPromised && (c.policy === 'haproxy' || (c.policy === 'aggregate' && !processLost))) out.add('converges-after-heal-and-quiet');
  if (roomy && longLived) out.add('no-delete-propagates');
  if (roomy && longLived) out.add('reload-keeps-live-entries');
  if (c.policy === 'aggregate' && roomy && longLived && !processLost && c.traffic.clearEveryMs === 0) out.add('aggregate-sums-contributions');
  const natted = c.faults.some((f) => f.kind === 'nat-source');
  if (c.nodes.length === 2 && c.policy === 'haproxy' && roomy && longLived && !processLost && !natted && lastIsolatedCut(c) !== undefined) out.add('one-value-after-heal');
  return out;
}

function violate(ctx: Context, name: PropertyName, message: string): void {
  if (!ctx.violations.has(name)) ctx.violations.set(name, `${message} (at ${ctx.s.nowMs()} ms)`);
}

function currentPid(ctx: Context, host: string): number | undefined {
  return ctx.s.world.host(host).pid;
}

function liveNodes(ctx: Context): string[] {
  return ctx.c.nodes.filter((n) => ctx.s.world.host(n).isUp() && !ctx.s.world.host(n).isPaused());
}

/**
 * A received value as the trace's plain object gives it to a number: a number; a 64-bit counter
 * (rendered as its decimal text); a string of digits. Rates and arrays: none.
 */
function receivedNumber(value: WireValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/**
 * haproxy: every compared field equals what was received; max: it is at least that. Read from
 * the raw values in layout order; a name the layout gives twice is compared once, with its last
 * value, as the plain object of the trace keeps it.
 */
function checkReceipt(ctx: Context, host: string, d: UpdateReceivedDetails): void {
  if (d.pid !== currentPid(ctx, host)) return;
  const entry = ctx.s.entryByStoredKey(host, TABLE, d.key);
  if (entry === undefined) return;
  const names = d.layout.names;
  for (let i = 0; i < names.length; i++) {
    const field = names[i]!;
    if (!COMPARED_FIELDS.has(field)) continue;
    if (!d.layout.unique && names.lastIndexOf(field) !== i) continue;
    const received = receivedNumber(d.values[i]);
    const stored = entry.read(field);
    if (received === undefined || stored === undefined) continue;
    if (ctx.c.policy === 'haproxy' && stored !== received) {
      violate(ctx, 'merge-overwrites-field-by-field', `${host} received ${d.keyText()} ${field}=${received} from ${d.peer} but holds ${stored}`);
    }
    if (ctx.c.policy === 'max' && stored < received) {
      violate(ctx, 'max-keeps-largest', `${host} received ${d.keyText()} ${field}=${received} from ${d.peer} but holds the smaller ${stored}`);
    }
  }
}

function checkSent(ctx: Context, hostName: string, d: UpdateSentDetails): void {
  if (d.pid !== currentPid(ctx, hostName)) return;
  // An entry may still be sent until its table's expire task has run: that task is a timer, and a
  // host's timers fire up to its timer lateness after their expiry (1-2 ms measured, sim/host-clock.ts),
  // while other tasks (a peer session woken by input) run meanwhile and push what the tree holds,
  // as HAProxy's do (a lookup or a push never checks `expire`, spec §3.2). An entry whose expiry
  // passed longer ago than that must have been purged, not pushed.
  const host = ctx.s.world.host(hostName);
  const haproxyProcess = host.process;
  const table = haproxyProcess?.tables.get(TABLE);
  if (haproxyProcess === undefined || table === undefined) return;
  const ref = table.lookup(d.key);
  if (ref === NO_ENTRY) return;
  const expire = table.expireOf(ref);
  const now = haproxyProcess.env.clock.nowTick();
  if (pushedPastPurge({ expire, treeKey: table.treeKeyOf(ref), now, latenessMsMax: host.timerLateness.maxMs })) {
    violate(ctx, 'no-expired-entry-pushed', `${hostName} pushed ${d.keyText()} to ${d.peer} ${(now - expire) | 0} ms after it expired`);
  }
}

/**
 * Whether an entry pushed at tick `now` should have been purged already: past its purge tick by
 * more than the host's timer lateness. HAProxy 2.6 purges lazily: an entry whose expire was
 * SHORTENED after it was queued (a timed update of a full resync, spec §3.2 and §4.7) lives until
 * its original tree key, and may be pushed meanwhile (fixed only in 3.4-dev9), so the purge tick
 * is the later of the two. Ticks wrap (2^32).
 */
export function pushedPastPurge(o: { expire: Tick; treeKey: Tick; now: Tick; latenessMsMax: number }): boolean {
  if (o.expire === 0) return false;
  const purgeDue = o.treeKey !== 0 && ((o.treeKey - o.expire) | 0) > 0 ? o.treeKey : o.expire;
  return tickIsExpired(purgeDue, o.now) && ((o.now - purgeDue) | 0) > o.latenessMsMax;
}

/**
 * ACK resume (spec §4.9.4): once a sender process got a peer process's ACK for update id A, it
 * never pushes that same process an incremental update with an id at or before A again — on this
 * session or a later one — so no update is applied twice there. (A peer that restarted is another
 * process: it never applied anything.) The one rewind HAProxy makes on purpose: when a full resync
 * it taught is confirmed, the cursors go back to the teaching origin (2.6.12
 * `peer_treat_awaited_msg`, RESYNCCONFIRM); the ACK floor is forgotten there. Teach-stage updates
 * (timed) are a full resync, not incremental, and are not held to this. Peers are named after
 * their hosts in a fuzz case, so the peer's process is its host's current one.
 */
function watchAckResume(ctx: Context, observe: Observe, observeDetails: ObserveDetails): void {
  const ackedFloor = new Map<number, number>();
  // (sender node, sender pid, peer node, peer pid) packed in one number: no key string per event.
  const nodes = ctx.c.nodes;
  const PID_SPAN = 0x1_0000;
  const senderKey = (kind: string, host: string, peer: string, pidOfSender: number): number => {
    const pid = pidOfSender % PID_SPAN;
    const peerPid = (currentPid(ctx, peer) ?? 0) % PID_SPAN;
    const from = nodes.indexOf(host);
    const to = nodes.indexOf(peer);
    // Peers are named after the case's nodes: an unknown name would alias another pair's floor.
    if (from < 0 || to < 0) fail(`${kind} between nodes of the case (${host} -> ${peer})`);
    const pair = from * nodes.length + to;
    return (pair * PID_SPAN + pid) * PID_SPAN + peerPid;
  };
  observeDetails('ack.rx', (host, d) => {
    if (d instanceof AckReceivedDetails && d.known) ackedFloor.set(senderKey('ack.rx', host, d.peer, pidOf(d)), d.updateId);
  });
  observe('resync.confirm.rx', (e) => ackedFloor.delete(senderKey(e.kind, e.host, String(e.details?.['peer']), Number(e.details?.['pid']))));
  observeDetails('update.tx', (host, d) => {
    if (!(d instanceof UpdateSentDetails) || d.timed) return;
    const acked = ackedFloor.get(senderKey('update.tx', host, d.peer, pidOf(d)));
    if (acked === undefined) return;
    const id = d.updateId;
    if (((id - acked) | 0) <= 0) {
      violate(ctx, 'no-update-applied-twice', `${host} pushed update ${id} (${d.keyText()}) to ${d.peer} again after ${d.peer} acknowledged update ${acked}`);
    }
  });
}

/** `show table st` of a node's current process, parsed. */
function showTable(ctx: Context, node: string): Map<string, ShownEntry> {
  return parseShown(ctx.s.world.host(node).cli(`show table ${TABLE}`));
}

/** The entries of a `show table` text by key. */
function parseShown(text: string): Map<string, ShownEntry> {
  const out = new Map<string, ShownEntry>();
  for (const line of text.split('\n')) {
    const key = fieldText(line, ' key=');
    const exp = fieldText(line, ' exp=');
    if (key === undefined || exp === undefined || !/^\d+$/.test(exp)) continue;
    out.set(key, new ShownLine(Number(exp), line));
  }
  return out;
}

/** The text after `marker` up to the next space or the end of the line. */
function fieldText(line: string, marker: string): string | undefined {
  const start = line.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  const end = line.indexOf(' ', from);
  return line.slice(from, end < 0 ? line.length : end);
}

/**
 * An entry shown with exp=0 may be one whose expiry is this very tick (the expire task has not run
 * yet in this tick): it is a violation only if it is still shown, still expired, 1 ms later.
 */
function checkShown(ctx: Context): void {
  const expired: { node: string; key: string; pid: number | undefined }[] = [];
  for (const node of liveNodes(ctx)) {
    const text = ctx.s.world.host(node).cli(`show table ${TABLE}`);
    // Only exp=0 parses as expired (a count of ms left is never negative): most dumps have none.
    if (!text.includes(' exp=0')) continue;
    for (const [key, entry] of parseShown(text)) if (entry.expMs <= 0) expired.push({ node, key, pid: currentPid(ctx, node) });
  }
  if (expired.length === 0) return;
  ctx.s.at(ctx.s.nowMs() + 1, () => {
    for (const x of expired) {
      if (currentPid(ctx, x.node) !== x.pid || !ctx.s.world.host(x.node).isUp()) continue;
      const entry = showTable(ctx, x.node).get(x.key);
      if (entry !== undefined && entry.expMs <= 0) violate(ctx, 'no-expired-entry-shown', `${x.node} still shows ${x.key} with exp=${entry.expMs} 1 ms after it expired`);
    }
  });
}

/** Every key written by one node only is present everywhere or nowhere, with equal fields. */
function checkConvergence(ctx: Context): void {
  const nodes = liveNodes(ctx);
  const tables = new Map(nodes.map((n) => [n, showTable(ctx, n)] as const));
  for (const own of caseKeys(ctx.c).own) {
    for (const key of own) {
      if (ctx.ledger.cleared.has(key)) continue;
      const seen = nodes.map((n) => ({ node: n, entry: tables.get(n)!.get(key) }));
      const holders = seen.filter((x) => x.entry !== undefined);
      if (holders.length === 0) continue;
      const first = holders[0]!;
      for (const other of seen) {
        if (other.entry === undefined) {
          violate(ctx, 'converges-after-heal-and-quiet', `${key} is on ${first.node} but not on ${other.node} by ${ctx.bound.convergedByMs} ms`);
          continue;
        }
        for (const field of COMPARED_FIELDS) {
          const a = first.entry!.fields.get(field);
          const b = other.entry.fields.get(field);
          if (a !== b) violate(ctx, 'converges-after-heal-and-quiet', `${key} ${field}: ${first.node} holds ${a}, ${other.node} holds ${b} by ${ctx.bound.convergedByMs} ms`);
        }
      }
    }
  }
}

/** Update ids a fuzz run hands out stay far below this; HAProxy keys a learned entry 2^31 away. */
const REMOTE_UPDATE_ID_MIN = 0x8000_0000;

/**
 * HAProxy never relays (spec §4.9.2): a learned update keeps a "remote" update id, half the id
 * space away, which the incremental push never walks to — only a full resync (teach stages, timed
 * updates) or a resume from a stale ACK (which walks half the id space, remote ids included) sends
 * a learned entry on. So an incremental push of a key only another node writes (its own keys), with
 * a local update id (a run never hands out 2^31 of them), is a relay.
 */
function checkNotRelayed(ctx: Context, owners: ReadonlyMap<number, string>, host: string, d: UpdateSentDetails): void {
  if (d.timed) return;
  const id = d.updateId;
  if (id >= REMOTE_UPDATE_ID_MIN) return;
  const writer = owners.get(d.key as number);
  if (writer === undefined || writer === host) return;
  violate(ctx, 'learned-update-never-relayed', `${host} pushed ${d.keyText()}, which only ${writer} writes, to ${d.peer} as its own update ${id}`);
}

/** The pid a simulated host put on deferred details (sim/host.ts sets it on every one). */
function pidOf(d: DeferredDetails): number {
  assert(d.pid !== undefined, 'a simulated host tags its deferred details with its pid');
  return d.pid;
}

/** Own key (its ip number) → the one node that writes it. */
function keyOwners(c: FuzzCase): Map<number, string> {
  // By the key as the table stores it (a fuzz table is `type ip`, scenario.ts): an update's raw key.
  const owners = new Map<number, string>();
  caseKeys(c).own.forEach((keys, i) => {
    for (const key of keys) owners.set(inetaddrHost(key), c.nodes[i]!);
  });
  return owners;
}

/** Time after a fault during which it may still act on the sessions (idle close + reconnect). */
const FAULT_AFTERMATH_MS = 10_000;

/**
 * The last fault when it is a cut (REJECT) that no other fault comes near: every other fault has
 * ended, with its aftermath, before it starts. Its heal opens fresh sessions on a quiet network.
 */
function lastIsolatedCut(c: FuzzCase): Extract<Fault, { kind: 'cut' }> | undefined {
  const last = c.faults[c.faults.length - 1];
  if (last === undefined || last.kind !== 'cut') return undefined;
  for (const f of c.faults) {
    if (f !== last && (f.atMs >= last.atMs || faultEndMs(f) + FAULT_AFTERMATH_MS > last.atMs)) return undefined;
  }
  return last;
}

/**
 * Split brain healed in the quiet (spec §5.2): a shared key that both nodes last wrote while the
 * isolated cut held them apart is pending on both sides when they reconnect. HAProxy treats what
 * arrived before it pushes, so the initiator takes the acceptor's entry and pushes it back: one
 * value on both. (Pushing first would swap the two values.) Writes within a round trip of the cut's
 * start or heal are not counted as inside it.
 */
function checkOneValueAfterHeal(ctx: Context): void {
  const cut = lastIsolatedCut(ctx.c);
  if (cut === undefined || ctx.c.nodes.length !== 2) return;
  const marginMs = 2 * ctx.c.latencyMsMax + 100;
  const inside = (ms: number | undefined): boolean => ms !== undefined && ms > cut.atMs + marginMs && ms < faultEndMs(cut) - marginMs;
  const [a, b] = ctx.c.nodes as [string, string];
  if (liveNodes(ctx).length !== 2) return;
  const shownA = showTable(ctx, a);
  const shownB = showTable(ctx, b);
  for (const key of caseKeys(ctx.c).shared) {
    if (!inside(ctx.ledger.lastWriteMs.get(`${a}|${key}`)) || !inside(ctx.ledger.lastWriteMs.get(`${b}|${key}`))) continue;
    const ea = shownA.get(key);
    const eb = shownB.get(key);
    if (ea === undefined || eb === undefined) continue;
    for (const field of COMPARED_FIELDS) {
      const va = ea.fields.get(field);
      const vb = eb.fields.get(field);
      if (va !== vb) violate(ctx, 'one-value-after-heal', `${key} ${field}: ${a} holds ${va}, ${b} holds ${vb} after the split brain healed at ${faultEndMs(cut)} ms (both wrote it during the cut)`);
    }
  }
}

/** A node that never set conn_cur on another node's key holds 0 there. */
function checkConnCur(ctx: Context): void {
  if (!ctx.c.table.store.includes('conn_cur')) return;
  const keys = caseKeys(ctx.c).own;
  for (const node of liveNodes(ctx)) {
    ctx.c.nodes.forEach((writer, i) => {
      if (writer === node) return;
      for (const key of keys[i]!) {
        if (!ctx.ledger.connCurSet.has(`${writer}|${key}`)) continue;
        const value = ctx.s.read(node, TABLE, key, 'conn_cur');
        if (value !== undefined && value !== 0) violate(ctx, 'conn-cur-never-learned', `${node} holds conn_cur=${value} for ${key}, which only ${writer} set`);
      }
    });
  }
}

/** aggregate: every node's http_req_cnt of a key is the sum of the requests each node handled. */
function checkSums(ctx: Context): void {
  assert(ctx.c.policy === 'aggregate', 'sums are checked under the aggregate policy only');
  const keys = caseKeys(ctx.c);
  for (const key of [...keys.own.flat(), ...keys.shared]) {
    let total = 0;
    for (const n of ctx.c.nodes) total += ctx.ledger.handled.get(`${n}|${key}`) ?? 0;
    if (total === 0) continue;
    for (const node of liveNodes(ctx)) {
      const value = ctx.s.read(node, TABLE, key, 'http_req_cnt');
      if (value !== total) violate(ctx, 'aggregate-sums-contributions', `${node} holds http_req_cnt=${value} for ${key}; the nodes handled ${total} requests for it`);
    }
  }
}

/** Nodes that held a key when another node cleared it still hold it a moment later. */
function watchClear(ctx: Context, node: string, key: string): void {
  const holders = liveNodes(ctx)
    .filter((n) => n !== node && ctx.s.read(n, TABLE, key, 'gpc0') !== undefined)
    .map((n) => ({ node: n, pid: currentPid(ctx, n) }));
  const checkAtMs = ctx.s.nowMs() + CLEAR_CHECK_MS + 2 * ctx.c.latencyMsMax;
  ctx.s.at(checkAtMs, () => {
    for (const h of holders) {
      if (currentPid(ctx, h.node) !== h.pid) continue;
      if (ctx.s.read(h.node, TABLE, key, 'gpc0') === undefined) violate(ctx, 'no-delete-propagates', `${node} cleared ${key} and ${h.node} lost it too`);
    }
  });
}

function trackResyncFinished(observe: (kind: string, fn: (entry: TraceEntry) => void) => void): Set<string> {
  const finished = new Set<string>();
  observe('resync.state', (e) => {
    if (e.details?.['state'] === 'FINISHED') finished.add(`${e.host}:${String(e.details['pid'])}`);
  });
  observe('resync.learned', (e) => finished.add(`${e.host}:${String(e.details?.['pid'])}`));
  return finished;
}

/** Snapshots a node's entries at a reload and checks the new process a hand-over later. */
function reloadHooks(ctx: Context, applies: Set<PropertyName>, finished: Set<string>): ScheduleHooks {
  let snapshot: { host: string; keys: string[]; oldPid: number | undefined; atMs: number } | undefined;
  return {
    beforeReload: (host) => {
      // schedule.ts calls before and after around one reload, synchronously: never nested.
      assert(snapshot === undefined, 'one reload at a time');
      const oldPid = currentPid(ctx, host);
      const keys = [...showTable(ctx, host)].filter(([, e]) => e.expMs > RELOAD_HANDOVER_MS + 1_000).map(([k]) => k);
      snapshot = { host, keys, oldPid, atMs: ctx.s.nowMs() };
    },
    afterReload: (host) => {
      const snap = snapshot;
      snapshot = undefined;
      if (snap === undefined || snap.host !== host) return;
      const newPid = currentPid(ctx, host);
      // The hand-over runs over the host's own link: a drop-messages fault there voids the promise.
      const endMs = ctx.s.nowMs() + RELOAD_HANDOVER_MS;
      const filtered = ctx.c.faults.some((f) => f.kind === 'drop-messages' && f.atMs <= endMs && f.atMs + f.durationMs >= snap.atMs);
      if (filtered) return;
      const oldFinished = finished.has(`${host}:${String(snap.oldPid)}`);
      ctx.s.at(ctx.s.nowMs() + RELOAD_HANDOVER_MS, () => {
        if (currentPid(ctx, host) !== newPid) return; // another reload, restart or crash since
        const now = showTable(ctx, host);
        for (const key of snap.keys) {
          const has = now.has(key);
          if ((ctx.ledger.lastClearMs.get(`${host}|${key}`) ?? -1) >= snap.atMs) continue; // cleared since
          if (applies.has('reload-keeps-live-entries') && oldFinished && !has) {
            violate(ctx, 'reload-keeps-live-entries', `${host} lost ${key} across the reload at ${snap.atMs} ms`);
          }
          const rewritten = (ctx.ledger.lastWriteMs.get(`${host}|${key}`) ?? -1) >= snap.atMs;
          if (applies.has('reload-without-peers-loses-all') && has && !rewritten) {
            violate(ctx, 'reload-without-peers-loses-all', `${host} kept ${key} across a reload without peers at ${snap.atMs} ms`);
          }
        }
      });
    },
  };
}
