/** parseConfig details: tokenizer, numbers, stick-table options, peers rules, errors. */
import { describe, expect, it } from 'vitest';
import { parseConfig, resolveLocalPeer, tokenizeLine } from '../../../engine/config/index.ts';
import { parseSize, parseTimeMs } from '../../../engine/config/time-size.ts';
import type { ParseConfigOptions, Rule } from '../../../engine/config/types.ts';

const errorsOf = (text: string, opts: Partial<ParseConfigOptions> = {}): string[] => {
  const r = parseConfig(text, { file: 't.cfg', ...opts });
  return r.ok ? [] : r.errors.map((e) => e.message);
};
const okConfig = (text: string, opts: Partial<ParseConfigOptions> = {}) => {
  const r = parseConfig(text, { file: 't.cfg', ...opts });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r;
};
const words = (line: string, env: Record<string, string> = {}) =>
  tokenizeLine(line, 1, { env: new Map(Object.entries(env)), file: 'f', section: 's' });

describe('tokenizer', () => {
  it('splits on blanks, keeps columns, stops at #', () => {
    const r = words('  peer  a 1.2.3.4:5 # comment');
    expect(r.tokens.map((t) => [t.text, t.column])).toEqual([['peer', 3], ['a', 9], ['1.2.3.4:5', 11]]);
  });
  it('handles quotes, escapes and environment variables inside double quotes only', () => {
    const r = words(`a "b c" 'd $X' "$X" \${X} "\${Y-def}" x\\ y \\x41 "\\$X" a#b`, { X: 'v' });
    expect(r.error).toBeUndefined();
    expect(r.tokens.map((t) => t.text)).toEqual(['a', 'b c', 'd $X', 'v', '${X}', 'def', 'x y', 'A', '$X', 'a']);
  });
  it('expands ${VAR[*]} into several words', () => {
    expect(words('x "${L[*]}" z', { L: 'a b  c' }).tokens.map((t) => t.text)).toEqual(['x', 'a', 'b', 'c', 'z']);
  });
  it('reports an unmatched quote at its column', () => {
    expect(words('peer a "1.2.3.4:5').error).toMatchObject({ column: 8, detail: 'unmatched quote' });
  });
  it('reports a bad hex escape and a bad variable name', () => {
    expect(words('a \\xZZ').error?.detail).toBe('truncated or invalid hexadecimal sequence');
    expect(words('a "$1"').error?.detail).toBe('forbidden first char in environment variable name');
  });
});

describe('sizes and times', () => {
  it('parses sizes with k/m/g as powers of 1024 and rejects garbage or overflow', () => {
    expect(parseSize('1k')).toEqual({ ok: true, value: 1024 });
    expect(parseSize('3M')).toEqual({ ok: true, value: 3 * 1024 * 1024 });
    expect(parseSize('2g')).toEqual({ ok: true, value: 2 * 1024 ** 3 });
    expect(parseSize('4g')).toEqual({ ok: false, badChar: 'g' });
    expect(parseSize('1kb')).toEqual({ ok: false, badChar: 'b' });
    expect(parseSize('x')).toEqual({ ok: false, badChar: 'x' });
  });
  it('parses times in ms by default with us/ms/s/m/h/d and the 2^31 ms bound', () => {
    expect(parseTimeMs('1500')).toMatchObject({ ok: true, ms: 1500 });
    expect(parseTimeMs('10s')).toMatchObject({ ok: true, ms: 10_000 });
    expect(parseTimeMs('2m')).toMatchObject({ ok: true, ms: 120_000 });
    expect(parseTimeMs('1h')).toMatchObject({ ok: true, ms: 3_600_000 });
    expect(parseTimeMs('1d')).toMatchObject({ ok: true, ms: 86_400_000 });
    expect(parseTimeMs('1500us')).toMatchObject({ ok: true, ms: 2 });
    expect(parseTimeMs('2147483647')).toMatchObject({ ok: true, ms: 2147483647 });
    expect(parseTimeMs('2147483648')).toEqual({ ok: false, reason: 'overflow' });
    expect(parseTimeMs('25d')).toEqual({ ok: false, reason: 'overflow' });
    expect(parseTimeMs('10x')).toEqual({ ok: false, reason: 'syntax', badChar: 'x' });
    expect(parseTimeMs('10sec')).toMatchObject({ ok: true, ms: 10_000, trailingGarbage: 'ec' });
  });
});

