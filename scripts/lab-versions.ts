/**
 * Re-runs, against one real haproxy, the lab experiments of the version study that need no root
 * network namespace (everything on 127.0.0.x), and writes their outcomes in the fields of
 * test/fixtures/versions/lab-outcomes.json:
 *
 *   node --import tsx scripts/lab-versions.ts <2.6|3.0|3.2> [--out FILE] [--only a,b] [--compare]
 *
 * Experiments: reload-lone-node (lab 03b), reload-remote-down (lab 10 (c)), table-full (lab 06,
 * without its HTTP request), misaddressing (lab 05 (a), (b), (c): `last_status`). The binary comes from STICKSIM_HAPROXY_<line> or the cache of
 * scripts/haproxy-bin.sh (2.6: /usr/sbin/haproxy). --compare prints, per field, whether the run
 * agrees with the fixture's row for that line. The others (split brain, relay, rate counter across
 * a cut, capture, startup window) cut single links with iptables or capture with tcpdump (root,
 * namespaces) and stay with the study's outputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cfgPreamble, HaproxyProcess, locateHaproxyFor, type HaproxyLine } from '../test/interop/haproxy.ts';
import { reloadRounds, type ReloadRound } from './lab-versions/reload.ts';
import { misaddressing } from './lab-versions/misaddressing.ts';
import { fillTenSlots, tableFullConfig, usedAfterOneMore, type LabTarget } from './lab-versions/table-full.ts';

const LINES = ['2.6', '3.0', '3.2'] as const;
type Line = (typeof LINES)[number];
const EXPERIMENTS = ['reload-lone-node', 'reload-remote-down', 'table-full', 'misaddressing'] as const;
type ExperimentName = (typeof EXPERIMENTS)[number];
const LONE_PRE_S = [0.5, 3, 4.6, 5.4, 6, 7] as const;
const REMOTE_DOWN_PRE_S = [1, 3, 6.5] as const;
const FIXTURE = new URL('../test/fixtures/versions/lab-outcomes.json', import.meta.url);

const USAGE = 'usage: node --import tsx scripts/lab-versions.ts <2.6|3.0|3.2> [--out FILE] [--only ' + EXPERIMENTS.join(',') + '] [--compare] [--judge-by 2.6|3.0|3.2]';

function fail(message: string): never {
  process.stderr.write(`lab-versions: ${message}\n${USAGE}\n`);
  process.exit(2);
}

interface Args {
  line: Line;
  out: string | undefined;
  only: ExperimentName[];
  compare: boolean;
  /** The fixture row --compare reads (default the run's own line; another line is a negative control). */
  judgeBy: Line | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\nRe-runs the lab experiments that need no network namespace against one haproxy and prints their outcomes as JSON.\n`);
    process.exit(0);
  }
  const line = argv[0];
  if (line === undefined || !(LINES as readonly string[]).includes(line)) fail(`argument 1: expected 2.6, 3.0 or 3.2, got ${line ?? 'nothing'}`);
  const args: Args = { line: line as Line, out: undefined, only: [...EXPERIMENTS], compare: false, judgeBy: undefined };
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--compare') args.compare = true;
    else if (word === '--judge-by') {
      const by = argv[++i];
      if (by === undefined || !(LINES as readonly string[]).includes(by)) fail(`argument ${i + 1}: --judge-by needs 2.6, 3.0 or 3.2`);
      args.judgeBy = by as Line;
      args.compare = true;
    } else if (word === '--out') args.out = argv[++i] ?? fail(`argument ${i + 1}: --out needs a file`);
    else if (word === '--only') {
      const names = (argv[++i] ?? fail(`argument ${i + 1}: --only needs names`)).split(',');
      for (const n of names) if (!(EXPERIMENTS as readonly string[]).includes(n)) fail(`argument ${i + 1}: unknown experiment ${n}`);
      args.only = names as ExperimentName[];
    } else fail(`argument ${i + 1}: unknown option ${word}`);
  }
  return args;
}

function keptAt(rounds: readonly ReloadRound[]): Record<string, boolean> {
  return Object.fromEntries(rounds.map((r) => [String(r.preS), r.usedAfter === 2]));
}

async function reloadLoneNode(binaryPath: string): Promise<Record<string, unknown>> {
  const rounds = await reloadRounds(binaryPath, { preS: LONE_PRE_S, withRemote: false });
  const lost = rounds.filter((r) => r.usedAfter !== 2).map((r) => r.preS);
  const kept = rounds.filter((r) => r.usedAfter === 2).map((r) => r.preS);
  const keptFromS = lost.length === 0 ? 0 : kept.length > 0 && Math.max(...lost) < Math.min(...kept) ? 5 : -1;
  return { keptAt: keptAt(rounds), keptFromS, flagsBefore: rounds.map((r) => r.flagsBefore), rounds };
}

async function reloadRemoteDown(binaryPath: string): Promise<Record<string, unknown>> {
  const rounds = await reloadRounds(binaryPath, { preS: REMOTE_DOWN_PRE_S, withRemote: true });
  return { keptAt: keptAt(rounds), rounds };
}

async function withHaproxy<T>(line: Line, options: { sizeEntries: number; nopurge: boolean }, body: (target: LabTarget) => Promise<T>): Promise<T> {
  const binary = locateHaproxyFor(line as HaproxyLine) ?? fail(`no haproxy ${line}: run scripts/haproxy-bin.sh ${line} or set STICKSIM_HAPROXY_${line.replace('.', '_')}`);
  const proc = await HaproxyProcess.start({
    binary,
    localPeer: 'hap1',
    config: (e) => [...cfgPreamble(), tableFullConfig({ ...options, peerAddress: `${e.address}:${e.port}` })].join('\n'),
  });
  try {
    return await body({ cli: (command) => proc.cli(command), waitMs: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
  } finally {
    await proc.stop();
  }
}

async function tableFull(line: Line): Promise<Record<string, unknown>> {
  const purge = await withHaproxy(line, { sizeEntries: 10, nopurge: false }, fillTenSlots);
  const nopurge = await withHaproxy(line, { sizeEntries: 10, nopurge: true }, fillTenSlots);
  const used = (size: number) => withHaproxy(line, { sizeEntries: size, nopurge: false }, (t) => usedAfterOneMore(t, size));
  return { keysAfter15: purge.keysAfter15, keysAfter18: purge.keysAfter18, nopurgeRefusals: nopurge.refusals, usedAfterOneMore: { '512': await used(512), '1024': await used(1024) } };
}

/** Per field: agrees with the fixture's row for the line, or both values. */
function compare(line: Line, outcomes: Record<string, Record<string, unknown>>): string[] {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { experiments: Record<string, Record<string, Record<string, unknown>>> };
  const lines: string[] = [];
  for (const [name, got] of Object.entries(outcomes)) {
    const row = fixture.experiments[name]?.[line] ?? {};
    for (const field of Object.keys(got).filter((f) => f in row)) {
      const same = JSON.stringify(got[field]) === JSON.stringify(row[field]);
      lines.push(`${line} ${name}.${field}: ${same ? 'agrees' : `DIFFERS: measured ${JSON.stringify(got[field])}, fixture ${JSON.stringify(row[field])}`}`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const binary = locateHaproxyFor(args.line as HaproxyLine) ?? fail(`no haproxy ${args.line}: run scripts/haproxy-bin.sh ${args.line}`);
  const outcomes: Record<string, Record<string, unknown>> = {};
  for (const name of args.only) {
    process.stderr.write(`lab-versions: ${args.line} ${name} ...\n`);
    if (name === 'reload-lone-node') outcomes[name] = await reloadLoneNode(binary.path);
    else if (name === 'reload-remote-down') outcomes[name] = await reloadRemoteDown(binary.path);
    else if (name === 'misaddressing') outcomes[name] = { ...(await misaddressing(binary)) };
    else outcomes[name] = await tableFull(args.line);
  }
  const report = { line: args.line, binary: binary.version, measuredAt: new Date().toISOString(), experiments: outcomes };
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (args.out === undefined) process.stdout.write(text);
  else writeFileSync(args.out, text);
  if (args.compare) process.stderr.write(`${compare(args.judgeBy ?? args.line, outcomes).join('\n')}\n`);
}

await main();
