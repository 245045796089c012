/**
 * The tables of the differential test (one config shared by haproxy and sticksim) and a
 * fast-check generator of runtime-API command sessions over them: valid and invalid `set table`,
 * `clear table`, `show table` with keys and filters, odd keys and values.
 *
 * 2.6 CLI argument rules (cli.c `cli_parse_request`), which the generated texts rely on:
 *   - a line is cut into commands at each `;` not preceded by a backslash;
 *   - words are separated by spaces/tabs; a backslash escapes the next character (so `\ `
 *     keeps a space inside a word and `\;` a semicolon); then every backslash is removed except
 *     that `\\` gives one backslash. There is no quoting with `"` or `'`.
 */
import fc from 'fast-check';
import { DATA_TYPES, isTypeInVersion } from '../../engine/table/data-types.ts';
import { cfgPreamble, type LoopbackEndpoint } from './haproxy.ts';

export const INTEROP_PEERS_SECTION = 'interop';
/** The local peer name: haproxy gets `-L local`, sticksim `localPeer: 'local'`. */
export const INTEROP_LOCAL_PEER = 'local';

type KeyKind = 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';
/** How a stored type takes a `set table` value. */
type ValueKind = 'u32' | 's32' | 'u64' | 'rate' | 'dict';

interface StoredItem {
  /** As written on the `store` line, e.g. `gpc(3)` or `http_req_rate(1s)`. */
  readonly decl: string;
  /** As used after `data.` in set/show/clear, e.g. `gpc` or `http_req_rate`. */
  readonly name: string;
  readonly value: ValueKind;
}

export interface InteropTable {
  /** Name on the CLI (`interop/pt` for the peers-section table). */
  readonly cliName: string;
  readonly keyKind: KeyKind;
  /** `string` tables: max characters stored (len, or 31 for the default key size 32). */
  readonly stringCharsMax?: number;
  readonly declaration: string;
  readonly inPeersSection: boolean;
  readonly store: readonly StoredItem[];
}