describe('stick-table options', () => {
  const one = (opts: string, version: '2.6' | '3.0' = '2.6') => {
    const r = okConfig(`backend b\n  stick-table ${opts}\n`, { version });
    return r.config.tables[0]!;
  };
  it('key types and key sizes', () => {
    expect(one('type ipv6 size 1').keySizeBytes).toBe(16);
    expect(one('type integer size 1').keySizeBytes).toBe(4);
    expect(one('type string size 1').keySizeBytes).toBe(32);
    expect(one('type string len 32 size 1').keySizeBytes).toBe(33);
    expect(one('type binary size 1').keySizeBytes).toBe(32);
    expect(one('type binary len 20 size 1').keySizeBytes).toBe(20);
    // parse_time_err rounds up: 1us is 1 ms, so a ms timer never underflows.
    expect(one('type ip size 1 expire 1us').expireMs).toBe(1);
  });
  it('nopurge, srvkey, arrays with periods, store sorted by id', () => {
    const t = one('type ip size 10 nopurge srvkey addr store gpc_rate(3,1m) store gpt(2),conn_cur expire 5s');
    expect(t).toMatchObject({ nopurge: true, srvkey: 'addr', expireMs: 5000 });
    expect(t.store).toEqual([
      { typeId: 6, count: 1, periodMs: 0 },
      { typeId: 22, count: 2, periodMs: 0 },
      { typeId: 24, count: 3, periodMs: 60_000 },
    ]);
  });
  it('server_name is an alias of server_key', () => {
    expect(one('type ip size 1 store server_name').store).toEqual([{ typeId: 19, count: 1, periodMs: 0 }]);
  });
  it('3.0-only types: an error for a 2.6 target, version 3.0 for a 3.0 target', () => {
    expect(errorsOf('backend b\n  stick-table type ip size 1 store glitch_cnt\n')[0]).toMatch(/unknown store option 'glitch_cnt'.*needs HAProxy 3\.0\+, the target is 2\.6/);
    expect(one('type ip size 1 store glitch_rate(10s)', '3.0')).toMatchObject({ version: '3.0' });
    expect(one('type ip size 1 store gpc0', '3.0')).toMatchObject({ version: '2.6' });
  });
  it.each([
    ['type ip', "t.cfg:2:3: stick-table: missing size. (at 'stick-table')"],
    ['size 1', "t.cfg:2:3: stick-table: missing type. (at 'stick-table')"],
    ['type ip size 0', "t.cfg:2:3: stick-table: missing size. (at 'stick-table')"],
    ['type ip size', "t.cfg:2:23: stick-table: missing argument after 'size'. (at 'size')"],
    ['type ip size 1x', "t.cfg:2:28: stick-table: unexpected character 'x' in argument of 'size'. (at '1x')"],
    ['type ipx size 1', "t.cfg:2:20: stick-table: unknown type 'ipx'. (at 'ipx')"],
    ['type ip size 1 expire 30d', "t.cfg:2:37: stick-table: timer overflow in argument <30d> to <expire>, maximum value is 2147483647 ms (~24.8 days). (at '30d')"],
    ['type ip size 1 store foo', "t.cfg:2:36: stick-table: unknown store option 'foo'. (at 'foo')"],
    ['type ip size 1 store gpc(101)', "t.cfg:2:36: stick-table: array size is out of allowed range (1-100) for store option 'gpc'. (at 'gpc(101)')"],
    ['type ip size 1 store gpc_rate(2)', "t.cfg:2:36: stick-table: missing argument to store option 'gpc_rate'. (at 'gpc_rate(2)')"],
    ['type ip size 1 store gpc0(1)', "t.cfg:2:36: stick-table: unexpected argument to store option 'gpc0'. (at 'gpc0(1)')"],
    ['type ip size 1 store conn_rate(1x)', "t.cfg:2:36: stick-table: error when processing store option 'conn_rate'. (at 'conn_rate(1x)')"],
    ['type ip size 1 store conn_rate(1s', "t.cfg:2:36: stick-table: missing closing parenthesis after store option 'conn_rate'. (at 'conn_rate(1s')"],
    ['type ip size 1 store gpc(2),gpc1', "t.cfg:2:36: stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'. (at 'gpc(2),gpc1')"],
    ['type ip size 1 store gpc_rate(2,1s) store gpc0_rate(1s)', "t.cfg:2:57: stick-table: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'. (at 'gpc0_rate(1s)')"],
    ['type ip size 1 srvkey foo', "t.cfg:2:37: stick-table : unknown server key type 'foo'. (at 'foo')"],
    ['type ip size 1 bogus', "t.cfg:2:30: stick-table: unknown argument 'bogus'. (at 'bogus')"],
  ])('rejects `stick-table %s`', (opts, message) => {
    expect(errorsOf(`backend b\n  stick-table ${opts}\n`)).toEqual([message]);
  });
  it('warns on a store option given twice', () => {
    const r = okConfig('backend b\n  stick-table type ip size 1 store gpc0,gpc0\n');
    expect(r.warnings.map((w) => w.detail)).toEqual(["stick-table: store option 'gpc0' already enabled, ignored."]);
  });
  it('refuses stick-table in defaults and a second table in one proxy', () => {
    expect(errorsOf('defaults\n  stick-table type ip size 1\n')).toEqual(["t.cfg:2:3: 'stick-table' is not supported in 'defaults' section. (at 'stick-table')"]);
    expect(errorsOf('backend b\n  stick-table type ip size 1\n  stick-table type ip size 2\n')).toEqual([
      "t.cfg:3:3: stick-table name 'b' conflicts with table declared in backend 'b' at t.cfg:2. (at 'stick-table')",
    ]);
  });
});

