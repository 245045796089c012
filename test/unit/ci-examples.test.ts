/**
 * examples/ci/: each file parses as YAML and has the shape its CI needs (a 4-way matrix passing
 * `--shard ${{ matrix.shard }}/4`, GitLab's `parallel: 4` with `--shard auto`, an Indexed Job of 4
 * with `--shard auto --shard-total 4`, a merge step); every sticksim command in them exists and
 * accepts its options (as `sticksim <command> --help` lists them), and their values parse as the
 * CI would hand them in (each shard index of the matrix or environment).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseDurationMs, parseShardOption } from '../../cli/shard.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sticksim.js');
const CI = join(ROOT, 'examples', 'ci');

type Yaml = Record<string, unknown>;

/** Options of `sticksim <command>` from its --help: name → takes a value. */
const helpCache = new Map<string, Map<string, boolean>>();
function optionsOf(command: string): Map<string, boolean> {
  const cached = helpCache.get(command);
  if (cached !== undefined) return cached;
  const r = spawnSync(process.execPath, [BIN, command, '--help'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `sticksim ${command} --help: ${r.stderr}`).toBe(0);
  const options = new Map<string, boolean>();
  for (const m of r.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)( <[^>]+>)?/gm)) options.set(m[1]!, m[2] !== undefined);
  helpCache.set(command, options);
  return options;
}

/**
 * Every `npx sticksim …` command line in a shell script (continuations joined, `|| …` dropped),
 * as words after `substitute` has replaced the CI's expressions and variables.
 */
function sticksimCommands(script: string, substitute: (line: string) => string = (line) => line): string[][] {
  const out: string[][] = [];
  for (const line of script.replace(/\\\n\s*/g, ' ').split('\n')) {
    const at = line.indexOf('npx sticksim ');
    if (at === -1) continue;
    const command = substitute(line.slice(at + 'npx sticksim '.length).split('||')[0]!.trim());
    out.push(command.split(/\s+/).map((word) => word.replace(/^"(.*)"$/, '$1')));
  }
  return out;
}

/** Checks one command against the CLI; returns its options' values. */
function checkCommand(words: string[]): Map<string, string> {
  const [command, ...rest] = words;
  const known = optionsOf(command!);
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!word.startsWith('--')) continue;
    expect(known.has(word), `sticksim ${command} has no option ${word}`).toBe(true);
    if (known.get(word) === true) {
      const value = rest[i + 1];
      expect(value, `${word} needs a value`).toBeDefined();
      expect(value!.startsWith('--'), `${word} needs a value`).toBe(false);
      values.set(word, value!);
      i++;
      // `--merge` takes several paths.
      while (word === '--merge' && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) i++;
    }
  }
  const duration = values.get('--for');
  if (duration !== undefined) expect(parseDurationMs(duration)).toBeGreaterThan(0);
  const seeds = values.get('--seeds');
  if (seeds !== undefined) expect(seeds).toMatch(/^\d+\.\.\d+$/);
  const policy = values.get('--policy');
  if (policy !== undefined) expect(['haproxy', 'aggregate', 'max', 'all']).toContain(policy);
  return values;
}

function scriptsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(scriptsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(scriptsOf);
  return [];
}

