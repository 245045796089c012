/**
 * Records what one real HAProxy release line answers, for the per-version fixtures and the
 * differential figures of issue 13:
 *
 *   node --import tsx scripts/record-version-fixtures.ts <line> [--out DIR] [--seeds 1,11,12]
 *
 * <line> is 2.6, 3.0, 3.2 or 3.4; the binary comes from STICKSIM_HAPROXY_<line> or the cache of
 * scripts/haproxy-bin.sh (test/interop/haproxy.ts, locateHaproxyFor).
 *
 * For each seed: the runtime-API session generateSession(seed, 320) of the differential test is
 * run against a fresh haproxy (interop config), replayed into sticksim's engine (2.6 behaviour),
 * and every differing answer is put in one class (see classify). With --out, seed 1's answers are
 * written as DIR/session-seed1.txt (the fixture format of test/interop/session.ts) and the
 * `show peers` answers of a fixed two-peer config as DIR/show-peers.txt.
 * The summary goes to stdout, one line per class and seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../engine/config/parse.ts';
import { OfflineSession } from '../engine/runtime-api/offline-session.ts';
import { utf8ToLatin1 } from '../engine/table/keys.ts';
import { generateSession, INTEROP_LOCAL_PEER, interopConfig } from '../test/interop/commands.ts';
import { compareOutputs, type SessionRecord } from '../test/interop/compare.ts';
import { allocateLoopbackEndpoint, HaproxyProcess, locateHaproxyFor, parseHaproxyLine, sleepMs } from '../test/interop/haproxy.ts';
import { formatFixture, runSession } from '../test/interop/session.ts';

const COMMANDS_PER_SEED = 320;

function usage(message: string): never {
  process.stderr.write(`record-version-fixtures: ${message}\nusage: node --import tsx scripts/record-version-fixtures.ts <2.6|3.0|3.2|3.4> [--out DIR] [--seeds 1,11,12]\n`);
  process.exit(2);
}

/** Engine answers for the recorded commands at the recorded instants (as the differential test). */
function replayIntoEngine(configText: string, records: readonly SessionRecord[]): string[] {
  const parsed = parseConfig(configText, { file: 'interop.cfg' });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const session = new OfflineSession({ tables: parsed.config.tables });
  let atMs = 0;
  return records.map((r) => {
    session.advance(r.atMs - atMs);
    atMs = r.atMs;
    return session.execute(utf8ToLatin1(r.command)).join('');
  });
}

const ENTRY_RE = /^0x[0-9a-f]+: key=/;
const withoutShard = (text: string): string => text.replace(/ shard=\d+(?= |$)/gm, '');
const entriesSorted = (text: string): string => {
  const lines = text.split('\n');
  const entries = lines.filter((l) => ENTRY_RE.test(l)).sort();
  let i = 0;
  return lines.map((l) => (ENTRY_RE.test(l) ? entries[i++]! : l)).join('\n');
};
const tableHead = (text: string): string => text.split('\n').filter((l) => l.startsWith('# table:')).join('\n');
const entryKeys = (text: string): string => text.split('\n').filter((l) => ENTRY_RE.test(l)).map((l) => /key=(\S+)/.exec(l)![1]!).sort().join(',');

/**
 * The class of one answer pair (haproxy, engine), first matching rule wins:
 *   same            identical under the differential test's masking
 *   shard-field     identical once ` shard=N` is removed from haproxy's entry lines
 *   bucket-order    identical once the shard field is removed and the entry lines sorted
 *   invalid-key     haproxy answered `Invalid key` (strict key parsing)
 *   lax-key         the engine answered `Invalid key` and haproxy did not (a key 2.6 refuses)
 *   glitch-type     the command names glitch_cnt/glitch_rate (data types new in 3.0)
 *   table-full      the engine could not allocate an entry that haproxy could (eviction differs)
 *   binary-key      the command addresses the binary-key table t_bin
 *   usage-ptr       haproxy's usage text names the `ptr` form (`or <table> ptr <ptr>`, `or ptr <ptr>`)
 *   values          same table heads and keys, other values (exp/rates/counters: often a
 *                   consequence of an earlier class, or of the clock)
 *   entries         other keys or counts in a dump (a consequence of an earlier class)
 *   other           anything else (listed in full)
 */
function classify(command: string, expected: string, actual: string): string {
  const tolerant = (a: string, b: string): boolean => compareOutputs(a, b).ok;
  if (tolerant(expected, actual)) return 'same';
  const noShard = withoutShard(expected);
  if (tolerant(noShard, actual)) return 'shard-field';
  if (tolerant(entriesSorted(noShard), entriesSorted(actual))) return 'bucket-order';
  if (/^Invalid key\n/.test(expected)) return 'invalid-key';
  if (/^Invalid key\n/.test(actual)) return 'lax-key';
  if (/ t_bin /.test(` ${command} `)) return 'binary-key';
  if (/ or (<table> )?ptr <ptr>/.test(expected)) return 'usage-ptr';
  if (/glitch_/.test(command)) return 'glitch-type';
  if (/^Unable to allocate a new entry\n/.test(actual)) return 'table-full';
  if (tableHead(noShard) === tableHead(actual) && entryKeys(noShard) === entryKeys(actual) && entryKeys(actual) !== '') return 'values';
  if (ENTRY_RE.test(noShard.split('\n')[1] ?? '') || ENTRY_RE.test(actual.split('\n')[1] ?? '') || tableHead(noShard) !== '') return 'entries';
  return 'other';
}