describe('peers sections', () => {
  it('mixing peer and bind is fatal, in both orders', () => {
    expect(errorsOf('peers p\n  peer a 1.1.1.1:1\n  bind :5\n')).toEqual(["t.cfg:3:3: mixing \"peer\" and \"bind\" line is forbidden (at 'bind')"]);
    expect(errorsOf('peers p\n  bind :5\n  peer a 1.1.1.1:1\n')).toEqual(["t.cfg:3:3: mixing \"peer\" and \"bind\" line is forbidden (at 'peer')"]);
  });
  it('addresses: missing port, bad port, port range', () => {
    expect(errorsOf('peers p\n  peer a 127.0.0.1\n')).toEqual(["t.cfg:2:10: 'peer a' : missing port specification in '127.0.0.1' (at '127.0.0.1')"]);
    expect(errorsOf('peers p\n  peer a 127.0.0.1:70000\n')[0]).toMatch(/invalid port '70000'/);
    expect(errorsOf('peers p\n  peer a 127.0.0.1:5-6\n')[0]).toMatch(/port range not permitted here/);
  });
  it('accepts shards (2.7+) but marks the section and warns for a 2.6 target', () => {
    const r = okConfig('peers p\n  shards 3\n  peer a 1.1.1.1:1 shard 1\n');
    expect(r.config.peersSections[0]).toMatchObject({ shards: { count: 3, line: 2 }, needsNewerThan26: true });
    expect(r.config.peersSections[0]!.entries[0]!.shard).toBe(1);
    expect(r.warnings.length).toBe(2);
    expect(okConfig('peers p\n  shards 3\n', { version: '3.0' }).warnings).toEqual([]);
  });
  it('duplicate local peer is an error of local-peer resolution; duplicate remote names are not', () => {
    const c = okConfig('peers p\n  peer a 1.1.1.1:1\n  peer a 1.1.1.1:2\n  peer b 1.1.1.1:3\n  peer b 1.1.1.1:4\n').config;
    const r = resolveLocalPeer(c, { hostname: 'a' });
    expect(r.errors.map((e) => e.message)).toEqual(["t.cfg:3:3: 'peer a' : local peer name already referenced at t.cfg:2. (at 'peer')"]);
  });
  it('localpeer after a peers section is ignored with HAProxy\'s warning', () => {
    const r = okConfig('global\n  localpeer a\npeers p\n  peer b 1.1.1.1:1\nglobal\n  localpeer b\n');
    expect(r.warnings.map((w) => w.message)).toEqual(["t.cfg:6:3: 'localpeer' ignored since it is used after 'peers' section."]);
    expect(resolveLocalPeer(r.config, { hostname: 'h' }).localName).toBe('a');
  });
  it('a disabled section: tables are not shared', () => {
    const r = okConfig('peers p\n  disabled\n  peer a 1.1.1.1:1\nbackend b\n  stick-table type ip size 1 peers p\n');
    expect(r.config.tables[0]!.peersSection).toBeUndefined();
  });
  it('an empty section referenced by a table is an alert (unable to find local peer)', () => {
    const r = okConfig('peers p\nbackend b\n  stick-table type ip size 1 peers p\n');
    const res = resolveLocalPeer(r.config, { hostname: 'h' });
    expect(res.errors.map((e) => e.detail)).toEqual(["Proxy 'b': unable to find local peer 'h' in peers section 'p'."]);
  });
});

