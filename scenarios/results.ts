/**
 * What a scenario run produces, for the CLI summary, the JUnit/Markdown/HTML reports and the TUI.
 * Reports read only these types and traces (sim/trace.ts); they never run simulations.
 *
 * Trace event kinds the reports rely on (all written by the scenario runner, host '*' unless said):
 *   fault.partition  { id, sides: string[][] , oneWay: boolean }   fault.heal { id }
 *   fault.hold       { id, from, to }                               fault.release { id }
 *   host.crash / host.restart / host.reload / host.pause / host.resume   (host = the host name)
 *   resync.window    { host, startMs, endMs }        (a process's startup resync, from start to FINISHED)
 *   table.sample     { table, key, values: { <host>: { <field>: number } } }   periodic samples of
 *                    the watched keys on every node (field names as `show table` prints them)
 *   expect.result    { name, expectKind, passed, message }   ('kind' is reserved in trace details)
 */

/** A figure: a number, a string (e.g. an outcome name) or a small record of numbers and strings. */
export type FigureValue = number | string | Readonly<Record<string, number | string>>;

/** A figure as one line of text: numbers and strings as they are, a record as `k=v k=v`. */
export function formatFigureValue(value: FigureValue): string {
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  return Object.entries(value).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** True for a number, a string, or a flat record of numbers and strings (a figure's shapes). */
export function isFigureValue(value: unknown): value is FigureValue {
  if (typeof value === 'number' || typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'threw' in value) return false;
  return Object.values(value).every((v) => typeof v === 'number' || typeof v === 'string');
}

export type ExpectationKind = 'always' | 'eventually' | 'count';

export interface ExpectationResult {
  /** Stable name, e.g. `converges-within-15s` or `attacker-requests-let-through`. */
  readonly name: string;
  readonly kind: ExpectationKind;
  readonly passed: boolean;
  /** One line a person reads: what was expected and what happened. */
  readonly message: string;
  /** Simulated time of the first violation, or of convergence, when it applies. */
  readonly atMs?: number;
}

export interface ScenarioRunResult {
  /** File name without extension, e.g. `split-brain-two-nodes`. */
  readonly scenario: string;
  readonly title: string;
  /** What an operator learns from it (the scenario file's header). */
  readonly lesson: string;
  readonly seed: string;
  readonly policy: 'haproxy' | 'aggregate' | 'max';
  /** The HAProxy release line the run modelled; absent in results of older sticksim (= '2.6'). */
  readonly haproxy?: '2.6' | '3.0' | '3.2';
  readonly passed: boolean;
  readonly expectations: readonly ExpectationResult[];
  /** Named figures, e.g. { attackerLetThrough: 37, legitDenied: 3, convergeMs: 5120 }. */
  readonly figures: Readonly<Record<string, FigureValue>>;
  readonly simulatedMs: number;
  readonly wallMs: number;
  /** SHA-256 of the JSONL trace when its lines were formatted (a trace file, or traceLevel 'full'); else ''. */
  readonly traceHash: string;
  /** The cheap determinism fingerprint over every event (sim/fingerprint.ts); '' with the trace off. */
  readonly fingerprint: string;
  /** Path of the JSONL trace when one was written. */
  readonly tracePath: string | undefined;
  /** The one command that reproduces this run. */
  readonly reproduce: string;
}

export interface SuiteResult {
  readonly rootSeed: string;
  readonly runs: readonly ScenarioRunResult[];
}

/** A run's HAProxy line when it is not the default 2.6 (reports name it; 2.6 runs read as they always did). */
export function namedHaproxy(run: Pick<ScenarioRunResult, 'haproxy'>): string | undefined {
  return run.haproxy === undefined || run.haproxy === '2.6' ? undefined : run.haproxy;
}
