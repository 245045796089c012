/**
 * Where a request's wall time goes in the simulator benches' two worlds (bench/worlds.ts), against
 * the speed-ups issue 16 asks for. Per request of each world:
 *   - engine: the engine's own work, with no simulator (bench/floor.ts: rules, encode, decode, merge);
 *   - kernel: the world's kernel events times the bare cost of one (a chain of events due within
 *     the near window, nothing done in them: the cheapest event the kernel has);
 *   - trace: what the default run (`sticksim run`: every event built and folded into the cheap
 *     fingerprint) costs over the same run with the trace off, measured as that difference;
 *   - the rest: everything else a run does (the peer sessions, the simulated TCP, the timers, the
 *     traffic), per kernel event: now (the trace-off run minus engine and kernel), and what a target
 *     leaves it (the target's wall time per request minus engine, kernel, and the trace for a target
 *     of the default run). A budget below the bare kernel event, or negative, means the target is
 *     out of reach even if all the rest cost nothing.
 * JSON lines, "bench":"sim-budget": kernel_near_event_ns; <world>_engine_ns, <world>_kernel_ns,
 * <world>_trace_ns (ns per request); <world>_rest_ns_now and <world>_<mode>_rest_ns_target (ns per
 * kernel event) for reference off (300x), reference default (150x) and large default (10x).
 * BENCH_SIM_MS scales the measured runs (60 s of the reference world, 15 s of the large one).
 */
import { runScenario } from '../scenarios/runner.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { Kernel } from '../sim/kernel.ts';
import { emit } from './emit.ts';
import { Floor } from './floor.ts';
import { largeShape, referenceShape, requestsOf, worldScenario, type WorldShape } from './worlds.ts';

const REPEATS = 3;
const NEAR_CHAIN_EVENTS = 2_000_000;
const NEAR_CHAIN_WIDTH = 50;
const FLOOR_WARM_UP_REQUESTS = 20_000;
const scale = process.env.BENCH_SIM_MS === undefined ? 1 : Number(process.env.BENCH_SIM_MS) / 60_000;

interface WorldPlan {
  readonly label: 'reference' | 'large';
  readonly scenarioName: string;
  readonly watchEveryMs: number;
  /** The measured runs' simulated length. */
  readonly runMs: number;
  readonly shape: (simulatedMs: number) => WorldShape;
  /** Issue 16's targets for this world: speed-up over real time, by trace mode. */
  readonly targets: { readonly off?: number; readonly default?: number };
}

const PLANS: readonly WorldPlan[] = [
  { label: 'reference', scenarioName: 'bench-reference', watchEveryMs: 60_000, runMs: 60_000, shape: referenceShape, targets: { off: 300, default: 150 } },
  { label: 'large', scenarioName: 'bench-large', watchEveryMs: 10_000, runMs: 15_000, shape: largeShape, targets: { default: 10 } },
];

function minOf(repeats: number, measure: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) best = Math.min(best, measure());
  return best;
}

/** Wall ns per event of a chain of events each due 1 ms after the one that schedules it. */
function nearEventNs(): number {
  const kernel = new Kernel({ queueLengthMax: NEAR_CHAIN_WIDTH + 1 });
  let fired = 0;
  const fire = (): void => {
    fired += 1;
    if (fired < NEAR_CHAIN_EVENTS) kernel.schedule(1, fire);
  };
  for (let i = 0; i < NEAR_CHAIN_WIDTH; i++) kernel.schedule(i % 3, fire);
  const start = process.hrtime.bigint();
  kernel.run();
  return Number(process.hrtime.bigint() - start) / fired;
}

function scenarioOf(plan: WorldPlan, simulatedMs: number): ScenarioSpec {
  return worldScenario(plan.shape(simulatedMs), { name: plan.scenarioName, title: plan.scenarioName, watchEveryMs: plan.watchEveryMs });
}

/** Wall ns per request of the engine's floor for the world. */
function engineNs(plan: WorldPlan): number {
  const floor = new Floor(plan.shape(Math.round(plan.runMs * scale)));
  floor.run(Math.min(floor.requests, FLOOR_WARM_UP_REQUESTS), { requests: true, replication: true });
  return minOf(REPEATS, () => floor.run(floor.requests, { requests: true, replication: true }) * 1e9) / floor.requests;
}

/** One run as `sticksim run` runs it (`traceLevel` default) or with the trace off: ns per request (best of REPEATS), kernel events per request. */
function runNs(plan: WorldPlan, traceOff: boolean): { nsPerRequest: number; eventsPerRequest: number } {
  const shape = plan.shape(Math.round(plan.runMs * scale));
  const spec = scenarioOf(plan, shape.simulatedMs);
  let events = 0;
  const nsPerRequest = minOf(REPEATS, () => {
    const start = process.hrtime.bigint();
    const out = runScenario(spec, { seed: 'bench', policy: 'haproxy', scenarioRef: plan.scenarioName, ...(traceOff ? { traceLevel: 'off' as const } : {}) });
    events = out.kernelEvents;
    return Number(process.hrtime.bigint() - start);
  }) / requestsOf(shape);
  return { nsPerRequest, eventsPerRequest: events / requestsOf(shape) };
}

function emitNs(metric: string, value: number, unit: string): void {
  emit({ bench: 'sim-budget', metric, value: Math.round(value), unit });
}

const nearNs = minOf(REPEATS, nearEventNs);
emit({ bench: 'sim-budget', metric: 'kernel_near_event_ns', value: Number(nearNs.toFixed(1)), unit: 'ns' });
for (const plan of PLANS) {
  const engine = engineNs(plan);
  const off = runNs(plan, true);
  const byDefault = runNs(plan, false);
  if (off.eventsPerRequest !== byDefault.eventsPerRequest) throw new Error('sim-budget: the trace changes no kernel event');
  const events = byDefault.eventsPerRequest;
  const kernel = events * nearNs;
  const trace = byDefault.nsPerRequest - off.nsPerRequest;
  emitNs(`${plan.label}_engine_ns`, engine, 'ns/request');
  emitNs(`${plan.label}_kernel_ns`, kernel, 'ns/request');
  emitNs(`${plan.label}_trace_ns`, trace, 'ns/request');
  emitNs(`${plan.label}_rest_ns_now`, (off.nsPerRequest - engine - kernel) / events, 'ns/event');
  const requestsPerS = plan.shape(plan.runMs).requestsPerS;
  const modes = [
    { mode: 'off', trace: 0, target: plan.targets.off },
    { mode: 'default', trace, target: plan.targets.default },
  ] as const;
  for (const m of modes) {
    if (m.target === undefined) continue;
    emitNs(`${plan.label}_${m.mode}_rest_ns_target`, (1e9 / (m.target * requestsPerS) - engine - kernel - m.trace) / events, 'ns/event');
  }
}
