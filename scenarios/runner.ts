/**
 * Runs one scenario under one seed and one merge policy: builds the world from the scenario's
 * haproxy.cfg texts, runs its script on the virtual clock, samples the watched keys, checks the
 * expectations and returns the result with its trace hash and the command that reproduces it.
 */
import { parseConfig } from '../engine/config/parse.ts';
import type { Config } from '../engine/config/types.ts';
import { assert, InvariantError } from '../lib/assert.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { PlantedBug } from '../engine/peers/planted-bug.ts';
import { HAPROXY_VERSION_DEFAULT, type HaproxyVersion } from '../engine/version/profile.ts';
import { deriveSeed } from '../sim/seeds.ts';
import { openTraceFile, sticksimVersion } from '../sim/trace-file.ts';
import { Fingerprint } from '../sim/fingerprint.ts';
import { TraceWriter, type TraceEntry, type TraceHeader, type TraceSink } from '../sim/trace.ts';
import { World, type WorldHostSpec } from '../sim/world.ts';
import { defaultHostAddress, type ScenarioSpec } from './dsl.ts';
import { isFigureValue, type ExpectationResult, type FigureValue, type ScenarioRunResult } from './results.ts';
import { ScriptApi } from './script-api.ts';
import { scriptPlace } from './user-error.ts';

export interface RunOptions {
  seed: string;
  policy: MergePolicyName;
  /** The HAProxy release line every process behaves as (default 2.6). */
  haproxy?: HaproxyVersion;
  /** Write the JSONL trace to this file (as it runs). */
  tracePath?: string;
  /** Keep the trace entries in memory (for tests and the TUI). */
  keepEntries?: boolean;
  /** How the scenario is named on the reproduce command line (its path). */
  scenarioRef?: string;
  /** Wall clock for the wall time figure (the CLI passes performance.now; tests may omit it). */
  wallMs?: () => number;
  /**
   * The policy the script is told about when it differs from the engine's (negative controls:
   * an engine merging with `max` while the expectations assume HAProxy's rule must fail).
   */
  policyToldToScript?: MergePolicyName;
  /** The HAProxy line the script is told about when it differs from the engine's (negative controls). */
  haproxyToldToScript?: HaproxyVersion;
  /**
   * 'fingerprint' (default): every event is folded into the cheap fingerprint (sim/fingerprint.ts)
   * and nothing is formatted; the JSONL trace and its SHA-256 exist only with `tracePath`.
   * 'full': the JSONL lines are also formatted and hashed in memory without a file (the trace
   * hash of the same run written to a file). 'off': nothing is formatted or fingerprinted (fuzz
   * cases, benchmarks, the TUI's re-runs); the trace hash and the fingerprint are then ''.
   */
  traceLevel?: 'full' | 'fingerprint' | 'off';
  /**
   * A deliberately wrong peers behaviour in every process (testing aid, engine/peers/planted-bug.ts:
   * does the suite, or the fuzz, catch it?). Named in the trace header and the reproduce command.
   */
  plantedBug?: PlantedBug | undefined;
  /**
   * Stop the virtual clock at the first sample that finds an `always` expectation failed (fuzz
   * runs: the first violation decides, and a planted relay storm need not run to the end). The
   * result then holds the expectations as they stood at that instant.
   */
  stopAtFirstFailure?: boolean;
}

export interface RunOutput {
  result: ScenarioRunResult;
  entries: TraceEntry[];
  /** Kernel events run (the simulator's unit of work). */
  kernelEvents: number;
  /** Every random stream the run derived, with its seed (all from the root seed by name). */
  streams: { name: string; seed: string }[];
  /** Coverage marks the engine counted in this run (engine/peers/marks.ts). */
  marks: [string, number][];
}

export class ScenarioConfigError extends Error {}

const SAMPLES_MAX = 1_000_000;

/** How often a run that stops at its first failure looks (its samples say what failed). */
const STOP_CHECK_EVERY_MS = 1_000;