const s = (decl: string, value: ValueKind): StoredItem => ({ decl, name: decl.replace(/\(.*$/, ''), value });

export const INTEROP_TABLES: readonly InteropTable[] = [
  {
    cliName: 't_ip', keyKind: 'ip', inPeersSection: false,
    declaration: `type ip size 8 expire 30s peers ${INTEROP_PEERS_SECTION}`,
    store: [s('gpc0', 'u32'), s('gpc1', 'u32'), s('conn_cnt', 'u32'), s('conn_cur', 'u32'), s('http_req_rate(1s)', 'rate'), s('bytes_in_cnt', 'u64')],
  },
  {
    cliName: 't_ipnp', keyKind: 'ip', inPeersSection: false,
    declaration: 'type ip size 4 expire 30s nopurge',
    store: [s('gpt0', 'u32'), s('http_req_cnt', 'u32'), s('http_err_rate(500ms)', 'rate')],
  },
  {
    cliName: 't_ip6', keyKind: 'ipv6', inPeersSection: false,
    declaration: 'type ipv6 size 50 expire 60s',
    store: [s('server_id', 's32'), s('server_key', 'dict'), s('gpc0', 'u32'), s('http_req_rate(10s)', 'rate'), s('http_err_rate(2s)', 'rate'), s('bytes_out_cnt', 'u64')],
  },
  {
    cliName: 't_int', keyKind: 'integer', inPeersSection: false,
    declaration: 'type integer size 16',
    store: [s('gpc(3)', 'u32'), s('gpt(2)', 'u32'), s('sess_rate(1s)', 'rate'), s('sess_cnt', 'u32')],
  },
  {
    cliName: 't_str32', keyKind: 'string', stringCharsMax: 32, inPeersSection: false,
    declaration: 'type string len 32 size 12 expire 20s',
    store: [s('gpc_rate(2,1s)', 'rate'), s('http_req_cnt', 'u32'), s('conn_rate(500ms)', 'rate'), s('bytes_in_cnt', 'u64')],
  },
  {
    cliName: 't_str', keyKind: 'string', stringCharsMax: 31, inPeersSection: false,
    declaration: 'type string size 10 expire 60s',
    store: [s('gpc0', 'u32'), s('gpc0_rate(1s)', 'rate'), s('http_fail_cnt', 'u32'), s('gpt0', 'u32')],
  },
  {
    cliName: 't_bin', keyKind: 'binary', inPeersSection: false,
    declaration: 'type binary size 10',
    store: [s('gpc1', 'u32'), s('gpt0', 'u32')],
  },
  {
    cliName: 't_nodata', keyKind: 'ip', inPeersSection: false,
    declaration: 'type ip size 5 expire 30s',
    store: [],
  },
  {
    cliName: `${INTEROP_PEERS_SECTION}/pt`, keyKind: 'string', stringCharsMax: 8, inPeersSection: true,
    declaration: 'type string len 8 size 6 expire 4s',
    store: [s('gpc0', 'u32'), s('conn_cur', 'u32')],
  },
];

function storeClause(table: InteropTable): string {
  return table.store.length === 0 ? '' : ` store ${table.store.map((i) => i.decl).join(',')}`;
}

/**
 * The config both sides load. The peers section lists only the local peer, at the endpoint the
 * harness picked (haproxy binds it; sticksim only parses it). The harness adds the stats socket.
 */
export function interopConfig(endpoint: LoopbackEndpoint): string {
  const lines = [
    ...cfgPreamble(),
    `peers ${INTEROP_PEERS_SECTION}`,
    `    peer ${INTEROP_LOCAL_PEER} ${endpoint.address}:${endpoint.port}`,
  ];
  for (const t of INTEROP_TABLES.filter((x) => x.inPeersSection)) {
    lines.push(`    table ${t.cliName.slice(INTEROP_PEERS_SECTION.length + 1)} ${t.declaration}${storeClause(t)}`);
  }
  for (const t of INTEROP_TABLES.filter((x) => !x.inPeersSection)) {
    lines.push('', `backend ${t.cliName}`, `    stick-table ${t.declaration}${storeClause(t)}`);
  }
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Pools of keys and values (CLI-escaped texts)
// ---------------------------------------------------------------------------------------------

const IP_KEYS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8', '10.0.0.9', '10.0.0.10', '10.0.0.11', '10.0.0.12', '127.0.0.1', '255.255.255.255', '0.0.0.0'];
const IP_ODD_KEYS = ['notanip', '1.2.3.999', '256.1.1.1', '1.2.3', '01.02.03.004', '1.2.3.4.5', '::1', '-1', '10.0.0.1x', '0x0a.0.0.1', '10.0.0.01', '1..2.3'];
const IPV6_KEYS = ['::1', '2001:db8::1', '2001:db8::2', 'fe80::1', '::', '::ffff:10.0.0.1', '2001:db8:0:0:1:0:0:1', '2001:db8::a:0:0:1'];
const IPV6_VARIANT_KEYS = ['0:0:0:0:0:0:0:1', '2001:DB8:0:0:0:0:0:1', '2001:0db8::0001', '::FFFF:10.0.0.1', '2001:db8:0:0:0:0:0:2', 'FE80:0::1', '::ffff:a00:1', '2001:db8::1:0:0:1'];
const IPV6_ODD_KEYS = ['notanip', '10.0.0.1', '2001:db8::g', ':::1', 'fe80::1%lo', '1:2:3:4:5:6:7:8:9', '2001:db8::1::2', ''];
const INT_KEYS = ['0', '1', '2', '255', '256', '65536', '42', '4294967295', '16777216'];
const INT_ODD_KEYS = ['-1', '+5', '4294967296', '99999999999999999999', 'abc', '12abc', '0x10', '007', '-0', '1e3', '18446744073709551615', '18446744073709551616'];
const STRING_KEYS = ['hello', 'world', 'a', 'user-1', 'user-2', 'Z', 'eq=ual', 'a\\ b', 'back\\\\slash', 'semi\\;colon', 'caf\u00e9', 'x'.repeat(31), 'y'.repeat(32), 'w'.repeat(8)];
const STRING_ODD_KEYS = [
  'x'.repeat(31) + 'TAIL1', 'x'.repeat(31) + 'TAIL2', 'y'.repeat(33), 'z'.repeat(40), 'w'.repeat(8) + 'more', 'helloXYZ1', 'helloXYZ2',
  'tab\\\tin', 'trail\\\\', '"quoted"', "'single'", 'dollar$1', 'pct%41', 'nul\\x00byte', 'ctrl\u0001x', 'UPPER', 'white\\ \\ space',
];
const BINARY_KEYS = ['41424344', '00', 'hello', 'DEADBEEF'];

const U32_VALUES = ['0', '1', '2', '3', '7', '10', '100', '255', '65535', '4294967295'];
const ODD_INT_VALUES = ['-1', '-5', '4294967296', '4294967297', '-4294967296', '+3', '007', '2147483648', '-2147483649', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '18446744073709551615', '99999999999999999999', '-'];
const U64_VALUES = ['4294967296', '1099511627776', '9007199254740993', '9223372036854775807', '12345678901234'];
const NON_INTEGER_VALUES = ['abc', '1.5', '0x10', '12abc', '1e3', '--1', '', ' '];

const ALL_26_TYPE_NAMES: readonly string[] = DATA_TYPES.filter((t) => isTypeInVersion(t, '2.6')).map((t) => t.name);
const UNKNOWN_TYPE_NAMES = ['nosuch', 'glitch_cnt', 'gpc0x', 'GPC0', 'gpc[1]', 'gpc_rate[0]', 'gpc2', 'gpt1', 'server_name', 'http_req_rate(10s)', ''];
const FILTER_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const BAD_FILTER_OPS = ['equals', '>', 'EQ', '=', 'lte', ''];

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

function keyArb(table: InteropTable): fc.Arbitrary<string> {
  switch (table.keyKind) {
    case 'ip':
      return fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...IP_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...IP_ODD_KEYS) });
    case 'ipv6':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...IPV6_KEYS) },
        { weight: 3, arbitrary: fc.constantFrom(...IPV6_VARIANT_KEYS) },
        { weight: 1, arbitrary: fc.constantFrom(...IPV6_ODD_KEYS) },
      );
    case 'integer':
      return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...INT_KEYS) }, { weight: 2, arbitrary: fc.constantFrom(...INT_ODD_KEYS) });
    case 'string':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...STRING_KEYS) },
        { weight: 3, arbitrary: fc.constantFrom(...STRING_ODD_KEYS) },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:=!#%&*+,\/<>?@^`{|}~-]{1,40}$/) },
      );
    case 'binary':
      return fc.constantFrom(...BINARY_KEYS);
  }
}

