/**
 * Determinism lint: engine/, sim/ and scenarios/ (outside any live/ folder) never read the wall
 * clock, global randomness or the host's timers (a scenario run, a fuzz case and its shrink are
 * pure functions of their seed; the wall time of a run or a campaign is measured in cli/ and
 * passed in). Comments are ignored; code is not.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED_DIRS = ['engine', 'sim', 'scenarios'];
const FILES_MAX = 10_000;

const FORBIDDEN: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Date.now', pattern: /\bDate\s*\.\s*now\b/ },
  { name: 'new Date(', pattern: /\bnew\s+Date\s*\(/ },
  { name: 'Math.random', pattern: /\bMath\s*\.\s*random\b/ },
  { name: 'performance.now', pattern: /\bperformance\s*\.\s*now\b/ },
  { name: 'setTimeout', pattern: /\bsetTimeout\b/ },
  { name: 'setInterval', pattern: /\bsetInterval\b/ },
  { name: 'setImmediate', pattern: /\bsetImmediate\b/ },
  { name: 'crypto.random*', pattern: /\bcrypto\s*\.\s*random\w*/ },
  { name: 'randomBytes', pattern: /\brandomBytes\b/ },
  { name: 'randomUUID', pattern: /\brandomUUID\b/ },
  { name: 'randomInt', pattern: /\brandomInt\b/ },
  { name: 'getRandomValues', pattern: /\bgetRandomValues\b/ },
];

/** Blanks comments (keeping line breaks) so prose about Date.now is not flagged. */
export function stripComments(source: string): string {
  let out = '';
  let i = 0;
  let quote: string | undefined;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (quote !== undefined) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = undefined;
      i += 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      i += 1;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

export interface Violation {
  file: string;
  line: number;
  name: string;
}

export function scanSource(file: string, source: string): Violation[] {
  const violations: Violation[] = [];
  stripComments(source)
    .split('\n')
    .forEach((text, index) => {
      for (const rule of FORBIDDEN) {
        if (rule.pattern.test(text)) violations.push({ file, line: index + 1, name: rule.name });
      }
    });
  return violations;
}

/** Every .ts/.tsx/.js file under `dir`, in sorted order, skipping any live/ folder. */
export function listSources(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    const entries = readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'live' && entry.name !== 'node_modules') walk(path);
        continue;
      }
      if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) found.push(path);
      if (found.length > FILES_MAX) throw new Error(`more than ${FILES_MAX} files under ${dir}`);
    }
  };
  walk(dir);
  return found;
}

export function scanTree(root: string, dirs: readonly string[]): Violation[] {
  const violations: Violation[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = listSources(join(root, dir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const file of files) violations.push(...scanSource(relative(root, file).split(sep).join('/'), readFileSync(file, 'utf8')));
  }
  return violations;
}

function report(violations: Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line}: ${v.name}`).join('\n');
}

describe('determinism lint', () => {
  it('engine/, sim/ and scenarios/ use no wall clock, global randomness or host timers', () => {
    const violations = scanTree(ROOT, SCANNED_DIRS);
    expect(report(violations)).toBe('');
  });

  it('finds violations with file:line, ignores comments, and skips live/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-lint-'));
    try {
      mkdirSync(join(dir, 'engine', 'live'), { recursive: true });
      mkdirSync(join(dir, 'sim'), { recursive: true });
      writeFileSync(
        join(dir, 'engine', 'bad.ts'),
        [
          '// Date.now in a comment is fine',
          '/* Math.random() too',
          '   setTimeout */',
          'const a = Date.now();',
          "const s = '// not a comment'; const r = Math.random();",
          'const d = new Date(0);',
          'import { randomBytes } from "node:crypto";',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'sim', 'timer.ts'), 'export const x = 1;\nsetInterval(() => {}, 5);\nperformance.now();\ncrypto.randomUUID();\n');
      writeFileSync(join(dir, 'engine', 'live', 'real.ts'), 'Date.now();\n');
      const violations = scanTree(dir, SCANNED_DIRS);
      expect(report(violations)).toBe(
        [
          'engine/bad.ts:4: Date.now',
          'engine/bad.ts:5: Math.random',
          'engine/bad.ts:6: new Date(',
          'engine/bad.ts:7: randomBytes',
          'sim/timer.ts:2: setInterval',
          'sim/timer.ts:3: performance.now',
          'sim/timer.ts:4: crypto.random*',
          'sim/timer.ts:4: randomUUID',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
