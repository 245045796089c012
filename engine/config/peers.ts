/**
 * Lines of a `peers` section (2.6 `cfgparse.c:cfg_parse_peers`, spec §1.1 and §6.1): peer,
 * server, bind, default-server, default-bind, log, table, disabled, enabled, and `shards`
 * (2.7+, accepted and marked). Checks that do not depend on the local peer name are done here;
 * the others are in local-peer.ts.
 */
import { parseAddress } from './address.ts';
import { parseTableDecl } from './stick-table.ts';
import { keptLine, type ParseState, type PeersBuilder } from './state.ts';
import type { Token } from './types.ts';

/** HAProxy's invalid_char(): names allow letters, digits, '.', '-', '_' and ':'. */
export function invalidNameChar(name: string): string | undefined {
  const m = /[^A-Za-z0-9._:-]/.exec(name);
  return m === null ? undefined : m[0];
}

/** A `peers <name>` header line; returns the builder or undefined when the name is unusable. */
export function startPeersSection(words: readonly Token[], st: ParseState): PeersBuilder | undefined {
  const kw = words[0]!;
  const name = words[1];
  if (name === undefined) {
    st.diag.error(kw, 'missing name for peers section.');
    return undefined;
  }
  if (words.length > 2) {
    st.diag.error(words[2]!, `'${kw.text}' cannot handle unexpected argument '${words[2]!.text}'.`);
    return undefined;
  }
  const bad = invalidNameChar(name.text);
  if (bad !== undefined) {
    st.diag.error(name, `character '${bad}' is not permitted in '${kw.text}' name '${name.text}'.`);
    return undefined;
  }
  const other = st.peers.find((p) => p.name === name.text);
  if (other !== undefined) {
    st.diag.error(name, `peers section '${name.text}' has the same name as another peers section declared at ${st.file}:${other.line}.`);
  }
  const b: PeersBuilder = {
    name: name.text,
    line: kw.line,
    column: kw.column,
    disabled: false,
    entries: [],
    bind: undefined,
    defaultServerOptions: undefined,
    tableNames: [],
    shards: undefined,
    needsNewerThan26: false,
    lines: [],
    sawPeerLine: false,
    sawBindLine: false,
  };
  if (other === undefined) st.peers.push(b);
  return b;
}

/** One line inside a peers section. */
export function parsePeersLine(words: readonly Token[], b: PeersBuilder, st: ParseState): void {
  const kw = words[0]!;
  switch (kw.text) {
    case 'bind':
      return parseBind(words, b, st);
    case 'peer':
    case 'server':
      return parsePeer(words, b, st);
    case 'table':
      return parseTable(words, b, st);
    case 'default-server':
      b.defaultServerOptions = words.slice(1).map((w) => w.text);
      return;
    case 'disabled':
      b.disabled = true;
      return;
    case 'enabled':
      b.disabled = false;
      return;
    case 'shards':
      return parseShards(words, b, st);
    case 'log':
    case 'default-bind':
      b.lines.push(keptLine(words));
      return;
  }
  st.diag.error(kw, `unknown keyword '${kw.text}' in 'peers' section`);
}

function parseBind(words: readonly Token[], b: PeersBuilder, st: ParseState): void {
  const kw = words[0]!;
  if (b.sawPeerLine) {
    st.diag.error(kw, 'mixing "peer" and "bind" line is forbidden');
    return;
  }
  if (b.bind !== undefined) {
    st.diag.error(kw, `One listener per "peers" section is authorized but another is already configured at [${st.file}:${b.bind.line}].`);
    return;
  }
  b.sawBindLine = true;
  const addrTok = words[1];
  const r = parseAddress(addrTok?.text ?? '', st.env, { portRequired: false, portZeroOk: false });
  if (!r.ok) {
    st.diag.error(addrTok ?? kw, `'bind ${addrTok?.text ?? ''}' : ${r.detail}`);
    return;
  }
  b.bind = {
    address: r.address ?? { host: '', port: 0 },
    options: words.slice(2).map((w) => w.text),
    line: kw.line,
    column: kw.column,
  };
}

