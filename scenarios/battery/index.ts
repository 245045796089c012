/**
 * The failure battery for any cluster: every scenario family (one file each) written against a
 * derived cluster, run under one seed and merge policy after one fault-free reference run whose
 * request outcomes the findings compare with. Each scenario returns a normal ScenarioRunResult:
 * its findings are expectations (passing unless `failOnFinding` and the finding is notable) and
 * figures; a scenario fails otherwise only when its run breaks (an invariant, an exception).
 */
import type { ScenarioSpec } from '../dsl.ts';
import type { ExpectationResult, FigureValue, ScenarioRunResult } from '../results.ts';
import { ENGINE_INVARIANTS_HOLD, runScenario } from '../runner.ts';
import { HAPROXY_VERSION_DEFAULT, type HaproxyVersion } from '../../engine/version/profile.ts';
import { attackScenarios } from './attack.ts';
import { crashScenarios } from './crash.ts';
import { hostSpecsOf, type DerivedCluster } from './derive.ts';
import { installTraffic, makePlan, Outcomes, type BatteryContext, type BatteryOptions, type BatteryScenario, type Finding, type Plan } from './harness.ts';
import { latencyScenarios } from './latency.ts';
import { oneWayScenarios } from './one-way.ts';
import { reloadScenarios } from './reload.ts';
import { resyncWindowScenarios } from './resync-window.ts';
import { splitBrainScenarios } from './split-brain.ts';

export type { BatteryOptions } from './harness.ts';

export const REFERENCE_NAME = 'reference';

/** Every battery scenario for this cluster, in the order they run. */
export function batteryScenarios(cluster: DerivedCluster, plan: Plan, options: Pick<BatteryOptions, 'latencyMs'>): BatteryScenario[] {
  return [
    ...reloadScenarios(cluster, plan),
    ...crashScenarios(cluster, plan),
    ...splitBrainScenarios(cluster, plan),
    ...resyncWindowScenarios(cluster, plan),
    ...attackScenarios(cluster, plan),
    ...oneWayScenarios(cluster, plan),
    ...latencyScenarios(cluster, plan, options.latencyMs),
  ];
}

export interface BatteryResult {
  readonly result: ScenarioRunResult;
  /** Its findings, in the order the scenario registered them (notable ones flagged). */
  readonly findings: readonly Finding[];
}

export interface BatteryRun {
  readonly plan: Plan;
  readonly results: readonly BatteryResult[];
  /** Scenario names available (for an unknown --battery-scenario). */
  readonly names: readonly string[];
}

export class UnknownBatteryScenarioError extends Error {}

export interface BatteryHooks {
  wallMs?: () => number;
  /** Called before each scenario runs (progress lines). */
  onScenario?: (name: string, index: number, count: number) => void;
  /** Where to write a scenario's JSONL trace (undefined: no trace file). */
  tracePathFor?: (name: string, policy: string, haproxy: HaproxyVersion) => string | undefined;
}

export function runBattery(cluster: DerivedCluster, options: BatteryOptions, hooks: BatteryHooks = {}): BatteryRun {
  const plan = makePlan(cluster);
  const all = batteryScenarios(cluster, plan, options);
  const names = all.map((x) => x.name);
  const chosen = options.scenario === undefined ? all : all.filter((x) => x.name === options.scenario);
  if (chosen.length === 0) throw new UnknownBatteryScenarioError(`no battery scenario '${options.scenario}' for this cluster; there are: ${names.join(', ')}`);
  const referenceMs = Math.max(...chosen.map((x) => x.durationMs));
  let reference: Outcomes | undefined;
  const refSpec = toSpec(cluster, plan, options, { name: REFERENCE_NAME, family: 'reference', title: 'the same cluster and traffic without any fault', lesson: '', durationMs: referenceMs, script: () => {} }, {
    reference: () => undefined,
    keep: (o) => (reference = o),
    findings: [],
  });
  // Without its baseline no scenario can be judged: each reports the broken reference run.
  let broke: string | undefined;
  try {
    const { result } = runScenario(refSpec, { seed: options.seed, policy: options.policy, haproxy: versionOf(options), traceLevel: 'off' });
    const invariant = result.expectations.find((e) => e.name === ENGINE_INVARIANTS_HOLD && !e.passed);
    if (invariant !== undefined) broke = invariant.message;
  } catch (error) {
    broke = describeError(error);
  }
  if (broke !== undefined) {
    const why = `the fault-free reference run broke: ${broke}`;
    return { plan, names, results: chosen.map((bs) => brokenResult(cluster, options, bs, why, 0)) };
  }
  const results = chosen.map((bs, index) => {
    hooks.onScenario?.(bs.name, index, chosen.length);
    return runOne(cluster, plan, options, bs, () => reference, hooks);
  });
  return { plan, results, names };
}

