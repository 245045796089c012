/**
 * Keywords HAProxy 2.6 accepts in `global` and in proxies (doc/configuration.txt §3 and the
 * §4.1 keyword matrix), so that a misspelled keyword is an error as in HAProxy; plus the
 * section keywords. Lines with known keywords that sticksim does not model are kept.
 */

export const PROXY_SECTIONS = new Set(['frontend', 'backend', 'listen', 'defaults']);
/** Sections sticksim keeps without interpreting. */
export const OTHER_SECTIONS = new Set([
  'userlist', 'resolvers', 'mailers', 'program', 'cache', 'http-errors', 'ring', 'log-forward',
  'fcgi-app',
]);

export const PROXY_KEYWORDS = new Set([
  'acl', 'backlog', 'balance', 'bind', 'bind-process', 'capture', 'clitcpka-cnt', 'clitcpka-idle',
  'clitcpka-intvl', 'compression', 'cookie', 'declare', 'default-server', 'default_backend',
  'description', 'disabled', 'dispatch', 'email-alert', 'enabled', 'error-log-format', 'errorfile',
  'errorfiles', 'errorloc', 'errorloc302', 'errorloc303', 'external-check', 'filter',
  'force-persist', 'fullconn', 'hash-type', 'hash-balance-factor', 'http-after-response',
  'http-check', 'http-error', 'http-request', 'http-response', 'http-reuse',
  'http-send-name-header', 'id', 'ignore-persist', 'load-server-state-from-file', 'log',
  'log-format', 'log-format-sd', 'log-tag', 'max-keep-alive-queue', 'maxconn', 'mode', 'monitor',
  'monitor-uri', 'option', 'persist', 'rate-limit', 'redirect', 'retries', 'retry-on', 'server',
  'server-state-file-name', 'server-template', 'source', 'srvtcpka-cnt', 'srvtcpka-idle',
  'srvtcpka-intvl', 'stats', 'stick', 'stick-table', 'tcp-check', 'tcp-request', 'tcp-response',
  'timeout', 'transparent', 'unique-id-format', 'unique-id-header', 'use-fcgi-app', 'use-server',
  'use_backend', 'grace', 'contimeout', 'clitimeout', 'srvtimeout', 'monitor-net',
]);

const GLOBAL_KEYWORDS = new Set([
  'busy-polling', 'ca-base', 'chroot', 'cluster-secret', 'cpu-map', 'crt-base', 'daemon', 'debug',
  'default-path', 'description', 'expose-experimental-directives', 'external-check',
  'fd-hard-limit', 'gid', 'grace', 'group', 'hard-stop-after', 'insecure-fork-wanted',
  'insecure-setuid-wanted', 'issuers-chain-path', 'localpeer', 'log', 'log-send-hostname',
  'log-tag', 'master-worker', 'max-spread-checks', 'maxcompcpuusage', 'maxcomprate', 'maxconn',
  'maxconnrate', 'maxpipes', 'maxsessrate', 'maxsslconn', 'maxsslrate', 'maxzlibmem',
  'mworker-max-reloads', 'nbproc', 'nbthread', 'no-memory-trimming', 'node', 'noepoll',
  'noevports', 'nogetaddrinfo', 'nokqueue', 'nopoll', 'noreuseport', 'nosplice',
  'numa-cpu-mapping', 'pidfile', 'pp2-never-send-local', 'presetenv', 'quiet', 'resetenv',
  'server-state-base', 'server-state-file', 'set-dumpable', 'setenv', 'spread-checks', 'stats',
  'strict-limits', 'thread-group', 'thread-groups', 'uid', 'ulimit-n', 'unix-bind', 'unsetenv',
  'user', 'zero-warning', 'profiling.tasks', 'profiling.memory', 'set-var', 'set-var-fmt',
  'anonkey', 'h1-case-adjust', 'h1-case-adjust-file', 'h1-accept-payload-with-any-method',
  'h2-workaround-bogus-websocket-clients', 'httpclient.retries', 'httpclient.timeout.connect',
]);
/** Families of global keywords (tune.*, ssl-*, module settings…). */
const GLOBAL_PREFIXES = ['tune.', 'ssl-', 'httpclient.', 'lua-', '51degrees-', 'deviceatlas-', 'wurfl-', 'ot-', 'spoe-'];

export function isGlobalKeyword(word: string): boolean {
  return GLOBAL_KEYWORDS.has(word) || GLOBAL_PREFIXES.some((p) => word.startsWith(p));
}

export function isProxyKeyword(word: string): boolean {
  return PROXY_KEYWORDS.has(word);
}

/** Levenshtein distance, bounded by the word lengths (short words only). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** A close keyword for "did you mean …" (sticksim's own similarity, not HAProxy's). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function unknownKeywordDetail(word: string, section: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return `unknown keyword '${word}' in '${section}' section${s === undefined ? '' : `; did you mean '${s}' maybe ?`}`;
}

export const GLOBAL_KEYWORD_LIST: readonly string[] = [...GLOBAL_KEYWORDS];
