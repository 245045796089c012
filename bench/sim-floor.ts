/**
 * The engine's own floor under the sim reference load (bench/sim.ts: 3 nodes, 10,000 clients,
 * 1,000 req/s, 10 simulated minutes): the work every request makes the engine do, run back to
 * back with no simulator at all — no kernel, no timers, no network, no sessions, no ACKs:
 *   1. the receiving node's rules (track-sc0 src, the rate fetch of the deny condition);
 *   2. the entry's UPDATE encoded for each of the two other nodes;
 *   3. each of them decoding it and merging it into its table (HAProxy's overwrite, expiry, touch).
 * JSON line {"bench":"sim","metric":"engine_floor_speedup_x",…}: simulated time over the wall time
 * of that work. A simulator at full fidelity cannot beat it, whatever its own cost.
 * {"metric":"replication_floor_speedup_x",…}: the same for steps 2–3 alone (the entries exist).
 * {"metric":"request_ns",…}: step 1 alone, wall nanoseconds per request (to set beside the table
 * bench's cost per track operation, 1e9 / its ops_per_s).
 */
import { parseConfig } from '../engine/config/parse.ts';
import { NO_EVENTS, type ByteStream, type Env, type Net, type TimerHandle } from '../engine/env.ts';
import { MessageDecoder } from '../engine/peers/decoder.ts';
import { readField } from '../engine/peers/entry-values.ts';
import { layoutFromSpec } from '../engine/peers/layout.ts';
import { makeMergePolicy } from '../engine/peers/merge.ts';
import { decodeUpdateBody, encodeUpdateMessage } from '../engine/peers/update-body.ts';
import { HaproxyProcess } from '../engine/process/process.ts';
import { inetaddrHost } from '../engine/table/keys.ts';
import { NO_ENTRY, type StickTable } from '../engine/table/table.ts';
import { tickAdd, tickFromMs, type Tick } from '../engine/ticks.ts';
import { meshConfig } from '../scenarios/dsl.ts';
import { addressesFromCidr } from '../sim/traffic.ts';
import { Seeds } from '../sim/seeds.ts';
import { emit } from './emit.ts';

const SIMULATED_MS = Number(process.env.BENCH_SIM_MS ?? 600_000);
const REQUESTS_PER_S = 1_000;
const NODES = ['hap1', 'hap2', 'hap3'];
const TABLE = 'stick-table type ip size 100k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';
const FRONTEND = ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }'];

/** An Env whose time the loop sets and whose timers and sockets never run (the floor has none). */
function quietEnv(clock: { tick: Tick }): Env {
  const never: TimerHandle = { cancel: () => {} };
  const stream: ByteStream = {
    remoteAddress: '0.0.0.0',
    remotePort: 0,
    localAddress: '0.0.0.0',
    localPort: 0,
    write: () => {},
    close: () => {},
    onData: () => {},
    onConnect: () => {},
    onClose: () => {},
  };
  const net: Net = { connect: () => stream, listen: () => ({ close: () => {} }) };
  return {
    clock: { nowMs: () => clock.tick, nowTick: () => clock.tick },
    timers: { schedule: () => never },
    random: { nextInt: () => 0 },
    net,
    events: NO_EVENTS,
  };
}

