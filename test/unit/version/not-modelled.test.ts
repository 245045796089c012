/**
 * Rows of docs/haproxy-versions.md where HAProxy 3.0/3.2 differ from 2.6 and sticksim does not
 * (yet) follow them: what sticksim does instead under every profile, pinned per row. A change that
 * models one of them fails here on purpose, and the row's "what sticksim does" cell changes with it.
 */
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../../engine/config/parse.ts';
import { OfflineSession } from '../../../engine/runtime-api/offline-session.ts';
import { profileFor } from '../../../engine/version/profile.ts';

const TABLE = 'backend t\n    stick-table type ip size 1k store gpc0\n';

function parses(text: string, version: '2.6' | '3.0' | '3.2'): string {
  const result = parseConfig(text, { file: 't.cfg', version });
  return result.ok ? 'ok' : result.errors.map((e) => e.message).join(' | ');
}

describe.each(['2.6', '3.0', '3.2'] as const)('under the %s profile', (version) => {
  test('R7: `show table … ptr 0x…` is not a command (3.x has it): the usage text answers', () => {
    const parsed = parseConfig(TABLE, { file: 't.cfg', version });
    if (!parsed.ok) throw new Error('the table parses');
    const s = new OfflineSession({ tables: parsed.config.tables, profile: profileFor(version) });
    expect(s.execute('show table t ptr 0x1234').join('')).toMatch(/^Optional argument only supports "data\.<store_data_type>" <operator> <value> (and|or) key <key>/);
  });

  test('R13: a 6 KB command line of 160 `set table` commands is taken (3.2.26 refuses such a line: too big for its buffer)', () => {
    const parsed = parseConfig(TABLE, { file: 't.cfg', version });
    if (!parsed.ok) throw new Error('the table parses');
    const s = new OfflineSession({ tables: parsed.config.tables, profile: profileFor(version) });
    const line = Array.from({ length: 160 }, (_, i) => `set table t key 10.0.${i >> 8}.${i & 255} data.gpc0 ${i}`).join(';');
    expect(line.length).toBeGreaterThan(6_000);
    expect(s.execute(line).join('')).not.toContain('too big');
    expect(s.execute('show table t').join('')).toContain('used:160');
  });

  test('K2, K3: `write-to`, `recv-only`, `brates-factor` and `type ipv4` are refused (3.0 takes write-to, 3.2 all four)', () => {
    const table = (rest: string): string => `backend t\n    stick-table ${rest}\nbackend other\n    stick-table type ip size 8 store gpc0\n`;
    expect(parses(table('type ip size 8 store gpc0 write-to other'), version)).toMatch(/unknown argument 'write-to'/);
    expect(parses(table('type ip size 8 store gpc0 recv-only'), version)).toMatch(/unknown argument 'recv-only'/);
    expect(parses(table('type ip size 8 store gpc0 brates-factor 2'), version)).toMatch(/unknown argument 'brates-factor'/);
    expect(parses(table('type ipv4 size 8 store gpc0'), version)).toMatch(/unknown type 'ipv4'/);
  });

  test('K4, P8: `tune.stick-counters` and peer `shards` are taken without effect (2.6 refuses both, 3.x honours them)', () => {
    expect(parses('global\n    tune.stick-counters 4\n', version)).toBe('ok');
    expect(parses('peers p\n    shards 2\n    peer a 127.0.0.1:1000 shard 1\n', version)).toBe('ok');
  });
});