describe('rules and conditions', () => {
  const fe = (lines: string) => `frontend f\n  stick-table type ip size 1 store gpc0,gpt0\n${lines}`;
  it('models track-sc, sc-inc-gpc, sc-set-gpt0 with int and expression values', () => {
    const r = okConfig(fe('  tcp-request connection track-sc1 src\n  http-request sc-inc-gpc(2,1)\n  http-request sc-inc-gpc1\n  http-request sc-set-gpt0(2) 7 if TRUE\n  http-request sc-set-gpt0(0) sc_http_req_rate(0)\n'));
    const rules = r.config.proxies[0]!.rules;
    expect(rules.map((x) => [x.ruleSet, x.action])).toEqual([
      ['tcp-request connection', 'track-sc'],
      ['http-request', 'sc-inc-gpc'],
      ['http-request', 'sc-inc-gpc1'],
      ['http-request', 'sc-set-gpt0'],
      ['http-request', 'sc-set-gpt0'],
    ]);
    const [track, inc, inc1, set, setExpr] = rules as [Rule, Rule, Rule, Rule, Rule];
    expect(track.action === 'track-sc' && [track.slot, track.tableName]).toEqual([1, 'f']);
    expect(inc.action === 'sc-inc-gpc' && [inc.gpcIndex, inc.slot]).toEqual([2, 1]);
    expect(inc1.action === 'sc-inc-gpc1' && [inc1.gpcIndex, inc1.slot]).toEqual([1, 0]);
    expect(set.action === 'sc-set-gpt0' && [set.slot, set.value]).toEqual([2, { kind: 'int', value: 7 }]);
    expect(setExpr.action === 'sc-set-gpt0' && setExpr.value.kind === 'expr' && setExpr.value.expr.stickCounter?.what).toBe('http_req_rate');
  });
  it('conditions: ! and or/|| build OR groups of AND terms', () => {
    const r = okConfig(fe('  acl a src_conn_rate gt 20\n  acl b sc0_get_gpc0 ge 1\n  http-request deny if a !b || { src_conn_rate gt 20 } or b\n'));
    const cond = r.config.proxies[0]!.rules[0]!.cond!;
    expect(cond.polarity).toBe('if');
    expect(cond.anyOf.map((g) => g.map((t) => `${t.negated ? '!' : ''}${t.target.kind === 'named' ? t.target.name : '{}'}`))).toEqual([
      ['a', '!b'],
      ['{}'],
      ['b'],
    ]);
  });
  it.each([
    ['http-request deny if { sc0_gpc0 ge 1 }', "unknown fetch method 'sc0_gpc0' in ACL expression 'sc0_gpc0'."],
    ['http-request deny if nope', "no such ACL : 'nope'."],
    ['http-request deny if { src_conn_rate gt 10', "missing closing '}' in condition."],
    ['http-request deny if { sc_http_req_rate(0) gt x }', "'x' is neither a number nor a supported operator."],
    ['acl x sc_http_req_rate', "fetch method 'sc_http_req_rate' : expected type 'integer' at position 1, but got nothing in ACL expression 'sc_http_req_rate'."],
    ['http-request track-sc3 src', '3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value.'],
    ['http-request track-sc0', 'missing fetch method.'],
    ['http-request track-sc0 src table', 'missing table name.'],
    ['http-request track-sc0 src src', "'http-request track-sc0' expects either 'if' or 'unless' followed by a condition but found 'src'."],
    ['http-request track-sc0 src table nope', "Proxy 'f': unable to find table 'nope' referenced by track-sc0."],
    ['http-request sc-inc-gpc0(3)', 'invalid stick table track ID. The max allowed ID is 2.'],
    ['http-request sc-inc-gpc(1)', "Missing gpc ID 'sc-inc-gpc(1)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)."],
    ['http-request deny deny_status 99', "Unexpected status code '99'."],
    ['http-request src', "but got 'src'."],
    ['http-request deny if { src_conn_rate(nope) gt 1 }', "unable to find table 'nope' referenced in arg 1 of ACL keyword 'src_conn_rate' in proxy 'f'."],
  ])('rejects `%s`', (line, detail) => {
    const errs = errorsOf(fe(`  ${line}\n`));
    expect(errs).toHaveLength(1);
    expect(errs[0]!).toContain(detail);
    expect(errs[0]!.startsWith('t.cfg:3:')).toBe(true);
  });
  it('tcp-request connection is refused in a backend', () => {
    expect(errorsOf('backend b\n  tcp-request connection reject\n')[0]).toContain('tcp-request connection is not allowed because backend b is not a frontend');
  });
  it('stick rules add server_id and server_key to the target table only', () => {
    const r = okConfig('backend t\n  stick-table type ip size 1 store gpc0\nbackend b\n  stick match src table t\n  server s1 1.1.1.1:80 id 5\n  server s2 1.1.1.1:81\n');
    expect(r.config.tables[0]!.store.map((s) => s.typeId)).toEqual([0, 2, 19]);
    expect(r.config.proxies[1]!.servers.map((s) => [s.name, s.id, s.explicitId])).toEqual([['s1', 5, true], ['s2', 1, false]]);
  });
});

