/** Reads and parses a haproxy.cfg for a command, printing errors with their place and exiting 2. */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../engine/config/parse.ts';
import type { Config } from '../engine/config/types.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

export function loadConfigOrExit(path: string, options: { haproxy?: HaproxyVersion } = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    process.stderr.write(`sticksim: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    process.exit(2);
  }
  const result = parseConfig(text, { file: path, ...(options.haproxy === undefined ? {} : { version: options.haproxy }) });
  for (const w of result.warnings) process.stderr.write(`[WARNING] ${w.message}\n`);
  if (!result.ok) {
    for (const e of result.errors) process.stderr.write(`[ALERT] ${e.message}\n`);
    process.stderr.write(`sticksim: ${result.errors.length} error(s) in ${path}\n`);
    process.exit(2);
  }
  return result.config;
}
