/** `sticksim report`: traces (+ results.json) in, junit.xml / summary.md / report.html out; bad input named. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerReportCommand, runReport } from '../../../cli/commands/report.ts';
import { writeResultsFile } from '../../../reports/results-file.ts';
import { writeSuiteReports } from '../../../reports/write-reports.ts';
import { fixtureRuns } from './report-fixture.ts';
import { readJunit } from './xml-read.ts';

function workspace(options: { withResults: boolean }): { dir: string; traces: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-report-'));
  const runs = fixtureRuns();
  const traces = runs.map((run) => {
    const path = join(dir, run.file);
    writeFileSync(path, run.text);
    return path;
  });
  if (options.withResults) writeResultsFile(join(dir, 'results.json'), { rootSeed: 'root-42', runs: runs.map((run) => run.result) });
  return { dir, traces };
}

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  process.exitCode = 0;
  try {
    const program = new Command().name('sticksim').exitOverride();
    registerReportCommand(program);
    await program.parseAsync(['node', 'sticksim', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

afterEach(() => {
  process.exitCode = 0;
});

describe('sticksim report', () => {
  it('writes the three reports into --out and prints their paths', async () => {
    const { dir, traces } = workspace({ withResults: true });
    const out = join(dir, 'out');
    const r = await cli(['report', ...traces, '--out', out]);
    expect(r.exitCode).toBe(0);
    for (const name of ['junit.xml', 'summary.md', 'report.html']) {
      expect(r.stdout).toContain(`written: ${join(out, name)}`);
      expect(existsSync(join(out, name))).toBe(true);
    }
    expect(r.stdout).toContain(`results: ${join(dir, 'results.json')}`);
    const junit = readJunit(readFileSync(join(out, 'junit.xml'), 'utf8'));
    expect(junit.testsuites.testsuite).toHaveLength(traces.length);
    expect(Number(junit.testsuites.failures)).toBe(1);
    // titles and figures come from results.json, plots from the traces
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Synthetic crash-restart');
    expect(html.match(/data-plot="heatmap"/g)).toHaveLength(traces.length);
  });

  it('without results.json, reads the runs from the traces themselves', () => {
    const { dir, traces } = workspace({ withResults: false });
    const written = runReport({ traces, outDir: join(dir, 'out') });
    expect(written.resultsPath).toBeUndefined();
    const junit = readJunit(readFileSync(written.junitPath, 'utf8'));
    const suites = junit.testsuites.testsuite!;
    expect(suites).toHaveLength(traces.length);
    expect(suites[0]!.name).toBe('split-brain-three-nodes [policy=haproxy seed=42]');
    expect(suites[0]!.testcase!.map((c) => c.name)).toEqual(['converges-within-15s', 'attacker-requests-let-through']);
    expect(suites[0]!.testcase![0]!.failure![0]!['#text']).toContain('reproduce: npx sticksim run split-brain-three-nodes --seed 42 --policy haproxy');
    expect(readFileSync(written.markdownPath, 'utf8')).toMatch(/^## ❌ sticksim: 1 of 8 runs failed/);
  });

  it('a missing trace is named, exit code 2, no stack trace', async () => {
    const { dir, traces } = workspace({ withResults: false });
    const missing = join(dir, 'nope.jsonl');
    const r = await cli(['report', traces[0]!, missing, '--out', join(dir, 'out')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`sticksim report: ${missing}: cannot read trace: ENOENT\n`);
  });

  it('a bad trace line is named with file and line', async () => {
    const { dir, traces } = workspace({ withResults: false });
    const lines = readFileSync(traces[1]!, 'utf8').split('\n');
    lines[6] = '{"t":"soon","host":"*","kind":"x"}';
    writeFileSync(traces[1]!, lines.join('\n'));
    const r = await cli(['report', ...traces, '--out', join(dir, 'out')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`sticksim report: ${traces[1]}:7: field t is not a non-negative integer\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad results.json is named with the field at fault', async () => {
    const { dir, traces } = workspace({ withResults: true });
    const path = join(dir, 'results.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"passed": true', '"passed": "yes"'));
    const r = await cli(['report', ...traces, '--out', join(dir, 'out')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sticksim report: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: runs\\[\\d+\\]\\.(expectations\\[\\d+\\]\\.)?passed is not true or false\\n$`));
  });
});

describe('writeSuiteReports', () => {
  it('writes results.json beside the reports, and sticksim report rebuilds the same files from it', () => {
    const { dir, traces } = workspace({ withResults: false });
    const suite = { rootSeed: 'root-42', runs: fixtureRuns().map((run) => run.result) };
    const first = writeSuiteReports({ suite, outDir: join(dir, 'a'), tracesDir: dir });
    const html = readFileSync(first.htmlPath, 'utf8');
    expect(html.match(/data-plot="heatmap"/g)).toHaveLength(traces.length);
    const second = runReport({ traces, outDir: join(dir, 'b'), resultsPath: first.resultsPath });
    // the traces were found relative to tracesDir the first time, and by scenario/seed/policy the second
    expect(readFileSync(second.junitPath, 'utf8')).toBe(readFileSync(first.junitPath, 'utf8'));
    expect(readFileSync(second.htmlPath, 'utf8')).toBe(html);
  });
});
