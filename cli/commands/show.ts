/**
 * `sticksim show TRACE --at 12.5s [--node N] "show table st"`: a runtime-API command answered by
 * the trace's run replayed to that moment (every node, or one), for scripts.
 */
import type { Command } from 'commander';
import { TRACE_SOURCE_HELP, traceSourcePath } from '../trace-source.ts';
import { reportingUserErrors } from '../user-errors.ts';

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description("ask the runtime API (e.g. \"show table st\") of a trace's nodes at a moment")
    .argument('<trace>', 'a JSONL trace, or a scenario with --seed')
    .argument('<command>', 'a runtime-API command, e.g. "show table st" or "show peers"')
    .requiredOption('--at <time>', 'the moment (12.5s or 12500ms)')
    .option('--node <name>', 'only this node (prints its answer alone)')
    .option('--seed <seed>', TRACE_SOURCE_HELP.seed)
    .option('--policy <policy>', TRACE_SOURCE_HELP.policy)
    .action(async (argument: string, command: string, options: { at: string; node?: string; seed?: string; policy?: string }) => {
      await reportingUserErrors(async () => {
        const path = await traceSourcePath(argument, options, (line) => process.stderr.write(`${line}\n`));
        // The TUI (Ink, React) loads only for the commands that use it: `sticksim --help` starts faster.
        const { parseMoment, showMain } = await import('../../tui/main.tsx');
        const result = await showMain({ path, command, atMs: parseMoment(options.at), ...(options.node === undefined ? {} : { node: options.node }) });
        (result.code === 0 ? process.stdout : process.stderr).write(result.text);
        process.exitCode = result.code;
      });
    });
}
