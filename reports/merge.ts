/**
 * `sticksim report --merge`: the results files of the shards of one run or fuzz campaign become
 * the results of the unsharded one — runs back in work-list order, seeds and failures together,
 * coverage counts added (so "never hit" is over the union). Shards that do not belong together
 * (another sticksim version, another command or work list, another shard count, a shard twice or
 * missing, a work item run twice or never) are refused with a message naming both files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compressIndices, expandIndices, type FuzzCampaignResult, type FuzzFailureRecord } from '../scenarios/fuzz/campaign-result.ts';
import type { ScenarioRunResult, SuiteResult } from '../scenarios/results.ts';
import { addCoverage } from './coverage-summary.ts';
import { ReportInputError } from './input-error.ts';
import { readResultsDocument, RESULTS_FILE_NAME, type ResultsDocument, type ResultsProvenance } from './results-file.ts';

export interface ShardFile {
  readonly file: string;
  readonly doc: ResultsDocument;
}

export interface MergedResults {
  /** The unsharded campaign's description (no shard, no per-run work indices). */
  readonly provenance: ResultsProvenance;
  readonly suite: SuiteResult;
  readonly fuzz?: FuzzCampaignResult;
  readonly shards: number;
}

/** How deep under a directory results files are looked for (artifact folders nest). */
const SEARCH_DEPTH_MAX = 4;
export const MERGE_FILES_MAX = 100_000;

function searchDirectory(dir: string, depth: number, out: string[]): void {
  const direct = join(dir, RESULTS_FILE_NAME);
  if (existsSync(direct)) {
    out.push(direct);
    return;
  }
  if (depth >= SEARCH_DEPTH_MAX) return;
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const name of entries) searchDirectory(join(dir, name), depth + 1, out);
}

/** Files as given; directories: their results.json, else those of their subdirectories (sorted). */
export function findResultsFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw new ReportInputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!isDirectory) {
      out.push(path);
      continue;
    }
    const found: string[] = [];
    searchDirectory(path, 0, found);
    if (found.length === 0) throw new ReportInputError(path, undefined, `no ${RESULTS_FILE_NAME} in this directory or below it`);
    out.push(...found);
  }
  if (out.length > MERGE_FILES_MAX) throw new ReportInputError(paths[0] ?? '.', undefined, `more than ${MERGE_FILES_MAX} results files`);
  const unique = [...new Set(out.map((file) => resolve(file)))];
  return unique;
}

export function readShardFiles(paths: readonly string[]): ShardFile[] {
  return findResultsFiles(paths).map((file) => ({ file, doc: readResultsDocument(file) }));
}

/** `sticksim run --seeds 1..6 --policy all` — how a work list is named in messages. */
export function describeWork(p: ResultsProvenance): string {
  const words = [`sticksim ${p.command}`];
  for (const key of Object.keys(p.work).sort()) words.push(key === 'paths' || key === 'scenario' ? p.work[key]! : `--${key} ${p.work[key]!}`);
  return words.filter((word) => word !== '').join(' ');
}

function sameWork(a: ResultsProvenance, b: ResultsProvenance): boolean {
  if (a.command !== b.command) return false;
  const keys = new Set([...Object.keys(a.work), ...Object.keys(b.work)]);
  for (const key of keys) if (a.work[key] !== b.work[key]) return false;
  return true;
}

function shardName(p: ResultsProvenance): string {
  return p.shard === undefined ? 'unsharded' : `shard ${p.shard.index}/${p.shard.total}`;
}

interface Described {
  readonly file: string;
  readonly doc: ResultsDocument;
  readonly p: ResultsProvenance;
}

/** Checks that the files are the shards of one campaign, each once, none missing. */
function checkTogether(shards: readonly ShardFile[]): Described[] {
  if (shards.length === 0) throw new ReportInputError('--merge', undefined, 'no results files given');
  const described = shards.map(({ file, doc }): Described => {
    if (doc.provenance === undefined) throw new ReportInputError(file, undefined, 'does not say which sticksim command wrote it (written by an older sticksim, or not by run/fuzz --report); it cannot be merged');
    return { file, doc, p: doc.provenance };
  });
  const first = described[0]!;
  for (const other of described.slice(1)) {
    if (other.p.sticksimVersion !== first.p.sticksimVersion) {
      throw new ReportInputError(other.file, undefined, `written by sticksim ${other.p.sticksimVersion}, but ${first.file} by sticksim ${first.p.sticksimVersion}: shards of different versions are not merged`);
    }
    if (!sameWork(first.p, other.p)) {
      throw new ReportInputError(other.file, undefined, `ran '${describeWork(other.p)}', but ${first.file} ran '${describeWork(first.p)}': shards of different commands are not merged`);
    }
    if ((other.p.shard?.total ?? 1) !== (first.p.shard?.total ?? 1) || other.p.workTotal !== first.p.workTotal) {
      throw new ReportInputError(other.file, undefined, `is ${shardName(other.p)} of ${other.p.workTotal ?? 'a time-bound'} item(s), but ${first.file} is ${shardName(first.p)} of ${first.p.workTotal ?? 'a time-bound'}: not shards of one split`);
    }
  }
  const total = first.p.shard?.total ?? 1;
  const byIndex = new Map<number, string>();
  for (const d of described) {
    const index = d.p.shard?.index ?? 1;
    const seen = byIndex.get(index);
    if (seen !== undefined) throw new ReportInputError(d.file, undefined, `is ${shardName(d.p)}, and so is ${seen}: a shard given twice`);
    byIndex.set(index, d.file);
  }
  const missing = Array.from({ length: total }, (_, k) => k + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', …' : '');
    throw new ReportInputError(first.file, undefined, `shard(s) ${shown} of ${total} missing: ${missing.length} of ${total} results file(s) not given`);
  }
  return described.sort((a, b) => (a.p.shard?.index ?? 1) - (b.p.shard?.index ?? 1));
}

