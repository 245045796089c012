/**
 * `sticksim fuzz [SCENARIO] [--config haproxy.cfg] --runs N [--seed S] [--workers K] [--plant-bug NAME]`: swarm runs
 * of generated clusters, traffic and fault schedules across worker processes; stops at the first
 * violated property, shrinks the fault schedule, writes it under scenarios/regressions/, prints
 * the one command that replays it and the coverage marks never hit. Exit 1 on a failure.
 * `--for 10m` runs seeds until the time is up; `--seed-offset O` starts at seed index O;
 * `--shard i/N` runs every N-th seed index (cli/fuzz-campaign.ts); `--report DIR` writes
 * results.json (merged across shards by `sticksim report --merge`) and the reports.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { junitFromCampaign, writeFuzzReports } from '../../reports/fuzz-report.ts';
import { RESULTS_FILE_NAME, writeResultsDocument } from '../../reports/results-file.ts';
import type { FuzzCampaignResult } from '../../scenarios/fuzz/campaign-result.ts';
import { campaignResult, failureRecord, fuzzPlan, fuzzReproduceCommand, seedSetLines, type FuzzPlan } from '../fuzz-campaign.ts';
import { provenance, workOptions } from '../provenance.ts';
import { describeShard, parseShardOption, ShardError, type Shard } from '../shard.ts';
import type { Command } from 'commander';
import { describeFault } from '../../scenarios/fuzz/schedule.ts';
import { fuzz, RUNS_MAX, WORKERS_MAX, WorkerFailedError, type FuzzResult } from '../../scenarios/fuzz/fuzzer.ts';
import { CoverageTally } from '../../scenarios/fuzz/coverage.ts';
import type { GeneratorOptions } from '../../scenarios/fuzz/generator.ts';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import { PLANT_BUG_HELP, plantedBugOption } from '../plant-bug-option.ts';
import { writeRegression } from '../../scenarios/fuzz/regression-writer.ts';
import { loadScenarios, ScenarioLoadError } from '../../scenarios/suite.ts';
import { generatorOptionsFromConfig, FuzzConfigError } from '../../scenarios/fuzz/from-config.ts';
import { HAPROXY_OPTION_HELP, haproxyListOption } from '../options.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

interface FuzzCliOptions {
  config?: string;
  runs?: string;
  for?: string;
  seedOffset?: string;
  shard?: string;
  shardTotal?: string;
  report?: string;
  seed: string;
  workers: string;
  out?: string;
  junit?: string;
  plantBug?: string;
  haproxy?: HaproxyVersion[];
}

export function registerFuzzCommand(program: Command): void {
  program
    .command('fuzz')
    .description('generate clusters, traffic and fault schedules; find, shrink and save a property violation')
    .argument('[scenario]', 'take the cluster (node count, table) from this scenario')
    .option('--config <file>', 'take the cluster (peers, table) from this haproxy.cfg')
    .option('--runs <n>', 'number of runs (default 1000; with --for: at most this many)')
    .option('--for <duration>', 'run seeds until this much time has passed (500ms, 90s, 10m, 2h): which seeds ran then depends on time')
    .option('--seed-offset <n>', 'start at seed index n (a next campaign that repeats none of the last one)', '0')
    .option('--shard <i/N|auto>', 'run every N-th seed index from the i-th (auto: from CI_NODE_INDEX, BUILDKITE_PARALLEL_JOB or JOB_COMPLETION_INDEX)')
    .option('--shard-total <n>', 'with --shard auto in a Kubernetes Indexed Job: the number of completions')
    .option('--report <dir>', 'write results.json (for `sticksim report --merge`), junit.xml, summary.md and report.html into this directory')
    .option('--seed <seed>', 'root seed (run i uses <seed>-<i>)', '1')
    .option('--workers <k>', 'run the cases in k worker processes (1: in this process)', '1')
    .option('--out <dir>', 'where the regression is written (default scenarios/regressions)')
    .option('--haproxy <version>', `${HAPROXY_OPTION_HELP}, or all (each case draws one; the line is part of the case)`, haproxyListOption)
    .option('--junit <file>', 'write JUnit XML: one test case per property (the failing one with its replay command)')
    .option('--plant-bug <name>', PLANT_BUG_HELP)
    .action(async (scenario: string | undefined, options: FuzzCliOptions) => {
      process.exitCode = await fuzzCommand(scenario, options);
    });
}

async function fuzzCommand(scenario: string | undefined, options: FuzzCliOptions): Promise<number> {
  const workers = Number(options.workers);
  let shard: Shard | undefined;
  let plan: FuzzPlan;
  try {
    shard = parseShardOption(options.shard, { env: process.env, ...(options.shardTotal === undefined ? {} : { shardTotal: options.shardTotal }) });
    plan = fuzzPlan({ runs: options.runs, forText: options.for, seedOffset: options.seedOffset, shard, runsMax: RUNS_MAX });
  } catch (error) {
    if (error instanceof ShardError) return usage(error.message);
    throw error;
  }
  const runs = plan.runs;
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > WORKERS_MAX) return usage(`--workers takes an integer from 1 to ${WORKERS_MAX} (got '${options.workers}')`);
  const planted = plantedBugOption(options.plantBug, process.env);
  if ('error' in planted) return usage(planted.error);
  const plantedBug = planted.bug;
  let generator: GeneratorOptions | undefined;
  try {
    generator = await generatorFrom(scenario, options.config);
    if (options.haproxy !== undefined) generator = { ...generator, haproxy: options.haproxy };
  } catch (error) {
    if (error instanceof FuzzConfigError || error instanceof ScenarioLoadError) return usage(error.message);
    throw error;
  }
  const shardNote = shard === undefined ? '' : `, shard ${describeShard(shard)} (every ${shard.total}th seed index from ${plan.firstIndex})`;
  const forNote = plan.forMs === undefined ? '' : `, for ${options.for} (the seeds run will depend on time)`;
  const runsNote = plan.forMs === undefined || options.runs !== undefined ? `${runs} run(s)` : 'runs until the time is up';
  const offsetNote = plan.seedOffset === 0 ? '' : `, seed offset ${plan.seedOffset}`;
  process.stdout.write(`sticksim fuzz: ${runsNote}, seed ${options.seed}${offsetNote}${shardNote}${forNote}, ${workers} worker(s)${plantedBug ? `, planted bug ${plantedBug}` : ''}\n`);
  // The clock stays here in cli/: the fuzzer only asks whether to stop.
  const deadlineMs = plan.forMs === undefined ? undefined : performance.now() + plan.forMs;
  const progress = new Progress(plan.forMs === undefined ? runs : undefined);
  let result: FuzzResult;
  try {
    result =
      runs === 0
        ? emptyResult()
        : await fuzz({
            runs,
            rootSeed: options.seed,
            workers,
            firstIndex: plan.firstIndex,
            indexStride: plan.indexStride,
            ...(deadlineMs === undefined ? {} : { shouldStop: () => performance.now() >= deadlineMs }),
            ...(generator === undefined ? {} : { generator }),
            plantedBug,
            onProgress: (n) => progress.update(n),
          });
  } catch (error) {
    if (!(error instanceof WorkerFailedError)) throw error;
    process.stderr.write(`\nsticksim fuzz: ${error.message}\n`);
    return 1;
  }
  progress.done(result.runsDone);
  const reproduce =
    result.failure === undefined
      ? undefined
      : fuzzReproduceCommand({ scenario, config: options.config, seed: options.seed, index: result.failure.index, plantedBug, haproxy: result.failure.original.haproxy });
  const { code, regression } = report(result, { plantedBug, reproduce, out: options.out });
  const failure = result.failure === undefined || reproduce === undefined ? undefined : failureRecord(result.failure, { reproduce, regression });
  const campaign = campaignResult(result, { rootSeed: options.seed, plan, failure });
  for (const line of seedSetLines({ campaign, plan, shard, stoppedEarly: result.stoppedEarly, seed: options.seed })) process.stdout.write(`${line}\n`);
  if (failure !== undefined) process.stdout.write(`reproduce: ${failure.reproduce}\n`);
  if (options.junit !== undefined) writeJunit(options.junit, campaign);
  if (options.report !== undefined) {
    const work = workOptions({ scenario, config: options.config, seed: options.seed, runs: options.runs, for: options.for, 'seed-offset': String(plan.seedOffset), plantedBug });
    const described = provenance({ command: 'fuzz', work, shard, workTotal: plan.workTotal, coverage: Object.fromEntries(result.coverage.counts) });
    const resultsPath = join(options.report, RESULTS_FILE_NAME);
    const written = writeFuzzReports({ campaign, coverage: described.coverage, outDir: options.report });
    writeResultsDocument(resultsPath, { suite: { rootSeed: options.seed, runs: [] }, provenance: described, fuzz: campaign });
    for (const path of [resultsPath, written.junitPath, written.markdownPath, written.htmlPath]) process.stdout.write(`written: ${path}\n`);
  }
  return code;
}

function emptyResult(): FuzzResult {
  return { runsDone: 0, indices: [], stoppedEarly: false, plantedBug: undefined, failure: undefined, coverage: new CoverageTally() };
}

/** One JUnit test case per property: each held over every run, or failed with its reproduce command. */
function writeJunit(path: string, campaign: FuzzCampaignResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, junitFromCampaign(campaign));
  process.stdout.write(`written: ${path}\n`);
}