function runOne(cluster: DerivedCluster, plan: Plan, options: BatteryOptions, bs: BatteryScenario, reference: () => Outcomes | undefined, hooks: BatteryHooks): BatteryResult {
  const findings: (() => Finding)[] = [];
  const spec = toSpec(cluster, plan, options, bs, { reference, keep: () => {}, findings });
  const reproduce = reproduceCommand(cluster, options, bs.name);
  const wallStart = hooks.wallMs?.() ?? 0;
  try {
    const tracePath = hooks.tracePathFor?.(bs.name, options.policy, versionOf(options));
    const { result } = runScenario(spec, {
      seed: options.seed,
      policy: options.policy,
      haproxy: versionOf(options),
      scenarioRef: bs.name,
      ...(hooks.wallMs === undefined ? {} : { wallMs: hooks.wallMs }),
      ...(tracePath === undefined ? {} : { tracePath }),
    });
    const computed = findings.map((f) => f());
    const expectations: ExpectationResult[] = [
      ...result.expectations,
      ...computed.map((f): ExpectationResult => ({ name: f.name, kind: 'count', passed: !(options.failOnFinding && f.notable), message: f.message })),
    ];
    const figures: Record<string, FigureValue> = { ...result.figures };
    for (const f of computed) figures[f.name] = f.value;
    figures['findings'] = computed.filter((f) => f.notable).length;
    return { result: { ...result, expectations, figures, passed: expectations.every((e) => e.passed), reproduce }, findings: computed };
  } catch (error) {
    // The run itself broke (an invariant of the engine or the simulator): the one failure the
    // battery reports regardless of --fail-on-finding.
    return brokenResult(cluster, options, bs, `the run broke: ${describeError(error)}`, (hooks.wallMs?.() ?? 0) - wallStart);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function brokenResult(cluster: DerivedCluster, options: BatteryOptions, bs: BatteryScenario, message: string, wallMs: number): BatteryResult {
  const result: ScenarioRunResult = {
    scenario: bs.name,
    title: bs.title,
    lesson: bs.lesson,
    seed: options.seed,
    policy: options.policy,
    haproxy: versionOf(options),
    passed: false,
    expectations: [{ name: 'run-completes', kind: 'always', passed: false, message }],
    figures: {},
    simulatedMs: 0,
    wallMs,
    traceHash: '',
    fingerprint: '',
    tracePath: undefined,
    reproduce: reproduceCommand(cluster, options, bs.name),
  };
  return { result, findings: [] };
}

interface SpecWiring {
  reference: () => Outcomes | undefined;
  /** Receives the run's outcomes (the reference run keeps them). */
  keep: (o: Outcomes) => void;
  findings: (() => Finding)[];
}

function toSpec(cluster: DerivedCluster, plan: Plan, options: BatteryOptions, bs: BatteryScenario, wiring: SpecWiring): ScenarioSpec {
  const hosts = hostSpecsOf(cluster);
  return {
    name: bs.name,
    title: bs.title,
    lesson: bs.lesson,
    hosts,
    durationMs: bs.durationMs,
    link: { latencyMs: options.latencyMs },
    script: (s) => {
      const outcomes = new Outcomes(plan, cluster.hosts.length, bs.durationMs);
      wiring.keep(outcomes);
      installTraffic(s, cluster, plan, outcomes);
      const ctx: BatteryContext = { s, cluster, plan, outcomes, reference: wiring.reference, finding: (f) => wiring.findings.push(f) };
      bs.script(ctx);
    },
  };
}

const shellWord = (text: string): string => (/^[A-Za-z0-9._:/@+=-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

/** The command that runs exactly this battery scenario again. */
export function reproduceCommand(cluster: DerivedCluster, options: BatteryOptions, name: string): string {
  const words = ['npx', 'sticksim', 'run'];
  for (const f of cluster.files) words.push('--config', shellWord(f));
  for (const h of cluster.hostnames) words.push('--hostname', shellWord(h));
  words.push('--battery-scenario', shellWord(name), '--seed', shellWord(options.seed), '--policy', options.policy, '--haproxy', versionOf(options));
  if (options.latencyMs !== LATENCY_MS_DEFAULT) words.push('--latency', `${options.latencyMs}ms`);
  return words.join(' ');
}

function versionOf(options: BatteryOptions): HaproxyVersion {
  return options.haproxy ?? HAPROXY_VERSION_DEFAULT;
}

/** The simulated network's default one-way latency. */
export const LATENCY_MS_DEFAULT = 1;
