/**
 * A live simulation a person drives: the scenario's run held between steps, every trace entry
 * appended to a live store as it happens, the explore verbs applied (and recorded) at the
 * current simulated time, time advanced in steps, and the session written as a trace that
 * `sticksim replay` reads back. A branch starts the same way from a replayed trace's cursor.
 */
import { writeFileSync } from 'node:fs';
import { assert } from '../lib/assert.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { PlantedBug } from '../engine/peers/planted-bug.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { startScenario, type ScenarioRun } from '../scenarios/runner.ts';
import { formatHeaderLine, type TraceEntry } from '../sim/trace.ts';
import { actionFromDetails, applyAction, Attacks, type ExploreAction } from './actions.ts';
import { plantedBugOf, policyOf } from './scenario-source.ts';
import { tableNamesOfWorld, tablesOfWorld } from './replayer.ts';
import type { TablesView } from './tables.ts';
import { TraceIndex } from './trace-index.ts';
import { TraceStore } from './trace-store.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

const ADVANCE_MS_MAX = 3_600_000;

export class ExploreSession {
  readonly attacks = new Attacks();

  private constructor(
    readonly run: ScenarioRun,
    readonly store: TraceStore,
    readonly index: TraceIndex,
  ) {}

  static start(spec: ScenarioSpec, options: { seed: string; policy: MergePolicyName; plantedBug?: PlantedBug | undefined; haproxy?: HaproxyVersion }): ExploreSession {
    let store: TraceStore | undefined;
    const pending: TraceEntry[] = [];
    const run = startScenario(spec, {
      seed: options.seed,
      policy: options.policy,
      plantedBug: options.plantedBug,
      ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }),
      traceLevel: 'off',
      tee: { record: (entry) => (store === undefined ? pending.push(entry) : store.append(entry)) },
    });
    store = TraceStore.live(run.header);
    for (const entry of pending) store.append(entry);
    const session = new ExploreSession(run, store, new TraceIndex(store));
    session.advanceTo(0);
    return session;
  }

  /**
   * A branch: the source trace's run again up to event `cursor` (its explore actions applied
   * and recorded again), then the person's: the script is handed over, so its later faults
   * never happen (traffic and expectations go on).
   */
  static fork(spec: ScenarioSpec, source: { store: TraceStore; index: TraceIndex; cursor: number }): ExploreSession {
    const session = ExploreSession.start(spec, { seed: String(source.store.header.seed), policy: policyOf(source.store.header), plantedBug: plantedBugOf(source.store.header) });
    for (const at of source.index.actions) {
      if (at > source.cursor) break;
      const action = actionFromDetails(source.store.details(at));
      session.advanceTo(Math.max(session.nowMs(), source.store.time(at)));
      if (action !== undefined) session.perform(action);
    }
    session.advanceTo(Math.max(session.nowMs(), source.cursor < 0 ? 0 : source.store.time(source.cursor)));
    // From here the person drives: the scenario's later scripted faults do not happen.
    session.run.api.handOver();
    session.index.extend();
    return session;
  }

  nowMs(): number {
    return this.run.world.nowMs();
  }

  hosts(): string[] {
    return [...this.run.world.hosts.keys()];
  }

  perform(action: ExploreAction): void {
    applyAction(this.run.world, this.attacks, action);
    this.index.extend();
  }

  advance(ms: number): void {
    assert(ms > 0 && ms <= ADVANCE_MS_MAX, `advance by 1..${ADVANCE_MS_MAX} ms`);
    this.advanceTo(this.nowMs() + ms);
  }

  advanceTo(ms: number): void {
    this.run.runUntil(ms);
    this.index.extend();
  }

  tablesNow(table: string): TablesView {
    return tablesOfWorld({ world: this.run.world, table, source: 'live' });
  }

  tableNames(): string[] {
    return tableNamesOfWorld(this.run.world);
  }

  /** Writes the session as a trace file (header + every event so far). */
  save(path: string): number {
    const lines = [...this.store.lines(formatHeaderLine(this.run.header))];
    writeFileSync(path, `${lines.join('\n')}\n`);
    return lines.length - 1;
  }
}
