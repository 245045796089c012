/**
 * `sticksim run [PATH…] [--seed S] [--seeds A..B] [--policy P] [--trace PATH] [--junit FILE]
 * [--report DIR] [--shard i/N|auto] [--plant-bug NAME]`: runs scenarios (default: the built-in suite) under seeds and
 * merge policies, prints a progress line on a TTY and a summary table, writes traces and reports,
 * and exits 1 when any expectation failed, printing for each failure the one command that
 * reproduces it. With --shard it runs only its share of the work list (cli/shard.ts); the
 * results.json of each shard merge with `sticksim report --merge`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import { formatFigureValue, type ScenarioRunResult, type SuiteResult } from '../../scenarios/results.ts';
import { runScenario, ScenarioConfigError } from '../../scenarios/runner.ts';
import { loadScenarios, ScenarioLoadError } from '../../scenarios/suite.ts';
import { scenarioErrorLine } from '../../scenarios/user-error.ts';
import { PLANT_BUG_HELP, plantedBugOption } from '../plant-bug-option.ts';
import { writeReports } from '../reports-writer.ts';
import { provenance, workOptions } from '../provenance.ts';
import { describeShard, parseShardOption, ShardError, shardItems, workIndexOf } from '../shard.ts';
import { addRunConfigOptions, runConfigCommand, type RunConfigCliOptions } from './run-config.ts';
import { HAPROXY_OPTION_HELP, haproxyListOption } from '../options.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

const POLICIES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];
const SEEDS_MAX = 100_000;

interface RunCliOptions {
  seed?: string;
  seeds?: string;
  policy?: string;
  trace?: string;
  junit?: string;
  report?: string;
  shard?: string;
  shardTotal?: string;
  plantBug?: string;
  haproxy?: HaproxyVersion[];
}

export function registerRunCommand(program: Command): void {
  const run = program
    .command('run')
    .description('run scenarios (default: the built-in suite) and check their expectations')
    .argument('[paths...]', 'scenario files, folders, or built-in scenario names')
    .option('--seed <seed>', 'root seed (a number or any string, e.g. a commit hash)', '1')
    .option('--seeds <A..B>', 'run every integer seed from A to B')
    .option('--policy <policy>', 'merge policy: haproxy, aggregate, max, or all (default: each scenario’s own list)')
    .option('--haproxy <version>', `${HAPROXY_OPTION_HELP}, or all (each run under every line)`, haproxyListOption)
    .option('--trace <path>', 'write JSONL traces: a file for one run, else a directory of <scenario>.<seed>.jsonl')
    .option('--junit <file>', 'write JUnit XML')
    .option('--report <dir>', 'write junit.xml, summary.md, report.html and results.json into this directory')
    .option('--shard <i/N|auto>', 'run only shard i of N of the work list (auto: from CI_NODE_INDEX, BUILDKITE_PARALLEL_JOB or JOB_COMPLETION_INDEX)')
    .option('--shard-total <n>', 'with --shard auto in a Kubernetes Indexed Job: the number of completions')
    .option('--plant-bug <name>', PLANT_BUG_HELP)
    .action(async (paths: string[], options: RunCliOptions & RunConfigCliOptions) => {
      if (options.config !== undefined) return void (process.exitCode = await runConfigCommand(paths, options));
      process.exitCode = await runCommand(paths, options);
    });
  addRunConfigOptions(run);
}

async function runCommand(paths: string[], options: RunCliOptions): Promise<number> {
  const planted = plantedBugOption(options.plantBug, process.env);
  if ('error' in planted) {
    process.stderr.write(`sticksim run: ${planted.error}\n`);
    return 2;
  }
  const plantedBug = planted.bug;
  let scenarios;
  try {
    scenarios = await loadScenarios(paths);
  } catch (error) {
    if (error instanceof ScenarioLoadError) {
      process.stderr.write(`sticksim: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const seeds = parseSeeds(options);
  if (typeof seeds === 'string') {
    process.stderr.write(`sticksim: ${seeds}\n`);
    return 2;
  }
  if (options.policy !== undefined && options.policy !== 'all' && !POLICIES.includes(options.policy as MergePolicyName)) {
    process.stderr.write(`sticksim: unknown policy '${options.policy}' (haproxy, aggregate, max, all)\n`);
    return 2;
  }
  let shard;
  try {
    shard = parseShardOption(options.shard, { env: process.env, ...(options.shardTotal === undefined ? {} : { shardTotal: options.shardTotal }) });
  } catch (error) {
    if (!(error instanceof ShardError)) throw error;
    process.stderr.write(`sticksim run: ${error.message}\n`);
    return 2;
  }
  const versions: readonly HaproxyVersion[] = options.haproxy ?? ['2.6'];
  const allJobs: { s: (typeof scenarios)[number]; seed: string; policy: MergePolicyName; haproxy: HaproxyVersion }[] = [];
  for (const s of scenarios) {
    const policies =
      options.policy === 'all' ? POLICIES : options.policy !== undefined ? [options.policy as MergePolicyName] : (s.spec.policies ?? ['haproxy']);
    for (const seed of seeds) for (const policy of policies) for (const haproxy of versions) allJobs.push({ s, seed, policy, haproxy });
  }
  const jobs = shardItems(allJobs, shard);
  const shardNote = shard === undefined ? `${jobs.length} run(s)` : `shard ${describeShard(shard)}: ${jobs.length} of ${allJobs.length} run(s)`;
  process.stdout.write(`sticksim run: ${scenarios.length} scenario(s), seeds ${describeSeeds(seeds)}, ${shardNote}${plantedBug === undefined ? '' : `, planted bug ${plantedBug}`}\n`);
  const coverage: Record<string, number> = {};
  const traceFor = tracePlanner(options.trace, jobs.length);
  const runs: ScenarioRunResult[] = [];
  const streamsByRun = new Map<ScenarioRunResult, { name: string; seed: string }[]>();
  const tty = process.stderr.isTTY === true;
  for (const [i, job] of jobs.entries()) {
    if (tty) process.stderr.write(`\r[${i + 1}/${jobs.length}] ${job.s.spec.name} seed=${job.seed} policy=${job.policy} haproxy=${job.haproxy}\x1b[K`);
    try {
      const tracePath = traceFor(job.s.spec.name, job.seed, job.policy, job.haproxy);
      const { result, streams, marks } = runScenario(job.s.spec, {
        seed: job.seed,
        policy: job.policy,
        haproxy: job.haproxy,
        scenarioRef: job.s.ref,
        wallMs: () => performance.now(),
        plantedBug,
        ...(tracePath === undefined ? {} : { tracePath }),
      });
      runs.push(result);
      streamsByRun.set(result, streams);
      for (const [mark, count] of marks) coverage[mark] = (coverage[mark] ?? 0) + count;
    } catch (error) {
      if (error instanceof ScenarioConfigError) {
        process.stderr.write(`\nsticksim: ${job.s.ref}: configuration error:\n${error.message}\n`);
        return 2;
      }
      // A mistake in the scenario's script (an unknown host or table, a throw): one line, its place.
      const line = scenarioErrorLine(error, job.s);
      if (line !== undefined) {
        process.stderr.write(`${tty ? '\n' : ''}sticksim: ${line}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const suite: SuiteResult = { rootSeed: seeds.join(','), runs };
  process.stdout.write(summaryTable(runs, versions.length > 1 || versions[0] !== '2.6'));
  const failed = runs.filter((r) => !r.passed);
  for (const r of failed) {
    process.stdout.write(`\nFAILED ${r.scenario} (seed ${r.seed}, policy ${r.policy}, haproxy ${r.haproxy ?? '2.6'})\n`);
    for (const e of r.expectations.filter((x) => !x.passed)) process.stdout.write(`  ✗ ${e.name}: ${e.message}\n`);
    process.stdout.write(`  reproduce: ${r.reproduce}\n`);
    const streams = streamsByRun.get(r) ?? [];
    process.stdout.write(`  streams from root seed ${r.seed}: ${streams.map((x) => `${x.name}=${x.seed}`).join(' ')}\n`);
  }
  const work = workOptions({
    paths: paths.join(' '),
    seed: options.seeds === undefined ? (options.seed ?? '1') : undefined,
    seeds: options.seeds,
    policy: options.policy,
    plantedBug,
    ...(options.haproxy === undefined ? {} : { haproxy: versions.join(',') }),
  });
  const described = provenance({ command: 'run', work, shard, workTotal: allJobs.length, workIndices: runs.map((_, j) => workIndexOf(j, shard)), coverage });
  const written = await writeReports(suite, { junitPath: options.junit, reportDir: options.report, provenance: described });
  for (const path of written) process.stdout.write(`written: ${path}\n`);
  if (runs.length === 1) {
    const only = runs[0]!;
    const streams = streamsByRun.get(only) ?? [];
    process.stdout.write(`streams from root seed ${only.seed}: ${streams.map((x) => `${x.name}=${x.seed}`).join(' ')}\n`);
    process.stdout.write(`fingerprint ${only.fingerprint}${only.traceHash === '' ? '' : `, trace sha256 ${only.traceHash}`}\n`);
  }
  process.stdout.write(`\n${runs.length - failed.length} passed, ${failed.length} failed\n`);
  return failed.length === 0 ? 0 : 1;
}

function parseSeeds(options: RunCliOptions): string[] | string {
  if (options.seeds === undefined) return [options.seed ?? '1'];
  const m = /^(\d+)\.\.(\d+)$/.exec(options.seeds);
  if (m === null) return `--seeds takes A..B with integers (got '${options.seeds}')`;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (b < a || b - a + 1 > SEEDS_MAX) return `--seeds ${options.seeds}: B >= A and at most ${SEEDS_MAX} seeds`;
  return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
}

function describeSeeds(seeds: readonly string[]): string {
  return seeds.length <= 3 ? seeds.join(', ') : `${seeds[0]}..${seeds[seeds.length - 1]} (${seeds.length})`;
}

/** A file for one run, a directory of `<scenario>[-<policy>][-<haproxy>].<seed>.jsonl` for several. */
function tracePlanner(trace: string | undefined, runCount: number): (name: string, seed: string, policy: string, haproxy: string) => string | undefined {
  if (trace === undefined) return () => undefined;
  if (runCount === 1 && trace.endsWith('.jsonl')) return () => trace;
  mkdirSync(trace, { recursive: true });
  return (name, seed, policy, haproxy) =>
    join(trace, `${name}${policy === 'haproxy' ? '' : `-${policy}`}${haproxy === '2.6' ? '' : `-${haproxy}`}.${seed.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
}

function summaryTable(runs: readonly ScenarioRunResult[], withHaproxy: boolean): string {
  const rows = runs.map((r) => [
    r.passed ? 'pass' : 'FAIL',
    r.scenario,
    r.policy,
    ...(withHaproxy ? [r.haproxy ?? '2.6'] : []),
    r.seed,
    `${r.expectations.filter((e) => e.passed).length}/${r.expectations.length}`,
    Object.entries(r.figures)
      .slice(0, 3)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? `{${formatFigureValue(v)}}` : v}`)
      .join(' '),
  ]);
  const head = ['result', 'scenario', 'policy', ...(withHaproxy ? ['haproxy'] : []), 'seed', 'checks', 'figures'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return '\n' + line(head) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}

export { writeFileSync };
