/**
 * frontend / backend / listen / defaults sections: header lines and the keywords sticksim
 * models (mode, stick-table, stick, http-request, http-response, tcp-request, acl, server,
 * use_backend, default_backend). Other known keywords are kept; unknown ones are errors.
 */
import { parseAclExpr } from './conditions.ts';
import { isProxyKeyword, PROXY_KEYWORDS, unknownKeywordDetail } from './keywords.ts';
import { parseAddress } from './address.ts';
import { invalidNameChar } from './peers.ts';
import { conditionAt, parseRuleLine, parseStickLine, type RuleContext } from './rules.ts';
import { parseTableDecl } from './stick-table.ts';
import { keptLine, type ParseState, type ProxyBuilder } from './state.ts';
import type { ProxyKind, Token } from './types.ts';

/** HAProxy's proxy_type_str(): listen sections are called "proxy". */
export const kindWord = (k: ProxyKind): string => (k === 'listen' ? 'proxy' : k);

const CAPS: Readonly<Record<ProxyKind, { fe: boolean; be: boolean }>> = {
  frontend: { fe: true, be: false },
  backend: { fe: false, be: true },
  listen: { fe: true, be: true },
  defaults: { fe: false, be: false },
};

/** A `frontend|backend|listen|defaults [name] [from <defaults>]` header. */
export function startProxy(words: readonly Token[], st: ParseState): ProxyBuilder {
  const kw = words[0]!;
  const kind = kw.text as ProxyKind;
  const nameTok = kind === 'defaults' && words[1]?.text === 'from' ? undefined : words[1];
  let valid = true;
  if (nameTok === undefined && kind !== 'defaults') {
    st.diag.error(kw, `'${kw.text}' expects an <id> argument`);
    valid = false;
  }
  const name = nameTok?.text ?? '';
  const bad = invalidNameChar(name);
  if (valid && bad !== undefined) {
    st.diag.error(nameTok!, `character '${bad}' is not permitted in '${kw.text}' name '${name}'.`);
    valid = false;
  }
  const fromAt = nameTok === undefined ? 1 : 2;
  const from = parseFrom(words, fromAt, kind, name, st);
  if (from === null) valid = false;
  if (valid && kind !== 'defaults') valid = checkDuplicate(kind, name, nameTok!, st);
  const defaults = from === undefined || from === null ? st.lastDefaults : st.defaults.find((d) => d.name === from);
  const b: ProxyBuilder = {
    kind,
    name,
    line: kw.line,
    column: kw.column,
    from: from ?? undefined,
    ownMode: undefined,
    inheritedMode: defaults === undefined ? undefined : (defaults.ownMode ?? defaults.inheritedMode),
    table: undefined,
    acls: [],
    aclNames: new Set(),
    rules: [],
    stickRules: [],
    servers: [],
    useBackends: [],
    defaultBackend: undefined,
    inspectDelayMs: undefined,
    lines: [],
    valid,
  };
  if (valid && kind === 'defaults') st.defaults.push(b);
  else if (valid) st.proxies.push(b);
  if (kind === 'defaults') st.lastDefaults = b;
  return b;
}

/** `from <name>` at words[at]: the name, undefined if absent, null on error. */
function parseFrom(words: readonly Token[], at: number, kind: ProxyKind, name: string, st: ParseState): string | undefined | null {
  const w = words[at];
  if (w === undefined) return undefined;
  if (w.text !== 'from') {
    st.diag.error(w, "please use the 'bind' keyword for listening addresses.");
    return null;
  }
  const d = words[at + 1];
  if (d === undefined || !st.defaults.some((x) => x.name === d.text && d.text !== '')) {
    st.diag.error(d ?? w, `defaults section '${d?.text ?? ''}' not found for ${kindWord(kind)} '${name}'.`);
    return null;
  }
  return d.text;
}

function checkDuplicate(kind: ProxyKind, name: string, nameTok: Token, st: ParseState): boolean {
  const caps = CAPS[kind];
  const other = st.proxies.find((p) => p.name === name && ((CAPS[p.kind].fe && caps.fe) || (CAPS[p.kind].be && caps.be)));
  if (other === undefined) return true;
  st.diag.error(
    nameTok,
    `${kindWord(kind)} '${name}' has the same name as ${kindWord(other.kind)} '${name}' declared at ${st.file}:${other.line}.`,
  );
  return false;
}

const MODES = new Set(['tcp', 'http', 'health', 'log']);

/** One line inside a proxy or defaults section. */
export function parseProxyLine(words: readonly Token[], p: ProxyBuilder, st: ParseState): void {
  const kw = words[0]!;
  if (!isProxyKeyword(kw.text)) {
    st.diag.error(kw, unknownKeywordDetail(kw.text, kw.text === '' ? p.kind : p.kind, PROXY_KEYWORDS));
    return;
  }
  const ctx: RuleContext = { proxyKind: p.kind, proxyName: p.name, version: st.version, aclNames: p.aclNames };
  switch (kw.text) {
    case 'mode': {
      const m = words[1];
      if (m === undefined || !MODES.has(m.text)) {
        st.diag.error(m ?? kw, `unknown proxy mode '${m?.text ?? ''}'.`);
        return;
      }
      p.ownMode = m.text;
      return;
    }
    case 'stick-table':
      return parseProxyTable(words, p, st);
    case 'stick':
      return parseStick(words, p, st, ctx);
    case 'http-request':
    case 'http-response':
    case 'tcp-request':
      return parseRule(words, p, st, ctx);
    case 'acl':
      return parseAcl(words, p, st);
    case 'server':
      return parseServer(words, p, st);
    case 'use_backend':
      return parseUseBackend(words, p, st, ctx);
    case 'default_backend':
      if (words[1] === undefined) st.diag.error(kw, "'default_backend' expects a backend name.");
      else p.defaultBackend = words[1].text;
      return;
  }
  p.lines.push(keptLine(words));
}

