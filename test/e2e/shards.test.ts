/**
 * Issue 17's proof: a run or fuzz campaign split over shards (`--shard i/N`, one process each, as
 * CI machines would) and merged with `sticksim report --merge` gives what the unsharded one gives:
 * the same runs with the same outcomes and trace fingerprints, the same JUnit cases, the same
 * seeds each once, and every failure with the command that reproduces it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandIndices } from '../../scenarios/fuzz/campaign-result.ts';
import { parseResultsDocument, type ResultsDocument } from '../../reports/results-file.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sticksim.js');
const dir = mkdtempSync(join(tmpdir(), 'sticksim-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sticksim(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const base = { ...process.env };
  delete base['STICKSIM_PLANT_BUG'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...base, ...env }, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function results(path: string): ResultsDocument {
  return parseResultsDocument(readFileSync(path, 'utf8'), path);
}

/** JUnit without its wall-clock `time` attributes (the one thing that differs from run to run). */
function junitWithoutTimes(path: string): string {
  return readFileSync(path, 'utf8').replace(/ time="[0-9.]+"/g, '');
}

// A subset of the built-in suite (the whole of it × 6 seeds × 3 policies takes minutes of CPU):
// quick scenarios, one of which fails under the aggregate and max policies, so failures and their
// reproduce commands go through the merge too.
const SCENARIOS = ['reload-without-peers-loses-table', 'reload-keeps-table', 'peer-behind-nat', 'split-brain-session-survives', 'hard-restart-loses-table'];