async function generatorFrom(scenario: string | undefined, config: string | undefined): Promise<GeneratorOptions | undefined> {
  if (config !== undefined) {
    let text: string;
    try {
      text = readFileSync(config, 'utf8');
    } catch {
      throw new FuzzConfigError(`${config}: cannot read the file`);
    }
    return generatorOptionsFromConfig(text, config);
  }
  if (scenario === undefined) return undefined;
  const [loaded] = await loadScenarios([scenario]);
  const spec = loaded!.spec;
  const text = spec.hosts[0]?.config ?? spec.config;
  if (text === undefined) throw new FuzzConfigError(`${scenario}: the scenario has no configuration`);
  return { ...generatorOptionsFromConfig(text, scenario), nodes: Math.min(5, Math.max(2, spec.hosts.length)) };
}

function report(
  result: FuzzResult,
  o: { plantedBug: PlantedBug | undefined; reproduce: string | undefined; out: string | undefined },
): { code: number; regression: { path: string; command: string } | undefined } {
  const f = result.failure;
  if (f === undefined) {
    process.stdout.write(`\n${result.runsDone} passed, 0 failed\n${result.coverage.describe()}\n`);
    return { code: 0, regression: undefined };
  }
  process.stdout.write(`\nFAILED run ${f.index} (seed ${f.seed}): ${f.property}\n  ${f.message}\n`);
  process.stdout.write(`shrunk in ${f.shrinkRuns} run(s): ${f.original.faults.length} → ${f.shrunk.faults.length} fault(s), ${f.original.nodes.length} → ${f.shrunk.nodes.length} node(s)\n`);
  for (const fault of f.shrunk.faults) process.stdout.write(`  ${describeFault(fault)}\n`);
  process.stdout.write(`  ${f.shrunkMessage}\n`);
  const written = writeRegression(
    {
      case: f.shrunk,
      seed: f.seed,
      property: f.property,
      message: f.shrunkMessage,
      plantedBug: o.plantedBug,
      // The one command that runs exactly this case again (a campaign with an offset or shards ran other indices).
      foundBy: `\`${o.reproduce ?? ''}\` (run ${f.index})`,
    },
    o.out === undefined ? {} : { dir: o.out },
  );
  process.stdout.write(`written: ${written.path}\nreplay: ${written.command}\n${result.coverage.describe()}\n`);
  process.stdout.write(`\n${result.runsDone - 1} passed, 1 failed\n`);
  return { code: 1, regression: written };
}

