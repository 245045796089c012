/**
 * `sticksim explore [SCENARIO | --config haproxy.cfg] [--seed S] [--policy P] [--save PATH]`:
 * a live simulation driven from the keyboard (partition, heal, crash, restart, reload, attack,
 * run time); `w` writes the session's trace, which `sticksim replay` reads back.
 */
import type { Command } from 'commander';
import { assert } from '../../lib/assert.ts';
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import { reportingUserErrors } from '../user-errors.ts';
import { HAPROXY_OPTION_HELP, haproxyOption } from '../options.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

const POLICIES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];

interface ExploreCliOptions {
  config?: string;
  seed: string;
  policy: string;
  save: string;
  run?: string;
  haproxy?: HaproxyVersion;
}

export function registerExploreCommand(program: Command): void {
  program
    .command('explore')
    .description('explore a scenario (or a haproxy.cfg) live: partition, heal, crash, reload, attack, step time')
    .argument('[scenario]', 'a built-in scenario name or a scenario file', 'split-brain-acceptor-wins')
    .option('--config <file>', 'a haproxy.cfg: one node per peer line of its peers section')
    .option('--seed <seed>', 'root seed', '1')
    .option('--policy <policy>', 'merge policy: haproxy, aggregate, max', 'haproxy')
    .option('--haproxy <version>', HAPROXY_OPTION_HELP, haproxyOption)
    .option('--save <path>', 'where w writes the session trace', 'sticksim-explore.jsonl')
    .option('--run <time>', 'run this long before handing over (e.g. 5s)')
    .action(async (scenario: string, options: ExploreCliOptions) => {
      await reportingUserErrors(async () => {
        // The TUI (Ink, React) loads only for the commands that use it: `sticksim --help` starts faster.
        const { exploreMain, parseMoment, UsageError } = await import('../../tui/main.tsx');
        if (!POLICIES.includes(options.policy as MergePolicyName)) throw new UsageError(`unknown policy '${options.policy}' (haproxy, aggregate, max)`);
        const runMs = options.run === undefined ? undefined : parseMoment(options.run);
        assert(runMs === undefined || (Number.isSafeInteger(runMs) && runMs >= 0), 'parseMoment gives whole non-negative ms');
        process.exitCode = await exploreMain({
          seed: options.seed,
          policy: options.policy as MergePolicyName,
          ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }),
          savePath: options.save,
          ...(options.config === undefined ? { scenario } : { configPath: options.config }),
          ...(runMs === undefined ? {} : { runMs }),
        });
      });
    });
}
