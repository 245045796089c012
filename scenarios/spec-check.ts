/**
 * Checks a scenario file's default export before anything runs: the shape of the ScenarioSpec
 * (fields, their types, host fields) and that every host owns the address its peer line listens
 * on. Each problem is one line naming the file, the place (`hosts[0]`, the config line, the
 * source line when the field is written literally) and the fix.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../engine/config/parse.ts';
import { resolveLocalPeer } from '../engine/config/local-peer.ts';
import { defaultHostAddress, type ScenarioSpec } from './dsl.ts';
import { displayPath } from './user-error.ts';
import { TIMER_LATENESS_MS_MAX } from '../sim/host-clock.ts';
import { ACCEPT_DELAY_MS_MAX, isAcceptDelay, type AcceptDelay } from '../sim/accept-delay.ts';
import { TASK_WAKE_DELAY_MS_MAX, isTaskWakeDelay, type TaskWakeDelay } from '../sim/task-wake.ts';

export class ScenarioSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioSpecError';
  }
}

const POLICIES = ['haproxy', 'aggregate', 'max'];
/** The fields of ScenarioSpec, HostSpec and WatchSpec (scenarios/dsl.ts; a test keeps them equal). */
export const SCENARIO_FIELDS = ['name', 'title', 'lesson', 'hosts', 'config', 'durationMs', 'link', 'policies', 'seeds', 'watch', 'script'];
export const HOST_FIELDS = ['name', 'addresses', 'config', 'cliLocalPeer', 'tickStart', 'driftPpm', 'timerLateness', 'acceptDelay', 'taskWakeDelay', 'startAtZero'];
export const WATCH_FIELDS = ['table', 'keys', 'everyMs'];
/** Names people write for a field, and the field they mean. */
const ALIASES: Record<string, string> = {
  hostname: 'name',
  host: 'name',
  id: 'name',
  address: 'addresses',
  ip: 'addresses',
  ips: 'addresses',
  addr: 'addresses',
  cfg: 'config',
  haproxyCfg: 'config',
  localPeer: 'cliLocalPeer',
  localpeer: 'cliLocalPeer',
  duration: 'durationMs',
  durationMS: 'durationMs',
  nodes: 'hosts',
  description: 'lesson',
  policy: 'policies',
  run: 'script',
};
const HOSTS_MAX = 64;

/** The scenario a module's namespace holds, or a ScenarioSpecError saying why there is none. */
export function scenarioOfModule(namespace: Record<string, unknown>, file: string): ScenarioSpec {
  let value = namespace['default'];
  // A .ts file of a CommonJS project is compiled to CommonJS: its exports arrive as `default`.
  if (isRecord(value) && value['__esModule'] === true && !('script' in value)) value = value['default'];
  const where = displayPath(file);
  if (value === undefined) {
    const named = Object.keys(namespace).filter((k) => k !== 'default' && isRecord(namespace[k]) && typeof namespace[k]['script'] === 'function');
    const hint = named.length > 0 ? ` (found \`export const ${named[0]}\`: make it the default export)` : '';
    throw new ScenarioSpecError(`${where}: no default export${hint}; end the file with \`export default scenario({...})\``);
  }
  checkScenarioShape(value, file);
  return value;
}

