/**
 * From parsed haproxy.cfg files to a cluster description the failure battery runs against:
 * one host per peer line (its address and port from that line), the shared tables (sizes,
 * expiries, stored types), and the limits (deny/reject rules that read a tracked counter).
 *
 * Two shapes, as HAProxy is deployed:
 *  - one shared config: every peer line of the replicating section becomes a host of that name,
 *    run with `-L <name>` (so a `localpeer` line does not make every host the same peer);
 *  - one config per host: each file's host name is its `--hostname` (in file order), else its
 *    `localpeer`; its local peer is picked as HAProxy picks it (-L > localpeer > hostname).
 * A config without any peers section runs as one node whose tables are not replicated.
 *
 * Every mistake that stops the derivation is a `DeriveError`: one line with file:line and the fix.
 * `explore --config` (tui/scenario-source.ts) derives its hosts here too.
 */
import { resolveLocalPeer } from '../../engine/config/local-peer.ts';
import type { Condition, Config, PeerEntry, PeersSection, Proxy, AclExpr } from '../../engine/config/types.ts';
import { dataTypeById } from '../../engine/table/data-types.ts';
import type { TableSpec } from '../../engine/table/table-spec.ts';
import type { HostSpec } from '../dsl.ts';

/** A mistake in the user's configs, said as `file:line: what is wrong; the fix`. */
export class DeriveError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'DeriveError';
  }
}

export interface ConfigFile {
  /** As the user named it (messages and the reproduce command use it). */
  readonly file: string;
  readonly text: string;
  readonly config: Config;
}

export interface ClusterHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The file this host runs. */
  readonly file: string;
  readonly text: string;
  /** `-L <name>` when the shared config is run on every host. */
  readonly cliLocalPeer: string | undefined;
}

export interface TableInfo {
  /** Internal name (`<proxy>` or `<section>/<name>`), as `show table` and verbs name it. */
  readonly name: string;
  readonly keyType: string;
  readonly sizeEntries: number;
  readonly expireMs: number;
  readonly nopurge: boolean;
  /** Replicated through the cluster's peers section. */
  readonly replicated: boolean;
  /** Stored types as `show table` names them. */
  readonly storeNames: readonly string[];
  /** A stored field `set table` can write and read back exactly (gpc0, gpt0, a counter…). */
  readonly probeField: string | undefined;
}

/** A deny/reject rule whose condition reads a stick counter compared with a number. */
export interface LimitRule {
  readonly file: string;
  readonly line: number;
  /** The frontend (or listen) proxy holding the rule. */
  readonly frontend: string;
  /** The table the counter is read from. */
  readonly table: string;
  /** The counter read, e.g. `http_req_rate`. */
  readonly what: string;
  /** The comparison as written, e.g. `sc_http_req_rate(0) gt 100`. */
  readonly text: string;
  /** Requests (within `periodMs` for a rate) from which the rule matches. */
  readonly matchesFrom: number;
  /** The rate's period, undefined for a cumulative counter. */
  readonly periodMs: number | undefined;
}

export interface DerivedCluster {
  readonly files: readonly string[];
  /** The --hostname values given (repeated in the reproduce command). */
  readonly hostnames: readonly string[];
  readonly shape: 'shared' | 'per-host' | 'single';
  /** The replicating peers section, undefined for a single node without one. */
  readonly section: string | undefined;
  readonly hosts: readonly ClusterHost[];
  readonly tables: readonly TableInfo[];
  readonly limits: readonly LimitRule[];
  /** The frontend the battery's clients enter through, tracked by `src`; undefined: no client traffic. */
  readonly frontend: string | undefined;
  /** Things the battery cannot exercise, said once at the start. */
  readonly notes: readonly string[];
}

export const HOSTS_MAX = 16;

/** The scenario hosts of a derived cluster: each at its peer line's address, with its own config. */
export function hostSpecsOf(cluster: DerivedCluster): HostSpec[] {
  return cluster.hosts.map((h) => ({
    name: h.name,
    addresses: [h.address],
    config: h.text,
    ...(h.cliLocalPeer === undefined ? {} : { cliLocalPeer: h.cliLocalPeer }),
  }));
}
const SINGLE_NODE_NAME = 'haproxy';
/** Address of a node whose config gives none (one node alone: nobody connects to it). */
const LONE_ADDRESS = '127.0.0.1';

