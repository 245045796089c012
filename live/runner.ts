/**
 * `sticksim peer`: one engine process on real sockets and the real clock.
 *
 * Signals, as HAProxy's:
 *   SIGUSR1          soft stop: listeners closed, the tables are taught to the new process over
 *                    the local peer, then exit 0 (the old process of a reload)
 *   SIGTTOU/SIGTTIN  pause / resume the peer listeners (a new process that cannot bind asks the
 *                    old one to release its ports: Node 20 has no SO_REUSEPORT)
 *   SIGTERM/SIGINT   hard stop: sockets closed, stats socket removed, exit 0
 *
 * Reload hand-over (`--reload-from <pid>`, HAProxy's `-sf`): the new process binds the local
 * peer address, sending SIGTTOU to the old one and retrying every 10 ms (at most 200 times) while
 * the port is taken, starts waiting for a lesson, then sends SIGUSR1 to the old process, which
 * connects to the local peer address (now the new process) and teaches. This is the sequence a
 * new `haproxy -sf <sticksim pid>` runs too, so a real haproxy can take over from sticksim.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Config } from '../engine/config/types.ts';
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { PlantedBug } from '../engine/peers/planted-bug.ts';
import { registerShowPeers } from '../engine/peers/show-peers.ts';
import { HaproxyProcess } from '../engine/process/process.ts';
import { makeLiveEnv } from './env.ts';
import { logEvents } from './log.ts';
import { StatsSocket } from './stats-socket.ts';
import type { HaproxyVersion } from '../engine/version/profile.ts';

/** HAProxy's bind retries while old processes release their ports. */
export const RELOAD_BIND_RETRIES_MAX = 200;
export const RELOAD_BIND_RETRY_DELAY_MS = 10;

export interface PeerRunnerOptions {
  config: Config;
  localName?: string;
  statsSocketPath?: string;
  mergePolicy?: MergePolicyName;
  /** The HAProxy release line the process behaves as (default 2.6). */
  haproxy?: HaproxyVersion;
  pidFile?: string;
  /** The old process's pid (HAProxy's `-sf`). */
  reloadFromPid?: number;
  verbose?: boolean;
  /** HAProxy's now_ms at start (uint32); default: the wall clock's milliseconds truncated to 32 bits. */
  tickStart?: number;
  /** Testing aid: run with one deliberately wrong peers behaviour (engine/peers/planted-bug.ts). */
  plantedBug?: PlantedBug;
  write: (text: string) => void;
  exit: (code: number) => void;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `DD/Mon/YYYY:HH:MM:SS` in local time, as `show peers` prints a section's start. */
export function haproxyDate(date: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(date.getDate())}/${MONTHS[date.getMonth()] ?? '???'}/${date.getFullYear()}:${p2(date.getHours())}:${p2(date.getMinutes())}:${p2(date.getSeconds())}`;
}

/** Reads `--reload-from`: a pid, or a pid file. */
export function parsePidOrPidFile(value: string): number {
  const text = /^\d+$/.test(value) ? value : readFileSync(value, 'utf8').trim();
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a pid: ${JSON.stringify(text)} (from ${value})`);
  return pid;
}

function signalOld(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function runPeer(options: PeerRunnerOptions): Promise<void> {
  const pid = process.pid;
  const events = logEvents({ pid, write: options.write, ...(options.verbose === undefined ? {} : { verbose: options.verbose }) });
  let sectionName = '?';
  const env = makeLiveEnv({
    events,
    ...(options.tickStart === undefined ? {} : { startTick: options.tickStart }),
    net: {
      onHandlerError: (error, from) =>
        events.log('ALERT', `peers '${sectionName}': session with ${from.remoteAddress}:${from.remotePort} reset after an internal error: ${error instanceof Error ? error.message : String(error)}`),
      onListenError: (error, at) =>
        events.log('ALERT', `Starting peers ${sectionName}: cannot bind socket (${error.message}) [${at.address}:${at.port}]`),
    },
  });
  const reloadFrom = options.reloadFromPid;
  let stopping = false;
  const stats = options.statsSocketPath === undefined ? undefined : new StatsSocket({ path: options.statsSocketPath, execute: (line) => proc.cli(line) });
  const shutdown = (code: number): void => {
    stats?.stop();
    env.net.closeAll();
    if (options.pidFile !== undefined) rmSync(options.pidFile, { force: true });
    options.exit(code);
  };
  const proc = new HaproxyProcess({
    env,
    config: options.config,
    hostname: hostname(),
    ...(options.localName === undefined ? {} : { cliLocalPeer: options.localName }),
    hasOldProcess: reloadFrom !== undefined,
    ...(options.mergePolicy === undefined ? {} : { mergePolicy: options.mergePolicy }),
    ...(options.haproxy === undefined ? {} : { haproxy: options.haproxy }),
    ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
    pid,
    startDate: haproxyDate(new Date()),
  });
  if (proc.local.errors.length > 0) {
    for (const e of proc.local.errors) events.log('ALERT', `config : ${e.message}`);
    shutdown(2);
    return;
  }
  registerShowPeers(proc.api, { sections: proc.sections });

  for (const section of proc.sections) {
    sectionName = section.name;
    const endpoint = { address: section.local.address, port: section.local.port };
    try {
      await env.net.prebind(endpoint, {
        onAddressInUse: async (attempt) => {
          if (reloadFrom === undefined || attempt > RELOAD_BIND_RETRIES_MAX) return false;
          if (!signalOld(reloadFrom, 'SIGTTOU')) return false;
          await new Promise((resolve) => setTimeout(resolve, RELOAD_BIND_RETRY_DELAY_MS));
          return true;
        },
      });
    } catch (error) {
      events.log('ALERT', `Starting peers ${section.name}: cannot bind socket (${(error as Error).message}) [${endpoint.address}:${endpoint.port}]`);
      events.log('ALERT', 'Some protocols failed to start their listeners! Exiting.');
      if (reloadFrom !== undefined) signalOld(reloadFrom, 'SIGTTIN');
      shutdown(1);
      return;
    }
  }
  try {
    await stats?.start();
  } catch (error) {
    events.log('ALERT', `Starting frontend GLOBAL: cannot bind UNIX socket (${(error as Error).message}) [${options.statsSocketPath ?? ''}]`);
    if (reloadFrom !== undefined) signalOld(reloadFrom, 'SIGTTIN');
    shutdown(1);
    return;
  }

  process.on('SIGUSR1', () => {
    if (stopping) return;
    stopping = true;
    stats?.stop();
    proc.softStop(() => setImmediate(() => shutdown(0)));
  });
  process.on('SIGTTOU', () => env.net.pause());
  process.on('SIGTTIN', () => void env.net.resume());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      proc.kill();
      shutdown(0);
    });
  }

  proc.start();
  if (options.pidFile !== undefined) writeFileSync(options.pidFile, `${pid}\n`);
  events.log('NOTICE', `sticksim peer: local peer '${proc.local.localName}', ${proc.sections.length} peers section(s), ${proc.tables.tables.length} table(s)`);
  if (options.plantedBug !== undefined) events.log('WARNING', `sticksim peer: planted bug '${options.plantedBug}' (a testing aid: this process is deliberately wrong)`);
  if (reloadFrom !== undefined && !signalOld(reloadFrom, 'SIGUSR1')) {
    events.log('WARNING', `could not signal the old process ${reloadFrom}`);
  }
}
