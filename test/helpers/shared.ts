/**
 * The team's ground-truth folder `../shared` (seed articles, the lab's write-up and captures) sits
 * beside the main checkout but is no part of the repository: a clone has nothing beside it. Tests
 * that check `../shared` itself run when it is there and are skipped, with a printed reason, when
 * it is not. Everything else a test needs lives in test/fixtures/ (see fixture()).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');

export type SharedGate = { readonly skip: false; readonly path: string } | { readonly skip: true; readonly path: string; readonly reason: string };

/**
 * Whether `../shared/<relativePath>` is there. When it is not, prints one line naming the missing
 * path and what is skipped (`what`), for `describe.skipIf(gate.skip)`.
 */
export function sharedGate(relativePath: string, what: string): SharedGate {
  const path = join(SHARED_DIR, relativePath);
  if (existsSync(path)) return { skip: false, path };
  const reason = `../shared/${relativePath} is not beside the repository (a clone has no ../shared): skipped ${what}`;
  console.warn(`[shared] ${reason}`);
  return { skip: true, path, reason };
}

/** The path of a fixture of the suite; throws (so the test fails) when the file is missing. */
export function fixture(name: string): string {
  const path = join(FIXTURES_DIR, name);
  if (!existsSync(path)) throw new Error(`test fixture missing: test/fixtures/${name} (fixtures are part of the repository; restore it from git)`);
  return path;
}
