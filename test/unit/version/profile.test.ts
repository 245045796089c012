/**
 * The version profiles of issue 13: the xxHash the 3.x bucket placement needs, the measured dump
 * order of the lab (docs/haproxy-versions.md R2, study D2), and the runtime-API differences each
 * line has (R1, R3–R6, R8, R9, E2), each next to the 2.6 answer so both sides can fail.
 */
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../../engine/config/parse.ts';
import { OfflineSession } from '../../../engine/runtime-api/offline-session.ts';
import { keyBucketer } from '../../../engine/table/buckets.ts';
import { parseIpv4Strict } from '../../../engine/table/keys.ts';
import { profileFor, type HaproxyVersion } from '../../../engine/version/profile.ts';
import { xxh32, xxh64 } from '../../../engine/version/xxhash.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('xxHash', () => {
  // Published vectors, and two more from the lab's independent Python (bucket_order.py).
  test.each([
    ['', 0, 0x02cc5d05],
    ['abc', 0, 0x32d153ff],
    ['Nobody inspects the spammish repetition', 0, 0xe2293b2f],
    ['b'.repeat(37), 0x9747b28c, 0x033d8728],
  ])('XXH32(%j, %d)', (text, seed, want) => {
    expect(xxh32(bytes(text), seed)).toBe(want);
  });
  test.each([
    ['', 0n, 0xef46db3751d8e999n],
    ['abc', 0n, 0x44bc2cf5ad770999n],
    ['Nobody inspects the spammish repetition', 0n, 0xfbcea83c8a378bf1n],
    ['a'.repeat(40), 7n, 0xd2a1802a5f97a4ebn],
  ])('XXH64(%j, %d)', (text, seed, want) => {
    expect(xxh64(bytes(text), seed)).toBe(want);
  });
});

describe('bucket order of a dump', () => {
  const keys = ['127.0.0.50', '127.0.0.51', '127.0.0.52', '127.0.0.60', '127.0.0.61', '127.0.0.62', '127.0.0.63', '127.0.0.64'];
  const order = (buckets: number): string[] => {
    const b = keyBucketer({ name: 'st', keyType: 'ip' }, buckets);
    const v = (k: string): number => parseIpv4Strict(k)!;
    return [...keys].sort((x, y) => b.bucketOf(v(x)) - b.bucketOf(v(y)) || v(x) - v(y)).map((k) => k.slice(8));
  };
  // lab/v3/out/<line>/01-formats.out, table `st`
  test('3.0.11 (32 buckets) as measured', () => expect(order(32)).toEqual(['51', '64', '50', '62', '61', '60', '52', '63']));
  test('3.2.26 (64 buckets) as measured', () => expect(order(64)).toEqual(['51', '64', '62', '60', '50', '61', '52', '63']));
});

function session(version: HaproxyVersion, config: string): OfflineSession {
  const parsed = parseConfig(config, { file: 't.cfg', version });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return new OfflineSession({ tables: parsed.config.tables, profile: profileFor(version) });
}
const run = (s: OfflineSession, command: string): string => s.execute(command).join('');

const CFG = [
  'backend t_ip',
  '    stick-table type ip size 8 expire 30s store gpc0',
  'backend t_int',
  '    stick-table type integer size 8 store gpc(2)',
  'backend t_bin',
  '    stick-table type binary len 8 size 8 store gpc0',
  'backend t_small',
  '    stick-table type ip size 10 expire 30s store gpc0',
  '',
].join('\n');

describe.each(['2.6', '3.0', '3.2'] as const)('runtime API under %s', (version) => {
  const v3 = version !== '2.6';

  test('entry lines carry shard=0 after exp only in 3.x', () => {
    const s = session(version, CFG);
    run(s, 'set table t_ip key 10.0.0.1 data.gpc0 3');
    const line = run(s, 'show table t_ip key 10.0.0.1').split('\n')[1]!;
    expect(/ exp=\d+ shard=0 gpc0=3$/.test(line)).toBe(v3);
    expect(/ exp=\d+ gpc0=3$/.test(line)).toBe(!v3);
  });

  test('ip keys: 3.x refuses what 2.6 stores as some address', () => {
    const s = session(version, CFG);
    expect(run(s, 'set table t_ip key 127.1')).toBe(v3 ? 'Invalid key\n\n' : '\n');
    expect(run(s, 'set table t_ip key ::1')).toBe('\n'); // 2.6 stores 0.0.0.0, 3.x 0.0.0.1
    const dump = run(s, 'show table t_ip');
    expect(dump.includes('key=127.1.0.0 ')).toBe(!v3);
    expect(dump.includes('key=0.0.0.1 ')).toBe(v3);
  });

  test('integer keys: 3.x casts what 2.6 refuses (-1 is 4294967295)', () => {
    const s = session(version, CFG);
    expect(run(s, 'set table t_int key -1')).toBe(v3 ? '\n' : 'Invalid key\n\n');
    expect(run(s, 'show table t_int key 4294967295').includes('key=4294967295 ')).toBe(v3);
  });

  test('binary keys: refused in every line, but 3.x creates the entry (3.0 pins it)', () => {
    const s = session(version, CFG);
    expect(run(s, 'set table t_bin key 0a0b')).toBe('Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n\n');
    const dump = run(s, 'show table t_bin');
    expect(dump.includes('used:1')).toBe(v3);
    if (v3) expect(dump).toContain(`key=3061306200000000 use=${version === '3.0' ? 1 : 0} `);
  });

  test('usage texts name the ptr form from 3.0', () => {
    const s = session(version, CFG);
    expect(run(s, 'clear table t_ip foo').includes('or <table> ptr <ptr>')).toBe(v3);
  });

  test('glitch_cnt is a known type from 3.0; gpc[1] names an element from 3.2', () => {
    const s = session(version, CFG);
    expect(run(s, 'set table t_ip key 10.0.0.1 data.glitch_cnt 1')).toBe(v3 ? 'Data type not stored in this table\n\n' : 'Unknown data type\n\n');
    expect(run(s, 'set table t_int key 5 data.gpc[1] 7')).toBe(version === '3.2' ? '\n' : 'Unknown data type\n\n');
    if (version === '3.2') expect(run(s, 'show table t_int key 5')).toContain(' gpc0=0 gpc1=7');
  });

  test('a full table evicts the oldest (2.6), the oldest of the lowest bucket (3.0), up to 2 per bucket (3.2)', () => {
    const s = session(version, CFG);
    for (let i = 1; i <= 10; i++) {
      run(s, `set table t_small key 10.0.0.${i}`);
      s.advance(10);
    }
    run(s, 'set table t_small key 10.0.0.11');
    const keys = [...run(s, 'show table t_small').matchAll(/key=(\S+)/g)].map((m) => m[1]!);
    const b = keyBucketer({ name: 't_small', keyType: 'ip' }, Math.max(1, profileFor(version).tableBuckets));
    const lowest = Math.min(...Array.from({ length: 10 }, (_, i) => b.bucketOf(parseIpv4Strict(`10.0.0.${i + 1}`)!)));
    if (version === '2.6') expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 2}`).sort());
    if (version === '3.0') {
      expect(keys).toHaveLength(10);
      const gone = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}`).filter((k) => !keys.includes(k));
      expect(gone).toHaveLength(1);
      expect(b.bucketOf(parseIpv4Strict(gone[0]!)!)).toBe(lowest);
    }
    // 3.2 purges a fixed batch of 100, at most 2 per bucket: a 10-entry table keeps only
    // entries that had two older neighbours in their bucket, plus the new one (study D3).
    if (version === '3.2') expect(keys.length).toBeLessThan(5);
  });
});
