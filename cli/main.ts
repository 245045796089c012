/**
 * `sticksim`: one command-line program, one file per subcommand under cli/commands/.
 */
import { Command } from 'commander';
import { registerCliCommand } from './commands/cli.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerRunCommand } from './commands/run.ts';

const program = new Command();
program
  .name('sticksim')
  .description('Deterministic simulator and test harness for HAProxy stick tables and the peers protocol')
  .showHelpAfterError();

registerCliCommand(program);
registerDemoCommand(program);
registerRunCommand(program);

await program.parseAsync(process.argv);