export function runScenario(spec: ScenarioSpec, options: RunOptions): RunOutput {
  const run = startScenario(spec, options);
  if (options.stopAtFirstFailure !== true) {
    run.runUntil(spec.durationMs);
    return run.finish();
  }
  for (let ms = Math.min(STOP_CHECK_EVERY_MS, spec.durationMs); !run.alwaysFailed(); ms = Math.min(ms + STOP_CHECK_EVERY_MS, spec.durationMs)) {
    run.runUntil(ms);
    if (ms === spec.durationMs) break;
  }
  return run.finish();
}

/**
 * A scenario run held between steps (the TUI's replay and explore): the world is built, the
 * script and the samples are scheduled, and nothing has run yet. `runUntil` advances the
 * virtual clock (never backwards); `finish` checks the expectations and closes the trace.
 * `runScenario` is `startScenario` + `runUntil(durationMs)` + `finish`.
 */
export interface ScenarioRun {
  readonly world: World;
  readonly api: ScriptApi;
  readonly header: TraceHeader;
  runUntil(ms: number): void;
  /** True once a sample found an `always` expectation failed. */
  alwaysFailed(): boolean;
  finish(): RunOutput;
}

export interface StartOptions extends RunOptions {
  /**
   * Also hands every trace entry to this sink (the TUI's live store): deferred details unrendered
   * when it has `recordDeferred` (tests that fold a run's events again), rendered otherwise.
   */
  tee?: TraceSink;
}

