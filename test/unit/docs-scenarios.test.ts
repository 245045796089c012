/**
 * docs/scenarios.md and the code it describes cannot drift apart:
 *  - its example block is examples/your-cluster/ban-reaches-every-node.ts, byte for byte, and that
 *    file runs (a copy of the example project, `sticksim` resolving to this repository) with the
 *    summary row the page shows; negative control: the ban written at the instant of a request
 *    (the page says this fails) fails `ban-on-every-node`;
 *  - every field of ScenarioSpec, HostSpec, WatchSpec and LinkSpec, and every public verb of
 *    ScriptApi, is named on the page; the scenario-file checker (spec-check.ts) knows exactly the
 *    declared fields.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { HOST_FIELDS, SCENARIO_FIELDS, WATCH_FIELDS } from '../../scenarios/spec-check.ts';
import { REPO_ROOT } from '../helpers/shared.ts';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'scenarios.md'), 'utf8');
const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'your-cluster');
const EXAMPLE_FILE = 'ban-reaches-every-node.ts';
const BIN = join(REPO_ROOT, 'bin', 'sticksim.js');
/** ScriptApi methods the runner calls, not a script. */
const RUNNER_ONLY = new Set(['dispatch', 'dispatchDetails', 'observes', 'observesPlain', 'startTraffic']);

/** The members of an interface or the public methods of a class, as declared in a source file. */
function declared(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(REPO_ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const out: string[] = [];
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      for (const m of node.members) if (m.name !== undefined && ts.isIdentifier(m.name)) out.push(m.name.text);
    }
    if (ts.isClassDeclaration(node) && node.name?.text === name) {
      for (const m of node.members) {
        if (!ts.isMethodDeclaration(m) || !ts.isIdentifier(m.name)) continue;
        if (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) continue;
        out.push(m.name.text);
      }
    }
  });
  expect(out.length, `${name} found in ${file}`).toBeGreaterThan(0);
  return out;
}

/** A copy of the example project whose `sticksim` is this repository. */
function exampleCopy(edit: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-docs-example-'));
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (from) => !from.startsWith(join(EXAMPLE_DIR, 'node_modules')) });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'sticksim'), 'dir');
  writeFileSync(join(dir, EXAMPLE_FILE), edit(readFileSync(join(dir, EXAMPLE_FILE), 'utf8')));
  return dir;
}

describe('docs/scenarios.md', () => {
  it('its example block is the example file, byte for byte', () => {
    const marker = `<!-- example: examples/your-cluster/${EXAMPLE_FILE} -->\n\`\`\`ts\n`;
    const start = DOC.indexOf(marker);
    expect(start, 'the example marker').toBeGreaterThan(0);
    const body = DOC.slice(start + marker.length);
    const block = body.slice(0, body.indexOf('```\n'));
    expect(block).toBe(readFileSync(join(EXAMPLE_DIR, EXAMPLE_FILE), 'utf8'));
  });

  it('the example runs in its project and prints the summary row the page shows', () => {
    const shown = /^pass +ban-reaches-every-node .*$/m.exec(DOC)?.[0];
    expect(shown).toBeDefined();
    const r = spawnSync(process.execPath, [BIN, 'run', EXAMPLE_FILE], { cwd: exampleCopy(), encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toContain(shown);
    expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
  });

  it('negative control: the ban written at the instant of a request is overwritten, as the page says, and the run fails', () => {
    const dir = exampleCopy((text) => {
      expect(text).toContain('const BAN_MS = 6_100;');
      return text.replace('const BAN_MS = 6_100;', 'const BAN_MS = 6_000;');
    });
    const r = spawnSync(process.execPath, [BIN, 'run', EXAMPLE_FILE], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ {2}✗ ban-on-every-node: lb2 and lb3 hold the ban: not within 1000 ms after 6000 ms$/m);
    expect(r.stdout).toContain('reproduce: npx sticksim run ban-reaches-every-node.ts --seed 1 --policy haproxy --haproxy 2.6');
  });

  it('names every field of the spec types and every verb of the script', () => {
    const fields = [
      ...declared('scenarios/dsl.ts', 'ScenarioSpec'),
      ...declared('scenarios/dsl.ts', 'HostSpec'),
      ...declared('scenarios/dsl.ts', 'WatchSpec'),
      ...declared('sim/network.ts', 'LinkSpec'),
    ];
    for (const f of fields) expect(DOC, `field ${f}`).toContain(`\`${f}\``);
    const verbs = declared('scenarios/script-api.ts', 'ScriptApi').filter((m) => !RUNNER_ONLY.has(m));
    expect(verbs).toContain('reload');
    for (const v of verbs) expect(DOC, `verb s.${v}`).toMatch(new RegExp(`\`s\\.${v}\\(`));
  });

  it('the scenario-file checker knows exactly the declared fields', () => {
    expect([...SCENARIO_FIELDS].sort()).toEqual(declared('scenarios/dsl.ts', 'ScenarioSpec').sort());
    expect([...HOST_FIELDS].sort()).toEqual(declared('scenarios/dsl.ts', 'HostSpec').sort());
    expect([...WATCH_FIELDS].sort()).toEqual(declared('scenarios/dsl.ts', 'WatchSpec').sort());
  });
});