function mergeRuns(described: readonly Described[], workTotal: number): ScenarioRunResult[] {
  const slots: (ScenarioRunResult | undefined)[] = new Array<ScenarioRunResult | undefined>(workTotal).fill(undefined);
  const from: (string | undefined)[] = new Array<string | undefined>(workTotal).fill(undefined);
  for (const d of described) {
    const indices = d.p.workIndices ?? d.doc.suite.runs.map((_, j) => j);
    d.doc.suite.runs.forEach((run, j) => {
      const k = indices[j]!;
      if (k >= workTotal) throw new ReportInputError(d.file, undefined, `workIndices[${j}] is ${k}, beyond the ${workTotal} item(s) of the work list`);
      if (from[k] !== undefined) throw new ReportInputError(d.file, undefined, `work item ${k} (${run.scenario}, seed ${run.seed}, policy ${run.policy}) also ran in ${from[k]}`);
      slots[k] = run;
      from[k] = d.file;
    });
  }
  const never = slots.findIndex((run) => run === undefined);
  if (never !== -1) throw new ReportInputError(described[0]!.file, undefined, `work item ${never} of ${workTotal} ran in no shard (a shard stopped early?)`);
  return slots as ScenarioRunResult[];
}

function mergeFuzz(described: readonly Described[], workTotal: number | undefined): FuzzCampaignResult {
  const owner = new Map<number, string>();
  const failures: FuzzFailureRecord[] = [];
  let runsDone = 0;
  let timeBound = false;
  const first = described[0]!;
  for (const d of described) {
    const campaign = d.doc.fuzz;
    if (campaign === undefined) throw new ReportInputError(d.file, undefined, "says command 'fuzz' but has no fuzz section");
    for (const index of expandIndices(campaign.indexRuns, campaign.indexStride)) {
      const seen = owner.get(index);
      if (seen !== undefined) throw new ReportInputError(d.file, undefined, `seed index ${index} also ran in ${seen}`);
      owner.set(index, d.file);
    }
    runsDone += campaign.runsDone;
    timeBound ||= campaign.timeBound;
    failures.push(...campaign.failures);
  }
  // A shard that stopped at a failure ran fewer seeds than its share; every other seed must be there.
  const stoppedAtFailure = described.some((d) => (d.doc.fuzz?.failures.length ?? 0) > 0);
  if (workTotal !== undefined && !stoppedAtFailure && owner.size !== workTotal) {
    throw new ReportInputError(first.file, undefined, `the shards ran ${owner.size} seed(s) of the campaign's ${workTotal}`);
  }
  const indices = [...owner.keys()].sort((a, b) => a - b);
  failures.sort((a, b) => a.index - b.index);
  const base = first.doc.fuzz!;
  // Shards with different planted bugs never get here (the bug is a work option).
  const bug = base.plantedBug === undefined ? {} : { plantedBug: base.plantedBug };
  return { rootSeed: base.rootSeed, indexRuns: compressIndices(indices, 1), indexStride: 1, runsDone, timeBound, properties: base.properties, failures, ...bug };
}

/** The unsharded campaign's results; throws ReportInputError when the files do not belong together. */
export function mergeShards(shards: readonly ShardFile[]): MergedResults {
  const described = checkTogether(shards);
  const first = described[0]!;
  const coverage: Record<string, number> = {};
  for (const d of described) addCoverage(coverage, d.p.coverage);
  const unsharded: ResultsProvenance = { sticksimVersion: first.p.sticksimVersion, command: first.p.command, work: first.p.work, shard: undefined, workTotal: first.p.workTotal, coverage };
  if (first.p.command === 'fuzz') {
    const fuzz = mergeFuzz(described, first.p.workTotal);
    return { provenance: unsharded, suite: { rootSeed: first.doc.suite.rootSeed, runs: [] }, fuzz, shards: described.length };
  }
  const workTotal = first.p.workTotal ?? described.reduce((n, d) => n + d.doc.suite.runs.length, 0);
  const runs = mergeRuns(described, workTotal);
  return { provenance: unsharded, suite: { rootSeed: first.doc.suite.rootSeed, runs }, shards: described.length };
}
