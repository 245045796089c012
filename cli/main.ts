/**
 * `sticksim`: one command-line program, one file per subcommand under cli/commands/.
 */
import { Command } from 'commander';
import { registerCheckCommand } from './commands/check.ts';
import { registerCliCommand } from './commands/cli.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerFuzzCommand } from './commands/fuzz.ts';
import { registerPeerCommand } from './commands/peer.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerExploreCommand } from './commands/explore.ts';
import { registerDiffCommand } from './commands/diff.ts';
import { registerShowCommand } from './commands/show.ts';

const program = new Command();
program
  .name('sticksim')
  .description('Deterministic simulator and test harness for HAProxy stick tables and the peers protocol')
  .showHelpAfterError();

registerCliCommand(program);
registerDemoCommand(program);
registerPeerCommand(program);
registerRunCommand(program);
registerReportCommand(program);
registerCheckCommand(program);
registerFuzzCommand(program);
registerReplayCommand(program);
registerExploreCommand(program);
registerDiffCommand(program);
registerShowCommand(program);

await program.parseAsync(process.argv);
