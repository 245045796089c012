/**
 * `sticksim replay TRACE|SCENARIO --seed S [--at 12.5s] [--save PATH]`: the trace in the terminal (timeline,
 * tables, links, event log); `b` branches into explore at the cursor. Not a terminal: a plain
 * summary.
 */
import type { Command } from 'commander';
import { TRACE_SOURCE_HELP, traceSourcePath } from '../trace-source.ts';
import { reportingUserErrors } from '../user-errors.ts';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a trace in the terminal (b: branch into explore at the cursor)')
    .argument('<trace>', 'a JSONL trace written by sticksim run --trace, or a scenario with --seed')
    .option('--seed <seed>', TRACE_SOURCE_HELP.seed)
    .option('--policy <policy>', TRACE_SOURCE_HELP.policy)
    .option('--at <time>', 'start with the cursor at this time (12.5s or 12500ms)')
    .option('--save <path>', 'where a branch is written with w', 'sticksim-branch.jsonl')
    .action(async (argument: string, options: { at?: string; save: string; seed?: string; policy?: string }) => {
      await reportingUserErrors(async () => {
        const path = await traceSourcePath(argument, options, (line) => process.stderr.write(`${line}\n`));
        // The TUI (Ink, React) loads only for the commands that use it: `sticksim --help` starts faster.
        const { parseMoment, replayMain } = await import('../../tui/main.tsx');
        const atMs = options.at === undefined ? undefined : parseMoment(options.at);
        process.exitCode = await replayMain({ path, savePath: options.save, ...(atMs === undefined ? {} : { atMs }) });
      });
    });
}