/** Throws a ScenarioSpecError for the first problem in the spec's shape. */
export function checkScenarioShape(value: unknown, file: string): asserts value is ScenarioSpec {
  const where = displayPath(file);
  const source = sourceOf(file);
  const problem = (place: string, detail: string, token?: string): never => {
    const line = token === undefined ? undefined : lineOf(source, token);
    throw new ScenarioSpecError(`${where}${line === undefined ? '' : `:${line}`}: ${place}${detail}`);
  };
  if (!isRecord(value)) problem('', `the default export is ${describe(value)}, not a scenario; export default scenario({...})`);
  const spec = value as Record<string, unknown>;
  unknownFields(spec, SCENARIO_FIELDS, 'the scenario', problem);
  for (const field of ['name', 'title', 'lesson']) {
    if (typeof spec[field] !== 'string') problem('', `the scenario's '${field}' is ${describe(spec[field])}; give it a string`, spec[field] === undefined ? undefined : field);
  }
  if ((spec['name'] as string).length === 0) problem('', "the scenario's 'name' is empty; give it a name (it names the trace and the reproduce command)", 'name');
  if (!(typeof spec['durationMs'] === 'number' && Number.isSafeInteger(spec['durationMs']) && spec['durationMs'] > 0)) {
    problem('', `'durationMs' is ${describe(spec['durationMs'])}; give the run's length in milliseconds (e.g. durationMs: 30_000)`, spec['durationMs'] === undefined ? undefined : 'durationMs');
  }
  if (typeof spec['script'] !== 'function') problem('', `'script' is ${describe(spec['script'])}; give it a function: script: (s) => { ... }`, spec['script'] === undefined ? undefined : 'script');
  if (spec['config'] !== undefined && typeof spec['config'] !== 'string') problem('', `'config' is ${describe(spec['config'])}; give the haproxy.cfg text as a string`, 'config');
  const hosts = spec['hosts'];
  if (!Array.isArray(hosts) || hosts.length === 0 || hosts.length > HOSTS_MAX) {
    problem('', `'hosts' is ${describe(hosts)}; give 1 to ${HOSTS_MAX} hosts, e.g. hosts: [{ name: 'hap1', config }]`, hosts === undefined ? undefined : 'hosts');
  }
  const names = new Set<string>();
  (hosts as unknown[]).forEach((h, i) => {
    const at = `hosts[${i}]: `;
    if (!isRecord(h)) problem(at, `${describe(h)} is not a host; write { name: 'hap1', ... }`);
    const host = h as Record<string, unknown>;
    unknownFields(host, HOST_FIELDS, `hosts[${i}]`, problem);
    if (typeof host['name'] !== 'string' || host['name'].length === 0) problem(at, `no 'name'; every host has one: { name: 'hap1', ... }`);
    const name = host['name'] as string;
    if (names.has(name)) problem(at, `a second host named '${name}'; give each host its own name`);
    names.add(name);
    const addresses = host['addresses'];
    if (addresses !== undefined && !(Array.isArray(addresses) && addresses.length > 0 && addresses.every((a) => typeof a === 'string'))) {
      problem(at, `'addresses' of '${name}' is ${describe(addresses)}; give a list of strings: addresses: ['192.168.1.10']`, 'addresses');
    }
    const config = host['config'] ?? spec['config'];
    if (typeof config !== 'string') problem(at, `host '${name}' has no haproxy.cfg; give it 'config' or give the scenario a shared 'config'`);
    for (const field of ['cliLocalPeer'] as const) {
      if (host[field] !== undefined && typeof host[field] !== 'string') problem(at, `'${field}' of '${name}' is ${describe(host[field])}; give a peer name`, field);
    }
    const lateness = host['timerLateness'];
    if (lateness !== undefined && !isLateness(lateness)) {
      problem(at, `'timerLateness' of '${name}' is ${describe(lateness)}; give whole milliseconds { minMs, maxMs } with 0 <= minMs <= maxMs <= ${TIMER_LATENESS_MS_MAX}`, 'timerLateness');
    }
    const acceptDelay = host['acceptDelay'];
    if (acceptDelay !== undefined && !(isRecord(acceptDelay) && isAcceptDelay(acceptDelay as unknown as AcceptDelay))) {
      problem(at, `'acceptDelay' of '${name}' is ${describe(acceptDelay)}; give whole milliseconds { minMs, maxMs } with 0 <= minMs <= maxMs <= ${ACCEPT_DELAY_MS_MAX}, and optionally delayedPerMille in 0..1000`, 'acceptDelay');
    }
    const taskWakeDelay = host['taskWakeDelay'];
    if (taskWakeDelay !== undefined && !(isRecord(taskWakeDelay) && isTaskWakeDelay(taskWakeDelay as unknown as TaskWakeDelay))) {
      problem(at, `'taskWakeDelay' of '${name}' is ${describe(taskWakeDelay)}; give whole milliseconds { minMs, maxMs } with 0 <= minMs <= maxMs <= ${TASK_WAKE_DELAY_MS_MAX}`, 'taskWakeDelay');
    }
  });
  const policies = spec['policies'];
  if (policies !== undefined && !(Array.isArray(policies) && policies.every((p) => POLICIES.includes(p as string)))) {
    problem('', `'policies' is ${describe(policies)}; give a list of ${POLICIES.join(', ')}`, 'policies');
  }
  const seeds = spec['seeds'];
  if (seeds !== undefined && !(Array.isArray(seeds) && seeds.length > 0 && seeds.every((x) => typeof x === 'string' && x !== ''))) {
    problem('', `'seeds' is ${describe(seeds)}; give a non-empty list of seed strings, e.g. seeds: ['1', '2', '3']`, 'seeds');
  }
  const watch = spec['watch'];
  if (watch !== undefined) {
    if (!isRecord(watch)) problem('', `'watch' is ${describe(watch)}; write watch: { table, keys, everyMs }`, 'watch');
    const w = watch as Record<string, unknown>;
    unknownFields(w, WATCH_FIELDS, 'watch', problem);
    if (typeof w['table'] !== 'string') problem('watch: ', `'table' is ${describe(w['table'])}; give a table name`);
    if (!(Array.isArray(w['keys']) && w['keys'].every((k) => typeof k === 'string'))) problem('watch: ', `'keys' is ${describe(w['keys'])}; give a list of keys`);
    if (!(typeof w['everyMs'] === 'number' && Number.isSafeInteger(w['everyMs']) && w['everyMs'] > 0)) problem('watch: ', `'everyMs' is ${describe(w['everyMs'])}; give a period in milliseconds`);
  }
}

