/**
 * Harness for running a real HAProxy 2.6 next to the tests: find the binary, start it in the
 * foreground from a config text (own temp dir, own admin stats socket, own 127.0.0.x address and
 * port), talk to its runtime API one command per connection (like `echo CMD | socat - UNIX:…`),
 * and always kill it (explicit stop, and on process exit).
 *
 * Environment:
 *   HAPROXY_BIN=/path/to/haproxy   use this binary instead of searching PATH
 *   STICKSIM_SKIP_INTEROP=1        skip the interop tests (with a printed reason)
 *
 * Per release line (`interopGateFor('3.0')`, see versions below):
 *   STICKSIM_HAPROXY_2_6 / _3_0 / _3_2 / _3_4=/path   the binary of that line (`scripts/haproxy-bin.sh
 *                                  3.0` prints one; .ci/run exports them)
 *   STICKSIM_SKIP_INTEROP_3X=1     skip the tests of a 3.x line whose variable is unset
 *   STICKSIM_REQUIRE_3X=1          fail (instead of skipping with a printed reason) when a 3.x binary is absent
 *   STICKSIM_INTEROP_HAPROXY=3.2   for measuring only: the 2.6 tests (`interopGate()`) run against
 *                                  that line's binary instead (they still expect 2.6's answers)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { watchChild, type ExitStatus } from './children.ts';
import { assert } from '../../lib/assert.ts';

export const REQUIRED_VERSION_PREFIX = '2.6.';
const INSTALL_HINT =
  'Install it with `apt-get update && apt-get install -y haproxy` (Debian 12 ships 2.6), ' +
  'or point HAPROXY_BIN at a 2.6 binary, or set STICKSIM_SKIP_INTEROP=1 to skip the interop tests.';
/** Directories searched after PATH: Debian installs haproxy in /usr/sbin, often absent from a user PATH. */
const EXTRA_SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];
const STDERR_KEEP_BYTES_MAX = 64 * 1024;
const CLI_ANSWER_BYTES_MAX = 64 * 1024 * 1024;

export interface HaproxyBinary {
  readonly path: string;
  /** e.g. "2.6.12-1+deb12u4" */
  readonly version: string;
}

export type InteropGate =
  | { readonly skip: false; readonly binary: HaproxyBinary }
  | { readonly skip: true; readonly reason: string };

/** Raised when the interop tests cannot run and were not asked to be skipped. */
export class InteropUnavailableError extends Error {
  override name = 'InteropUnavailableError';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of the haproxy binary: $HAPROXY_BIN, else the first `haproxy` on PATH (plus sbin dirs). */
export function findHaproxyPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['HAPROXY_BIN'];
  if (explicit !== undefined && explicit !== '') return isExecutable(explicit) ? explicit : undefined;
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'haproxy');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Parses the first line of `haproxy -v`: "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - …". */
export function parseHaproxyVersion(versionOutput: string): string | undefined {
  const m = /^HA-?Proxy version (\S+)/m.exec(versionOutput);
  return m?.[1];
}