function parseProxyTable(words: readonly Token[], p: ProxyBuilder, st: ParseState): void {
  const kw = words[0]!;
  if (p.kind === 'defaults') {
    st.diag.error(kw, "'stick-table' is not supported in 'defaults' section.");
    return;
  }
  const other = st.tables.get(p.name);
  if (other !== undefined && p.valid) {
    st.diag.error(
      kw,
      `stick-table name '${p.name}' conflicts with table declared in ${other.ownerKind} '${other.ownerName}' at ${st.file}:${other.decl.line}.`,
    );
    return;
  }
  const decl = parseTableDecl(
    { args: words, firstOption: 1, name: p.name, wireName: p.name, enclosingPeers: undefined, version: st.version },
    st.diag,
  );
  if (decl === undefined || !p.valid) return;
  p.table = decl;
  st.tables.set(p.name, { decl, ownerKind: kindWord(p.kind), ownerName: p.name });
}

function parseStick(words: readonly Token[], p: ProxyBuilder, st: ParseState, ctx: RuleContext): void {
  if (p.kind === 'frontend') {
    st.diag.warn(words[0]!, `'stick' ignored because frontend '${p.name}' has no backend capability.`);
    p.lines.push(keptLine(words));
    return;
  }
  const r = parseStickLine(words, ctx);
  if (!r.ok) st.diag.error(r.at, r.detail);
  else p.stickRules.push(r.value);
}

function parseRule(words: readonly Token[], p: ProxyBuilder, st: ParseState, ctx: RuleContext): void {
  const r = parseRuleLine(words, ctx);
  if (!r.ok) st.diag.error(r.at, r.detail);
  else if (r.value.kind === 'inspect-delay') p.inspectDelayMs = r.value.ms;
  else p.rules.push(r.value.rule);
}

function parseAcl(words: readonly Token[], p: ProxyBuilder, st: ParseState): void {
  const kw = words[0]!;
  const nameTok = words[1];
  if (nameTok === undefined) {
    st.diag.error(kw, "'acl' expects an ACL name and a criterion.");
    return;
  }
  const bad = invalidNameChar(nameTok.text);
  if (bad !== undefined) {
    st.diag.error(nameTok, `character '${bad}' is not permitted in acl name '${nameTok.text}'.`);
    return;
  }
  const r = parseAclExpr(words.slice(2), st.version, `in ACL '${nameTok.text}'`);
  if (!r.ok) {
    const at = r.at.line === 0 ? nameTok : r.at;
    st.diag.error(at, `error detected while parsing ACL '${nameTok.text}' : ${r.detail}`);
    return;
  }
  p.acls.push({ name: nameTok.text, expr: r.value, line: kw.line, column: kw.column });
  p.aclNames.add(nameTok.text);
}

function parseServer(words: readonly Token[], p: ProxyBuilder, st: ParseState): void {
  const kw = words[0]!;
  if (p.kind === 'defaults') {
    st.diag.error(kw, "'server' not allowed in 'defaults' section.");
    return;
  }
  if (p.kind === 'frontend') {
    st.diag.error(kw, `'server' not allowed because frontend '${p.name}' has no backend capability.`);
    return;
  }
  const name = words[1];
  const addr = words[2];
  if (name === undefined || addr === undefined) {
    st.diag.error(kw, "'server' expects <name> and <addr>[:<port>] as arguments.");
    return;
  }
  const a = parseAddress(addr.text, st.env, { portRequired: false, portZeroOk: true });
  if (!a.ok) {
    st.diag.error(addr, `'server ${p.name}/${name.text}' : ${a.detail}`);
    return;
  }
  const opts = words.slice(3);
  const idAt = opts.findIndex((t) => t.text === 'id');
  let explicitId: number | undefined;
  if (idAt >= 0) {
    const v = opts[idAt + 1];
    const n = v === undefined ? 0 : Number(/^[0-9]+$/.test(v.text) ? v.text : '0');
    if (n <= 0 || n > 0x7fffffff) {
      st.diag.error(v ?? opts[idAt]!, `'server ${p.name}/${name.text}' : 'id' : custom id has to be > 0.`);
      return;
    }
    const used = p.servers.find((s) => s.explicitId === n);
    if (used !== undefined) {
      st.diag.error(v!, `'server ${p.name}/${name.text}' : 'id' : custom id ${n} already used at ${st.file}:${used.token.line} ('server ${used.name}').`);
      return;
    }
    explicitId = n;
  }
  p.servers.push({ name: name.text, address: addr.text, explicitId, options: opts.map((t) => t.text), token: kw });
}

function parseUseBackend(words: readonly Token[], p: ProxyBuilder, st: ParseState, ctx: RuleContext): void {
  const kw = words[0]!;
  const be = words[1];
  if (be === undefined) {
    st.diag.error(kw, "'use_backend' requires a backend name.");
    return;
  }
  const c = words[2];
  let cond;
  if (c !== undefined) {
    if (c.text !== 'if' && c.text !== 'unless') {
      st.diag.error(c, `'use_backend' expects either 'if' or 'unless' followed by a condition but found '${c.text}'.`);
      return;
    }
    const r = conditionAt(words, 2, ctx, 'use_backend');
    if (!r.ok) {
      st.diag.error(r.at, r.detail);
      return;
    }
    cond = r.value;
  }
  p.useBackends.push({ backend: be.text, cond, line: kw.line });
}