function isLateness(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { minMs, maxMs } = value as Record<string, unknown>;
  return Number.isSafeInteger(minMs) && Number.isSafeInteger(maxMs) && (minMs as number) >= 0 && (minMs as number) <= (maxMs as number) && (maxMs as number) <= TIMER_LATENESS_MS_MAX;
}

/**
 * Every host must own the address its local peer line listens on (HAProxy cannot bind another
 * machine's address): the line, the address, and the `addresses` to give the host. A watched
 * table must be declared by some host's config.
 */
export function checkHostAddresses(spec: ScenarioSpec, file: string): void {
  const where = displayPath(file);
  const tables = new Set<string>();
  let parsedAll = true;
  spec.hosts.forEach((h, i) => {
    const text = h.config ?? spec.config;
    if (text === undefined) return;
    const parsed = parseConfig(text, { file: `${spec.name}/${h.name}.cfg` });
    if (!parsed.ok) {
      parsedAll = false;
      return; // the runner reports configuration errors with HAProxy's wording
    }
    for (const t of parsed.config.tables) tables.add(t.name);
    const addresses = h.addresses ?? [defaultHostAddress(i)];
    const local = resolveLocalPeer(parsed.config, { hostname: h.name, ...(h.cliLocalPeer === undefined ? {} : { cliLocalPeer: h.cliLocalPeer }) });
    for (const section of local.sections) {
      const address = section.local?.address;
      if (section.status !== 'active' || address === undefined || WILDCARDS.has(address.host) || addresses.includes(address.host)) continue;
      const declared = `'peer ${section.local!.name} ${address.host}:${address.port}' (line ${section.local!.line} of its config)`;
      throw new ScenarioSpecError(
        `${where}: hosts[${i}] ('${h.name}'): its peer line ${declared} listens on an address the host does not have (${addresses.join(', ')}); ` +
          `give the host addresses: ['${address.host}'] or correct the peer line`,
      );
    }
  });
  const watched = spec.watch?.table;
  if (watched !== undefined && parsedAll && !tables.has(watched)) {
    const line = lineOf(sourceOf(file), 'watch');
    throw new ScenarioSpecError(
      `${where}${line === undefined ? '' : `:${line}`}: watch: no host's config declares a table '${watched}' (tables: ${[...tables].join(', ') || 'none'}); watch one of those`,
    );
  }
}

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);

function unknownFields(
  record: Record<string, unknown>,
  known: readonly string[],
  what: string,
  problem: (place: string, detail: string, token?: string) => never,
): void {
  for (const field of Object.keys(record)) {
    if (known.includes(field)) continue;
    const meant = ALIASES[field] ?? nearest(field, known);
    const fix = meant === undefined ? `fields are ${known.join(', ')}` : `write '${meant}' instead`;
    problem(`${what}: `, `unknown field '${field}'; ${fix}`, field);
  }
}

/** The known name within edit distance 2 of `word`, if one. */
function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function sourceOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The line where `field:` is first written in the source, when it is written literally. */
function lineOf(source: string | undefined, field: string): number | undefined {
  if (source === undefined) return undefined;
  const m = new RegExp(`(^|[^A-Za-z0-9_$'".])${field.replace(/[$]/g, '\\$')}\\s*:`, 'm').exec(source);
  if (m === null) return undefined;
  return source.slice(0, m.index + m[1]!.length).split('\n').length;
}