/** Finds and checks the binary; throws InteropUnavailableError with a how-to-fix message. */
export function locateHaproxy(env: NodeJS.ProcessEnv = process.env): HaproxyBinary {
  const path = findHaproxyPath(env);
  if (path === undefined) {
    const where = env['HAPROXY_BIN'] ? `HAPROXY_BIN=${env['HAPROXY_BIN']} is not executable` : 'no `haproxy` on PATH';
    throw new InteropUnavailableError(`interop tests need HAProxy ${REQUIRED_VERSION_PREFIX}x: ${where}. ${INSTALL_HINT}`);
  }
  const run = spawnSync(path, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  const version = parseHaproxyVersion(`${run.stdout ?? ''}`);
  if (version === undefined) {
    throw new InteropUnavailableError(`interop tests: \`${path} -v\` did not print a HAProxy version (${run.error?.message ?? run.stderr}). ${INSTALL_HINT}`);
  }
  if (!version.startsWith(REQUIRED_VERSION_PREFIX)) {
    throw new InteropUnavailableError(`interop tests need HAProxy ${REQUIRED_VERSION_PREFIX}x, but ${path} is ${version}. ${INSTALL_HINT}`);
  }
  return { path, version };
}

/**
 * Decides whether interop tests run. STICKSIM_SKIP_INTEROP=1 skips them (reason printed once);
 * otherwise a missing or wrong haproxy throws, so the suite fails with the install hint.
 * STICKSIM_INTEROP_HAPROXY=<line> (measuring only) hands the decision to `interopGateFor(line)`.
 */
export function interopGate(env: NodeJS.ProcessEnv = process.env): InteropGate {
  if (env['STICKSIM_SKIP_INTEROP'] === '1') {
    const reason = 'STICKSIM_SKIP_INTEROP=1: interop tests against a real haproxy are skipped';
    console.warn(`[interop] ${reason}`);
    return { skip: true, reason };
  }
  const measuredLine = env['STICKSIM_INTEROP_HAPROXY'];
  if (measuredLine !== undefined && measuredLine !== '' && measuredLine !== '2.6') {
    const line = parseHaproxyLine(measuredLine, 'STICKSIM_INTEROP_HAPROXY');
    console.warn(`[interop] STICKSIM_INTEROP_HAPROXY=${line}: the 2.6 interop tests run against haproxy ${line} (they expect 2.6's answers)`);
    return interopGateFor(line, env);
  }
  return { skip: false, binary: locateHaproxy(env) };
}

// ---------------------------------------------------------------------------------------------
// Release lines
// ---------------------------------------------------------------------------------------------

/** The HAProxy release lines the interop tests can ask for (3.4 optional: Debian experimental). */
export const HAPROXY_LINES = ['2.6', '3.0', '3.2', '3.4'] as const;
export type HaproxyLine = (typeof HAPROXY_LINES)[number];

/** Checks a release-line name given by a person; `where` names the variable or option it came from. */
export function parseHaproxyLine(text: string, where: string): HaproxyLine {
  const line = HAPROXY_LINES.find((l) => l === text);
  if (line === undefined) throw new InteropUnavailableError(`${where}=${text}: not a HAProxy release line (want one of ${HAPROXY_LINES.join(', ')})`);
  return line;
}

/** The variable holding the binary of a line: STICKSIM_HAPROXY_3_0 for '3.0'. */
export function haproxyLineVariable(line: HaproxyLine): string {
  return `STICKSIM_HAPROXY_${line.replace('.', '_')}`;
}

/** Where scripts/haproxy-bin.sh caches the wrapper of a 3.x line (same defaults as the script). */
export function cachedHaproxyPath(line: HaproxyLine, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = nonEmpty(env['HOME']);
  const xdgCache = nonEmpty(env['XDG_CACHE_HOME']) ?? (home === undefined ? undefined : join(home, '.cache'));
  const root = nonEmpty(env['STICKSIM_CACHE']) ?? (xdgCache === undefined ? undefined : join(xdgCache, 'sticksim'));
  return root === undefined ? undefined : join(root, 'haproxy', line, 'haproxy');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Runs `path -v` and checks it is haproxy `line`.x; throws InteropUnavailableError saying why not. */
export function checkHaproxyLine(path: string, line: HaproxyLine, hint: string): HaproxyBinary {
  const run = spawnSync(path, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  const version = parseHaproxyVersion(`${run.stdout ?? ''}`);
  if (version === undefined) {
    throw new InteropUnavailableError(`interop tests: \`${path} -v\` did not print a HAProxy version (${run.error?.message ?? run.stderr}). ${hint}`);
  }
  if (!version.startsWith(`${line}.`)) {
    throw new InteropUnavailableError(`interop tests need HAProxy ${line}.x, but ${path} is ${version}. ${hint}`);
  }
  return { path, version };
}

/**
 * Finds the binary of one release line: $STICKSIM_HAPROXY_<line>; for 2.6 else the usual search
 * (HAPROXY_BIN, PATH); for 3.x else the wrapper scripts/haproxy-bin.sh left in its cache.
 * Returns undefined when nothing is configured or cached; throws when what is configured is wrong.
 */
export function locateHaproxyFor(line: HaproxyLine, env: NodeJS.ProcessEnv = process.env): HaproxyBinary | undefined {
  const variable = haproxyLineVariable(line);
  const hint = lineHint(line);
  const explicit = nonEmpty(env[variable]);
  if (explicit !== undefined) {
    if (!isExecutable(explicit)) throw new InteropUnavailableError(`${variable}=${explicit} is not executable. ${hint}`);
    return checkHaproxyLine(explicit, line, hint);
  }
  if (line === '2.6') return locateHaproxy(env);
  const cached = cachedHaproxyPath(line, env);
  if (cached !== undefined && isExecutable(cached)) return checkHaproxyLine(cached, line, hint);
  return undefined;
}

function lineHint(line: HaproxyLine): string {
  if (line === '2.6') return INSTALL_HINT;
  return (
    `Fetch it with \`scripts/haproxy-bin.sh ${line}\` (Debian's package, unpacked into a cache; .ci/run does this) ` +
    `and export ${haproxyLineVariable(line)}=<the path it prints>, or set STICKSIM_SKIP_INTEROP_3X=1 to skip the ${line} tests.`
  );
}

/**
 * Decides whether the interop tests of one release line run. STICKSIM_SKIP_INTEROP=1 skips every
 * line; STICKSIM_SKIP_INTEROP_3X=1 skips a 3.x line whose variable is unset and nothing is cached.
 * A 3.x line with no binary (variable unset, nothing in the cache of scripts/haproxy-bin.sh) is
 * skipped with its reason printed, unless STICKSIM_REQUIRE_3X=1 (then it throws with the fetch hint,
 * as .ci/run asks when it must not lose a line). A configured binary that is wrong always throws.
 * '2.6' behaves as `interopGate()`, with STICKSIM_HAPROXY_2_6 taking precedence over HAPROXY_BIN and PATH.
 */
export function interopGateFor(line: HaproxyLine, env: NodeJS.ProcessEnv = process.env): InteropGate {
  if (env['STICKSIM_SKIP_INTEROP'] === '1') {
    const reason = `STICKSIM_SKIP_INTEROP=1: interop tests against a real haproxy ${line} are skipped`;
    console.warn(`[interop] ${reason}`);
    return { skip: true, reason };
  }
  const binary = locateHaproxyFor(line, env);
  if (binary !== undefined) return { skip: false, binary };
  const variable = haproxyLineVariable(line);
  if (env['STICKSIM_SKIP_INTEROP_3X'] === '1') {
    const reason = `STICKSIM_SKIP_INTEROP_3X=1 and ${variable} unset: interop tests against a real haproxy ${line} are skipped`;
    console.warn(`[interop] ${reason}`);
    return { skip: true, reason };
  }
  const missing = `interop tests need HAProxy ${line}.x: ${variable} is unset and no cached copy was found. ${lineHint(line)}`;
  if (env['STICKSIM_REQUIRE_3X'] === '1') throw new InteropUnavailableError(`${missing} (STICKSIM_REQUIRE_3X=1)`);
  const reason = `no haproxy ${line} binary (${variable} unset, nothing cached): its interop tests are skipped. ${lineHint(line)}`;
  console.warn(`[interop] ${reason}`);
  return { skip: true, reason };
}

/** The release lines the peers interop tests run against, each with its gate. */
export const PEERS_INTEROP_LINES = ['2.6', '3.0', '3.2'] as const satisfies readonly HaproxyLine[];
export type PeersInteropLine = (typeof PEERS_INTEROP_LINES)[number];

export interface InteropLine {
  readonly line: PeersInteropLine;
  readonly gate: InteropGate;
}

/** One gate per line of PEERS_INTEROP_LINES (a missing 3.x binary skips its line with a printed reason). */
export function interopLines(env: NodeJS.ProcessEnv = process.env): InteropLine[] {
  return PEERS_INTEROP_LINES.map((line) => ({ line, gate: interopGateFor(line, env) }));
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

export interface LoopbackEndpoint {
  /** 127.0.0.x with x in 2..254 (127.0.0.1 is left to everything else). */
  readonly address: string;
  readonly port: number;
}

/** A random 127.0.0.x and a port that was free on it a moment ago (the OS picked it). */
export async function allocateLoopbackEndpoint(): Promise<LoopbackEndpoint> {
  const address = `127.0.0.${randomInt(2, 255)}`;
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: address, port: 0, exclusive: true }, () => {
      const bound = server.address();
      server.close(() => {
        if (bound !== null && typeof bound === 'object') resolve(bound.port);
        else reject(new Error(`could not read the port bound on ${address}`));
      });
    });
  });
  return { address, port };
}

