/**
 * Proves the interop harness against a real HAProxy 2.6: a handful of runtime-API facts from the
 * lab (RESULTS.md experiment 1), the process lifecycle, and the seed-1 command session, whose
 * answers must match the fixture test/fixtures/haproxy-session-seed1.txt (the differential test
 * replays that fixture into the engine on every machine, so it must stay what haproxy answers).
 * Only what timing explains may differ (exp and rate readings; see fixture-drift.ts); any other
 * difference, a different command list, or a missing fixture fails the test.
 *
 *   STICKSIM_UPDATE_FIXTURES=1   rewrite the fixture from this run instead of comparing (on purpose:
 *                                after a change to the command generator or a new haproxy build)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR, fixture } from '../helpers/shared.ts';
import { generateSession, INTEROP_LOCAL_PEER, INTEROP_TABLES, interopConfig } from './commands.ts';
import { fixtureDrift } from './fixture-drift.ts';
import { HaproxyProcess, interopGate } from './haproxy.ts';
import { formatFixture, parseFixture, runSession } from './session.ts';

const gate = interopGate();
const FIXTURE_NAME = 'haproxy-session-seed1.txt';
const UPDATE_FIXTURES = process.env['STICKSIM_UPDATE_FIXTURES'] === '1';
const SESSION_SEED = 1;
const SESSION_COUNT = 320;

const HEADER_RE = /^# table: (\S+), type: (ip|ipv6|integer|string|binary), size:(\d+), used:(\d+)$/;
const ENTRY_RE = /^0x[0-9a-f]+: key=((?:\\.|[^\\ ])+) use=(\d+) exp=(\d+)((?: [a-z0-9_]+(?:\(\d+\))?=\S+)*)$/;
/** Every message a table command may print (spec §7.1–7.3), as regular expressions. */
const KNOWN_MESSAGES: readonly RegExp[] = [
  /^No such table$/,
  /^Key value expected$/,
  /^Invalid key$/,
  /^Unknown data type$/,
  /^Data type not stored in this table$/,
  /^Require a valid integer value to store$/,
  /^"data\.<type>" followed by a value expected$/,
  /^Unable to allocate a new entry$/,
  /^Filter entry #\d: (Unknown data type|Data type not stored in this table|Require and operator among "eq", "ne", "le", "ge", "lt", "gt"|Require a valid integer value to compare against)$/,
  /^Detected extra data in filter, \d+th word of input, after '.*'$/,
  /^Optional argument only supports "data\.<store_data_type>" <operator> <value> and key <key>$/,
  /^Required arguments: <table> .*$/,
  /^content-based lookup is only supported with the "show" and "clear" actions$/,
  /^(Showing|Removing|Inserting) keys (from|into) tables of type other than ip, ipv6, string and integer is not supported$/,
];

/** Each table's `expire` in ms, by the name the CLI uses. */
function tableExpireMs(): Map<string, number> {
  const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const out = new Map<string, number>();
  for (const t of INTEROP_TABLES) {
    const m = / expire (\d+)(ms|s|m|h)\b/.exec(t.declaration);
    if (m !== null) out.set(t.cliName, Number(m[1]) * unitMs[m[2]!]!);
  }
  return out;
}

function tableSize(cliName: string): number {
  const t = INTEROP_TABLES.find((x) => x.cliName === cliName);
  const m = t === undefined ? null : / size (\d+)/.exec(t.declaration);
  if (m === null) throw new Error(`no size for ${cliName}`);
  return Number(m[1]);
}

