/**
 * Where a request's wall time goes in the simulator benches' two worlds (bench/worlds.ts), against
 * the speed-ups issue 16 asks for. Per request of each world:
 *   - engine: the engine's own work, with no simulator (bench/floor.ts: rules, encode, decode, merge);
 *   - kernel: the world's kernel events times the bare cost of one (a chain of events due within
 *     the near window, nothing done in them: the cheapest event the kernel has);
 *   - fold: the cheap fingerprint folding the world's trace events (captured from a short run,
 *     folded again into a fresh fingerprint);
 *   - the rest: everything else a run does (the peer sessions, the simulated TCP, the timers, the
 *     traffic), per kernel event: now (a measured run minus the three), and what a target leaves
 *     (the target's wall time per request minus the three). A negative budget means the target is
 *     out of reach even if all the rest cost nothing.
 * JSON lines, "bench":"sim-budget": kernel_near_event_ns; <world>_engine_ns, <world>_kernel_ns,
 * <world>_fold_ns (ns per request); <world>_<mode>_rest_ns_now and _rest_ns_target (ns per kernel
 * event) for reference off (300x), reference default (150x) and large default (10x).
 * BENCH_SIM_MS scales the measured runs.
 */
import type { DeferredDetails, TraceName } from '../engine/env.ts';
import { runScenario, startScenario } from '../scenarios/runner.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { Fingerprint } from '../sim/fingerprint.ts';
import { Kernel } from '../sim/kernel.ts';
import type { TraceEntry } from '../sim/trace.ts';
import { emit } from './emit.ts';
import { Floor } from './floor.ts';
import { largeShape, referenceShape, requestsOf, worldScenario, type WorldShape } from './worlds.ts';

const REPEATS = 3;
const NEAR_CHAIN_EVENTS = 2_000_000;
const NEAR_CHAIN_WIDTH = 50;
const FLOOR_WARM_UP_REQUESTS = 20_000;
/** Trace events kept for the fold measurement (a bound on this bench's memory). */
const CAPTURED_EVENTS_MAX = 600_000;
const scale = process.env.BENCH_SIM_MS === undefined ? 1 : Number(process.env.BENCH_SIM_MS) / 60_000;

interface WorldPlan {
  readonly label: 'reference' | 'large';
  readonly scenarioName: string;
  readonly watchEveryMs: number;
  /** The measured runs' length, and the shorter one whose events are captured and folded again. */
  readonly runMs: number;
  readonly captureMs: number;
  readonly shape: (simulatedMs: number) => WorldShape;
  /** Issue 16's targets for this world: speed-up over real time, by trace mode. */
  readonly targets: { readonly off?: number; readonly default?: number };
}

const PLANS: readonly WorldPlan[] = [
  { label: 'reference', scenarioName: 'bench-reference', watchEveryMs: 60_000, runMs: 60_000, captureMs: 20_000, shape: referenceShape, targets: { off: 300, default: 150 } },
  { label: 'large', scenarioName: 'bench-large', watchEveryMs: 10_000, runMs: 15_000, captureMs: 7_000, shape: largeShape, targets: { default: 10 } },
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

/** One run as `sticksim run` runs it (`traceLevel` default) or with the trace off: ns per request, kernel events per request. */
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

/** An event handed over with deferred details, as the run's fingerprint got it. */
class CapturedDeferred {
  constructor(
    readonly t: number,
    readonly host: TraceName,
    readonly kind: TraceName,
    readonly details: DeferredDetails,
  ) {}
}

/** Wall ns per request of folding the trace events of a short run of the world into a fresh fingerprint. */
function foldNs(plan: WorldPlan): { nsPerRequest: number; eventsPerRequest: number } {
  const shape = plan.shape(plan.captureMs);
  const events: (TraceEntry | CapturedDeferred)[] = [];
  const run = startScenario(scenarioOf(plan, shape.simulatedMs), {
    seed: 'bench',
    policy: 'haproxy',
    scenarioRef: plan.scenarioName,
    tee: {
      record: (entry) => {
        if (events.length >= CAPTURED_EVENTS_MAX) throw new Error(`sim-budget: more than ${CAPTURED_EVENTS_MAX} events to capture`);
        events.push(entry);
      },
      recordDeferred: (t, host, kind, details) => {
        if (events.length >= CAPTURED_EVENTS_MAX) throw new Error(`sim-budget: more than ${CAPTURED_EVENTS_MAX} events to capture`);
        events.push(new CapturedDeferred(t, host, kind, details));
      },
    },
  });
  run.runUntil(shape.simulatedMs);
  const fingerprint = run.finish().result.fingerprint;
  const refold = (): string => {
    const f = new Fingerprint();
    for (const e of events) {
      if (e instanceof CapturedDeferred) f.recordDeferred(e.t, e.host, e.kind, e.details);
      else f.record(e);
    }
    return f.digest();
  };
  // The events folded again give the run's own fingerprint: the same work as the run's fold.
  if (refold() !== fingerprint) throw new Error('sim-budget: the captured events fold to the run fingerprint');
  const ns = minOf(REPEATS, () => {
    const start = process.hrtime.bigint();
    refold();
    return Number(process.hrtime.bigint() - start);
  });
  const requests = requestsOf(shape);
  return { nsPerRequest: ns / requests, eventsPerRequest: events.length / requests };
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
  const fold = foldNs(plan);
  const kernel = byDefault.eventsPerRequest * nearNs;
  emitNs(`${plan.label}_engine_ns`, engine, 'ns/request');
  emitNs(`${plan.label}_kernel_ns`, kernel, 'ns/request');
  emitNs(`${plan.label}_fold_ns`, fold.nsPerRequest, 'ns/request');
  emit({ bench: 'sim-budget', metric: `${plan.label}_trace_events_per_request`, value: Number(fold.eventsPerRequest.toFixed(2)), unit: 'event/req' });
  const requestsPerS = plan.shape(plan.runMs).requestsPerS;
  const modes = [
    { mode: 'off', measured: off.nsPerRequest, fold: 0, target: plan.targets.off },
    { mode: 'default', measured: byDefault.nsPerRequest, fold: fold.nsPerRequest, target: plan.targets.default },
  ] as const;
  for (const m of modes) {
    if (m.target === undefined) continue;
    const fixed = engine + kernel + m.fold;
    emitNs(`${plan.label}_${m.mode}_rest_ns_now`, (m.measured - fixed) / byDefault.eventsPerRequest, 'ns/event');
    emitNs(`${plan.label}_${m.mode}_rest_ns_target`, (1e9 / (m.target * requestsPerS) - fixed) / byDefault.eventsPerRequest, 'ns/event');
  }
}
