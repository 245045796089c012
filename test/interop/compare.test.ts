/**
 * The interop tooling that needs no haproxy: output comparison, the fixture format, the
 * session generator and the harness's config/path helpers.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CURATED_COMMANDS, generateSession, interopConfig, INTEROP_TABLES } from './commands.ts';
import { compareOutputs, compareSessions, formatMismatch, maskPointers, normaliseLine } from './compare.ts';
import { parseHaproxyVersion, withStatsSocket } from './haproxy.ts';
import { formatFixture, parseFixture, runSession } from './session.ts';

const HEAD = '# table: t_ip, type: ip, size:8, used:2';
const row = (ptr: string, key: string, expMs: number, gpc0: number): string => `${ptr}: key=${key} use=0 exp=${expMs} gpc0=${gpc0}`;
const dump = (lines: string[]): string => `${[HEAD, ...lines].join('\n')}\n\n`;

describe('compareOutputs', () => {
  test('pointers are masked and exp within the tolerance is accepted', () => {
    const haproxy = dump([row('0x55d390180600', '10.0.0.1', 29_950, 1), row('0x55d390180ab0', '10.0.0.2', 10_000, 2)]);
    const sticksim = dump([row('0x1', '10.0.0.1', 30_000, 1), row('0x2', '10.0.0.2', 9_851, 2)]);
    expect(compareOutputs(haproxy, sticksim)).toEqual({ ok: true });
  });

  test('exp beyond the tolerance is a mismatch naming the line and the delta', () => {
    const haproxy = dump([row('0xa', '10.0.0.1', 29_000, 1)]);
    const sticksim = dump([row('0xb', '10.0.0.1', 29_200, 1)]);
    expect(compareOutputs(haproxy, sticksim)).toEqual({ ok: false, reason: 'line 2: exp differs by 200 ms (tolerance 150 ms)' });
    expect(compareOutputs(haproxy, sticksim, { expToleranceMs: 200 })).toEqual({ ok: true });
  });

  test('any other difference is a mismatch, whitespace included', () => {
    const haproxy = dump([row('0xa', '10.0.0.1', 100, 1)]);
    expect(compareOutputs(haproxy, dump([row('0xa', '10.0.0.1', 100, 2)])).ok).toBe(false);
    expect(compareOutputs(haproxy, `${dump([row('0xa', '10.0.0.1', 100, 1)])}\n`).ok).toBe(false);
    expect(compareOutputs('No such table\n\n', 'No such table \n\n').ok).toBe(false);
    expect(compareOutputs('\n', '').ok).toBe(false);
  });

  test('a line that merely looks like exp outside an entry line is compared verbatim', () => {
    expect(normaliseLine('exp=5').expMs).toBeUndefined();
    expect(compareOutputs('exp=5\n', 'exp=6\n').ok).toBe(false);
  });

  test('property: masking and small exp shifts never make two equal dumps differ', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 0xffffff }), fc.nat({ max: 60_000 }), fc.integer({ min: -150, max: 150 }), fc.nat()), { maxLength: 8 }),
        (entries) => {
          const a = dump(entries.map(([p, e, , v], i) => row(`0x${p.toString(16)}`, `10.0.0.${i}`, e, v)));
          const b = dump(entries.map(([p, e, d, v], i) => row(`0x${(p + 8).toString(16)}`, `10.0.0.${i}`, Math.max(0, e + d), v)));
          return compareOutputs(a, b).ok;
        },
      ),
      { seed: 42, numRuns: Number(process.env['FC_NUM_RUNS'] ?? 100) },
    );
  });
});

describe('compareSessions and formatMismatch', () => {
  test('reports index, command, both texts and the differing lines', () => {
    const expected = [
      { index: 0, command: 'set table t_ip key 10.0.0.1 data.gpc0 1', atMs: 0, output: '\n' },
      { index: 1, command: 'show table t_ip', atMs: 12, output: dump([row('0xa', '10.0.0.1', 29_000, 1), row('0xb', '10.0.0.2', 29_000, 0)]) },
    ];
    const actual = ['\n', dump([row('0xc', '10.0.0.1', 29_010, 7), row('0xd', '10.0.0.2', 29_000, 0)])];
    const mismatches = compareSessions(expected, actual);
    expect(mismatches.map((m) => [m.index, m.reason])).toEqual([[1, 'line 2 differs']]);
    const text = formatMismatch(mismatches[0]!);
    expect(text).toContain('#1 at +12 ms: show table t_ip');
    expect(text).toContain('  - 0x…: key=10.0.0.1 use=0 exp=29000 gpc0=1');
    expect(text).toContain('  + 0x…: key=10.0.0.1 use=0 exp=29010 gpc0=7');
    expect(text).toContain('    0x…: key=10.0.0.2 use=0 exp=29000 gpc0=0');
  });

  test('different session lengths are refused', () => {
    expect(() => compareSessions([{ index: 0, command: 'x', atMs: 0, output: '\n' }], [])).toThrow(/lengths differ/);
  });

  test('maskPointers only touches entry pointers', () => {
    expect(maskPointers('0x12ab: key=a use=0 exp=0\nkey=0x12ab: x\n')).toBe('0x…: key=a use=0 exp=0\nkey=0x12ab: x\n');
  });
});

describe('fixture format', () => {
  test('round-trips commands, times, answers (empty, missing final newline) and the config', () => {
    const records = [
      { index: 0, command: 'show table', atMs: 0, output: '# table: a, type: ip, size:1, used:0\n\n' },
      { index: 1, command: 'set table t_str key a\\ b', atMs: 7, output: '\n' },
      { index: 2, command: 'weird', atMs: 9, output: '' },
      { index: 3, command: 'weird2', atMs: 10, output: 'no newline' },
      { index: 4, command: 'weird3', atMs: 11, output: '| > === #1 +0ms\n' },
    ];
    const configText = 'global\n    nbthread 1\n\nbackend a\n';
    const text = formatFixture({ comments: ['hello'], configText }, records);
    expect(parseFixture(text)).toEqual({ configText, records });
  });

  test('malformed fixtures are refused with a line number', () => {
    expect(() => parseFixture('=== #0 +0ms\n> a\nbad\n')).toThrow(/fixture line 3/);
  });
});

describe('runSession', () => {
  test('sends every command in order after its delay and records the send times', async () => {
    let clockMs = 1_000;
    const sent: string[] = [];
    const records = await runSession(
      [
        { kind: 'show', text: 'a', delayMsBefore: 50 },
        { kind: 'show', text: 'b', delayMsBefore: 30 },
        { kind: 'show', text: 'c', delayMsBefore: 0 },
      ],
      async (cmd) => {
        sent.push(cmd);
        clockMs += 2;
        return `${cmd}!\n`;
      },
      { nowMs: () => clockMs, sleep: async (ms) => void (clockMs += ms) },
    );
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(records.map((r) => [r.index, r.atMs, r.output])).toEqual([
      [0, 0, 'a!\n'],
      [1, 32, 'b!\n'],
      [2, 34, 'c!\n'],
    ]);
  });
});

describe('generateSession', () => {
  const session = generateSession(1, 320);

  test('short sessions are random only', () => {
    expect(generateSession(3, 20).some((c) => c.kind === 'curated')).toBe(false);
    expect(generateSession(3, 0)).toEqual([]);
  });

  test('is the same for the same seed and differs for another seed', () => {
    expect(generateSession(1, 320)).toEqual(session);
    expect(generateSession(2, 320)).not.toEqual(session);
    expect(session).toHaveLength(320);
  });

  test('covers every table, every command family and the odd cases the brief lists', () => {
    const texts = session.map((c) => c.text);
    for (const t of INTEROP_TABLES) expect(texts.some((x) => x.includes(` ${t.cliName} `) || x.endsWith(` ${t.cliName}`))).toBe(true);
    const kinds = new Set(session.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['clear', 'curated', 'misc', 'set', 'set-invalid', 'show', 'show-all']);
    expect(session.filter((c) => c.kind === 'curated').map((c) => c.text)).toEqual(CURATED_COMMANDS);
    expect(texts.some((x) => /^show table \S+( data\.\S* \S* \S+){4} data\./.test(x))).toBe(true); // 5 filters
    expect(texts.some((x) => /^set table t_ip6? key \S+ data\.bytes_(in|out)_cnt \d{10,}/.test(x))).toBe(true); // 64-bit
    expect(texts.some((x) => x.includes('key notanip') || x.includes('key 1.2.3.999'))).toBe(true);
    expect(texts.some((x) => x.startsWith('clear table ') && x.includes(' key '))).toBe(true);
    expect(session.some((c) => c.delayMsBefore >= 150)).toBe(true);
    expect(texts.every((x) => !x.includes('\n'))).toBe(true);
  });

  test('the config stores at least 8 distinct data types, tiny and nopurge tables included', () => {
    const cfg = interopConfig({ address: '127.0.0.9', port: 1234 });
    const stored = new Set(INTEROP_TABLES.flatMap((t) => t.store.map((i) => i.name)));
    expect(stored.size).toBeGreaterThanOrEqual(8);
    expect(cfg).toMatch(/^ {4}peer local 127\.0\.0\.9:1234$/m);
    expect(cfg).toMatch(/stick-table type ip size 4 expire 30s nopurge store /);
    for (const keyType of ['ip', 'ipv6', 'integer', 'string', 'binary']) expect(cfg).toMatch(new RegExp(`type ${keyType} `));
  });
});

describe('harness helpers', () => {
  test('the stats socket goes first into the global section, or a global section is added', () => {
    expect(withStatsSocket('global\n    nbthread 1\n', '/tmp/x/a.sock')).toBe('global\n    stats socket /tmp/x/a.sock level admin\n    nbthread 1\n');
    expect(withStatsSocket('backend b\n', '/tmp/s')).toBe('global\n    stats socket /tmp/s level admin\n\nbackend b\n');
  });

  test('the version is read from the first line of haproxy -v', () => {
    expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: …')).toBe('2.6.12-1+deb12u4');
    expect(parseHaproxyVersion('HA-Proxy version 1.8.19 2019/02/11')).toBe('1.8.19');
    expect(parseHaproxyVersion('nginx version: nginx/1.22.1')).toBeUndefined();
  });
});