function valueArb(kind: ValueKind): fc.Arbitrary<string> {
  const u32 = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...U32_VALUES) }, { weight: 2, arbitrary: fc.nat({ max: 1_000_000 }).map(String) });
  switch (kind) {
    case 'u32':
    case 'rate':
      return fc.oneof({ weight: 8, arbitrary: u32 }, { weight: 1, arbitrary: fc.constantFrom(...ODD_INT_VALUES) });
    case 's32':
      return fc.oneof({ weight: 6, arbitrary: u32 }, { weight: 2, arbitrary: fc.constantFrom('-1', '-5', '-2147483648', '2147483647', '2147483648') });
    case 'u64':
      return fc.oneof(
        { weight: 3, arbitrary: u32 },
        { weight: 4, arbitrary: fc.constantFrom(...U64_VALUES) },
        { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }).map(String) },
        { weight: 1, arbitrary: fc.constantFrom(...ODD_INT_VALUES) },
      );
    case 'dict':
      return fc.constantFrom('1', 'srv1', '0');
  }
}

/** Tables drawn uniformly, except the binary one (the 2.6 CLI refuses its keys) at a third. */
const tableArb: fc.Arbitrary<InteropTable> = fc.oneof(
  ...INTEROP_TABLES.map((t) => ({ weight: t.keyKind === 'binary' ? 1 : 3, arbitrary: fc.constant(t) })),
);
const unknownTableArb = fc.constantFrom('nosuch', 'T_IP', 'pt', 'interop/', 'interop/nosuch', 't_ip/', 'interop\\/pt');

/** `data.X V` pairs with stored types of the table. */
function assignmentsArb(table: InteropTable, countMax: number): fc.Arbitrary<string[]> {
  if (table.store.length === 0) return fc.constant([]);
  const one = fc.constantFrom(...table.store).chain((item) => valueArb(item.value).map((v) => `data.${item.name} ${v}`));
  return fc.array(one, { minLength: 0, maxLength: countMax });
}

