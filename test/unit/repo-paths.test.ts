/**
 * No absolute path of any machine in the tree: a clone must work wherever it lands. Every tracked
 * text file is scanned for home and workspace directories at the filesystem root (work, root,
 * home/<user>, Users/<user>, and C: Users) and for the root's tmp directory outside the few
 * clearly temporary uses listed below (each must still be there, so the list cannot go stale).
 * This file spells those paths in pieces so that it does not name them itself.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.ts';

/** A machine's own directories: never right in a repository. */
const MACHINE_PATH_RE = /(?:^|[^A-Za-z0-9_.~-])(\/(?:work|root|home\/[A-Za-z0-9_.-]+|Users\/[A-Za-z0-9_.-]+)\/|[A-Za-z]:\\Users\\)/;
/** A temp path: right only where it is plainly a scratch file in an example or test data. */
const TMP_PATH_RE = /(?:^|[^A-Za-z0-9_.~-])\/tmp\//;

/** The root's tmp directory, spelled in pieces. */
const TMP = ['', 'tmp', ''].join('/');
/** The temp paths that are allowed, by file and the exact text on the line. */
const TMP_ALLOWED: readonly { file: string; text: string; why: string }[] = [
  { file: '.gitignore', text: TMP, why: 'a tmp/ folder at the repository root (gitignore anchors at the root)' },
  { file: 'README.md', text: `--trace ${TMP}sb.jsonl`, why: 'an example command writing a scratch trace' },
  { file: 'cli/commands/peer.ts', text: `--stats-socket ${TMP}hap1.sock`, why: 'the help text of `sticksim peer`: an example socket path' },
  { file: 'cli/commands/peer.ts', text: `UNIX-CONNECT:${TMP}hap1.sock`, why: 'the same example, talking to that socket' },
  { file: 'test/interop/compare.test.ts', text: `'${TMP}x/a.sock'`, why: 'a string handed to a text function, never opened' },
  { file: 'test/interop/compare.test.ts', text: `'${TMP}s')`, why: 'a string handed to a text function, never opened' },
];

interface PathFinding {
  readonly line: number;
  readonly text: string;
}

/** The lines of `text` naming a machine's directory, or a temp path not in `allowed`. */
function absolutePaths(text: string, allowed: readonly string[] = []): PathFinding[] {
  const out: PathFinding[] = [];
  text.split('\n').forEach((line, i) => {
    const tmpOk = allowed.some((a) => line.includes(a));
    if (MACHINE_PATH_RE.test(line) || (TMP_PATH_RE.test(line) && !tmpOk)) out.push({ line: i + 1, text: line.trim().slice(0, 160) });
  });
  return out;
}

/** The tracked files (git), or every file but node_modules/.git when the tree is not a git checkout. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter((f) => f !== '');
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === '.git') continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else out.push(relative(REPO_ROOT, path));
      }
    };
    walk(REPO_ROOT);
    return out;
  }
}

describe('no absolute path of any machine in the tree', () => {
  it('the scanner finds machine and temp paths and lets listed temp uses through', () => {
    const path = (...parts: string[]): string => ['', ...parts].join('/');
    expect(absolutePaths(`const a = '${path('work', 'shared', 'seeds')}';`)).toHaveLength(1);
    expect(absolutePaths(`see ${path('root', 'x')}`)).toHaveLength(1);
    expect(absolutePaths(`"${path('home', 'alice', 'repo')}"`)).toHaveLength(1);
    expect(absolutePaths(`${path('Users', 'bob', 'x')}`)).toHaveLength(1);
    expect(absolutePaths(`open('${path('tmp', 'run.log')}')`)).toHaveLength(1);
    expect(absolutePaths(`open('${path('tmp', 'run.log')}')`, [path('tmp', 'run.log')])).toEqual([]);
    expect(absolutePaths('a framework/ and ../shared/lab and src/work/x and ./tmp/y')).toEqual([]);
    expect(absolutePaths(`ok\nbad ${path('work', 'x')}\n`)).toEqual([{ line: 2, text: `bad ${path('work', 'x')}` }]);
  });

  it('no tracked file names one', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('package.json');
    const findings: string[] = [];
    const allowedUsed = new Set<string>();
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(REPO_ROOT, file), 'utf8');
      } catch {
        continue; // listed by git but absent from the work tree (deleted, not yet committed)
      }
      if (text.includes('\0')) continue; // binary
      const allowed = TMP_ALLOWED.filter((a) => a.file === file);
      for (const a of allowed) if (text.includes(a.text)) allowedUsed.add(`${a.file} ${a.text}`);
      for (const f of absolutePaths(text, allowed.map((a) => a.text))) findings.push(`${file}:${f.line}: ${f.text}`);
    }
    expect(findings).toEqual([]);
    expect(TMP_ALLOWED.map((a) => `${a.file} ${a.text}`).filter((k) => !allowedUsed.has(k)), 'allowed temp paths no longer in the tree: drop them from TMP_ALLOWED').toEqual([]);
  });
});