describe.skipIf(gate.skip)('real haproxy 2.6 through the interop harness', () => {
  let hap: HaproxyProcess | undefined;
  const cli = (cmd: string): Promise<string> => {
    if (hap === undefined) throw new Error('haproxy is not running');
    return hap.cli(cmd);
  };

  beforeAll(async () => {
    if (gate.skip) return;
    hap = await HaproxyProcess.start({ binary: gate.binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
  });
  afterAll(async () => {
    await hap?.stop();
  });

  test('show table: one header per table, sizes from the config, answer ends with an empty line', async () => {
    const out = await cli('show table');
    expect(out.endsWith('\n\n')).toBe(true);
    const lines = out.slice(0, -2).split('\n');
    const headers = lines.map((l) => HEADER_RE.exec(l));
    expect(headers.every((h) => h !== null)).toBe(true);
    const names = headers.map((h) => h![1]!);
    expect([...names].sort()).toEqual(INTEROP_TABLES.map((t) => t.cliName).sort());
    for (const h of headers) expect(Number(h![3])).toBe(tableSize(h![1]!));
    // most recently declared first (RESULTS.md exp 1): the last backend heads the list
    expect(names[0]).toBe(INTEROP_TABLES[INTEROP_TABLES.length - 2]!.cliName);
  });

  test('an unknown table answers "No such table"', async () => {
    expect(await cli('show table nosuch')).toBe('No such table\n\n');
    expect(await cli('set table nosuch key 10.0.0.1 data.gpc0 1')).toBe('No such table\n\n');
  });

  test('a missing key prints only the empty line, not even the header', async () => {
    expect(await cli('show table t_ip key 10.200.0.1')).toBe('\n');
  });

  test('set table on a type the table does not store', async () => {
    expect(await cli('set table t_ip key 10.200.0.2 data.gpt0 1')).toBe('Data type not stored in this table\n\n');
  });

  test('notanip becomes 0.0.0.0, set prints nothing, fields come in data-type id order', async () => {
    expect(await cli('set table t_ip key notanip data.gpc1 5 data.gpc0 3')).toBe('\n');
    const out = await cli('show table t_ip key 0.0.0.0');
    const [header, entry, empty, ...rest] = out.split('\n');
    expect(rest).toEqual(['']);
    expect(empty).toBe('');
    expect(header).toMatch(HEADER_RE);
    const m = ENTRY_RE.exec(entry ?? '');
    expect(m).not.toBeNull();
    expect(m![1]).toBe('0.0.0.0');
    expect(Number(m![3])).toBeGreaterThan(29_000);
    expect(Number(m![3])).toBeLessThanOrEqual(30_000);
    expect(m![4]).toBe(' gpc0=3 conn_cnt=0 conn_cur=0 http_req_rate(1000)=0 bytes_in_cnt=0 gpc1=5');
  });

  test('a filter on an unknown data type', async () => {
    expect(await cli('show table t_ip data.nosuch gt 1')).toBe('Filter entry #1: Unknown data type\n\n');
  });

  test('stop() kills haproxy and removes its temp dir', async () => {
    if (gate.skip) return;
    const other = await HaproxyProcess.start({ binary: gate.binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
    const pid = other.pid;
    expect(pid).toBeDefined();
    expect(other.endpoint.address).toMatch(/^127\.0\.0\.(\d+)$/);
    expect(await other.cli('show table t_nodata')).toBe('# table: t_nodata, type: ip, size:5, used:0\n\n');
    await other.stop();
    expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
    expect(existsSync(other.dir)).toBe(false);
  });

  test(`the seed-${SESSION_SEED} session: every answer is well formed and matches the fixture`, async () => {
    if (gate.skip) return;
    const session = generateSession(SESSION_SEED, SESSION_COUNT);
    // a fresh haproxy, so the session starts from empty tables
    const fresh = await HaproxyProcess.start({ binary: gate.binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
    let records;
    try {
      records = await runSession(session, (cmd) => fresh.cli(cmd));
    } finally {
      await fresh.stop();
    }
    const unknownLines: string[] = [];
    for (const rec of records) {
      expect(rec.output.endsWith('\n'), `#${rec.index} ${rec.command}`).toBe(true);
      for (const line of rec.output.split('\n')) {
        if (line === '' || HEADER_RE.test(line) || ENTRY_RE.test(line)) continue;
        if (!KNOWN_MESSAGES.some((re) => re.test(line))) unknownLines.push(`#${rec.index} ${rec.command}: ${line}`);
      }
    }
    expect(unknownLines).toEqual([]);
    const configText = interopConfig({ address: '127.0.0.2', port: 10000 });
    const text = formatFixture(
      {
        comments: [
          `haproxy ${gate.binary.version} answers to generateSession(${SESSION_SEED}, ${SESSION_COUNT}) (test/interop/commands.ts)`,
          'recorded by test/interop/haproxy-smoke.test.ts with STICKSIM_UPDATE_FIXTURES=1; +Nms = send time since the first command',
          'config below; the run itself used a random 127.0.0.x:port on the peer line instead of 127.0.0.2:10000',
        ],
        configText,
      },
      records,
    );
    if (UPDATE_FIXTURES) {
      const path = join(FIXTURES_DIR, FIXTURE_NAME);
      writeFileSync(path, text);
      console.info(`[interop] STICKSIM_UPDATE_FIXTURES=1: rewrote ${path}`);
      return;
    }
    const saved = parseFixture(readFileSync(fixture(FIXTURE_NAME), 'utf8'));
    const expires = tableExpireMs();
    const drift = fixtureDrift(saved.records, records, expires);
    expect(drift, `haproxy ${gate.binary.version} no longer answers as test/fixtures/${FIXTURE_NAME} says (rerun with STICKSIM_UPDATE_FIXTURES=1 if that is intended):\n${drift.slice(0, 5).join('\n')}`).toEqual([]);
  }, 60_000);
});