function setValidArb(table: InteropTable): fc.Arbitrary<string> {
  return fc.tuple(keyArb(table), assignmentsArb(table, 3)).map(([key, data]) => [`set table ${table.cliName} key ${key}`, ...data].join(' '));
}

function notStoredName(table: InteropTable): fc.Arbitrary<string> {
  const stored = new Set(table.store.map((i) => i.name));
  return fc.constantFrom(...ALL_26_TYPE_NAMES.filter((n) => !stored.has(n)));
}

/** One broken `set table` variant; earlier valid assignments may precede the error. */
function setInvalidArb(table: InteropTable): fc.Arbitrary<string> {
  const head = keyArb(table).map((key) => `set table ${table.cliName} key ${key}`);
  const storedName = table.store.length > 0 ? fc.constantFrom(...table.store.map((i) => i.name)) : fc.constant('gpc0');
  const broken = fc.oneof(
    fc.tuple(fc.constantFrom(...UNKNOWN_TYPE_NAMES), fc.constantFrom(...U32_VALUES)).map(([n, v]) => `data.${n} ${v}`),
    fc.tuple(notStoredName(table), fc.constantFrom(...U32_VALUES)).map(([n, v]) => `data.${n} ${v}`),
    storedName.map((n) => `data.${n}`),
    fc.tuple(storedName, fc.constantFrom(...NON_INTEGER_VALUES.filter((v) => v.trim() !== ''))).map(([n, v]) => `data.${n} ${v}`),
    fc.tuple(storedName, fc.constantFrom(...ODD_INT_VALUES)).map(([n, v]) => `data.${n} ${v}`),
    fc.tuple(storedName, fc.constantFrom(...U32_VALUES)).map(([n, v]) => `${n} ${v}`),
  );
  const whole = fc.tuple(head, assignmentsArb(table, 1), broken, assignmentsArb(table, 1)).map(([h, pre, b, post]) => [h, ...pre, b, ...post].join(' '));
  const structural = fc.constantFrom(
    `set table ${table.cliName}`,
    `set table ${table.cliName} key`,
    `set table ${table.cliName} data.gpc0 1`,
    `set table ${table.cliName} nokey 10.0.0.1`,
    'set table',
  );
  return fc.oneof({ weight: 6, arbitrary: whole }, { weight: 1, arbitrary: structural });
}

function filterArb(table: InteropTable): fc.Arbitrary<string> {
  const name = table.store.length > 0 ? fc.constantFrom(...table.store.map((i) => i.name)) : fc.constant('gpc0');
  const good = fc.tuple(name, fc.constantFrom(...FILTER_OPS), fc.constantFrom('0', '1', '2', '5', '7', '100', '4294967295')).map(([n, o, v]) => `data.${n} ${o} ${v}`);
  const bad = fc.oneof(
    fc.tuple(name, fc.constantFrom(...BAD_FILTER_OPS), fc.constantFrom('1')).map(([n, o, v]) => `data.${n} ${o} ${v}`.trimEnd()),
    fc.tuple(name, fc.constantFrom(...FILTER_OPS), fc.constantFrom('abc', '1.5', '-1', '99999999999999999999', '9223372036854775808', '')).map(([n, o, v]) => `data.${n} ${o} ${v}`.trimEnd()),
    fc.tuple(fc.constantFrom(...UNKNOWN_TYPE_NAMES), fc.constantFrom(...FILTER_OPS)).map(([n, o]) => `data.${n} ${o} 1`),
    fc.tuple(notStoredName(table), fc.constantFrom(...FILTER_OPS)).map(([n, o]) => `data.${n} ${o} 1`),
    name.map((n) => `data.${n}`),
  );
  return fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });
}

