#!/usr/bin/env node
// Entry point. Runs the compiled CLI (dist/cli/, made by scripts/build-cli.mjs, which npm ci and
// npm pack run) while it is as new as every file it was built from; otherwise registers the
// TypeScript loader and runs the CLI from its sources (an edited checkout, no build, or
// STICKSIM_FROM_SOURCE=1).
import { readFileSync, statSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.mjs', import.meta.url);

/** Whether dist/cli/ exists and none of the files listed in its inputs.json is newer than it. */
function compiledIsCurrent() {
  try {
    const builtMs = statSync(compiled).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('../dist/cli/inputs.json', import.meta.url), 'utf8'));
    return inputs.every((path) => statSync(new URL(`../${path}`, import.meta.url)).mtimeMs <= builtMs);
  } catch {
    return false;
  }
}

if (process.env.STICKSIM_FROM_SOURCE !== '1' && compiledIsCurrent()) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