export function deriveCluster(files: readonly ConfigFile[], options: { hostnames?: readonly string[] } = {}): DerivedCluster {
  if (files.length === 0) throw new DeriveError('(none)', 0, 'no configuration given; pass --config haproxy.cfg');
  const hostnames = options.hostnames ?? [];
  const notes: string[] = [];
  const hosts = files.length === 1 ? sharedHosts(files[0]!, hostnames, notes) : perHostHosts(files, hostnames, notes);
  const first = files[0]!;
  const sectionName = hosts.section;
  const tables = tableInfos(first.config, sectionName);
  if (tables.length === 0 && sectionName === undefined) {
    throw new DeriveError(first.file, 1, 'no peers section and no stick-table: nothing for the battery to test; add a stick-table (and a peers section listing one `peer <name> <address>:<port>` per node)');
  }
  const { limits, frontend } = limitRules(first, tables, notes);
  if (tables.length === 0) notes.push(`${first.file}: no stick-table: the battery checks the peers sessions only`);
  else if (sectionName !== undefined && tables.every((t) => !t.replicated)) notes.push(`${first.file}: no table names the peers section (\`peers ${sectionName ?? '<name>'}\` on the stick-table line): nothing is replicated`);
  return { files: files.map((f) => f.file), hostnames, shape: hosts.shape, section: sectionName, hosts: hosts.hosts, tables, limits, frontend, notes };
}

interface HostsResult {
  shape: DerivedCluster['shape'];
  section: string | undefined;
  hosts: ClusterHost[];
}

/** The section tables replicate through (the first one some table names), else the first. */
function replicatingSection(config: Config): PeersSection | undefined {
  const named = new Set(config.tables.map((t) => t.peersSection).filter((s) => s !== undefined));
  return config.peersSections.find((s) => named.has(s.name) && !s.disabled) ?? config.peersSections.find((s) => !s.disabled);
}

function sharedHosts(f: ConfigFile, hostnames: readonly string[], notes: string[]): HostsResult {
  const section = replicatingSection(f.config);
  if (section === undefined) {
    const name = hostnames[0] ?? f.config.global.localpeerLines.at(-1)?.name ?? SINGLE_NODE_NAME;
    notes.push(`${f.file}: no peers section: one node '${name}' whose tables are not replicated (each reload starts them empty)`);
    return { shape: 'single', section: undefined, hosts: [{ name, address: LONE_ADDRESS, port: 0, file: f.file, text: f.text, cliLocalPeer: undefined }] };
  }
  if (section.entries.length === 0) {
    throw new DeriveError(f.file, section.line, `peers section '${section.name}' has no peer line; add one \`peer <name> <address>:<port>\` line per node`);
  }
  let entries = section.entries;
  if (hostnames.length > 0) {
    for (const h of hostnames) {
      if (!entries.some((e) => e.name === h)) {
        throw new DeriveError(f.file, section.line, `--hostname ${h}: peers section '${section.name}' has no peer of that name (it lists ${entries.map((e) => e.name).join(', ')})`);
      }
    }
    entries = entries.filter((e) => hostnames.includes(e.name));
  }
  if (entries.length > HOSTS_MAX) throw new DeriveError(f.file, section.line, `peers section '${section.name}' lists ${entries.length} peers; the battery runs at most ${HOSTS_MAX} nodes (pick some with --hostname)`);
  const hosts = entries.map((e) => {
    if (e.address === undefined) throw entries.length === 1 ? localWithoutAddress(f.file, e) : missingAddress(f.file, e);
    const address = e.address.host === '' ? (entries.length === 1 ? LONE_ADDRESS : undefined) : e.address.host;
    if (address === undefined) throw new DeriveError(f.file, e.line, `${e.kind} ${e.name} listens on any address (${e.address.port}): write the address its peers reach it at`);
    checkLiteral(f.file, e, address);
    return { name: e.name, address, port: e.address?.port ?? 0, file: f.file, text: f.text, cliLocalPeer: e.name };
  });
  uniqueAddresses(f.file, entries, hosts);
  return { shape: 'shared', section: section.name, hosts };
}