describe('examples/ci', () => {
  it('GitHub Actions: a matrix of 4 shards passing --shard ${{ matrix.shard }}/4, artifacts, one merge job publishing the reports', () => {
    const workflow = parse(readFileSync(join(CI, 'github-actions.yml'), 'utf8')) as Yaml;
    const jobs = workflow['jobs'] as Record<string, Yaml>;
    const shardJob = Object.values(jobs).find((job) => (job['strategy'] as Yaml | undefined)?.['matrix'] !== undefined)!;
    const shards = ((shardJob['strategy'] as Yaml)['matrix'] as Yaml)['shard'] as number[];
    expect(shards).toEqual([1, 2, 3, 4]);
    const steps = shardJob['steps'] as Yaml[];
    const scripts = steps.map((step) => String(step['run'] ?? '')).filter((script) => script.includes('npx sticksim'));
    expect(scripts.map((script) => sticksimCommands(script)[0]![0])).toEqual(['run', 'fuzz']);
    for (const script of scripts) {
      expect(script).toContain('--shard ${{ matrix.shard }}/4');
      for (const shard of shards) {
        const [words] = sticksimCommands(script, (line) => line.replaceAll('${{ matrix.shard }}', String(shard)).replaceAll('${{ github.sha }}', 'abc123'));
        const values = checkCommand(words!);
        expect(parseShardOption(values.get('--shard'), { env: {} })).toEqual({ index: shard, total: 4 });
        expect(values.has('--report')).toBe(true);
      }
    }
    expect(steps.some((step) => String(step['uses']).startsWith('actions/upload-artifact'))).toBe(true);

    const [mergeName, mergeJob] = Object.entries(jobs).find(([, job]) => scriptsOf(job['steps']).some((s) => s.includes('report --merge')))!;
    expect(mergeJob['needs']).toBe(Object.keys(jobs).find((name) => jobs[name] === shardJob));
    expect(mergeName).not.toBe('');
    const mergeScripts = scriptsOf(mergeJob['steps']);
    const merges = mergeScripts.flatMap((script) => sticksimCommands(script));
    expect(merges.length).toBeGreaterThan(0);
    for (const words of merges) expect(checkCommand(words).has('--merge')).toBe(true);
    expect(mergeScripts.some((s) => s.includes('summary.md') && s.includes('$GITHUB_STEP_SUMMARY'))).toBe(true);
    expect(mergeScripts.some((s) => s.includes('report.html'))).toBe(true);
  }, 120_000);

  it('GitLab CI: parallel: 4 with --shard auto from CI_NODE_INDEX/CI_NODE_TOTAL, then a merge job', () => {
    const pipeline = parse(readFileSync(join(CI, 'gitlab-ci.yml'), 'utf8')) as Record<string, Yaml>;
    const shardJob = Object.values(pipeline).find((job) => typeof job === 'object' && job['parallel'] !== undefined)!;
    expect(shardJob['parallel']).toBe(4);
    const scripts = scriptsOf(shardJob['script']).filter((script) => script.includes('npx sticksim'));
    expect(scripts.map((script) => sticksimCommands(script)[0]![0])).toEqual(['run', 'fuzz']);
    for (const script of scripts) {
      for (const index of [1, 2, 3, 4]) {
        const [words] = sticksimCommands(script, (line) => line.replaceAll('$CI_NODE_INDEX', String(index)).replaceAll('$CI_COMMIT_SHA', 'abc123'));
        const values = checkCommand(words!);
        expect(values.get('--shard')).toBe('auto');
        expect(parseShardOption('auto', { env: { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: '4' } })).toEqual({ index, total: 4 });
      }
    }
    expect(scriptsOf(shardJob['artifacts'])).toContain('sticksim-out/');
    const mergeJob = Object.values(pipeline).find((job) => typeof job === 'object' && scriptsOf(job['script']).some((s) => s.includes('report --merge')))!;
    const merges = scriptsOf(mergeJob['script']).flatMap((script) => sticksimCommands(script));
    expect(merges).toHaveLength(2);
    for (const words of merges) expect(checkCommand(words).has('--merge')).toBe(true);
  }, 120_000);

  it('Kubernetes: an Indexed Job of 4 completions, 4 in parallel, with --shard auto --shard-total 4, and a merge Job', () => {
    const docs = parseAllDocuments(readFileSync(join(CI, 'kubernetes-indexed-job.yml'), 'utf8')).map((d) => d.toJS() as Yaml);
    expect(docs).toHaveLength(1);
    const job = docs[0]!;
    expect(job['kind']).toBe('Job');
    const spec = job['spec'] as Yaml;
    expect(spec['completionMode']).toBe('Indexed');
    expect(spec['completions']).toBe(4);
    expect(spec['parallelism']).toBe(4);
    const commands = scriptsOf(spec['template']).flatMap((script) => sticksimCommands(script, (line) => line.replaceAll('$JOB_COMPLETION_INDEX', '0')));
    expect(commands).toHaveLength(1);
    const values = checkCommand(commands[0]!);
    expect(values.get('--shard')).toBe('auto');
    expect(values.get('--shard-total')).toBe('4');
    for (const index of [0, 1, 2, 3]) {
      expect(parseShardOption('auto', { env: { JOB_COMPLETION_INDEX: String(index) }, shardTotal: values.get('--shard-total')! })).toEqual({ index: index + 1, total: 4 });
    }
    const merge = parse(readFileSync(join(CI, 'kubernetes-merge-job.yml'), 'utf8')) as Yaml;
    const merges = scriptsOf(merge['spec']).flatMap((script) => sticksimCommands(script));
    expect(merges).toHaveLength(1);
    expect(checkCommand(merges[0]!).has('--merge')).toBe(true);
  }, 120_000);
});