const clock = { tick: tickFromMs(1) };
const peers = NODES.map((name, i) => ({ name, address: `10.0.0.${i + 1}` }));
const processes = NODES.map((name) => {
  const parsed = parseConfig(meshConfig({ local: name, peers, table: TABLE, frontend: FRONTEND }), { file: `${name}.cfg` });
  if (!parsed.ok) throw new Error(`floor bench config: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const proc = new HaproxyProcess({ env: quietEnv(clock), config: parsed.config, hostname: name, cliLocalPeer: name });
  proc.start();
  return proc;
});
const tables: StickTable[] = processes.map((p) => p.tables.tables[0]!);
const layout = layoutFromSpec(tables[0]!.spec);
const policy = makeMergePolicy('haproxy');
// As a session reads them: each update is treated before more bytes are pushed, in place.
const decoders = NODES.map(() => new MessageDecoder({ expect: 'messages', inPlaceUpdates: true }));
const random = new Seeds('bench').stream('traffic');
const clients = NODES.map((_, i) => addressesFromCidr(`10.${100 + i}.0.0/16`, Math.round(10_000 / NODES.length)));
// The simulator's clients hand their address to the engine as a number too (sim/traffic.ts).
const clientIpv4s = clients.map((addresses) => addresses.map((a) => inetaddrHost(a)));
const requests = Math.round((SIMULATED_MS / 1000) * REQUESTS_PER_S);

/** Steps 2–3 for one entry of `from`: encoded for, decoded and merged by, every other node. */
function replicate(from: number, key: number): void {
  const table = tables[from]!;
  const ref = table.lookup(key);
  if (ref === NO_ENTRY) return;
  const values = table.layout.stored.map((slot) => readField(table, ref, slot, clock.tick));
  for (let to = 0; to < NODES.length; to++) {
    if (to === from) continue;
    const bytes = encodeUpdateMessage({ updateId: undefined, expireMs: undefined, key, values }, layout);
    const decoder = decoders[to]!;
    decoder.push(bytes);
    const msg = decoder.next();
    if (msg?.kind !== 'update') throw new Error('floor bench: an update decodes as an update');
    const update = decodeUpdateBody(msg, layout);
    const receiver = tables[to]!;
    const got = receiver.setEntryAllocatingFirst(update.key, clock.tick);
    if (got === NO_ENTRY) continue;
    policy.apply({ table: receiver, ref: got, key: update.key, now: clock.tick, origin: NODES[from]!, created: receiver.lastSetCreated, fields: layout.fields, values: update.values, decisionsWanted: false });
    receiver.setExpire(got, tickAdd(clock.tick, receiver.spec.expireMs));
    receiver.touchRemote(got);
  }
}

/** Every run goes on from where the last one left the clock (time never goes back). */
let tickBase = tickFromMs(1);

function run(count: number, options: { requests: boolean }): number {
  const start = process.hrtime.bigint();
  const base = tickBase;
  for (let i = 0; i < count; i++) {
    clock.tick = tickAdd(base, Math.floor((i * 1000) / REQUESTS_PER_S));
    const node = random.nextInt(NODES.length);
    const at = random.nextInt(clients[node]!.length); // the draw random.pick makes
    const srcIpv4 = clientIpv4s[node]![at]!;
    if (options.requests) processes[node]!.handleRequest({ srcAddress: clients[node]![at]!, srcIpv4 });
    replicate(node, srcIpv4);
  }
  tickBase = tickAdd(clock.tick, 1);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

run(Math.min(requests, 50_000), { requests: true }); // warm-up
const wallS = run(requests, { requests: true });
emit({ bench: 'sim', metric: 'engine_floor_speedup_x', value: Math.round(SIMULATED_MS / 1000 / wallS), unit: 'x' });
const replicationWallS = run(requests, { requests: false });
emit({ bench: 'sim', metric: 'replication_floor_speedup_x', value: Math.round(SIMULATED_MS / 1000 / replicationWallS), unit: 'x' });

/** Step 1 alone: the same request stream without replication. */
function runRequests(count: number): number {
  const start = process.hrtime.bigint();
  const base = tickBase;
  for (let i = 0; i < count; i++) {
    clock.tick = tickAdd(base, Math.floor((i * 1000) / REQUESTS_PER_S));
    const node = random.nextInt(NODES.length);
    const at = random.nextInt(clients[node]!.length);
    processes[node]!.handleRequest({ srcAddress: clients[node]![at]!, srcIpv4: clientIpv4s[node]![at]! });
  }
  tickBase = tickAdd(clock.tick, 1);
  return Number(process.hrtime.bigint() - start);
}

const requestsWallNs = runRequests(requests);
emit({ bench: 'sim', metric: 'request_ns', value: Math.round(requestsWallNs / requests), unit: 'ns' });
