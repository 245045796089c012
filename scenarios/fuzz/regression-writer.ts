/**
 * Writes a shrunk failing case as a readable scenario file (default-exporting `scenario({...})`)
 * that `sticksim run <file> --seed S [--plant-bug NAME]` replays, and says the one command that
 * does. The file also exports `regression` (the seed it was found with, and the planted bug if
 * any): the corpus test replays each file at that seed (regression-corpus.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { FuzzCase } from './case.ts';
import { convergenceBound } from './bound.ts';
import { describeFault } from './schedule.ts';

const FUZZ_DIR = dirname(fileURLToPath(import.meta.url));
export const REGRESSIONS_DIR = join(FUZZ_DIR, '..', 'regressions');

export interface Regression {
  case: FuzzCase;
  seed: string;
  property: string;
  message: string;
  plantedBug: PlantedBug | undefined;
  /** Where the case came from, for the header (e.g. `sticksim fuzz --runs 1000 --seed 7`, run 412). */
  foundBy: string;
}

export function regressionName(r: Pick<Regression, 'property' | 'seed'>): string {
  return `fuzz-${r.property}-${r.seed}`.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 100);
}

/** What a regression file exports beside its scenario: how to replay it. */
export interface RegressionRecord {
  /** The seed the case was found with (its runs draw their traffic and latencies from it). */
  seed: string;
  /** The planted bug it was found with (a testing aid): it fails only with that bug. */
  plantedBug?: PlantedBug;
}

export function replayCommand(path: string, r: Pick<Regression, 'seed' | 'plantedBug'>): string {
  const shown = relative(process.cwd(), path) || path;
  const bug = r.plantedBug === undefined ? '' : ` --plant-bug ${r.plantedBug}`;
  return `npx sticksim run ${shown} --seed ${quote(r.seed)}${bug}`;
}

/** Writes `<dir>/<name>.ts`; returns its path and the replay command. */
export function writeRegression(r: Regression, options: { dir?: string } = {}): { path: string; command: string } {
  const dir = resolve(options.dir ?? REGRESSIONS_DIR);
  mkdirSync(dir, { recursive: true });
  const name = regressionName(r);
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, renderRegression(r, name, dir));
  return { path, command: replayCommand(path, r) };
}

export function renderRegression(r: Regression, name: string, dir: string): string {
  let scenarios = relative(dir, join(FUZZ_DIR, '..')).split('\\').join('/');
  if (!scenarios.startsWith('.')) scenarios = scenarios === '' ? '.' : `./${scenarios}`;
  const bound = convergenceBound(r.case);
  const faults = r.case.faults.length === 0 ? [' *   (none)'] : r.case.faults.map((f) => ` *   ${describeFault(f)}`);
  const header = [
    '/**',
    ` * Regression found by ${r.foundBy}, shrunk to ${r.case.faults.length} fault(s).`,
    ` * Property violated: ${r.property} — ${r.message.replace(/\*\//g, '* /')}`,
    ` * Cluster: ${r.case.nodes.join(', ')} (${r.case.withPeers ? 'peers' : 'no peers'}, merge ${r.case.policy}), latency 1–${r.case.latencyMsMax} ms.`,
    ' * Fault schedule:',
    ...faults,
    ` * Convergence bound: quiet at ${bound.quietMs} ms, converged by ${bound.convergedByMs} ms (scenarios/fuzz/bound.ts).`,
    r.plantedBug === undefined
      ? ' * No planted bug: a real case.'
      : ` * PLANTED BUG EXAMPLE: found with --plant-bug ${r.plantedBug} (a testing aid); it fails only with that bug and passes on the correct engine.`,
    ' *',
    ` * Replay: ${replayCommand(join(dir, `${name}.ts`), r)}`,
    ' */',
  ];
  return `${header.join('\n')}
import { scenario } from '${scenarios}/dsl.ts';
import type { FuzzCase } from '${scenarios}/fuzz/case.ts';
import type { RegressionRecord } from '${scenarios}/fuzz/regression-writer.ts';
import { fuzzDurationMs, fuzzHosts, fuzzScript } from '${scenarios}/fuzz/scenario.ts';

const CASE: FuzzCase = ${JSON.stringify(r.case, null, 2)};

/** How the corpus test replays this file: at the seed it was found with${r.plantedBug === undefined ? '' : ', with its planted bug'}. */
export const regression: RegressionRecord = ${JSON.stringify(record(r))};

export default scenario({
  name: ${JSON.stringify(name)},
  title: ${JSON.stringify(`Fuzz regression: ${r.property}`)},
  lesson: ${JSON.stringify(`Shrunk fault schedule that violated ${r.property}.`)},
  hosts: fuzzHosts(CASE),
  durationMs: fuzzDurationMs(CASE),
  policies: [CASE.policy],
  // The properties read engine events: the script observes them.
  script: (s) => fuzzScript(s, CASE, (kind, fn) => s.observe(kind, fn)),
});
`;
}

function record(r: Regression): RegressionRecord {
  return r.plantedBug === undefined ? { seed: r.seed } : { seed: r.seed, plantedBug: r.plantedBug };
}

function quote(text: string): string {
  return /^[A-Za-z0-9._:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
