/**
 * Post-parse checks and model building (2.6 `check_config_validity` parts that concern stick
 * tables): `peers <section>` references, track-sc / stick / fetch table references, implicit
 * server_id + server_key for stick rules (spec §1.1), automatic server ids, TableSpecs.
 */
import { addImplicitType, finishTable } from './stick-table.ts';
import type { ParseState, ProxyBuilder } from './state.ts';
import type {
  AclExpr,
  Condition,
  Config,
  ParseConfigResult,
  PeersSection,
  Proxy,
  Rule,
  SampleExpr,
  ServerLine,
  StickRule,
} from './types.ts';

export function finishConfig(st: ParseState): ParseConfigResult {
  const shared = checkPeersReferences(st);
  const proxies = st.proxies.map((p) => finishProxy(p, st));
  const defaults = st.defaults.map((p) => finishProxy(p, st));
  const tables = [...st.tables.values()].map((e) => finishTable(e.decl, shared.get(e.decl.name) ?? false));
  const config: Config = {
    file: st.file,
    version: st.version,
    global: { localpeerLines: st.localpeerLines, lines: st.globalLines },
    peersSections: st.peers.map(finishPeers),
    proxies,
    defaults,
    tables,
    otherSections: st.others,
  };
  const { errors, warnings } = st.diag;
  if (errors.length > 0) return { ok: false, errors, warnings, partial: config };
  return { ok: true, config, warnings };
}

/** Whether each table is shared through an existing, enabled peers section (by internal name). */
function checkPeersReferences(st: ParseState): Map<string, boolean> {
  const shared = new Map<string, boolean>();
  for (const { decl, ownerName } of st.tables.values()) {
    if (decl.peersSection === undefined) {
      shared.set(decl.name, false);
      continue;
    }
    const section = st.peers.find((p) => p.name === decl.peersSection);
    if (section === undefined) {
      const at = decl.peersToken;
      if (at !== undefined) st.diag.error(at, `Proxy '${ownerName}': unable to find sync peers '${decl.peersSection}'.`);
      shared.set(decl.name, false);
      continue;
    }
    shared.set(decl.name, !section.disabled);
  }
  return shared;
}

function finishPeers(b: ParseState['peers'][number]): PeersSection {
  return {
    name: b.name,
    line: b.line,
    column: b.column,
    disabled: b.disabled,
    entries: b.entries,
    bind: b.bind,
    defaultServerOptions: b.defaultServerOptions,
    tableNames: b.tableNames,
    shards: b.shards,
    needsNewerThan26: b.needsNewerThan26,
    lines: b.lines,
  };
}

function finishProxy(p: ProxyBuilder, st: ParseState): Proxy {
  const check = p.kind !== 'defaults';
  const rules = check ? p.rules.map((r) => resolveRule(r, p, st)) : p.rules;
  const stickRules = check ? p.stickRules.map((r) => resolveStick(r, p, st)) : p.stickRules;
  if (check) checkFetchTables(p, st);
  return {
    kind: p.kind,
    name: p.name,
    line: p.line,
    column: p.column,
    mode: p.ownMode ?? p.inheritedMode ?? 'tcp',
    tableName: p.table === undefined ? undefined : p.name,
    acls: p.acls,
    rules,
    stickRules,
    servers: assignServerIds(p),
    useBackends: p.useBackends,
    defaultBackend: p.defaultBackend,
    inspectDelayMs: p.inspectDelayMs,
    lines: p.lines,
  };
}

function resolveRule(r: Rule, p: ProxyBuilder, st: ParseState): Rule {
  if (r.action !== 'track-sc') return r;
  const name = r.tableArg ?? p.name;
  if (!st.tables.has(name)) {
    st.diag.errorAt(r.line, r.column, `track-sc${r.slot}`, `Proxy '${p.name}': unable to find table '${name}' referenced by track-sc${r.slot}.`);
    return r;
  }
  return { ...r, tableName: name };
}

function resolveStick(r: StickRule, p: ProxyBuilder, st: ParseState): StickRule {
  const name = r.tableArg ?? p.name;
  const entry = st.tables.get(name);
  if (entry === undefined) {
    st.diag.errorAt(r.line, r.column, 'stick', `Proxy '${p.name}': unable to find stick-table '${name}'.`);
    return r;
  }
  addImplicitType(entry.decl, 'server_id');
  addImplicitType(entry.decl, 'server_key');
  return { ...r, tableName: name };
}

/** Every stick-counter fetch naming a table (or, for src_*, using the proxy's own) must find it. */
function checkFetchTables(p: ProxyBuilder, st: ParseState): void {
  const check = (s: SampleExpr, line: number, column: number, kind: string): void => {
    const sc = s.stickCounter;
    if (sc === undefined) return;
    if (sc.table === undefined && sc.family === 'sc') return;
    const name = sc.table ?? p.name;
    if (st.tables.has(name)) return;
    const argPos = (sc.index === undefined ? 0 : 1) + (sc.family === 'sc' && !/^sc[0-9]/.test(s.fetch) ? 1 : 0) + 1;
    st.diag.errorAt(line, column, s.fetch, `unable to find table '${name}' referenced in arg ${argPos} of ${kind} keyword '${s.fetch}' in proxy '${p.name}'.`);
  };
  const checkAcl = (e: AclExpr): void => check(e.sample, e.line, e.column, 'ACL');
  const checkCond = (c: Condition | undefined): void => {
    for (const group of c?.anyOf ?? []) for (const t of group) if (t.target.kind === 'inline') checkAcl(t.target.expr);
  };
  for (const a of p.acls) checkAcl(a.expr);
  for (const r of p.rules) {
    checkCond(r.cond);
    if (r.action === 'track-sc') check(r.sample, r.line, r.column, 'sample fetch');
    if ((r.action === 'sc-set-gpt0' || r.action === 'sc-set-gpt') && r.value.kind === 'expr') {
      check(r.value.expr, r.line, r.column, 'sample fetch');
    }
  }
  for (const r of p.stickRules) checkCond(r.cond);
  for (const u of p.useBackends) checkCond(u.cond);
}

/** HAProxy numbers servers without `id` with the first free id, from 1, in declaration order. */
function assignServerIds(p: ProxyBuilder): ServerLine[] {
  const used = new Set<number>();
  for (const s of p.servers) if (s.explicitId !== undefined) used.add(s.explicitId);
  let next = 1;
  return p.servers.map((s) => {
    let id = s.explicitId;
    if (id === undefined) {
      while (used.has(next)) next++;
      id = next;
      used.add(id);
    }
    return {
      name: s.name,
      address: s.address,
      id,
      explicitId: s.explicitId !== undefined,
      options: s.options,
      line: s.token.line,
      column: s.token.column,
    };
  });
}
