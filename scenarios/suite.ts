/**
 * Finding scenarios: the built-in suite (every file of scenarios/builtin/ that default-exports a
 * scenario), or the files and folders a person names. sticksim's own scenario files are loaded
 * with dynamic import; a person's files with tsx's `tsImport`, which loads a .ts file whatever
 * kind of project it sits in (a CommonJS project's file is compiled to CommonJS, and its
 * `import ... from 'sticksim'` resolves through the package's exports). Every scenario's shape
 * and host addresses are checked before it runs (spec-check.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ScenarioSpec } from './dsl.ts';
import { checkHostAddresses, scenarioOfModule, ScenarioSpecError } from './spec-check.ts';
import { displayPath, placeInFile } from './user-error.ts';
import { typeScriptImports } from '../lib/typescript-imports.ts';

const SCENARIOS_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILTIN_DIR = join(SCENARIOS_DIR, 'builtin');
const NOT_SCENARIOS = new Set(['cluster.ts', 'index.ts']);

export interface LoadedScenario {
  spec: ScenarioSpec;
  /** How to name it on a command line (a path relative to the working directory when possible). */
  ref: string;
  /** The file it was loaded from (absolute). */
  file: string;
}

export class ScenarioLoadError extends Error {}

export async function loadScenarios(paths: readonly string[]): Promise<LoadedScenario[]> {
  const files = paths.length === 0 ? scenarioFiles(BUILTIN_DIR) : paths.flatMap((p) => expand(p));
  const out: LoadedScenario[] = [];
  for (const file of files) {
    const abs = resolve(file);
    const namespace = await importScenarioFile(abs);
    let spec: ScenarioSpec;
    try {
      spec = scenarioOfModule(namespace, abs);
      checkHostAddresses(spec, abs);
    } catch (error) {
      if (error instanceof ScenarioSpecError) throw new ScenarioLoadError(error.message);
      throw error;
    }
    out.push({ spec, ref: relativeRef(file), file: abs });
  }
  return out;
}

/** A scenario file's module namespace; a person's file that cannot be loaded is their mistake. */
async function importScenarioFile(abs: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(abs).href;
  await typeScriptImports();
  if (abs.startsWith(SCENARIOS_DIR + sep)) return (await import(url)) as Record<string, unknown>;
  loadScenariosAsModules();
  try {
    return (await import(`${url}?${AS_MODULE}`)) as Record<string, unknown>;
  } catch (error) {
    throw new ScenarioLoadError(loadFailure(error, abs));
  }
}

/** The query that marks a scenario file's URL for the hook below. */
const AS_MODULE = 'sticksim-scenario';
let asModulesRegistered = false;

/**
 * A module-loader hook: a URL marked AS_MODULE loads as an ES module whatever the nearest
 * package.json says (format `module-typescript`, which tsx's loader compiles as TypeScript ESM).
 * Without it a CommonJS project's .ts file is compiled to CommonJS and run from a data: URL
 * without a source map, so a script's mistake could not be given its line.
 */
function loadScenariosAsModules(): void {
  if (asModulesRegistered) return;
  asModulesRegistered = true;
  const hooks =
    'export async function load(url, context, nextLoad) {' +
    `  if (url.startsWith('file:') && new URL(url).searchParams.has('${AS_MODULE}')) return nextLoad(url, { ...context, format: 'module-typescript' });` +
    '  return nextLoad(url, context);' +
    '}';
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** One line for a file that failed to load: the compiler's `file:line:col: ERROR …` line, or the throw's place. */
function loadFailure(error: unknown, abs: string): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const lines = e.message.split('\n').map((l) => l.trim());
  const compiler = lines.find((l) => l.startsWith(abs) || l.includes(' ERROR: '));
  if (compiler !== undefined) return `${displayPath(compiler.replace(abs, displayPath(abs)))}; fix the file`;
  const code = (e as { code?: unknown }).code;
  const place = placeInFile(e, abs) ?? displayPath(abs);
  return `${place}: the file cannot be loaded (${typeof code === 'string' ? code : e.name}: ${lines[0]}); fix the file`;
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
