/**
 * `sticksim`: one command-line program, one file per subcommand under cli/commands/.
 */
import { Command } from 'commander';
import { registerCheckCommand } from './commands/check.ts';
import { registerCliCommand } from './commands/cli.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerPeerCommand } from './commands/peer.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRunCommand } from './commands/run.ts';

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

await program.parseAsync(process.argv);