describe('sticksim run --shard + report --merge', () => {
  it('3 shards of --seeds 1..6 --policy all merge into the unsharded run: runs, outcomes, fingerprints, JUnit cases', () => {
    const work = [...SCENARIOS, '--seeds', '1..6', '--policy', 'all'];
    const whole = sticksim(['run', ...work, '--report', join(dir, 'run-whole')]);
    expect(whole.status, whole.stderr).toBe(1); // split-brain-session-survives fails under aggregate and max
    for (const i of [1, 2, 3]) {
      const shard = sticksim(['run', ...work, '--shard', `${i}/3`, '--report', join(dir, 'run-shards', `shard-${i}`)]);
      expect(shard.status, shard.stderr).not.toBe(2);
      expect(shard.stdout).toContain(`shard ${i}/3: 30 of 90 run(s)`);
    }
    const merged = sticksim(['report', '--merge', join(dir, 'run-shards'), '--out', join(dir, 'run-merged')]);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('merged 3 shard(s)');

    const unsharded = results(join(dir, 'run-whole', 'results.json'));
    const fromShards = results(join(dir, 'run-merged', 'results.json'));
    const identity = (doc: ResultsDocument): string[] => doc.suite.runs.map((r) => `${r.scenario} ${r.policy} ${r.seed} ${r.passed} ${r.fingerprint}`);
    expect(unsharded.suite.runs).toHaveLength(SCENARIOS.length * 6 * 3);
    expect(unsharded.suite.runs.every((r) => /^fp3:[0-9a-f]{16}$/.test(r.fingerprint))).toBe(true);
    expect(unsharded.suite.runs.some((r) => !r.passed)).toBe(true);
    expect(identity(fromShards)).toEqual(identity(unsharded));
    const withoutWall = (doc: ResultsDocument): unknown[] => doc.suite.runs.map((r) => ({ ...r, wallMs: 0 }));
    expect(withoutWall(fromShards)).toEqual(withoutWall(unsharded));
    expect(fromShards.provenance?.coverage).toEqual(unsharded.provenance?.coverage);

    // Each run in exactly one shard.
    const shardRuns = [1, 2, 3].flatMap((i) => identity(results(join(dir, 'run-shards', `shard-${i}`, 'results.json'))));
    expect([...shardRuns].sort()).toEqual([...identity(unsharded)].sort());

    expect(junitWithoutTimes(join(dir, 'run-merged', 'junit.xml'))).toBe(junitWithoutTimes(join(dir, 'run-whole', 'junit.xml')));
    const summary = readFileSync(join(dir, 'run-merged', 'summary.md'), 'utf8');
    expect(summary).toBe(readFileSync(join(dir, 'run-whole', 'summary.md'), 'utf8'));
    for (const run of unsharded.suite.runs.filter((r) => !r.passed)) expect(summary).toContain(run.reproduce);
  }, 600_000);

  it('refuses shards of different commands, naming both', () => {
    const other = sticksim(['run', 'reload-keeps-table', '--seeds', '1..2', '--shard', '1/3', '--report', join(dir, 'run-other')]);
    expect(other.status, other.stderr).toBe(0);
    const r = sticksim(['report', '--merge', join(dir, 'run-shards', 'shard-2'), join(dir, 'run-other'), '--out', join(dir, 'run-bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(join(dir, 'run-other', 'results.json'));
    expect(r.stderr).toContain(join(dir, 'run-shards', 'shard-2', 'results.json'));
    expect(r.stderr).toMatch(/ran 'sticksim run reload-keeps-table --seeds 1\.\.2', but .* ran 'sticksim run .* --policy all --seeds 1\.\.6': shards of different commands are not merged/);
  }, 120_000);
});

describe('sticksim fuzz --shard + report --merge', () => {
  it('4 shards of --runs 300 run the unsharded campaign’s seeds exactly once, with the same coverage', () => {
    const whole = sticksim(['fuzz', '--runs', '300', '--seed', '11', '--report', join(dir, 'fuzz-whole')]);
    expect(whole.status, whole.stderr).toBe(0);
    const shardIndices: number[][] = [];
    for (const i of [1, 2, 3, 4]) {
      const shard = sticksim(['fuzz', '--runs', '300', '--seed', '11', '--shard', `${i}/4`, '--report', join(dir, 'fuzz-shards', `s${i}`)]);
      expect(shard.status, shard.stderr).toBe(0);
      const campaign = results(join(dir, 'fuzz-shards', `s${i}`, 'results.json')).fuzz!;
      shardIndices.push(expandIndices(campaign.indexRuns, campaign.indexStride));
    }
    const unsharded = results(join(dir, 'fuzz-whole', 'results.json'));
    const wholeIndices = expandIndices(unsharded.fuzz!.indexRuns, unsharded.fuzz!.indexStride);
    expect(wholeIndices).toHaveLength(300);
    expect(shardIndices.flat().sort((a, b) => a - b)).toEqual(wholeIndices);
    for (const indices of shardIndices) expect(indices).toHaveLength(75);

    const merged = sticksim(['report', '--merge', join(dir, 'fuzz-shards'), '--out', join(dir, 'fuzz-merged')]);
    expect(merged.status, merged.stderr).toBe(0);
    const fromShards = results(join(dir, 'fuzz-merged', 'results.json'));
    expect(fromShards.fuzz?.indexRuns).toEqual(unsharded.fuzz?.indexRuns);
    expect(fromShards.fuzz?.runsDone).toBe(300);
    expect(fromShards.provenance?.coverage).toEqual(unsharded.provenance?.coverage);
    expect(junitWithoutTimes(join(dir, 'fuzz-merged', 'junit.xml'))).toBe(junitWithoutTimes(join(dir, 'fuzz-whole', 'junit.xml')));
    expect(readFileSync(join(dir, 'fuzz-merged', 'summary.md'), 'utf8')).toBe(readFileSync(join(dir, 'fuzz-whole', 'summary.md'), 'utf8'));
  }, 600_000);

  it('a planted bug found by a shard is in the merged report with the command that finds it again', () => {
    const regressions = join(dir, 'regressions');
    const codes: (number | null)[] = [];
    for (const i of [1, 2, 3, 4]) {
      const shard = sticksim(['fuzz', '--runs', '300', '--seed', '7', '--shard', `${i}/4`, '--out', regressions, '--report', join(dir, 'bug-shards', `s${i}`), '--plant-bug', 'merge-max']);
      expect(shard.status, shard.stderr).not.toBe(2);
      codes.push(shard.status);
    }
    expect(codes).toContain(1);
    const merged = sticksim(['report', '--merge', join(dir, 'bug-shards'), '--out', join(dir, 'bug-merged')]);
    expect(merged.status, merged.stderr).toBe(0);
    const campaign = results(join(dir, 'bug-merged', 'results.json')).fuzz!;
    expect(campaign.failures.length).toBe(codes.filter((c) => c === 1).length);
    const first = campaign.failures[0]!;
    expect(first.reproduce).toBe(`npx sticksim fuzz --seed 7 --seed-offset ${first.index} --runs 1 --plant-bug merge-max`);
    const summary = readFileSync(join(dir, 'bug-merged', 'summary.md'), 'utf8');
    const junit = readFileSync(join(dir, 'bug-merged', 'junit.xml'), 'utf8');
    const html = readFileSync(join(dir, 'bug-merged', 'report.html'), 'utf8');
    expect(summary).toContain(first.reproduce);
    expect(summary).toContain(first.replay!);
    expect(junit).toContain(`reproduce: ${first.reproduce}`);
    expect(html).toContain(first.reproduce);

    // The reproduce command finds the same property violated again, alone.
    const again = sticksim(['fuzz', '--seed', '7', '--seed-offset', String(first.index), '--runs', '1', '--out', join(dir, 'regressions-again'), '--plant-bug', 'merge-max']);
    expect(again.status).toBe(1);
    expect(again.stdout).toContain(`FAILED run ${first.index} (seed 7-${first.index}): ${first.property}`);
  }, 600_000);
});