export function startScenario(spec: ScenarioSpec, options: StartOptions): ScenarioRun {
  const wallStart = options.wallMs?.() ?? 0;
  const haproxy = options.haproxy ?? HAPROXY_VERSION_DEFAULT;
  const hosts = buildHosts(spec, haproxy);
  const configText = hosts.map((h) => `# ${h.name}\n${h.text}`).join('\n');
  const header: TraceHeader = {
    sticksimVersion: sticksimVersion(),
    scenario: spec.name,
    seed: options.seed,
    // Every stream is derived from the root seed by name; these are the ones every run uses
    // (a process's own stream is `host:<name>:<pid>`, pids counting from 1000 per host).
    streams: ['network', 'traffic', ...hosts.flatMap((h) => [`clock:${h.name}`, `host:${h.name}:1000`])]
      .sort()
      .map((name) => ({ name, seed: deriveSeed(options.seed, name) })),
    mergePolicy: options.policy,
    ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
    haproxy,
    configText,
  };
  const entries: TraceEntry[] = [];
  const file = options.tracePath === undefined ? undefined : openTraceFile({ path: options.tracePath, header });
  const traceOff = options.traceLevel === 'off';
  const writer = file?.writer ?? (options.traceLevel === 'full' ? new TraceWriter(header, () => {}) : undefined);
  const fingerprint = traceOff ? undefined : new Fingerprint();
  let api: ScriptApi | undefined;
  // With the trace off and nothing keeping entries, only the kinds the script observes are built.
  const everyKind = !traceOff || options.keepEntries === true || options.tee !== undefined;
  // A tee that takes deferred details gets them unrendered; one that does not, rendered.
  const tee = options.tee;
  const teeDeferred = tee?.recordDeferred === undefined ? undefined : tee;
  // Who needs an event as a plain object beyond the fingerprint, whatever its kind.
  const plainAlways = writer !== undefined || options.keepEntries === true || (tee !== undefined && teeDeferred === undefined);
  /** Everyone who reads an event as a plain object: the JSONL writer, kept entries, a tee, the script. */
  const readPlain = (entry: TraceEntry, deferred: boolean): void => {
    if (!traceOff) writer?.record(entry);
    if (options.keepEntries) entries.push(entry);
    if (!deferred || teeDeferred === undefined) tee?.record(entry);
    api?.dispatch(entry);
  };
  const sink: TraceSink = {
    record(entry) {
      if (!traceOff) fingerprint?.record(entry);
      readPlain(entry, false);
    },
    // Deferred details are folded into the fingerprint from their facts and rendered only for
    // whoever reads them as plain objects.
    recordDeferred(t, host, kind, details) {
      if (!traceOff) fingerprint?.recordDeferred(t, host, kind, details);
      teeDeferred?.recordDeferred?.(t, host, kind, details);
      api?.dispatchDetails(host.text, kind.text, details);
      if (!plainAlways && !(api?.observesPlain(kind.text) ?? false)) return;
      readPlain({ t, host: host.text, kind: kind.text, details: details.render() }, true);
    },
    ...(everyKind ? {} : { wants: (kind: string) => api?.observes(kind) ?? false }),
  };
  const world = new World({
    seed: options.seed,
    mergePolicy: options.policy,
    ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
    haproxy,
    hosts: hosts.map((h) => h.world),
    sink,
    ...(spec.link === undefined ? {} : { link: spec.link }),
  });
  world.record('scenario.start', {
    scenario: spec.name,
    seed: options.seed,
    policy: options.policy,
    durationMs: spec.durationMs,
    ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
  });
  for (const h of spec.hosts) if (h.startAtZero ?? true) world.at(0, () => world.start(h.name));
  api = new ScriptApi(world, options.policyToldToScript ?? options.policy, options.haproxyToldToScript ?? haproxy);
  recordResyncWindows(api);
  spec.script(api);
  api.startTraffic();
  const script = api;
  const checks = new Checks(script);
  const sampleEveryMs = spec.watch?.everyMs ?? 500;
  const samples = Math.min(SAMPLES_MAX, Math.floor(spec.durationMs / sampleEveryMs) + 1);
  world.kernel.scheduleSeries({ startMs: 0, everyMs: sampleEveryMs, count: samples }, () => {
    sample(script, spec);
    checks.atSample(world.nowMs());
  });
  // A broken engine invariant (a bug in sticksim) stops the world where it broke; the run ends
  // there as a failure of `engine-invariants-hold`, with its message, its trace event and its
  // reproduce command, never as a crash of the command that ran it.
  let broken: ExpectationResult | undefined;
  const runUntil = (ms: number): void => {
    if (broken !== undefined) return;
    try {
      world.runUntil(ms);
    } catch (error) {
      if (!(error instanceof InvariantError)) throw error;
      broken = brokenInvariant(world.nowMs(), error);
      world.record('engine.invariant', { message: error.message });
    }
  };
  const finish = (): RunOutput => {
    const expectations = [...(broken === undefined ? [] : [broken]), ...checks.finish(world.nowMs())];
    for (const e of expectations) world.record('expect.result', { name: e.name, expectKind: e.kind, passed: e.passed, message: e.message });
    const figures: Record<string, FigureValue> = {};
    for (const [name, value] of script.figures) {
      const v = guarded(value);
      if (isFigureValue(v)) figures[name] = v;
    }
    world.record('scenario.end', { passed: expectations.every((e) => e.passed) });
    const traceHash = file?.close() ?? writer?.digest() ?? '';
    const ref = options.scenarioRef ?? spec.name;
    const result: ScenarioRunResult = {
      scenario: spec.name,
      title: spec.title,
      lesson: spec.lesson,
      seed: options.seed,
      policy: options.policy,
      passed: expectations.every((e) => e.passed),
      expectations,
      figures,
      simulatedMs: world.nowMs(),
      wallMs: (options.wallMs?.() ?? 0) - wallStart,
      traceHash,
      fingerprint: fingerprint?.digest() ?? '',
      tracePath: options.tracePath,
      haproxy,
      reproduce: `npx sticksim run ${ref} --seed ${quote(options.seed)} --policy ${options.policy} --haproxy ${haproxy}${options.plantedBug === undefined ? '' : ` --plant-bug ${options.plantedBug}`}`,
  };
  return { result, entries, kernelEvents: world.kernel.eventsRun(), streams: world.seeds.list(), marks: [...world.marks.counts] };
  };
  return { world, api: script, header, runUntil, alwaysFailed: () => broken !== undefined || checks.anyAlwaysFailed(), finish };
}

export const ENGINE_INVARIANTS_HOLD = 'engine-invariants-hold';