function perHostHosts(files: readonly ConfigFile[], hostnames: readonly string[], notes: string[]): HostsResult {
  if (files.length > HOSTS_MAX) throw new DeriveError(files[0]!.file, 1, `${files.length} configs; the battery runs at most ${HOSTS_MAX} nodes`);
  if (hostnames.length > 0 && hostnames.length !== files.length) {
    throw new DeriveError(files[0]!.file, 1, `${files.length} configs but ${hostnames.length} --hostname values; give one host name per config, in the same order`);
  }
  const hosts: ClusterHost[] = [];
  let sectionName: string | undefined;
  for (const [i, f] of files.entries()) {
    const hostname = hostnames[i] ?? f.config.global.localpeerLines.filter((l) => !l.afterPeers).at(-1)?.name;
    if (hostname === undefined) {
      throw new DeriveError(f.file, 1, 'cannot tell which host runs this config: add `localpeer <name>` to its global section, or pass --hostname (one per --config, in order)');
    }
    const local = resolveLocalPeer(f.config, { hostname });
    const section = replicatingSection(f.config);
    if (section === undefined) throw new DeriveError(f.file, 1, 'no peers section: with one config per host, each needs the peers section that joins them');
    if (sectionName !== undefined && section.name !== sectionName) {
      throw new DeriveError(f.file, section.line, `peers section '${section.name}' differs from '${sectionName}' in ${files[0]!.file}; the hosts replicate through one section of the same name`);
    }
    sectionName = section.name;
    const entry = section.entries.find((e) => e.name === local.localName);
    if (entry === undefined) {
      throw new DeriveError(f.file, section.line, `local peer '${local.localName}' (from ${local.source}) is not in peers section '${section.name}': HAProxy removes the section; add \`peer ${local.localName} <address>:<port>\``);
    }
    if (hosts.some((h) => h.name === local.localName)) throw new DeriveError(f.file, entry.line, `two configs run as peer '${local.localName}'; each host needs its own local peer`);
    if (entry.address === undefined) throw localWithoutAddress(f.file, entry);
    const address = entry.address.host || addressElsewhere(files, local.localName);
    if (address === undefined || address === '') throw missingAddress(f.file, entry);
    checkLiteral(f.file, entry, address);
    const port = entry.address.port;
    hosts.push({ name: local.localName, address, port, file: f.file, text: f.text, cliLocalPeer: undefined });
    for (const e of section.entries) {
      if (e.name !== local.localName && !files.some((g) => localNameOf(g) === e.name)) {
        notes.push(`${f.file}:${e.line}: peer '${e.name}' has no config of its own here: the battery runs without it (it never answers)`);
      }
    }
    if (hostnames[i] === undefined) notes.push(`${f.file}: runs as host '${hostname}' (its localpeer)`);
  }
  uniqueAddresses(files[0]!.file, [], hosts);
  return { shape: 'per-host', section: sectionName, hosts };
}

function localNameOf(f: ConfigFile): string | undefined {
  return f.config.global.localpeerLines.filter((l) => !l.afterPeers).at(-1)?.name;
}

function addressElsewhere(files: readonly ConfigFile[], name: string): string | undefined {
  for (const f of files) {
    for (const s of f.config.peersSections) {
      const e = s.entries.find((x) => x.name === name && x.address !== undefined && x.address.host !== '');
      if (e !== undefined) return e.address!.host;
    }
  }
  return undefined;
}

/**
 * A local peer without an address (alone in its section, or `server <name>` with a `bind` line):
 * HAProxy 2.6 accepts it; sticksim's engine listens on the peer line's address and has none then.
 */
function localWithoutAddress(file: string, e: PeerEntry): DeriveError {
  return new DeriveError(file, e.line, `${e.kind} ${e.name} is the local peer and has no address: sticksim cannot simulate a local peer without one yet; write \`${e.kind} ${e.name} 127.0.0.1:10000\` (or the address its peers reach it at)`);
}

function missingAddress(file: string, e: PeerEntry): DeriveError {
  return new DeriveError(file, e.line, `${e.kind} ${e.name} has no address, so sticksim cannot place that node (and HAProxy never connects to it); write \`${e.kind} ${e.name} <address>:<port>\``);
}

/** The simulated network routes literal addresses; a DNS name has no address here. */
function checkLiteral(file: string, e: PeerEntry, address: string): void {
  if (/^[0-9.]+$/.test(address) || address.includes(':')) return;
  throw new DeriveError(file, e.line, `${e.kind} ${e.name} is addressed by the name '${address}': sticksim does not resolve names; write the address the name resolves to`);
}

function uniqueAddresses(file: string, entries: readonly PeerEntry[], hosts: readonly ClusterHost[]): void {
  const seen = new Map<string, string>();
  for (const [i, h] of hosts.entries()) {
    const other = seen.get(h.address);
    if (other !== undefined) {
      const line = entries[i]?.line ?? 1;
      throw new DeriveError(file, line, `peers ${other} and ${h.name} share the address ${h.address}: one machine cannot be two peers; give each node its own address`);
    }
    seen.set(h.address, h.name);
  }
}

