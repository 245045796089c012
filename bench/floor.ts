/**
 * The engine's own floor for a world (a helper of bench/sim-floor.ts and bench/sim-budget.ts): the
 * work every request makes the engine do, run back to back with no simulator at all (no kernel,
 * no timers, no network, no sessions, no ACKs, no trace):
 *   1. the receiving node's rules (track-sc0 src, the rate fetch of the deny condition);
 *   2. the entry's UPDATE encoded for each of the other nodes;
 *   3. each of them decoding it and merging it into its table (HAProxy's overwrite, expiry, touch).
 * A simulator at full fidelity cannot beat a world's floor, whatever its own cost.
 */
import { parseConfig } from '../engine/config/parse.ts';
import { NO_EVENTS, type ByteStream, type Env, type Net, type TimerHandle } from '../engine/env.ts';
import { MessageDecoder } from '../engine/peers/decoder.ts';
import { readField } from '../engine/peers/entry-values.ts';
import { layoutFromSpec, type UpdateLayout } from '../engine/peers/layout.ts';
import { makeMergePolicy } from '../engine/peers/merge.ts';
import { decodeUpdateBody, encodeUpdateMessage } from '../engine/peers/update-body.ts';
import { HaproxyProcess } from '../engine/process/process.ts';
import { inetaddrHost } from '../engine/table/keys.ts';
import { NO_ENTRY, type StickTable } from '../engine/table/table.ts';
import { tickAdd, tickFromMs, type Tick } from '../engine/ticks.ts';
import { meshConfig } from '../scenarios/dsl.ts';
import { addressesFromCidr } from '../sim/traffic.ts';
import { Seeds } from '../sim/seeds.ts';
import { FRONTEND, requestsOf, STORE, type WorldShape } from './worlds.ts';


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

/** One world's processes, tables and request stream, and the three measurements over them. */
export class Floor {
  private readonly clock = { tick: tickFromMs(1) };
  /** Every run goes on from where the last one left the clock (time never goes back). */
  private tickBase = tickFromMs(1);
  private readonly processes: HaproxyProcess[];
  private readonly tables: StickTable[];
  private readonly layout: UpdateLayout;
  private readonly policy = makeMergePolicy('haproxy');
  /** As a session reads them: each update is treated before more bytes are pushed, in place. */
  private readonly decoders: MessageDecoder[];
  private readonly random = new Seeds('bench').stream('traffic');
  private readonly clients: string[][];
  /** The simulator's clients hand their address to the engine as a number too (sim/traffic.ts). */
  private readonly clientIpv4s: number[][];
  readonly requests: number;

  constructor(private readonly world: WorldShape) {
    const nodes = world.nodes;
    const peers = nodes.map((name, i) => ({ name, address: `10.0.0.${i + 1}` }));
    const table = `stick-table type ip size ${world.tableSize} expire 60s ${STORE}`;
    this.processes = nodes.map((name) => {
      const parsed = parseConfig(meshConfig({ local: name, peers, table, frontend: FRONTEND }), { file: `${name}.cfg` });
      if (!parsed.ok) throw new Error(`floor bench config: ${parsed.errors.map((e) => e.message).join('; ')}`);
      const proc = new HaproxyProcess({ env: quietEnv(this.clock), config: parsed.config, hostname: name, cliLocalPeer: name });
      proc.start();
      return proc;
    });
    this.tables = this.processes.map((p) => p.tables.tables[0]!);
    this.layout = layoutFromSpec(this.tables[0]!.spec);
    this.decoders = nodes.map(() => new MessageDecoder({ expect: 'messages', inPlaceUpdates: true }));
    this.clients = nodes.map((_, i) => addressesFromCidr(`10.${100 + i}.0.0/${world.clientPrefixBits}`, Math.round(world.clients / nodes.length)));
    this.clientIpv4s = this.clients.map((addresses) => addresses.map((a) => inetaddrHost(a)));
    this.requests = requestsOf(world);
  }

  /** Simulated time over wall time for `wallS` of work, to `digits` decimals. */
  speedup(wallS: number, digits = 0): number {
    return Number((this.world.simulatedMs / 1000 / wallS).toFixed(digits));
  }

  /** Steps 2–3 for one entry of `from`: encoded for, decoded and merged by, every other node. */
  private replicate(from: number, key: number): void {
    const table = this.tables[from]!;
    const now = this.clock.tick;
    const ref = table.lookup(key);
    if (ref === NO_ENTRY) return;
    const values = table.layout.stored.map((slot) => readField(table, ref, slot, now));
    for (let to = 0; to < this.world.nodes.length; to++) {
      if (to === from) continue;
      const bytes = encodeUpdateMessage({ updateId: undefined, expireMs: undefined, key, values }, this.layout);
      const decoder = this.decoders[to]!;
      decoder.push(bytes);
      const msg = decoder.next();
      if (msg?.kind !== 'update') throw new Error('floor bench: an update decodes as an update');
      const update = decodeUpdateBody(msg, this.layout);
      const receiver = this.tables[to]!;
      const got = receiver.setEntryAllocatingFirst(update.key, now);
      if (got === NO_ENTRY) continue;
      this.policy.apply({ table: receiver, ref: got, key: update.key, now, origin: this.world.nodes[from]!, created: receiver.lastSetCreated, fields: this.layout.fields, values: update.values, decisionsWanted: false });
      receiver.setExpire(got, tickAdd(now, receiver.spec.expireMs));
      receiver.touchRemote(got);
    }
  }

  /** `count` requests (step 1 when `requests`) and their replication (steps 2-3 when `replication`); wall seconds. */
  run(count: number, options: { requests: boolean; replication: boolean }): number {
    const start = process.hrtime.bigint();
    const base = this.tickBase;
    const nodes = this.world.nodes.length;
    for (let i = 0; i < count; i++) {
      this.clock.tick = tickAdd(base, Math.floor((i * 1000) / this.world.requestsPerS));
      const node = this.random.nextInt(nodes);
      const at = this.random.nextInt(this.clients[node]!.length); // the draw random.pick makes
      const srcIpv4 = this.clientIpv4s[node]![at]!;
      if (options.requests) this.processes[node]!.handleRequest({ srcAddress: this.clients[node]![at]!, srcIpv4 });
      if (options.replication) this.replicate(node, srcIpv4);
    }
    this.tickBase = tickAdd(this.clock.tick, 1);
    return Number(process.hrtime.bigint() - start) / 1e9;
  }
}