function brokenInvariant(atMs: number, error: InvariantError): ExpectationResult {
  return { name: ENGINE_INVARIANTS_HOLD, kind: 'always', passed: false, message: `the engine stopped at ${atMs} ms on a broken invariant (a bug in sticksim): ${error.message}`, atMs };
}

/**
 * `resync.window` events for the reports: from a process's start until its peers section says
 * FINISHED (learned, or timed out) — the time its limits may run on an incomplete table.
 */
function recordResyncWindows(api: ScriptApi): void {
  const startedAt = new Map<string, number>();
  api.observe('process.start', (e) => {
    if ((e.details?.['sections'] ?? 0) !== 0) startedAt.set(`${e.host}:${String(e.details?.['pid'])}`, e.t);
  });
  const close = (host: string, pid: unknown, t: number): void => {
    const key = `${host}:${String(pid)}`;
    const start = startedAt.get(key);
    if (start === undefined) return;
    startedAt.delete(key);
    api.world.hostRecord(host, 'resync.window', { startMs: start, endMs: t, pid: Number(pid) });
  };
  api.observe('resync.state', (e) => {
    if (e.details?.['state'] === 'FINISHED') close(e.host, e.details['pid'], e.t);
  });
  api.observe('resync.learned', (e) => close(e.host, e.details?.['pid'], e.t));
}

