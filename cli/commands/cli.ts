/**
 * `sticksim cli --config haproxy.cfg [--local NAME]`: HAProxy's runtime API offline. Reads
 * commands from standard input, one a line, and answers each as the stats socket would,
 * including the empty line that ends every answer. Extra commands: `advance <duration>` and
 * `track <table> <key> [http_req|conn|err] [xN]`.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { OfflineSession } from '../../engine/runtime-api/offline-session.ts';
import { tickFromMs } from '../../engine/ticks.ts';
import { loadConfigOrExit } from '../config-file.ts';
import { HAPROXY_OPTION_HELP, haproxyOption, uint32Option } from '../options.ts';
import { profileFor, type HaproxyVersion } from '../../engine/version/profile.ts';

export function registerCliCommand(program: Command): void {
  program
    .command('cli')
    .description("answer HAProxy runtime-API commands (show/set/clear table) offline, one per stdin line")
    .requiredOption('--config <file>', 'haproxy.cfg to take the stick tables from')
    .option('--local <name>', 'local peer name (as haproxy -L); only affects which peers section is active')
    .option('--tick-start <ms>', "HAProxy's now_ms at start (uint32)", uint32Option)
    .option('--haproxy <version>', HAPROXY_OPTION_HELP, haproxyOption)
    .addHelpText(
      'after',
      '\nExtra commands:\n  advance <duration>                            move the clock (1500ms, 10s, 2m)\n' +
        '  track <table> <key> [http_req|conn|err] [xN]  apply tracking actions N times\n' +
        '\nExample:\n  printf "track st 10.0.0.1 x5\\nshow table st\\nadvance 10s\\nshow table st\\n" | sticksim cli --config haproxy.cfg\n',
    )
    .action(async (options: { config: string; local?: string; tickStart?: number; haproxy?: HaproxyVersion }) => {
      const config = loadConfigOrExit(options.config, { haproxy: options.haproxy ?? '2.6' });
      // 0 is eternity, never a start: it means the default.
      const session = new OfflineSession({
        tables: config.tables,
        tickStart: options.tickStart ? tickFromMs(options.tickStart) : undefined,
        profile: profileFor(options.haproxy ?? '2.6'),
      });
      process.stdin.setEncoding('latin1');
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      for await (const line of lines) {
        for (const answer of session.execute(line)) process.stdout.write(Buffer.from(answer, 'latin1'));
      }
    });
}