async function showPeersSample(binaryPath: string, version: string): Promise<string> {
  // local peer + one remote that nobody listens on: the section, the remote's line, the table line
  const remote = await allocateLoopbackEndpoint();
  const hap = await HaproxyProcess.start({
    binary: { path: binaryPath, version },
    localPeer: 'hap1',
    config: (local) =>
      [
        'global',
        '    nbthread 1',
        '',
        'defaults',
        '    mode http',
        '    timeout connect 1s',
        '    timeout client 5s',
        '    timeout server 5s',
        '',
        'peers mypeers',
        `    peer hap1 ${local.address}:${local.port}`,
        `    peer hap2 ${remote.address}:${remote.port}`,
        '',
        'backend st',
        '    stick-table type ip size 1k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt peers mypeers',
        '',
      ].join('\n'),
  });
  try {
    const out: string[] = [`# haproxy ${version}; hap1 ${hap.endpoint.address}:${hap.endpoint.port}, hap2 ${remote.address}:${remote.port} (closed port)`];
    await sleepMs(300);
    out.push('=== show peers, 0.3 s after start', await hap.cli('show peers'));
    await hap.cli('set table st key 127.0.0.50 data.gpc0 5');
    await sleepMs(6_000);
    out.push('=== show peers, 6.3 s after start, after `set table st key 127.0.0.50 data.gpc0 5`', await hap.cli('show peers'));
    out.push('=== show table st', await hap.cli('show table st'));
    return `${out.join('\n')}\n`;
  } finally {
    await hap.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const lineText = args[0];
  if (lineText === undefined) usage('missing release line');
  const line = parseHaproxyLine(lineText, 'line');
  let outDir: string | undefined;
  let seeds = [1, 11, 12];
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1] !== undefined) outDir = args[++i];
    else if (args[i] === '--seeds' && args[i + 1] !== undefined) seeds = args[++i]!.split(',').map(Number);
    else usage(`unknown argument ${args[i]}`);
  }
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) usage('--seeds wants non-negative integers');
  const binary = locateHaproxyFor(line);
  if (binary === undefined) usage(`no haproxy ${line}: run scripts/haproxy-bin.sh ${line} first`);
  process.stderr.write(`recording haproxy ${binary.version} (${binary.path})\n`);
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });

  for (const seed of seeds) {
    const hap = await HaproxyProcess.start({ binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
    let records: SessionRecord[];
    try {
      records = await runSession(generateSession(seed, COMMANDS_PER_SEED), (cmd) => hap.cli(cmd));
    } finally {
      await hap.stop();
    }
    const actual = replayIntoEngine(hap.configText, records);
    const counts = new Map<string, number>();
    const examples: string[] = [];
    records.forEach((r, i) => {
      const cls = classify(r.command, r.output, actual[i]!);
      counts.set(cls, (counts.get(cls) ?? 0) + 1);
      if (cls !== 'same' && cls !== 'shard-field' && cls !== 'bucket-order' && cls !== 'values' && cls !== 'entries') {
        examples.push(`  [${cls}] #${r.index} ${r.command}\n    haproxy: ${JSON.stringify(r.output)}\n    engine:  ${JSON.stringify(actual[i])}`);
      }
    });
    const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `${c}=${n}`).join(' ');
    process.stdout.write(`${binary.version} seed ${seed}: ${records.length} answers: ${summary}\n${examples.join('\n')}\n`);
    if (outDir !== undefined && seed === 1) {
      const text = formatFixture(
        {
          comments: [
            `haproxy ${binary.version} answers to generateSession(1, ${COMMANDS_PER_SEED}) (test/interop/commands.ts)`,
            `recorded by scripts/record-version-fixtures.ts ${line} --out <dir>; +Nms = send time since the first command`,
            'config below; the run itself used a random 127.0.0.x:port on the peer line instead of 127.0.0.2:10000',
          ],
          configText: interopConfig({ address: '127.0.0.2', port: 10000 }),
        },
        records,
      );
      // written as test/interop/haproxy-smoke.test.ts writes fixtures/session-seed1.txt (UTF-8 text)
      writeFileSync(join(outDir, 'session-seed1.txt'), text);
    }
  }
  if (outDir !== undefined) writeFileSync(join(outDir, 'show-peers.txt'), await showPeersSample(binary.path, binary.version));
}

main().catch((error: unknown) => {
  process.stderr.write(`record-version-fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
