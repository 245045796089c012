/**
 * What the replay, explore, show and diff commands do, behind their argument parsing
 * (cli/commands/*.ts): open the trace, find its scenario, draw on a terminal or print plain text.
 */
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { ReplayRoot, App } from './app.tsx';
import { ExploreSession } from './explore-session.ts';
import { colorAllowed, formatMs } from './format.ts';
import { Replayer, tableNamesOfWorld } from './replayer.ts';
import { scenarioForHeader, scenarioFromConfigFile } from './scenario-source.ts';
import { exploreScreen, forkScreen, openTrace, replayScreen } from './screens.ts';
import { plainSummary } from './summary.ts';
import { formatTablesView, tablesFromSamples, type TablesView } from './tables.ts';
import { runScreen } from './terminal.tsx';
import { diffReport } from './trace-diff.ts';
import { TraceStore } from './trace-store.ts';
import type { Trace } from './state.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

export class UsageError extends Error {}

const TABLES_DELAY_MS = 80;

/** `12.5s`, `12500ms` or `12500` (milliseconds). */
export function parseMoment(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|ms)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`--at ${text}: give a time like 12.5s or 12500ms`);
  const value = Number(m[1]);
  return Math.round(m[2] === 's' ? value * 1000 : value);
}

function openStore(path: string): TraceStore {
  const store = TraceStore.openFile(path);
  if (store.problemCount > 0) {
    const p = store.problems[0]!;
    process.stderr.write(`sticksim: ${path}:${p.line}: ${p.message} (${store.problemCount} bad line(s) skipped)\n`);
  }
  return store;
}

export async function replayMain(options: { path: string; atMs?: number; savePath: string }): Promise<number> {
  const trace = openTrace(openStore(options.path));
  if (process.stdout.isTTY !== true) {
    process.stdout.write(plainSummary(trace));
    return 0;
  }
  const spec = await scenarioForHeader(trace.store.header);
  const color = colorAllowed(process.env);
  const initialCursor = options.atMs === undefined ? undefined : Math.max(0, trace.store.lastAtOrBefore(options.atMs));
  const base = { color, tablesDelayMs: TABLES_DELAY_MS, size: { columns: 80, rows: 24 } };
  const replay = replayScreen({ ...base, trace, spec, ...(initialCursor === undefined ? {} : { initialCursor }) });
  await runScreen((size) => (
    <ReplayRoot replay={{ ...replay, size }} fork={(cursor) => forkScreen({ ...base, size, trace, spec, cursor, savePath: options.savePath })} />
  ));
  return 0;
}

export async function exploreMain(options: {
  scenario?: string;
  configPath?: string;
  seed: string;
  policy: MergePolicyName;
  haproxy?: HaproxyVersion;
  savePath: string;
  runMs?: number;
}): Promise<number> {
  let spec: ScenarioSpec | string;
  if (options.configPath !== undefined) spec = scenarioFromConfigFile(options.configPath);
  else spec = await scenarioForHeader({ scenario: options.scenario ?? 'split-brain-acceptor-wins', seed: options.seed, sticksimVersion: '', streams: [], mergePolicy: options.policy, configText: '' });
  if (typeof spec === 'string') throw new UsageError(spec);
  const session = ExploreSession.start(spec, { seed: options.seed, policy: options.policy, ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }) });
  if (options.runMs !== undefined && options.runMs > 0) session.advanceTo(options.runMs);
  if (process.stdout.isTTY !== true) {
    session.save(options.savePath);
    process.stdout.write(plainSummary({ store: session.store, index: session.index }));
    process.stdout.write(`\nwritten: ${options.savePath}\n`);
    return 0;
  }
  const color = colorAllowed(process.env);
  const screen = exploreScreen({ session, spec, savePath: options.savePath, color, tablesDelayMs: TABLES_DELAY_MS, size: { columns: 80, rows: 24 } });
  await runScreen((size) => <App {...screen} size={size} />);
  return 0;
}

export async function showMain(options: { path: string; atMs: number; node?: string; command: string }): Promise<{ text: string; code: number }> {
  const trace = openTrace(openStore(options.path));
  const { store, index } = trace;
  const cursor = store.lastAtOrBefore(options.atMs);
  const hosts = index.hosts();
  if (options.node !== undefined && !hosts.includes(options.node)) throw new UsageError(`--node ${options.node}: the trace's nodes are ${hosts.join(', ')}`);
  const nodes = options.node === undefined ? hosts : [options.node];
  const spec = await scenarioForHeader(store.header);
  if (typeof spec === 'string') {
    const m = /^show table (\S+)$/.exec(options.command.trim());
    if (m === null) return { text: `sticksim: ${spec}: the run cannot be replayed; only "show table <name>" is answered (from table.sample)\n`, code: 2 };
    const view = tablesFromSamples({ store, index, table: m[1]!, cursor });
    return { text: nodes.map((n) => (options.node === undefined ? `# node ${n}\n` : '') + formatTablesView(view, n)).join(''), code: 0 };
  }
  const replayer = new Replayer(spec, store, index);
  const parts: string[] = [];
  for (const node of nodes) {
    const answer = replayer.cli(node, options.command, cursor, options.atMs);
    const text = answer ?? `# ${node} runs no haproxy process at ${formatMs(options.atMs)}\n`;
    parts.push(options.node === undefined ? `# node ${node} at ${formatMs(options.atMs)}\n${text}` : text);
  }
  return { text: parts.join(''), code: 0 };
}

async function endTables(trace: Trace): Promise<TablesView[]> {
  const spec = await scenarioForHeader(trace.store.header);
  const cursor = trace.store.count - 1;
  if (typeof spec === 'string') return [...trace.index.sampleTables].map((table) => tablesFromSamples({ store: trace.store, index: trace.index, table, cursor }));
  const replayer = new Replayer(spec, trace.store, trace.index);
  const world = replayer.worldAt(cursor);
  return tableNamesOfWorld(world).map((table) => replayer.tablesAt(table, cursor));
}

export async function diffMain(options: { pathA: string; pathB: string }): Promise<string> {
  const a = openTrace(openStore(options.pathA));
  const b = openTrace(openStore(options.pathB));
  return diffReport({ nameA: options.pathA, nameB: options.pathB, a: a.store, b: b.store, tablesA: await endTables(a), tablesB: await endTables(b) });
}
