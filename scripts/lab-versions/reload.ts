/**
 * The reload experiments of the version study, run on a real haproxy over loopback (no network
 * namespace needed): a node whose peers section lists only itself (lab 03b), or itself and a peer
 * that never starts (lab 10 (c)), gets two keys and is soft-reloaded (`-sf <old pid>`) some seconds
 * after its start; 2 s later the new process's table is read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateLoopbackEndpoint, cfgPreamble, sleepMs, unixCli, type LoopbackEndpoint } from '../../test/interop/haproxy.ts';
import { usedOf } from './table-full.ts';

export interface ReloadRound {
  preS: number;
  usedBefore: number;
  usedAfter: number;
  flagsBefore: string;
}

const AFTER_RELOAD_MS = 2_000;
const READY_POLLS_MAX = 100;

function reloadConfig(options: { socketPath: string; local: LoopbackEndpoint; remote?: LoopbackEndpoint }): string {
  const [global, ...rest] = cfgPreamble();
  return [
    global,
    `    stats socket ${options.socketPath} level admin`,
    ...rest,
    'peers mypeers',
    `    peer hap1 ${options.local.address}:${options.local.port}`,
    ...(options.remote === undefined ? [] : [`    peer hap2 ${options.remote.address}:${options.remote.port}`]),
    '',
    'backend st',
    '    stick-table type ip size 1k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt peers mypeers',
    '',
  ].join('\n');
}

async function waitSocket(socketPath: string): Promise<void> {
  for (let poll = 0; poll < READY_POLLS_MAX; poll++) {
    try {
      if (/^Name: HAProxy$/m.test(await unixCli(socketPath, 'show info', { timeoutMs: 1_000 }))) return;
    } catch {
      // not listening yet
    }
    await sleepMs(20);
  }
  throw new Error(`haproxy's stats socket ${socketPath} did not answer within 2 s`);
}

function flagsOf(showPeers: string): string {
  return /flags=(0x[0-9a-f]+)/.exec(showPeers)?.[1] ?? 'none';
}

/** One round: start, two keys, reload at preS, read 2 s later, stop every process. */
async function round(binaryPath: string, preS: number, withRemote: boolean): Promise<ReloadRound> {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-lab-reload-'));
  const socketPath = join(dir, 'admin.sock');
  const cfgPath = join(dir, 'haproxy.cfg');
  const local = await allocateLoopbackEndpoint();
  const remote = withRemote ? await allocateLoopbackEndpoint() : undefined;
  writeFileSync(cfgPath, reloadConfig({ socketPath, local, ...(remote === undefined ? {} : { remote }) }));
  const children: ChildProcess[] = [];
  const run = (extra: string[]): ChildProcess => {
    const child = spawn(binaryPath, ['-db', '-f', cfgPath, '-L', 'hap1', ...extra], { cwd: dir, stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const cli = (command: string) => unixCli(socketPath, command, { timeoutMs: 5_000 });
  try {
    const t0 = Date.now();
    const old = run([]);
    await waitSocket(socketPath);
    await cli('set table st key 127.0.0.60 data.gpc0 7');
    await cli('set table st key 127.0.0.61 data.gpc0 8');
    await sleepMs(Math.max(0, t0 + preS * 1000 - Date.now()));
    const usedBefore = usedOf(await cli('show table st'));
    const flagsBefore = flagsOf(await cli('show peers'));
    run(['-sf', String(old.pid)]);
    await sleepMs(AFTER_RELOAD_MS);
    return { preS, usedBefore, usedAfter: usedOf(await cli('show table st')), flagsBefore };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sleepMs(300);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function reloadRounds(binaryPath: string, options: { preS: readonly number[]; withRemote: boolean }): Promise<ReloadRound[]> {
  const rounds: ReloadRound[] = [];
  for (const preS of options.preS) rounds.push(await round(binaryPath, preS, options.withRemote));
  return rounds;
}