// ---------------------------------------------------------------------------------------------
// Process
// ---------------------------------------------------------------------------------------------

/** Puts `stats socket <path> level admin` first in the `global` section (adds one if absent). */
export function withStatsSocket(configText: string, socketPath: string): string {
  assert(!/\s/.test(socketPath), `stats socket path must not contain white space: ${socketPath}`);
  const line = `    stats socket ${socketPath} level admin`;
  const lines = configText.split('\n');
  const globalAt = lines.findIndex((l) => /^global\s*(#.*)?$/.test(l));
  if (globalAt < 0) return `global\n${line}\n\n${configText}`;
  lines.splice(globalAt + 1, 0, line);
  return lines.join('\n');
}

export interface StartHaproxyOptions {
  readonly binary: HaproxyBinary;
  /** Builds the config for the endpoint chosen by the harness (used for a peers section or a bind). */
  readonly config: (endpoint: LoopbackEndpoint) => string;
  /** Passed as `-L <name>` (local peer name). */
  readonly localPeer?: string;
  readonly readyTimeoutMs?: number;
  /** Attempts with a fresh endpoint when haproxy fails to start (e.g. the port got taken). */
  readonly startAttemptsMax?: number;
}

export interface CliOptions {
  readonly timeoutMs?: number;
}

export class HaproxyProcess {
  private exited: ExitStatus | undefined;
  private readonly exitPromise: Promise<void>;
  private readonly outputText: () => string;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly socketPath: string,
    readonly endpoint: LoopbackEndpoint,
    /** The config as given by the caller (without the harness's stats socket line). */
    readonly configText: string,
  ) {
    const watched = watchChild(child, STDERR_KEEP_BYTES_MAX);
    this.outputText = watched.output;
    this.exitPromise = watched.exited.then((status) => {
      this.exited = status;
    });
  }

  /** Starts haproxy (`-db`, foreground, never daemonised) and waits until its socket answers. */
  static async start(options: StartHaproxyOptions): Promise<HaproxyProcess> {
    const attemptsMax = options.startAttemptsMax ?? 3;
    assert(attemptsMax >= 1 && attemptsMax <= 10, `startAttemptsMax out of range: ${attemptsMax}`);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attemptsMax; attempt++) {
      const endpoint = await allocateLoopbackEndpoint();
      const proc = HaproxyProcess.spawn(options, endpoint);
      try {
        await proc.waitReady(options.readyTimeoutMs ?? 5_000);
        return proc;
      } catch (error) {
        lastError = error;
        await proc.stop();
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private static spawn(options: StartHaproxyOptions, endpoint: LoopbackEndpoint): HaproxyProcess {
    const dir = mkdtempSync(join(tmpdir(), 'sticksim-hap-'));
    const socketPath = join(dir, 'admin.sock');
    const configText = options.config(endpoint);
    const cfgPath = join(dir, 'haproxy.cfg');
    writeFileSync(cfgPath, withStatsSocket(configText, socketPath));
    const args = ['-db', '-f', cfgPath];
    if (options.localPeer !== undefined) args.push('-L', options.localPeer);
    const child = spawn(options.binary.path, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return new HaproxyProcess(child, dir, socketPath, endpoint, configText);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What haproxy printed on stdout/stderr so far (last 64 KiB). */
  get output(): string {
    return this.outputText();
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const pollMs = 20;
    const pollsMax = Math.ceil(timeoutMs / pollMs);
    for (let poll = 0; poll < pollsMax; poll++) {
      if (this.exited !== undefined) {
        throw new Error(`haproxy exited during startup (code ${this.exited.code}, signal ${this.exited.signal}):\n${this.outputText()}`);
      }
      try {
        const info = await this.cli('show info', { timeoutMs: 1_000 });
        if (/^Name: HAProxy$/m.test(info)) return;
      } catch {
        // socket not there yet
      }
      await sleepMs(pollMs);
    }
    throw new Error(`haproxy's stats socket ${this.socketPath} did not answer within ${timeoutMs} ms:\n${this.outputText()}`);
  }

  /**
   * Sends one command on a fresh connection (write "cmd\n", half-close, read until haproxy
   * closes) and returns the exact answer, bytes as latin1 so nothing is lost. The command is
   * sent as UTF-8. A `;` in the command runs several commands, as with socat.
   */
  cli(command: string, options: CliOptions = {}): Promise<string> {
    return unixCli(this.socketPath, command, { timeoutMs: options.timeoutMs ?? 5_000, commandEncoding: 'utf8' });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp dir. Safe to call twice. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.exited === undefined) {
      this.child.kill('SIGTERM');
      const timedOut = await Promise.race([this.exitPromise.then(() => false), sleepMs(graceMs).then(() => true)]);
      if (timedOut) {
        this.child.kill('SIGKILL');
        await this.exitPromise;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One runtime-API command on a fresh unix-socket connection (like `echo CMD | socat - UNIX-CONNECT:path`):
 * writes "cmd\n", half-closes, reads until the server closes. The answer comes back as latin1 so
 * no byte is lost; the command goes out as latin1 unless `commandEncoding` says otherwise.
 */
export function unixCli(path: string, command: string, options: { timeoutMs?: number; commandEncoding?: BufferEncoding } = {}): Promise<string> {
  assert(!command.includes('\n'), 'a CLI command must not contain a newline');
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const socket = createConnection({ path });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(() => finish(new Error(`CLI ${path}: no complete answer to ${JSON.stringify(command.slice(0, 80))} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.end(Buffer.from(`${command}\n`, options.commandEncoding ?? 'latin1')));
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > CLI_ANSWER_BYTES_MAX) finish(new Error(`CLI ${path}: answer to ${JSON.stringify(command.slice(0, 80))} exceeds ${CLI_ANSWER_BYTES_MAX} bytes`));
      else chunks.push(chunk);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(undefined));
  });
}

/** The global and defaults sections every interop and bench config starts with (one thread, http). */
export function cfgPreamble(options: { clientTimeoutS?: number } = {}): string[] {
  const client = options.clientTimeoutS ?? 5;
  return ['global', '    nbthread 1', '', 'defaults', '    mode http', '    timeout connect 1s', `    timeout client ${client}s`, `    timeout server ${client}s`, ''];
}
