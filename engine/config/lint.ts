/**
 * `sticksim check`: the peer mistakes a configuration (or a set of configurations, one per
 * host) can hide, as findings with their place. Pure: it reads parsed configs only.
 *
 * One config: no peer line matching the local name (the section is dropped, replication off);
 * a section with only the local peer (tables survive reloads, nothing replicates); a remote peer
 * without an address (never connected to); two peers at the same address (one of them is
 * misaddressed: it will be answered 503); shared tables without `expire`; the default string
 * key size (31 characters).
 * Several configs: a peer's address in one config that is not the address its own config
 * listens on (one-way misaddressing, answered 503 NAME when it has to call), a name missing from
 * another host's section (answered 504), and shared tables whose key type or size differ across
 * hosts (updates silently ignored).
 */
import { resolveLocalPeer } from './local-peer.ts';
import type { Config } from './types.ts';

export type FindingLevel = 'error' | 'warning' | 'info';

export interface Finding {
  level: FindingLevel;
  file: string;
  line: number;
  message: string;
}

export interface LintInput {
  config: Config;
  /** The host name this config runs on (default local peer name). */
  hostname: string;
  cliLocalPeer?: string;
}

const addressText = (a: { host: string; port: number }): string => `${a.host}:${a.port}`;

export function lintConfigs(inputs: readonly LintInput[]): Finding[] {
  const findings: Finding[] = [];
  const locals: { file: string; name: string; section: string; address: string | undefined }[] = [];
  for (const input of inputs) {
    const { config } = input;
    const resolved = resolveLocalPeer(config, {
      hostname: input.hostname,
      ...(input.cliLocalPeer === undefined ? {} : { cliLocalPeer: input.cliLocalPeer }),
    });
    for (const w of resolved.warnings) findings.push({ level: 'warning', file: w.file, line: w.line, message: w.detail });
    for (const e of resolved.errors) findings.push({ level: 'error', file: e.file, line: e.line, message: e.detail });
    for (const section of config.peersSections) {
      const local = section.entries.find((e) => e.name === resolved.localName);
      if (local !== undefined) {
        locals.push({ file: config.file, name: local.name, section: section.name, address: local.address && addressText(local.address) });
      }
      const remotes = section.entries.filter((e) => e.name !== resolved.localName);
      if (local !== undefined && remotes.length === 0 && !section.disabled) {
        findings.push({
          level: 'info',
          file: config.file,
          line: section.line,
          message: `peers section '${section.name}' lists only the local peer '${local.name}': tables survive reloads (after the 5 s startup resync) but nothing is replicated`,
        });
      }
      for (const r of remotes) {
        if (r.address === undefined) {
          findings.push({ level: 'warning', file: config.file, line: r.line, message: `peer '${r.name}' has no address: this process never connects to it` });
        }
      }
      const byAddress = new Map<string, string>();
      for (const e of section.entries) {
        if (e.address === undefined) continue;
        const key = addressText(e.address);
        const other = byAddress.get(key);
        if (other !== undefined) {
          findings.push({
            level: 'error',
            file: config.file,
            line: e.line,
            message: `peers '${other}' and '${e.name}' share the address ${key}: calls to one of them reach the other, which answers 503 (last_status=NAME) and is never retried`,
          });
        }
        byAddress.set(key, e.name);
      }
    }
    for (const t of resolved.tables) {
      if (t.peersSection === undefined) continue;
      if (t.expireMs === 0) {
        findings.push({ level: 'warning', file: config.file, line: tableLine(config, t.name), message: `table '${t.name}' is shared without 'expire': its entries never expire and are taught in every full resync` });
      }
      if (t.keyType === 'string' && t.keySizeBytes === 32) {
        findings.push({ level: 'info', file: config.file, line: tableLine(config, t.name), message: `table '${t.name}': 'type string' without 'len' keeps 31 characters and is a different key size from 'len 32' on other hosts` });
      }
    }
  }
  if (inputs.length > 1) crossCheck(inputs, locals, findings);
  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

function tableLine(config: Config, internalName: string): number {
  const proxy = config.proxies.find((p) => p.tableName === internalName);
  if (proxy !== undefined) return proxy.line;
  const section = config.peersSections.find((s) => s.tableNames.includes(internalName));
  return section?.line ?? 1;
}

function crossCheck(
  inputs: readonly LintInput[],
  locals: readonly { file: string; name: string; section: string; address: string | undefined }[],
  findings: Finding[],
): void {
  const listenOf = new Map(locals.map((l) => [`${l.section}/${l.name}`, l]));
  for (const { config } of inputs) {
    for (const section of config.peersSections) {
      for (const e of section.entries) {
        const owner = listenOf.get(`${section.name}/${e.name}`);
        if (owner === undefined || owner.file === config.file || e.address === undefined || owner.address === undefined) continue;
        const listed = addressText(e.address);
        if (listed !== owner.address) {
          findings.push({
            level: 'error',
            file: config.file,
            line: e.line,
            message: `peer '${e.name}' is listed at ${listed}, but ${owner.file} makes it listen on ${owner.address}: calls from this host reach the wrong place (503 NAME or a refused connection)`,
          });
        }
      }
      // every local peer of another file in this section must be known here, or it gets 504
      for (const l of locals) {
        if (l.section !== section.name || l.file === config.file) continue;
        if (!section.entries.some((e) => e.name === l.name)) {
          findings.push({ level: 'error', file: config.file, line: section.line, message: `peers section '${section.name}' does not list '${l.name}' (local peer of ${l.file}): its hello is answered 504 (last_status=UNKN)` });
        }
      }
    }
  }
  const tablesByWire = new Map<string, { file: string; keyType: string; keySize: number }>();
  for (const { config } of inputs) {
    for (const t of config.tables) {
      if (t.peersSection === undefined) continue;
      const key = `${t.peersSection}/${t.wireName}`;
      const seen = tablesByWire.get(key);
      if (seen === undefined) {
        tablesByWire.set(key, { file: config.file, keyType: t.keyType, keySize: t.keySizeBytes });
        continue;
      }
      if (seen.keyType !== t.keyType || seen.keySize !== t.keySizeBytes) {
        findings.push({
          level: 'error',
          file: config.file,
          line: tableLine(config, t.name),
          message: `table '${t.wireName}' is ${t.keyType}/${t.keySizeBytes} bytes here but ${seen.keyType}/${seen.keySize} in ${seen.file}: peers silently ignore each other's updates`,
        });
      }
    }
  }
}
