/**
 * The package's public entry point, `import { scenario, cluster } from 'sticksim'`: what a
 * scenario file outside this repository needs, and nothing of the engine's internals.
 *
 * - `scenario({...})`: a scenario file's default export (see scenarios/dsl.ts).
 * - `cluster(names, options)`: the hosts of a full peers mesh, each with the lab's configuration
 *   at 10.0.0.<n>; `mesh` is the same function under the name the built-in scenarios use, so a
 *   built-in scenario copied out of the repository only changes its import lines.
 * - `meshConfig({...})`: the lab's haproxy.cfg text for one host of a mesh, to edit or extend.
 * - types: the scenario's shape (ScenarioSpec, HostSpec, WatchSpec), the script's verbs
 *   (ScriptApi) and what they take and return.
 *
 * Only this file is public: its exports are the package's API (package.json `exports`).
 */
export { scenario, meshConfig, type HostSpec, type ScenarioSpec, type WatchSpec } from './scenarios/dsl.ts';
export { mesh, mesh as cluster } from './scenarios/builtin/cluster.ts';
export type { Bound, CheckResult, EntryView, ExpectationDef, RejectOptions, ScriptApi } from './scenarios/script-api.ts';
export type { SequenceBody, Step, StepResult } from './scenarios/sequence.ts';
export type { ExpectationKind, ExpectationResult, FigureValue, ScenarioRunResult } from './scenarios/results.ts';
export type { MergePolicyName } from './engine/peers/merge.ts';
export type { LinkSpec } from './sim/network.ts';
export type { TickStart } from './sim/host-clock.ts';
export type { AddressSource, ArrivalPattern, ClassStats, ClientClassSpec } from './sim/traffic.ts';
export type { TraceEntry } from './sim/trace.ts';
