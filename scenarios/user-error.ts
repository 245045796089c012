/**
 * A mistake in a scenario file, said as one line with its place: the error a verb throws when a
 * script names a host or a table the scenario does not have, and the reading of any error's stack
 * for the line of the scenario file it came from (tsx maps stacks back to the .ts source).
 */
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A script's mistake found while it runs (e.g. `s.cut(['hap9'], …)` in a 3-host scenario). */
export class ScenarioScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioScriptError';
  }
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** sticksim's own machinery: frames here are never the place of a scenario's mistake. */
const MACHINERY = ['engine', 'sim', 'lib', 'live', 'cli', 'reports', 'tui'].map((d) => join(PACKAGE_ROOT, d) + sep);
const MACHINERY_FILES = new Set(['dsl.ts', 'runner.ts', 'script-api.ts', 'suite.ts', 'spec-check.ts', 'user-error.ts'].map((f) => join(PACKAGE_ROOT, 'scenarios', f)));
const FRAMES_MAX = 64;

interface Frame {
  file: string;
  line: number;
  column: number;
}

/** The frames of a V8 stack that name a file (`at f (file:///a/b.ts:3:9)` or `at /a/b.ts:3:9`). */
function framesOf(error: unknown): Frame[] {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const frames: Frame[] = [];
  for (const line of stack.split('\n').slice(1, FRAMES_MAX + 1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+?)(?:\?[^:()]*)?:(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m === null) continue;
    const file = m[1]!.startsWith('file://') ? safeFilePath(m[1]!) : m[1]!;
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

function safeFilePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

function isMachinery(file: string): boolean {
  return MACHINERY_FILES.has(file) || MACHINERY.some((dir) => file.startsWith(dir));
}

/** `path:line:column` of the innermost frame in `file`, the path relative to the working directory. */
export function placeInFile(error: unknown, file: string): string | undefined {
  const abs = resolve(file);
  const frame = framesOf(error).find((f) => f.file === abs);
  return frame === undefined ? undefined : `${displayPath(frame.file)}:${frame.line}:${frame.column}`;
}

/** `path:line:column` of the innermost frame outside sticksim's machinery (a scenario's own line). */
export function scriptPlace(error: unknown): string | undefined {
  const frame = framesOf(error).find((f) => !isMachinery(f.file) && !f.file.includes(`${sep}node_modules${sep}`));
  return frame === undefined ? undefined : `${displayPath(frame.file)}:${frame.line}:${frame.column}`;
}

export function displayPath(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(cwd + sep) ? file.slice(cwd.length + 1) : file;
}

/**
 * One line for an error thrown while a scenario from `file` ran, when it is the scenario's
 * mistake: a ScenarioScriptError, or any error whose innermost frame is in the scenario file.
 * Undefined for anything else (a bug in sticksim, which keeps its stack).
 */
export function scenarioErrorLine(error: unknown, scenario: { file: string; ref: string }): string | undefined {
  const place = placeInFile(error, scenario.file);
  if (error instanceof ScenarioScriptError) return `${place ?? scenario.ref}: ${error.message}`;
  const frames = framesOf(error);
  if (error instanceof Error && frames[0] !== undefined && frames[0].file === resolve(scenario.file)) {
    return `${place}: the scenario's script threw ${error.name}: ${error.message}; fix the script at this line`;
  }
  return undefined;
}