function quote(text: string): string {
  return /^[A-Za-z0-9._:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

interface BuiltHost {
  name: string;
  text: string;
  world: WorldHostSpec;
}

function buildHosts(spec: ScenarioSpec, haproxy: HaproxyVersion): BuiltHost[] {
  return spec.hosts.map((h, i) => {
    const text = h.config ?? spec.config;
    assert(text !== undefined, `host ${h.name} has a configuration`);
    const config = parseOrThrow(text, `${spec.name}/${h.name}.cfg`, haproxy);
    const world: WorldHostSpec = {
      name: h.name,
      addresses: h.addresses ?? [defaultHostAddress(i)],
      config,
      ...(h.cliLocalPeer === undefined ? {} : { cliLocalPeer: h.cliLocalPeer }),
      ...(h.tickStart === undefined ? {} : { tickStart: h.tickStart }),
      ...(h.driftPpm === undefined ? {} : { driftPpm: h.driftPpm }),
      ...(h.timerLateness === undefined ? {} : { timerLateness: h.timerLateness }),
      ...(h.acceptDelay === undefined ? {} : { acceptDelay: h.acceptDelay }),
      ...(h.taskWakeDelay === undefined ? {} : { taskWakeDelay: h.taskWakeDelay }),
    };
    return { name: h.name, text, world };
  });
}

/** Parsed configs by file and text: a fuzz campaign runs the same few texts thousands of times. */
const parsedConfigs = new Map<string, Config>();
const PARSED_CONFIGS_MAX = 256;

/** The config of `text` (a parsed Config is read-only, so runs share it). */
function parseOrThrow(text: string, file: string, version: HaproxyVersion): Config {
  const cacheKey = `${version}\n${file}\n${text}`;
  const cached = parsedConfigs.get(cacheKey);
  if (cached !== undefined) return cached;
  const parsed = parseConfig(text, { file, version });
  if (!parsed.ok) throw new ScenarioConfigError(parsed.errors.map((e) => e.message).join('\n'));
  if (parsedConfigs.size >= PARSED_CONFIGS_MAX) parsedConfigs.clear();
  parsedConfigs.set(cacheKey, parsed.config);
  return parsed.config;
}

/** Periodic `table.sample` events of the watched keys on every host. */
function sample(api: ScriptApi, spec: ScenarioSpec): void {
  const watch = spec.watch;
  if (watch === undefined) return;
  for (const key of watch.keys) {
    const values: Record<string, Record<string, number>> = {};
    for (const h of spec.hosts) {
      const haproxyProcess = api.world.host(h.name).process;
      const table = haproxyProcess?.tables.get(watch.table);
      if (table === undefined) continue;
      const fields: Record<string, number> = {};
      for (const slot of table.layout.stored) {
        const v = api.read(h.name, watch.table, key, slot.info.name);
        if (v !== undefined) fields[slot.info.name] = v;
      }
      if (Object.keys(fields).length > 0) values[h.name] = fields;
    }
    api.world.record('table.sample', { table: watch.table, key, values });
  }
}

/**
 * Calls a scenario's check or figure; a throw is that check's failure, said as the thrown
 * message and the scenario line it came from (the run goes on).
 */
function guarded<T>(fn: () => T): T | { threw: string } {
  try {
    return fn();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const place = scriptPlace(e);
    return { threw: `threw ${e.name}: ${e.message}${place === undefined ? '' : ` (at ${place})`}` };
  }
}

function threw(value: unknown): value is { threw: string } {
  return typeof value === 'object' && value !== null && 'threw' in value;
}

/** Tracks expectation outcomes across samples. */
class Checks {
  private readonly alwaysFailed = new Map<string, { atMs: number; message: string }>();
  private readonly eventuallyMet = new Map<string, number>();
  /** Expectations whose check threw, with the first throw (they fail; the others go on). */
  private readonly thrown = new Map<string, { atMs: number; message: string }>();

  constructor(private readonly api: ScriptApi) {}

  atSample(nowMs: number): void {
    for (const e of this.api.expectations) {
      if (this.thrown.has(e.name)) continue;
      if (e.always && !this.alwaysFailed.has(e.name)) {
        const r = guarded(e.always);
        if (threw(r)) this.thrown.set(e.name, { atMs: nowMs, message: r.threw });
        else if (r !== true) this.alwaysFailed.set(e.name, { atMs: nowMs, message: r });
      }
      if (e.eventually && !this.eventuallyMet.has(e.name)) {
        const ev = e.eventually;
        if (nowMs >= ev.afterMs && nowMs <= ev.afterMs + ev.withinMs) {
          const met = guarded(ev.check);
          if (threw(met)) this.thrown.set(e.name, { atMs: nowMs, message: met.threw });
          else if (met) this.eventuallyMet.set(e.name, nowMs);
        }
      }
    }
  }

  anyAlwaysFailed(): boolean {
    return this.alwaysFailed.size > 0;
  }

  finish(nowMs: number): ExpectationResult[] {
    this.atSample(nowMs);
    return this.api.expectations.map((e) => this.result(e.name, e.kind, e));
  }

  private result(name: string, kind: ExpectationResult['kind'], e: ScriptApi['expectations'][number]): ExpectationResult {
    const thrown = this.thrown.get(name);
    if (thrown !== undefined) return { name, kind, passed: false, message: thrown.message, atMs: thrown.atMs };
    if (e.always) {
      const failed = this.alwaysFailed.get(name);
      return failed === undefined
        ? { name, kind, passed: true, message: 'held at every sample' }
        : { name, kind, passed: false, message: failed.message, atMs: failed.atMs };
    }
    if (e.eventually) {
      const met = this.eventuallyMet.get(name);
      const ev = e.eventually;
      return met === undefined
        ? { name, kind, passed: false, message: `${ev.describe}: not within ${ev.withinMs} ms after ${ev.afterMs} ms` }
        : { name, kind, passed: true, message: `${ev.describe}: after ${met - ev.afterMs} ms`, atMs: met };
    }
    const c = e.count!;
    const v = guarded(c.value);
    if (threw(v)) return { name, kind, passed: false, message: v.threw };
    const problems: string[] = [];
    if (c.atMost !== undefined && v > c.atMost) problems.push(`at most ${c.atMost}`);
    if (c.atLeast !== undefined && v < c.atLeast) problems.push(`at least ${c.atLeast}`);
    if (c.equals !== undefined && v !== c.equals) problems.push(`exactly ${c.equals}`);
    return problems.length === 0
      ? { name, kind, passed: true, message: `${name} = ${v}` }
      : { name, kind, passed: false, message: `${name} = ${v}, expected ${problems.join(' and ')}` };
  }
}