function tableInfos(config: Config, section: string | undefined): TableInfo[] {
  return config.tables.map((t) => {
    const storeNames = t.store.map((s) => dataTypeById(s.typeId)?.name ?? `type${s.typeId}`);
    return {
      name: t.name,
      keyType: t.keyType,
      sizeEntries: t.sizeEntries,
      expireMs: t.expireMs,
      nopurge: t.nopurge,
      replicated: section !== undefined && t.peersSection === section,
      storeNames,
      probeField: probeFieldOf(t),
    };
  });
}

/** Fields `set table` writes and `show table` reads back as the same number. */
const PROBE_FIELDS = ['gpc0', 'gpt0', 'gpc1', 'server_id', 'http_req_cnt', 'conn_cnt', 'sess_cnt', 'http_err_cnt'];

function probeFieldOf(t: TableSpec): string | undefined {
  const names = new Set(t.store.map((s) => dataTypeById(s.typeId)?.name));
  return PROBE_FIELDS.find((f) => names.has(f));
}

function limitRules(f: ConfigFile, tables: readonly TableInfo[], notes: string[]): { limits: LimitRule[]; frontend: string | undefined } {
  const config = f.config;
  const limits: LimitRule[] = [];
  let frontend: string | undefined;
  for (const p of config.proxies) {
    if (p.kind !== 'frontend' && p.kind !== 'listen') continue;
    const tracks = p.rules.filter((r) => r.action === 'track-sc');
    const bySrc = tracks.filter((r) => r.action === 'track-sc' && r.sample.fetch === 'src' && r.sample.converters.length === 0);
    for (const r of tracks) {
      if (r.action === 'track-sc' && !bySrc.includes(r)) notes.push(`${config.file}:${r.line}: track-sc${r.slot} ${r.sample.text}: the battery's clients differ only by source address; this counter is not exercised`);
    }
    if (bySrc.length === 0) continue;
    frontend ??= p.name;
    if (p.name !== frontend) {
      notes.push(`${config.file}:${p.line}: ${p.kind} ${p.name}: the battery's clients enter through ${frontend} only`);
      continue;
    }
    for (const rule of p.rules) {
      if ((rule.action !== 'deny' && rule.action !== 'reject') || rule.cond === undefined) continue;
      for (const expr of condExprs(p, rule.cond)) {
        const sc = expr.sample.stickCounter;
        if (sc === undefined) continue;
        const table = sc.table ?? (sc.family === 'sc' ? trackedTable(p, sc.slot ?? 0) : p.tableName);
        const info = tables.find((t) => t.name === table);
        const threshold = Number(expr.values[0]);
        if (info === undefined || (expr.operator !== 'gt' && expr.operator !== 'ge') || !Number.isSafeInteger(threshold)) {
          notes.push(`${config.file}:${rule.line}: ${expr.sample.text}${expr.operator === undefined ? '' : ` ${expr.operator}`} ${expr.values.join(' ')}: not a counter above a number; not measured`);
          continue;
        }
        const what = sc.what.replace(/^get_/, '');
        const spec = config.tables.find((t) => t.name === info.name);
        const stored = spec?.store.find((s) => dataTypeById(s.typeId)?.name === what);
        limits.push({
          file: config.file,
          line: rule.line,
          frontend: p.name,
          table: info.name,
          what,
          text: `${expr.sample.text} ${expr.operator} ${threshold}`,
          matchesFrom: expr.operator === 'gt' ? threshold + 1 : threshold,
          periodMs: stored !== undefined && stored.periodMs > 0 ? stored.periodMs : undefined,
        });
      }
    }
  }
  if (frontend === undefined && tables.length > 0) notes.push(`${config.file}: no frontend tracks \`src\`: no client traffic; the battery writes the tables through the runtime API`);
  else if (limits.length === 0 && frontend !== undefined) notes.push(`${config.file}: frontend ${frontend} tracks src but no deny/reject rule reads a counter: findings are about the tables only`);
  return { limits, frontend };
}

function trackedTable(p: Proxy, slot: number): string | undefined {
  const r = p.rules.find((x) => x.action === 'track-sc' && x.slot === slot);
  return r?.action === 'track-sc' ? r.tableName : undefined;
}

/** Every ACL expression a condition may read (named ACLs resolved in the proxy). */
function condExprs(p: Proxy, cond: Condition): AclExpr[] {
  const out: AclExpr[] = [];
  for (const group of cond.anyOf) {
    for (const term of group) {
      if (term.negated) continue;
      if (term.target.kind === 'inline') out.push(term.target.expr);
      else {
        const name = term.target.name;
        for (const acl of p.acls) if (acl.name === name) out.push(acl.expr);
      }
    }
  }
  return out;
}