function usage(message: string): number {
  process.stderr.write(`sticksim fuzz: ${message}\n`);
  return 2;
}

/** A progress bar with runs/s on a TTY; a plain line every 10% otherwise (every 1,000 runs without a total). */
class Progress {
  private readonly startMs = performance.now();
  private readonly tty = process.stderr.isTTY === true;
  private lastDecile = 0;

  constructor(private readonly total: number | undefined) {}

  update(done: number): void {
    const rate = done / Math.max(0.001, (performance.now() - this.startMs) / 1000);
    if (this.total === undefined) {
      if (this.tty) process.stderr.write(`\r${done} runs ${rate.toFixed(1)} runs/s\x1b[K`);
      else if (done % 1000 === 0) process.stderr.write(`${done} runs, ${rate.toFixed(1)} runs/s\n`);
      return;
    }
    if (this.tty) {
      const width = 30;
      const filled = Math.round((done / this.total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${rate.toFixed(1)} runs/s\x1b[K`);
      return;
    }
    const decile = Math.floor((done * 10) / this.total);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      process.stderr.write(`${done}/${this.total} runs, ${rate.toFixed(1)} runs/s\n`);
    }
  }

  done(done: number): void {
    const seconds = (performance.now() - this.startMs) / 1000;
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${done} run(s) in ${seconds.toFixed(1)} s (${(done / Math.max(0.001, seconds)).toFixed(1)} runs/s)\n`);
  }
}
