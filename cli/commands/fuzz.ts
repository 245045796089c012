/**
 * `sticksim fuzz [SCENARIO] [--config haproxy.cfg] --runs N [--seed S] [--workers K] [--plant-bug NAME]`: swarm runs
 * of generated clusters, traffic and fault schedules across worker processes; stops at the first
 * violated property, shrinks the fault schedule, writes it under scenarios/regressions/, prints
 * the one command that replays it and the coverage marks never hit. Exit 1 on a failure.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { junitFromProperties, type PropertyResult } from '../../reports/junit.ts';
import { PROPERTY_NAMES } from '../../scenarios/fuzz/properties.ts';
import type { Command } from 'commander';
import { describeFault } from '../../scenarios/fuzz/schedule.ts';
import { fuzz, RUNS_MAX, WORKERS_MAX, WorkerFailedError, type FuzzResult } from '../../scenarios/fuzz/fuzzer.ts';
import type { GeneratorOptions } from '../../scenarios/fuzz/generator.ts';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import { PLANT_BUG_HELP, plantedBugOption } from '../plant-bug-option.ts';
import { writeRegression } from '../../scenarios/fuzz/regression-writer.ts';
import { loadScenarios, ScenarioLoadError } from '../../scenarios/suite.ts';
import { generatorOptionsFromConfig, FuzzConfigError } from '../../scenarios/fuzz/from-config.ts';

interface FuzzCliOptions {
  config?: string;
  runs: string;
  seed: string;
  workers: string;
  out?: string;
  junit?: string;
  plantBug?: string;
}

export function registerFuzzCommand(program: Command): void {
  program
    .command('fuzz')
    .description('generate clusters, traffic and fault schedules; find, shrink and save a property violation')
    .argument('[scenario]', 'take the cluster (node count, table) from this scenario')
    .option('--config <file>', 'take the cluster (peers, table) from this haproxy.cfg')
    .option('--runs <n>', 'number of runs', '1000')
    .option('--seed <seed>', 'root seed (run i uses <seed>-<i>)', '1')
    .option('--workers <k>', 'run the cases in k worker processes (1: in this process)', '1')
    .option('--out <dir>', 'where the regression is written (default scenarios/regressions)')
    .option('--junit <file>', 'write JUnit XML: one test case per property (the failing one with its replay command)')
    .option('--plant-bug <name>', PLANT_BUG_HELP)
    .action(async (scenario: string | undefined, options: FuzzCliOptions) => {
      process.exitCode = await fuzzCommand(scenario, options);
    });
}

async function fuzzCommand(scenario: string | undefined, options: FuzzCliOptions): Promise<number> {
  const runs = Number(options.runs);
  const workers = Number(options.workers);
  if (!Number.isSafeInteger(runs) || runs < 1 || runs > RUNS_MAX) return usage(`--runs takes an integer from 1 to ${RUNS_MAX} (got '${options.runs}')`);
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > WORKERS_MAX) return usage(`--workers takes an integer from 1 to ${WORKERS_MAX} (got '${options.workers}')`);
  const planted = plantedBugOption(options.plantBug, process.env);
  if ('error' in planted) return usage(planted.error);
  const plantedBug = planted.bug;
  let generator: GeneratorOptions | undefined;
  try {
    generator = await generatorFrom(scenario, options.config);
  } catch (error) {
    if (error instanceof FuzzConfigError || error instanceof ScenarioLoadError) return usage(error.message);
    throw error;
  }
  process.stdout.write(`sticksim fuzz: ${runs} run(s), seed ${options.seed}, ${workers} worker(s)${plantedBug ? `, planted bug ${plantedBug}` : ''}\n`);
  const progress = new Progress(runs);
  let result: FuzzResult;
  try {
    result = await fuzz({ runs, rootSeed: options.seed, workers, ...(generator === undefined ? {} : { generator }), plantedBug, onProgress: (n) => progress.update(n) });
  } catch (error) {
    if (!(error instanceof WorkerFailedError)) throw error;
    process.stderr.write(`\nsticksim fuzz: ${error.message}\n`);
    return 1;
  }
  progress.done(result.runsDone);
  const code = report(result, { plantedBug, seed: options.seed, runs, out: options.out });
  if (options.junit !== undefined) writeJunit(options.junit, result, { seed: options.seed, runs, plantedBug });
  return code;
}

/** One JUnit test case per property: each held over every run, or failed with its replay. */
function writeJunit(path: string, result: FuzzResult, o: { seed: string; runs: number; plantedBug: PlantedBug | undefined }): void {
  const failure = result.failure;
  const bug = plantedBugSuffix(o.plantedBug);
  const named = o.plantedBug === undefined ? '' : `, planted bug ${o.plantedBug}`;
  const results: PropertyResult[] = PROPERTY_NAMES.map((name) => {
    if (failure !== undefined && failure.property === name) {
      return { name, passed: false, message: `${failure.shrunkMessage} (run ${failure.index}, seed ${failure.seed}${named})`, seed: o.seed, runs: result.runsDone, reproduce: `npx sticksim fuzz --runs ${o.runs} --seed ${o.seed}${bug}` };
    }
    return { name, passed: true, message: `held in ${result.runsDone} run(s)${named}`, seed: o.seed, runs: result.runsDone };
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, junitFromProperties(results, { name: o.plantedBug === undefined ? 'sticksim fuzz' : `sticksim fuzz --plant-bug ${o.plantedBug}`, suiteName: 'fuzz properties' }));
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

/** ` --plant-bug NAME` on a replay command, or nothing. */
function plantedBugSuffix(bug: PlantedBug | undefined): string {
  return bug === undefined ? '' : ` --plant-bug ${bug}`;
}

function report(result: FuzzResult, o: { plantedBug: PlantedBug | undefined; seed: string; runs: number; out: string | undefined }): number {
  const f = result.failure;
  if (f === undefined) {
    process.stdout.write(`\n${result.runsDone} passed, 0 failed\n${result.coverage.describe()}\n`);
    return 0;
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
      foundBy: `\`sticksim fuzz --runs ${o.runs} --seed ${o.seed}${plantedBugSuffix(o.plantedBug)}\` (run ${f.index})`,
    },
    o.out === undefined ? {} : { dir: o.out },
  );
  process.stdout.write(`written: ${written.path}\nreplay: ${written.command}\n${result.coverage.describe()}\n`);
  process.stdout.write(`\n${result.runsDone - 1} passed, 1 failed\n`);
  return 1;
}

function usage(message: string): number {
  process.stderr.write(`sticksim fuzz: ${message}\n`);
  return 2;
}

/** A progress bar with runs/s on a TTY; a plain line every 10% otherwise. */
class Progress {
  private readonly startMs = performance.now();
  private readonly tty = process.stderr.isTTY === true;
  private lastDecile = 0;

  constructor(private readonly total: number) {}

  update(done: number): void {
    const rate = done / Math.max(0.001, (performance.now() - this.startMs) / 1000);
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
