/**
 * `sticksim diff TRACE_A TRACE_B` (or scenarios with `--seed S [--seed-b S2]`): where two futures part (the first differing event) and how
 * the nodes' tables differ at the end of each.
 */
import type { Command } from 'commander';
import { TRACE_SOURCE_HELP, traceSourcePath } from '../trace-source.ts';
import { reportingUserErrors } from '../user-errors.ts';

export function registerDiffCommand(program: Command): void {
  program
    .command('diff')
    .description('show where two traces part and how their tables differ after')
    .argument('<traceA>', 'a JSONL trace, or a scenario with --seed')
    .argument('<traceB>', 'another JSONL trace (e.g. a branch of A), or a scenario with --seed-b (or --seed)')
    .option('--seed <seed>', `A: ${TRACE_SOURCE_HELP.seed}`)
    .option('--policy <policy>', `A: ${TRACE_SOURCE_HELP.policy}`)
    .option('--seed-b <seed>', 'B: as --seed for the second argument (default: --seed)')
    .option('--policy-b <policy>', 'B: as --policy for the second argument (default: --policy)')
    .action(async (argumentA: string, argumentB: string, options: { seed?: string; policy?: string; seedB?: string; policyB?: string }) => {
      await reportingUserErrors(async () => {
        const log = (line: string): void => {
          process.stderr.write(`${line}\n`);
        };
        const pathA = await traceSourcePath(argumentA, { ...pick(options.seed, options.policy) }, log);
        const seedB = options.seedB ?? options.seed;
        const pathB = await traceSourcePath(argumentB, { ...pick(seedB, options.policyB ?? (seedB === undefined ? undefined : options.policy)) }, log);
        // The TUI (Ink, React) loads only for the commands that use it: `sticksim --help` starts faster.
        const { diffMain } = await import('../../tui/main.tsx');
        process.stdout.write(await diffMain({ pathA, pathB }));
      });
    });
}

function pick(seed: string | undefined, policy: string | undefined): { seed?: string; policy?: string } {
  return { ...(seed === undefined ? {} : { seed }), ...(policy === undefined ? {} : { policy }) };
}
