/**
 * Harness for the peers interop tests: `sticksim peer` child processes and real haproxy (2.6, 3.0,
 * 3.2) processes on loopback (127.0.0.x, ports the OS picked), one config text for both, runtime-API
 * calls on their unix sockets, and parsers for `show table` / `show peers` answers.
 * Every child is killed at the end (explicit stop, and on process exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from '../../lib/assert.ts';
import { watchChild, type ExitStatus } from './children.ts';
import { allocateLoopbackEndpoint, cfgPreamble, sleepMs, unixCli, withStatsSocket, type HaproxyBinary, type LoopbackEndpoint } from './haproxy.ts';


export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT_KEEP_BYTES_MAX = 256 * 1024;

/** The lab's table (RESULTS.md): ip keys, gpc0, conn_cnt, http_req_cnt, http_req_rate(10s). */
export const LAB_TABLE = 'type ip size 20k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';

export interface PeerLine {
  readonly name: string;
  readonly endpoint: LoopbackEndpoint;
}

/** A haproxy.cfg both haproxy and sticksim accept: one peers section, one shared table `st`. */
export function peersConfig(options: { peers: readonly PeerLine[]; table?: string; section?: string }): string {
  const section = options.section ?? 'mypeers';
  const peerLines = options.peers.map((p) => `    peer ${p.name} ${p.endpoint.address}:${p.endpoint.port}`).join('\n');
  return [
    ...cfgPreamble(),
    `peers ${section}`,
    peerLines,
    '',
    'backend st',
    `    stick-table ${options.table ?? LAB_TABLE} peers ${section}`,
    '',
  ].join('\n');
}

/** Two endpoints on distinct 127.0.0.x addresses. */
export async function twoEndpoints(): Promise<[LoopbackEndpoint, LoopbackEndpoint]> {
  const a = await allocateLoopbackEndpoint();
  for (let i = 0; i < 20; i++) {
    const b = await allocateLoopbackEndpoint();
    if (b.address !== a.address) return [a, b];
  }
  throw new Error('could not find two distinct loopback addresses');
}

// ---------------------------------------------------------------------------------------------
// Runtime API over a unix socket
// ---------------------------------------------------------------------------------------------

/** Polls `check` every `pollMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: { timeoutMs: number; pollMs?: number }): Promise<T> {
  const pollMs = options.pollMs ?? 20;
  const startMs = performance.now();
  let lastError: unknown;
  for (let poll = 0; poll < 1_000_000; poll++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() - startMs > options.timeoutMs) break;
    await sleepMs(pollMs);
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

export type { ExitStatus };

/** A child (haproxy or sticksim) with a stats socket in its own temp dir. */
export class PeerProcess {
  private exitStatus: ExitStatus | undefined;
  private readonly exitPromise: Promise<ExitStatus>;
  private readonly outputOf: () => string;

  constructor(
    readonly kind: 'haproxy' | 'sticksim',
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly socketPath: string,
  ) {
    const watched = watchChild(child, OUTPUT_KEEP_BYTES_MAX);
    this.outputOf = watched.output;
    this.exitPromise = watched.exited.then((status) => (this.exitStatus = status));
  }

  get pid(): number {
    assert(this.child.pid !== undefined, 'a spawned child has a pid');
    return this.child.pid;
  }

  /** stdout + stderr so far. */
  get output(): string {
    return this.outputOf();
  }

  get exited(): ExitStatus | undefined {
    return this.exitStatus;
  }

