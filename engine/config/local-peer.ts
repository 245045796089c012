/**
 * Choosing the local peer name and the local entry of each peers section (spec §6.1): `-L`
 * beats `localpeer` (only when it comes before any peers section) which beats the host name.
 * A section without an entry of that name is removed ("Removing incomplete section …") and the
 * tables shared through it run without replication.
 */
import { ConfigError } from '../errors.ts';
import type { TableSpec } from '../table/table-spec.ts';
import type { Config, ConfigWarning, PeerEntry, PeersSection } from './types.ts';

export interface LocalPeerOptions {
  /** The system host name (gethostname()). */
  readonly hostname: string;
  /** The `-L <name>` command line argument, if given. */
  readonly cliLocalPeer?: string;
}

export type LocalPeerSource = 'cli' | 'localpeer' | 'hostname';

export interface LocalPeerSection {
  readonly name: string;
  /** active: replicates; disabled: `disabled` keyword; removed: no entry matches the local name. */
  readonly status: 'active' | 'disabled' | 'removed';
  readonly local: PeerEntry | undefined;
  /** Remote entries HAProxy connects to (entries without an address are left out). */
  readonly remotes: readonly PeerEntry[];
}

export interface LocalPeerResolution {
  readonly localName: string;
  readonly source: LocalPeerSource;
  readonly sections: readonly LocalPeerSection[];
  /** config.tables with `peersSection` cleared for sections that are not active. */
  readonly tables: readonly TableSpec[];
  readonly warnings: readonly ConfigWarning[];
  /** Fatal problems that depend on the local name (duplicate local entry, empty section). */
  readonly errors: readonly ConfigError[];
}

export function resolveLocalPeer(config: Config, options: LocalPeerOptions): LocalPeerResolution {
  const warnings: ConfigWarning[] = [];
  const errors: ConfigError[] = [];
  const warn = (line: number, column: number, detail: string): void => {
    warnings.push({ file: config.file, line, column, detail, message: `${config.file}:${line}:${column}: ${detail}` });
  };
  const { localName, source } = chooseName(config, options, warn);
  const sections = config.peersSections.map((s) => resolveSection(config, s, localName, warn, errors));
  const active = new Set(sections.filter((s) => s.status === 'active').map((s) => s.name));
  const tables = config.tables.map((t) =>
    t.peersSection === undefined || active.has(t.peersSection) ? t : { ...t, peersSection: undefined },
  );
  return { localName, source, sections, tables, warnings, errors };
}

function chooseName(
  config: Config,
  options: LocalPeerOptions,
  warn: (line: number, column: number, detail: string) => void,
): { localName: string; source: LocalPeerSource } {
  if (options.cliLocalPeer !== undefined) {
    for (const l of config.global.localpeerLines) {
      warn(l.line, l.column, "'localpeer' ignored since it is already set by using the '-L' command line argument.");
    }
    return { localName: options.cliLocalPeer, source: 'cli' };
  }
  const effective = config.global.localpeerLines.filter((l) => !l.afterPeers).at(-1);
  if (effective !== undefined) return { localName: effective.name, source: 'localpeer' };
  return { localName: options.hostname, source: 'hostname' };
}

function resolveSection(
  config: Config,
  s: PeersSection,
  localName: string,
  warn: (line: number, column: number, detail: string) => void,
  errors: ConfigError[],
): LocalPeerSection {
  const locals = s.entries.filter((e) => e.name === localName);
  const first = locals[0];
  for (const dup of locals.slice(1)) {
    errors.push(
      new ConfigError(config.file, dup.line, dup.column, dup.kind, `'${dup.kind} ${dup.name}' : local peer name already referenced at ${config.file}:${first!.line}.`),
    );
  }
  const remotes = s.entries.filter((e) => e.name !== localName && e.address !== undefined);
  for (const e of s.entries) {
    if (e.name !== localName && e.address === undefined) {
      warn(e.line, e.column, `'${e.kind} ${e.name}' has no address: HAProxy 2.6 never connects to this peer.`);
    }
  }
  if (s.disabled) return { name: s.name, status: 'disabled', local: first, remotes };
  if (first !== undefined) return { name: s.name, status: 'active', local: first, remotes };
  warn(s.line, s.column, `Removing incomplete section 'peers ${s.name}' (no peer named '${localName}').`);
  if (isEmpty(s)) reportEmpty(config, s, localName, errors);
  return { name: s.name, status: 'removed', local: undefined, remotes };
}

/** A section with no line at all that would create its internal frontend. */
function isEmpty(s: PeersSection): boolean {
  return s.entries.length === 0 && s.bind === undefined && s.tableNames.length === 0 &&
    s.defaultServerOptions === undefined && s.lines.length === 0;
}

function reportEmpty(config: Config, s: PeersSection, localName: string, errors: ConfigError[]): void {
  for (const p of config.proxies) {
    const t = config.tables.find((x) => x.name === p.tableName);
    if (t?.peersSection !== s.name) continue;
    errors.push(
      new ConfigError(config.file, p.line, p.column, p.name, `Proxy '${p.name}': unable to find local peer '${localName}' in peers section '${s.name}'.`),
    );
  }
}
