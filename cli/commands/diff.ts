/**
 * `sticksim diff TRACE_A TRACE_B`: where two futures part (the first differing event) and how
 * the nodes' tables differ at the end of each.
 */
import type { Command } from 'commander';

export function registerDiffCommand(program: Command): void {
  program
    .command('diff')
    .description('show where two traces part and how their tables differ after')
    .argument('<traceA>', 'a JSONL trace')
    .argument('<traceB>', 'another JSONL trace (e.g. a branch of A)')
    .action(async (pathA: string, pathB: string) => {
      // The TUI (Ink, React) loads only for the commands that use it: `sticksim --help` starts faster.
      const { diffMain } = await import('../../tui/main.tsx');
      const { TraceOpenError } = await import('../../tui/trace-store.ts');
      try {
        process.stdout.write(await diffMain({ pathA, pathB }));
      } catch (error) {
        if (error instanceof TraceOpenError) {
          process.stderr.write(`sticksim: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
    });
}