  cli(command: string, timeoutMs?: number): Promise<string> {
    return unixCli(this.socketPath, command, { timeoutMs });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitStatus === undefined) this.child.kill(signal);
  }

  /** Resolves with the exit status, or undefined after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitStatus | undefined> {
    return Promise.race([this.exitPromise, sleepMs(timeoutMs).then(() => undefined)]);
  }

  /** Waits until the stats socket answers `show peers` (the process has started its sections). */
  async waitReady(timeoutMs = 10_000): Promise<void> {
    await waitFor(
      `${this.kind} ${this.socketPath} to answer`,
      async () => {
        if (this.exitStatus !== undefined) throw new Error(`${this.kind} exited (${JSON.stringify(this.exitStatus)}):\n${this.outputOf()}`);
        const out = await this.cli('show peers', 1_000);
        return out.includes(' id=') ? true : undefined;
      },
      { timeoutMs },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- output of ${this.kind} ---\n${this.outputOf()}`);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp dir. Returns the exit status. */
  async stop(graceMs = 3_000): Promise<ExitStatus> {
    if (this.exitStatus === undefined) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      const status = await this.waitExit(graceMs);
      if (status === undefined) this.child.kill('SIGKILL');
    }
    const status = await this.exitPromise;
    rmSync(this.dir, { recursive: true, force: true });
    return status;
  }
}

export interface StartSticksimOptions {
  readonly configText: string;
  readonly local: string;
  readonly reloadFromPid?: number;
  readonly extraArgs?: readonly string[];
  readonly waitReady?: boolean;
  /** `--haproxy <line>`: the version profile sticksim runs (the line of the haproxy it talks to). */
  readonly haproxy?: string;
}

/** Spawns `node bin/sticksim.js peer …` and waits until its stats socket answers. */
export async function startSticksim(options: StartSticksimOptions): Promise<PeerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-peer-'));
  const socketPath = join(dir, 'stats.sock');
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, options.configText);
  const args = [join(REPO_ROOT, 'bin', 'sticksim.js'), 'peer', '--config', cfgPath, '--local', options.local, '--stats-socket', socketPath];
  if (options.reloadFromPid !== undefined) args.push('--reload-from', String(options.reloadFromPid));
  if (options.haproxy !== undefined) args.push('--haproxy', options.haproxy);
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = new PeerProcess('sticksim', child, dir, socketPath);
  if (options.waitReady ?? true) await proc.waitReady(20_000);
  return proc;
}

export interface StartRealHaproxyOptions {
  readonly binary: HaproxyBinary;
  readonly configText: string;
  readonly local: string;
  /** `-sf <pid>`: the old process to take over from. */
  readonly softStopPid?: number;
  readonly waitReady?: boolean;
}

/** Spawns `haproxy -db -f cfg -L local [-sf pid]` with an admin stats socket. */
export async function startRealHaproxy(options: StartRealHaproxyOptions): Promise<PeerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-hap-'));
  const socketPath = join(dir, 'admin.sock');
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, withStatsSocket(options.configText, socketPath));
  const args = ['-db', '-f', cfgPath, '-L', options.local];
  if (options.softStopPid !== undefined) args.push('-sf', String(options.softStopPid));
  const child = spawn(options.binary.path, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = new PeerProcess('haproxy', child, dir, socketPath);
  if (options.waitReady ?? true) await proc.waitReady(10_000);
  return proc;
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

export interface TableDump {
  readonly used: number;
  /** key → data fields as printed (`gpc0=5 conn_cnt=0 …`), use=, exp= and 3.x's shard= left out. */
  readonly rows: Map<string, string>;
  /** key → exp (ms left). */
  readonly expMs: Map<string, number>;
}

/** An entry line of 2.6 (`… exp=E data…`) or 3.x (`… exp=E shard=N data…`, docs/haproxy-versions.md R1). */
const ENTRY_RE = /^0x[0-9a-f]+: key=(\S+) use=\d+ exp=(\d+)(?: shard=\d+)?(.*)$/;

export function parseShowTable(text: string): TableDump {
  const header = /^# table: \S+, type: \S+, size:\d+, used:(\d+)$/m.exec(text);
  assert(header !== null, `a show table answer starts with its header: ${text.slice(0, 200)}`);
  const rows = new Map<string, string>();
  const expMs = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = ENTRY_RE.exec(line);
    if (m === null) continue;
    rows.set(m[1]!, m[3]!.trim());
    expMs.set(m[1]!, Number(m[2]));
  }
  return { used: Number(header[1]), rows, expMs };
}

export async function showTable(proc: PeerProcess, table = 'st'): Promise<TableDump> {
  return parseShowTable(await proc.cli(`show table ${table}`, 30_000));
}

/** How many entries `show table` reports (header only: cheap). */
export async function tableUsed(proc: PeerProcess, table = 'st'): Promise<number> {
  const out = await proc.cli('show table');
  const m = new RegExp(`^# table: ${table}, type: \\S+, size:\\d+, used:(\\d+)$`, 'm').exec(out);
  assert(m !== null, `show table lists ${table}: ${out}`);
  return Number(m[1]);
}

export interface PeerBlock {
  readonly name: string;
  readonly text: string;
  readonly lastStatus: string;
  readonly state: string | undefined;
  readonly newConn: number;
  readonly txHbt: number;
  readonly rxHbt: number;
  readonly noHbt: number;
  readonly protoErr: number;
}

export interface ShowPeersDump {
  /** The section's flags word as printed (2.6 or 3.x bit values: use `resync` to compare across lines). */
  readonly sectionFlags: number;
  /** True when the answer is in 3.x's form (peer lines carry `app_state=`, flags renumbered). */
  readonly format3x: boolean;
  /** The resync state read from the flags of whichever line answered (R11). */
  readonly resync: { readonly localFinished: boolean; readonly remoteFinished: boolean; readonly taughtByLocal: boolean };
  readonly peers: Map<string, PeerBlock>;
}

export function parseShowPeers(text: string): ShowPeersDump {
  const section = /\] id=\S+ disabled=\d+ flags=0x([0-9a-f]+)/.exec(text);
  assert(section !== null, `a show peers answer has a section line: ${text.slice(0, 300)}`);
  const peers = new Map<string, PeerBlock>();
  const parts = text.split(/\n(?=\s+0x[0-9a-f]+: id=)/);
  for (const part of parts) {
    const head = /0x[0-9a-f]+: id=([^(\s]+)\((?:local|remote),/.exec(part);
    if (head === null) continue;
    const num = (field: string): number => Number(new RegExp(`\\b${field}=(\\d+)`).exec(part)?.[1] ?? NaN);
    peers.set(head[1]!, {
      name: head[1]!,
      text: part,
      lastStatus: /last_status=(\S+)/.exec(part)?.[1] ?? '?',
      state: / state=(\S+)/.exec(part)?.[1],
      newConn: num('new_conn'),
      txHbt: num('tx_hbt'),
      rxHbt: num('rx_hbt'),
      noHbt: num('no_hbt'),
      protoErr: num('proto_err'),
    });
  }
  const flags = parseInt(section[1]!, 16);
  const format3x = / app_state=/.test(text);
  // 2.6: RESYNC_LOCAL 0x1, RESYNC_REMOTE 0x2, RESYNC_LOCALFINISHED 0x100; 3.0+: LOCAL_FINISHED 0x1,
  // REMOTE_FINISHED 0x2, DBG_RESYNC_LOCALFINISHED 0x1000000 (include/haproxy/peers-t.h of each).
  const resync = {
    localFinished: (flags & 0x1) !== 0,
    remoteFinished: (flags & 0x2) !== 0,
    taughtByLocal: (flags & (format3x ? 0x100_0000 : 0x100)) !== 0,
  };
  return { sectionFlags: flags, format3x, resync, peers };
}

export async function showPeers(proc: PeerProcess): Promise<ShowPeersDump> {
  return parseShowPeers(await proc.cli('show peers'));
}

export async function peerBlock(proc: PeerProcess, name: string): Promise<PeerBlock> {
  const block = (await showPeers(proc)).peers.get(name);
  assert(block !== undefined, `${proc.kind} lists peer ${name}`);
  return block;
}

/**
 * Runs `set table` commands in batches of `batch` per connection (`;`-separated, as socat would).
 * 3.2 refuses a CLI line of 100 such commands (~6 KB: "The command line is too big for the buffer
 * size", docs/haproxy-versions.md R13), so batches stay near 1.5 KB.
 */
export async function setEntries(proc: PeerProcess, commands: readonly string[], batch = 25): Promise<void> {
  for (let i = 0; i < commands.length; i += batch) {
    const answer = await proc.cli(commands.slice(i, i + batch).join(';'), 30_000);
    assert(answer.trim() === '', `set table answers nothing on success, got ${JSON.stringify(answer.slice(0, 200))}`);
  }
}

/** `10.x.y.z` for i in [0, 2^24). */
export function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}
