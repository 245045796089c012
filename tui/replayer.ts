/**
 * Re-runs a trace's scenario (same seed, same merge policy, same explore actions at the same
 * moments) up to a cursor, to ask its hosts the runtime API: the state behind the tables view,
 * `sticksim show`, and the start of a branch. Moving forward continues the held run; moving back
 * starts it again from zero (a run is a pure function of its inputs).
 */
import { utf8ToLatin1 } from '../engine/table/keys.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { startScenario, type ScenarioRun } from '../scenarios/runner.ts';
import type { World } from '../sim/world.ts';
import { actionFromDetails, Attacks, replayAction } from './actions.ts';
import { plantedBugOf, policyOf } from './scenario-source.ts';
import { tablesFromAnswers, type TablesView } from './tables.ts';
import type { TraceIndex } from './trace-index.ts';
import type { TraceStore } from './trace-store.ts';

export class Replayer {
  private run: ScenarioRun | undefined;
  private attacks = new Attacks();
  /** How many of the trace's explore actions the held run has applied. */
  private applied = 0;
  /** Runs started (for tests: stepping forward must not restart). */
  starts = 0;

  constructor(
    private readonly spec: ScenarioSpec,
    private readonly store: TraceStore,
    private readonly index: TraceIndex,
  ) {}

  /**
   * The world as it is at the end of the millisecond of event `cursor` (-1: time 0), or at
   * `atMs` (not before that event) when given: explore actions up to `cursor` are applied.
   */
  worldAt(cursor: number, atMs?: number): World {
    const targetMs = Math.max(cursor < 0 ? 0 : this.store.time(cursor), atMs ?? 0);
    const actions = this.index.actions;
    let due = 0;
    while (due < actions.length && actions[due]! <= cursor) due++;
    if (this.run === undefined || this.run.world.nowMs() > targetMs || this.applied > due) this.restart();
    const run = this.run!;
    for (; this.applied < due; this.applied++) {
      const at = actions[this.applied]!;
      const action = actionFromDetails(this.store.details(at));
      run.runUntil(Math.max(run.world.nowMs(), this.store.time(at)));
      if (action !== undefined) replayAction(run.world, this.attacks, action);
    }
    run.runUntil(Math.max(run.world.nowMs(), targetMs));
    return run.world;
  }

  /** A runtime-API command on `host` at event `cursor`; undefined when the host runs no process. */
  cli(host: string, command: string, cursor: number, atMs?: number): string | undefined {
    const world = this.worldAt(cursor, atMs);
    const h = world.hosts.get(host);
    if (h === undefined || h.process === undefined) return undefined;
    return h.cli(utf8ToLatin1(command));
  }

  tablesAt(table: string, cursor: number): TablesView {
    const world = this.worldAt(cursor);
    return tablesOfWorld({ world, table, source: 'replay' });
  }

  private restart(): void {
    const header = this.store.header;
    this.run = startScenario(this.spec, {
      seed: String(header.seed),
      policy: policyOf(header),
      plantedBug: plantedBugOf(header),
      haproxy: header.haproxy ?? '2.6',
      traceLevel: 'off',
    });
    this.attacks = new Attacks();
    this.applied = 0;
    this.starts++;
  }
}

/** `show table <table>` of every host of a world, side by side. */
export function tablesOfWorld(options: { world: World; table: string; source: 'replay' | 'live' }): TablesView {
  const answers = new Map<string, string | undefined>();
  for (const [name, host] of options.world.hosts) {
    answers.set(name, host.process === undefined ? undefined : host.cli(utf8ToLatin1(`show table ${options.table}`)));
  }
  return tablesFromAnswers({ table: options.table, atMs: options.world.nowMs(), source: options.source, answers });
}

/** Names of the stick tables the world's processes hold. */
export function tableNamesOfWorld(world: World): string[] {
  const names = new Set<string>();
  for (const host of world.hosts.values()) for (const table of host.process?.tables.tables ?? []) names.add(table.spec.name);
  return [...names].sort();
}
