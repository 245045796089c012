/**
 * Finding scenarios: the built-in suite (every file of scenarios/builtin/ that default-exports a
 * scenario), or the files and folders a person names. Files are loaded with dynamic import.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ScenarioSpec } from './dsl.ts';

export const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'builtin');
const NOT_SCENARIOS = new Set(['cluster.ts', 'index.ts']);

export interface LoadedScenario {
  spec: ScenarioSpec;
  /** How to name it on a command line (a path relative to the working directory when possible). */
  ref: string;
}

export class ScenarioLoadError extends Error {}

export async function loadScenarios(paths: readonly string[]): Promise<LoadedScenario[]> {
  const files = paths.length === 0 ? scenarioFiles(BUILTIN_DIR) : paths.flatMap((p) => expand(p));
  const out: LoadedScenario[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
    const spec = module.default as ScenarioSpec | undefined;
    if (spec === undefined || typeof spec !== 'object' || typeof spec.script !== 'function') {
      throw new ScenarioLoadError(`${file}: no scenario: the file must \`export default scenario({...})\``);
    }
    out.push({ spec, ref: relativeRef(file) });
  }
  return out;
}

function expand(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    // A bare scenario name means the built-in one.
    const builtin = join(BUILTIN_DIR, `${path.replace(/\.ts$/, '')}.ts`);
    try {
      statSync(builtin);
      return [builtin];
    } catch {
      throw new ScenarioLoadError(`${path}: no such scenario file, folder or built-in scenario`);
    }
  }
  return stat.isDirectory() ? scenarioFiles(path) : [path];
}

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !NOT_SCENARIOS.has(f))
    .sort()
    .map((f) => join(dir, f));
}

function relativeRef(file: string): string {
  const abs = resolve(file);
  if (dirname(abs) === BUILTIN_DIR) return basename(abs, '.ts');
  const cwd = process.cwd();
  return abs.startsWith(cwd + '/') ? abs.slice(cwd.length + 1) : abs;
}
