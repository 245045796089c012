/**
 * `npm run bench`: runs every benchmark under bench/ in its own Node process (so one's heap does
 * not skew another's), passing their JSON lines through. `npm run bench -- table codec` runs some.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const HELPERS = new Set(['run.ts', 'emit.ts']);
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !HELPERS.has(f))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();

let failed = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write(`bench ${file} failed with exit code ${result.status}\n`);
    failed++;
  }
}
process.exitCode = failed === 0 ? 0 : 1;