describe('error collection', () => {
  it('reports every error of a file, each on its own line, and never throws', () => {
    const text = [
      'global',
      '  localpeer',
      '  nbthreadx 2',
      'peers p',
      '  peer a 1.1.1.1:1',
      '  bind :1',
      'backend b',
      '  stick-table type ip expire 10s',
      '  stick-tablx type ip size 1',
      '  http-request track-sc9 src',
      'frontend f',
      '  http-request track-sc0 src table nope',
      '',
    ].join('\n');
    const errs = errorsOf(text);
    expect(errs.map((e) => e.split(':')[1])).toEqual(['2', '3', '6', '8', '9', '10', '12']);
    expect(errs[1]).toContain("unknown keyword 'nbthreadx' in 'global' section; did you mean 'nbthread' maybe ?");
  });
  it('keeps other lines with their line numbers', () => {
    const r = okConfig('frontend f\n  bind :80\n  option httplog\n  no option forwardfor\n');
    expect(r.config.proxies[0]!.lines.map((l) => [l.line, l.words.join(' ')])).toEqual([
      [2, 'bind :80'],
      [3, 'option httplog'],
      [4, 'no option forwardfor'],
    ]);
  });
  it('follows .if blocks and reports a missing LF as a warning', () => {
    const r = parseConfig('.if version_atleast(2.7)\nbackend b\n  stick-table type ip size 1\n.endif\nbackend c', { file: 't.cfg' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.proxies.map((p) => p.name)).toEqual(['c']);
      expect(r.warnings[0]!.detail).toMatch(/^Missing LF on last line/);
    }
  });
});
