/**
 * `import()` of a TypeScript file (a scenario) needs tsx's loader. Run from the sources (tests,
 * development, the bin's fallback) tsx is registered already; the compiled CLI
 * (scripts/build-cli.mjs, which defines process.env.STICKSIM_COMPILED_CLI) registers it on the
 * first TypeScript import, so that commands which load none never pay for it.
 */
let registered: Promise<void> | undefined;

export function typeScriptImports(): Promise<void> {
  if (process.env.STICKSIM_COMPILED_CLI !== '1') return Promise.resolve();
  registered ??= import('tsx/esm/api').then((tsx) => {
    tsx.register();
  });
  return registered;
}