function showArb(table: InteropTable): fc.Arbitrary<string> {
  const t = table.cliName;
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(`show table ${t}`) },
    { weight: 6, arbitrary: keyArb(table).map((k) => `show table ${t} key ${k}`) },
    { weight: 5, arbitrary: fc.array(filterArb(table), { minLength: 1, maxLength: 5 }).map((fs) => `show table ${t} ${fs.join(' ')}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `show table ${t} key`,
        `show table ${t} foo`,
        `show table ${t} key 10.0.0.1 data.gpc0 gt 0`,
        `show table ${t} data.gpc0 gt 0 key 10.0.0.1`,
        `show table ${t} data.`,
        `show table ${t} data.gpc0 gt 1 extra`,
      ),
    },
  );
}

function clearArb(table: InteropTable): fc.Arbitrary<string> {
  const t = table.cliName;
  return fc.oneof(
    { weight: 5, arbitrary: keyArb(table).map((k) => `clear table ${t} key ${k}`) },
    { weight: 3, arbitrary: fc.array(filterArb(table), { minLength: 1, maxLength: 3 }).map((fs) => `clear table ${t} ${fs.join(' ')}`) },
    { weight: 1, arbitrary: fc.constant(`clear table ${t}`) },
    { weight: 1, arbitrary: fc.constantFrom(`clear table ${t} key`, `clear table ${t} foo bar`) },
  );
}

const miscArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant('show table'),
  unknownTableArb.map((t) => `show table ${t}`),
  unknownTableArb.map((t) => `set table ${t} key 10.0.0.1 data.gpc0 1`),
  unknownTableArb.map((t) => `clear table ${t}`),
  fc.constantFrom('clear table', 'show  table   t_ip  key  10.0.0.1', 'show table t_ip key 10.0.0.1; show table t_nodata', 'set table t_str key semi;show table t_str key semi'),
);

export type CommandKind = 'set' | 'set-invalid' | 'show' | 'show-all' | 'clear' | 'misc' | 'curated';

export interface SessionCommand {
  readonly kind: CommandKind;
  /** The CLI line, without the trailing newline. */
  readonly text: string;
  /** Intended pause before sending this command (lets rates decay and short expiries pass). */
  readonly delayMsBefore: number;
}

const delayArb = fc.oneof({ weight: 92, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 4, arbitrary: fc.integer({ min: 150, max: 1200 }) });

const commandArb: fc.Arbitrary<{ kind: CommandKind; text: string }> = fc.oneof(
  { weight: 36, arbitrary: tableArb.chain(setValidArb).map((text) => ({ kind: 'set' as const, text })) },
  { weight: 10, arbitrary: tableArb.chain(setInvalidArb).map((text) => ({ kind: 'set-invalid' as const, text })) },
  { weight: 30, arbitrary: tableArb.chain(showArb).map((text) => ({ kind: 'show' as const, text })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'show-all' as const, text: 'show table' }) },
  { weight: 8, arbitrary: tableArb.chain(clearArb).map((text) => ({ kind: 'clear' as const, text })) },
  { weight: 4, arbitrary: miscArb.map((text) => ({ kind: 'misc' as const, text })) },
);

/**
 * Commands every session of at least this many commands contains, in this order, each once, at
 * seeded positions among the random ones: the odd cases the differential test must cover.
 */
export const CURATED_COMMANDS: readonly string[] = [
  'show table',
  'show table nosuch',
  'set table t_ip key notanip data.gpc0 1',
  'show table t_ip key 0.0.0.0',
  'set table t_ip key 1.2.3.999 data.gpc0 2',
  'show table t_ip key 1.2.6.231',
  'set table t_ip key 10.0.0.1 data.gpt0 1',
  'show table t_ip key 10.99.99.99',
  'set table t_ip key 10.0.0.2 data.bytes_in_cnt 9223372036854775807',
  'set table t_ip key 10.0.0.3 data.bytes_in_cnt -1 data.gpc0 -1 data.gpc1 4294967296',
  'set table t_ip key 10.0.0.3 data.bytes_in_cnt 18446744073709551615',
  'show table t_ip data.bytes_in_cnt gt 4294967295',
  'set table t_ip key 10.0.0.4 data.gpc0 - data.gpc1 +1',
  'set table t_ip key 10.0.0.5 data.nosuch 1',
  'set table t_ip key 10.0.0.5 data.gpc0',
  'set table t_ip key 10.0.0.5 data.gpc0 abc',
  'set table t_ip key 10.0.0.5 data.gpc0 7 gpc1 3',
  'set table t_ip key 10.0.0.6 data.http_req_rate 5 data.conn_cur 2',
  'show table t_ip',
  'set table t_ip6 key 2001:DB8:0:0:0:0:0:1 data.gpc0 5',
  'show table t_ip6 key 2001:db8::1',
  'set table t_ip6 key ::FFFF:10.0.0.1 data.gpc0 6',
  'show table t_ip6 key ::ffff:a00:1',
  'set table t_ip6 key 1.2.3.4 data.gpc0 1',
  'set table t_ip6 key ::1 data.server_key 5 data.server_id -7 data.bytes_out_cnt 4294967296',
  'show table t_ip6',
  'set table t_int key 256 data.gpc 1',
  'set table t_int key 1 data.gpt 2',
  'set table t_int key 2 data.gpc0 3',
  'set table t_int key -1',
  'set table t_int key +5 data.gpc 5',
  'set table t_int key 4294967296',
  'set table t_int key 4294967295 data.sess_cnt 3 data.sess_rate 4',
  'show table t_int',
  'set table t_str key a\\ b\\\\c\\;d=e data.gpc0 1',
  'show table t_str key a\\ b\\\\c\\;d=e',
  `set table t_str key ${'k'.repeat(40)} data.gpc0 2`,
  `show table t_str key ${'k'.repeat(31)}other`,
  `set table t_str32 key ${'y'.repeat(33)} data.http_req_cnt 3`,
  'show table t_str32',
  'set table t_bin key 41424344 data.gpc1 1',
  'show table t_bin key 41424344',
  'show table t_bin',
  'set table t_ipnp key 10.0.0.1 data.gpt0 1',
  'set table t_ipnp key 10.0.0.2 data.gpt0 2',
  'set table t_ipnp key 10.0.0.3 data.gpt0 3',
  'set table t_ipnp key 10.0.0.4 data.gpt0 4',
  'set table t_ipnp key 10.0.0.5 data.gpt0 5',
  'show table t_ipnp',
  'set table t_nodata key 10.0.0.1',
  'set table t_nodata key 10.0.0.2',
  'set table t_nodata key 10.0.0.3',
  'set table t_nodata key 10.0.0.4',
  'set table t_nodata key 10.0.0.5',
  'set table t_nodata key 10.0.0.6',
  'show table t_nodata',
  'show table t_ip data.gpc0 ge 0 data.gpc1 ge 0 data.conn_cnt ge 0 data.conn_cur ge 0 data.bytes_in_cnt ge 0',
  'show table t_ip data.gpc0 gt 0 data.gpc1 ge 0',
  'show table t_ip data.gpc0 > 1',
  'show table t_ip data.gpc0 gt 1x',
  'show table t_ip data.gpc0 gt -1',
  'show table t_ip data.gpt0 gt 1',
  'show table t_ip data.nosuch gt 1',
  'show table t_ip data.http_req_rate ge 5',
  'show table t_ip key 10.0.0.1; show table t_nodata',
  'set table interop/pt key short data.gpc0 1',
  'show table interop/pt',
  'clear table t_ip key 10.0.0.4',
  'clear table t_ip data.gpc0 gt 5',
  'clear table nosuch',
  'clear table',
  'set table t_ip',
  'show table t_ip',
];

/** A session of `count` commands, the same for the same (seed, count). */
export function generateSession(seed: number, count: number): SessionCommand[] {
  if (!Number.isInteger(count) || count < 0 || count > 100_000) throw new RangeError(`count out of range: ${count}`);
  const curatedCount = count >= 2 * CURATED_COMMANDS.length ? CURATED_COMMANDS.length : 0;
  const positions = fc.noBias(fc.uniqueArray(fc.nat({ max: Math.max(0, count - 1) }), { minLength: curatedCount, maxLength: curatedCount }));
  const arb = fc.tuple(fc.array(fc.tuple(commandArb, delayArb), { minLength: count, maxLength: count }), positions);
  const [sample] = fc.sample(arb, { seed, numRuns: 1 });
  if (sample === undefined) throw new Error('fast-check produced no sample');
  const [randomSession, curatedAt] = sample;
  const session = randomSession.map(([cmd, delayMsBefore]): SessionCommand => ({ kind: cmd.kind, text: cmd.text, delayMsBefore }));
  const sortedAt = [...curatedAt].sort((a, b) => a - b);
  for (let i = 0; i < sortedAt.length; i++) {
    const at = sortedAt[i]!;
    session[at] = { kind: 'curated', text: CURATED_COMMANDS[i]!, delayMsBefore: session[at]!.delayMsBefore };
  }
  return session;
}
