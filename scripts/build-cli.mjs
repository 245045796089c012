#!/usr/bin/env node
/**
 * Compiles the CLI to JavaScript (npm's `prepare`: npm ci, npm install and npm pack run it): esbuild bundles
 * cli/main.ts and the sources it imports into dist/cli/ (the TUI in a chunk of its own, loaded only
 * when a TUI command runs; dependencies stay in node_modules), so that bin/sticksim.js starts without compiling TypeScript through tsx
 * (about 0.8 s of CPU per process before, 0.2 s after). `import.meta.url` in a source file becomes
 * that file's own URL (the sources ship beside the build: scenarios, the fuzz worker and
 * package.json are found where they are). dist/cli/inputs.json lists the files the build was
 * made from (all of them ship in the package): bin/sticksim.js runs the build only while none is
 * newer than it (npm pack gives every file one date), and
 * otherwise the sources through tsx. TypeScript that the CLI imports at run time (scenario
 * files) still goes through tsx, registered on the first such import (lib/typescript-imports.ts).
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// An argument names another directory (the tests build there).
const outdir = process.argv[2] === undefined ? join(root, 'dist', 'cli') : resolve(process.argv[2]);

/** Rewrites `import.meta.url` in a source file to that file's URL. */
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromOut = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'cli', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  // Dependencies load from node_modules as they do from the sources (ink's own files find theirs).
  packages: 'external',
  define: { 'process.env.STICKSIM_COMPILED_CLI': '"1"' },
  plugins: [sourceUrls],
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs)
  .map((p) => relative(root, join(root, p)).split('\\').join('/'))
  .filter((p) => !p.startsWith('node_modules/'))
  .sort();
inputs.push('package.json');
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
