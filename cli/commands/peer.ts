/**
 * `sticksim peer --config haproxy.cfg [--local NAME] [--stats-socket PATH]`: runs one engine
 * process on real TCP sockets and the real clock (live/runner.ts), serving HAProxy's runtime API
 * on the unix socket. SIGUSR1 soft-stops (reload hand-over), SIGTERM/SIGINT stop.
 */
import { Option, type Command } from 'commander';
import { MERGE_POLICY_NAMES, type MergePolicyName } from '../../engine/peers/merge.ts';
import { parsePidOrPidFile, runPeer } from '../../live/runner.ts';
import { loadConfigOrExit } from '../config-file.ts';
import { HAPROXY_OPTION_HELP, haproxyOption, uint32Option } from '../options.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';
import { PLANT_BUG_HELP, plantedBugOption } from '../plant-bug-option.ts';

interface PeerCommandOptions {
  config: string;
  local?: string;
  statsSocket?: string;
  mergePolicy?: MergePolicyName;
  haproxy?: HaproxyVersion;
  pidFile?: string;
  reloadFrom?: string;
  verbose?: boolean;
  tickStart?: number;
  plantBug?: string;
}

export function registerPeerCommand(program: Command): void {
  program
    .command('peer')
    .description('run one peer on real sockets: talks the peers protocol with haproxy 2.6, serves the runtime API')
    .requiredOption('--config <file>', 'haproxy.cfg (stick tables and peers sections)')
    .option('--local <name>', 'local peer name (as haproxy -L); default: localpeer, else the host name')
    .option('--stats-socket <path>', 'unix socket for the runtime API (show/set/clear table, show peers)')
    .addOption(new Option('--merge-policy <policy>', 'how received updates are merged').choices([...MERGE_POLICY_NAMES]))
    .option('--pid-file <file>', 'write the pid here (removed at exit)')
    .option('--reload-from <pid|pidfile>', "take over from an old process (haproxy's -sf): bind, then soft-stop it and learn its tables")
    .option('--tick-start <ms>', "HAProxy's now_ms at start (uint32), for reproducible bytes", uint32Option)
    .option('--haproxy <version>', HAPROXY_OPTION_HELP, haproxyOption)
    .option('--verbose', 'log every peer event (updates, acks, heartbeats) as JSON')
    .option('--plant-bug <name>', PLANT_BUG_HELP)
    .addHelpText(
      'after',
      '\nSignals: SIGUSR1 soft stop (teach the new process, then exit), SIGTTOU/SIGTTIN pause/resume the\n' +
        'listeners, SIGTERM/SIGINT stop.\n\nExample:\n' +
        '  sticksim peer --config haproxy.cfg --local hap1 --stats-socket /tmp/hap1.sock &\n' +
        '  echo "show peers" | socat - UNIX-CONNECT:/tmp/hap1.sock\n',
    )
    .action(async (options: PeerCommandOptions) => {
      const planted = plantedBugOption(options.plantBug, process.env);
      if ('error' in planted) {
        process.stderr.write(`sticksim peer: ${planted.error}\n`);
        process.exit(2);
      }
      const config = loadConfigOrExit(options.config, { haproxy: options.haproxy ?? '2.6' });
      let reloadFromPid: number | undefined;
      if (options.reloadFrom !== undefined) {
        try {
          reloadFromPid = parsePidOrPidFile(options.reloadFrom);
        } catch (error) {
          process.stderr.write(`sticksim: --reload-from: ${(error as Error).message}\n`);
          process.exit(2);
        }
      }
      await runPeer({
        config,
        ...(options.local === undefined ? {} : { localName: options.local }),
        ...(options.statsSocket === undefined ? {} : { statsSocketPath: options.statsSocket }),
        ...(options.mergePolicy === undefined ? {} : { mergePolicy: options.mergePolicy }),
        ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }),
        ...(options.pidFile === undefined ? {} : { pidFile: options.pidFile }),
        ...(reloadFromPid === undefined ? {} : { reloadFromPid }),
        ...(options.verbose === undefined ? {} : { verbose: options.verbose }),
        ...(options.tickStart === undefined ? {} : { tickStart: options.tickStart }),
        ...(planted.bug === undefined ? {} : { plantedBug: planted.bug }),
        write: (text) => process.stderr.write(text),
        exit: (code) => process.exit(code),
      });
    });
}
