/**
 * The engine's own floor: the work every request makes the engine do, run back to back with no
 * simulator at all (no kernel, no timers, no network, no sessions, no ACKs, no trace):
 *   1. the receiving node's rules (track-sc0 src, the rate fetch of the deny condition);
 *   2. the entry's UPDATE encoded for each of the other nodes;
 *   3. each of them decoding it and merging it into its table (HAProxy's overwrite, expiry, touch).
 * Two worlds, each the one of a simulator bench:
 *   - the reference load of bench/sim.ts (3 nodes, 10,000 clients, 1,000 req/s, 10 simulated
 *     minutes): {"bench":"sim","metric":"engine_floor_speedup_x",…}, simulated time over the wall
 *     time of that work; {"metric":"replication_floor_speedup_x",…}, the same for steps 2–3 alone
 *     (the entries exist); {"metric":"request_ns",…}, step 1 alone, wall nanoseconds per request (to
 *     set beside the table bench's cost per track operation, 1e9 / its ops_per_s);
 *   - the large world of bench/sim-large.ts (10 nodes, 200,000 clients, 5,000 req/s from 5 s on,
 *     60 simulated s, tables `size 1m`, each request replicated to 9 nodes):
 *     {"bench":"sim-large","metric":"engine_floor_speedup_x",…}.
 * A simulator at full fidelity cannot beat a world's floor, whatever its own cost.
 * BENCH_SIM_MS shortens both worlds.
 */
import { emit } from './emit.ts';
import { Floor } from './floor.ts';
import { largeShape, referenceShape } from './worlds.ts';

const WARM_UP_REQUESTS = 50_000;

const scaleMs = process.env.BENCH_SIM_MS === undefined ? undefined : Number(process.env.BENCH_SIM_MS);

const reference = new Floor(referenceShape(scaleMs ?? 600_000));
reference.run(Math.min(reference.requests, WARM_UP_REQUESTS), { requests: true, replication: true });
emit({ bench: 'sim', metric: 'engine_floor_speedup_x', value: reference.speedup(reference.run(reference.requests, { requests: true, replication: true })), unit: 'x' });
emit({ bench: 'sim', metric: 'replication_floor_speedup_x', value: reference.speedup(reference.run(reference.requests, { requests: false, replication: true })), unit: 'x' });
const requestsWallS = reference.run(reference.requests, { requests: true, replication: false });
emit({ bench: 'sim', metric: 'request_ns', value: Math.round((requestsWallS * 1e9) / reference.requests), unit: 'ns' });

const large = new Floor(largeShape(scaleMs ?? 60_000));
large.run(Math.min(large.requests, WARM_UP_REQUESTS), { requests: true, replication: true });
emit({ bench: 'sim-large', metric: 'engine_floor_speedup_x', value: large.speedup(large.run(large.requests, { requests: true, replication: true }), 1), unit: 'x' });