/** Whether a word after `server <name>` is an address rather than a server keyword. */
const looksLikeAddress = (w: string): boolean => /[:.@[]/.test(w) || w === '*' || /^\$/.test(w);

function parsePeer(words: readonly Token[], b: PeersBuilder, st: ParseState): void {
  const kw = words[0]!;
  const isPeer = kw.text === 'peer';
  if (isPeer && b.sawBindLine) {
    st.diag.error(kw, 'mixing "peer" and "bind" line is forbidden');
    return;
  }
  if (isPeer) b.sawPeerLine = true;
  const name = words[1];
  if (name === undefined) {
    st.diag.error(kw, `'${kw.text}' expects <name> and <addr>[:<port>] as arguments.`);
    return;
  }
  const bad = invalidNameChar(name.text);
  if (bad !== undefined) {
    st.diag.error(name, `character '${bad}' is not permitted in ${kw.text} name '${name.text}'.`);
    return;
  }
  const addrTok = words[2];
  const hasAddr = addrTok !== undefined && (isPeer || looksLikeAddress(addrTok.text));
  let address;
  if (hasAddr) {
    const r = parseAddress(addrTok.text, st.env, { portRequired: true, portZeroOk: true });
    if (!r.ok) {
      st.diag.error(addrTok, `'${kw.text} ${name.text}' : ${r.detail}`);
      return;
    }
    address = r.address;
  }
  const options = words.slice(hasAddr ? 3 : 2).map((w) => w.text);
  const shard = parseShardOption(words.slice(hasAddr ? 3 : 2), b, st);
  if (shard === null) return;
  b.entries.push({ kind: isPeer ? 'peer' : 'server', name: name.text, address, shard, options, line: kw.line, column: kw.column });
}

/** `shard <k>` among server options (2.7+): the value, undefined if absent, null on error. */
function parseShardOption(opts: readonly Token[], b: PeersBuilder, st: ParseState): number | undefined | null {
  const at = opts.findIndex((t) => t.text === 'shard');
  if (at < 0) return undefined;
  const v = opts[at + 1];
  if (v === undefined || !/^[0-9]+$/.test(v.text)) {
    st.diag.error(v ?? opts[at]!, `'shard' expects an integer argument.`);
    return null;
  }
  markNewer(b, opts[at]!, st, "'shard' on a peer line");
  return Number(v.text);
}

function markNewer(b: PeersBuilder, at: Token, st: ParseState, what: string): void {
  b.needsNewerThan26 = true;
  if (st.version === '2.6') {
    st.diag.warn(at, `${what} needs HAProxy 2.7+; a 2.6 binary rejects it ("unknown keyword '${at.text}' in 'peers' section").`);
  }
}

function parseShards(words: readonly Token[], b: PeersBuilder, st: ParseState): void {
  const kw = words[0]!;
  const v = words[1];
  if (v === undefined || !/^[0-9]+$/.test(v.text) || Number(v.text) < 1) {
    st.diag.error(v ?? kw, `'${kw.text}' expects a strictly positive integer argument.`);
    return;
  }
  b.shards = { count: Number(v.text), line: kw.line };
  markNewer(b, kw, st, "'shards'");
}

function parseTable(words: readonly Token[], b: PeersBuilder, st: ParseState): void {
  const kw = words[0]!;
  const nameTok = words[1];
  if (nameTok === undefined) {
    st.diag.error(kw, `${kw.text}: ID not provided.`);
    return;
  }
  const conflict = st.tables.get(nameTok.text) ?? st.tables.get(`${b.name}/${nameTok.text}`);
  if (conflict !== undefined) {
    st.diag.error(
      nameTok,
      `stick-table name '${nameTok.text}' conflicts with table declared in ${conflict.ownerKind} '${conflict.ownerName}' at ${st.file}:${conflict.decl.line}.`,
    );
    return;
  }
  const name = `${b.name}/${nameTok.text}`;
  const decl = parseTableDecl(
    { args: words, firstOption: 2, name, wireName: `/${nameTok.text}`, enclosingPeers: b.name, version: st.version },
    st.diag,
  );
  if (decl === undefined) return;
  st.tables.set(name, { decl, ownerKind: 'peers', ownerName: b.name });
  b.tableNames.push(name);
}
