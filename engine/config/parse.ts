/**
 * `parseConfig`: haproxy.cfg text → typed Config (types.ts documents the result shape).
 * Reads every line (never stops at the first error), dispatches by section, then runs the
 * post-parse checks of post.ts. Total: no exception escapes.
 */
import { Diagnostics } from './diagnostics.ts';
import { CondStack, handleMessageDirective } from './directives.ts';
import { GLOBAL_KEYWORD_LIST, isGlobalKeyword, OTHER_SECTIONS, PROXY_SECTIONS, unknownKeywordDetail } from './keywords.ts';
import { parsePeersLine, startPeersSection } from './peers.ts';
import { finishConfig } from './post.ts';
import { parseProxyLine, startProxy } from './proxy.ts';
import { keptLine, type ParseState } from './state.ts';
import { splitLines, tokenizeLine } from './tokenizer.ts';
import type { ParseConfigOptions, ParseConfigResult, Token } from './types.ts';

/** Keywords that accept the `no` / `default` prefixes (readcfgfile). */
const NEGATABLE = new Set(['option', 'log', 'busy-polling', 'set-dumpable', 'strict-limits', 'insecure-fork-wanted', 'numa-cpu-mapping']);

export function parseConfig(text: string, options: ParseConfigOptions): ParseConfigResult {
  const st = newState(options);
  try {
    readLines(text, st);
    return finishConfig(st);
  } catch (e) {
    // A bug in sticksim, never bad input: still report it as a located finding, not a throw.
    const detail = e instanceof Error ? e.message : String(e);
    st.diag.errorAt(1, 1, '', `internal error in sticksim's config parser: ${detail}`);
    return { ok: false, errors: st.diag.errors, warnings: st.diag.warnings, partial: emptyConfig(st) };
  }
}

function newState(options: ParseConfigOptions): ParseState {
  return {
    file: options.file,
    version: options.version ?? '2.6',
    env: options.env ?? new Map(),
    diag: new Diagnostics(options.file),
    section: { kind: 'none' },
    sectionName: '',
    localpeerLines: [],
    globalLines: [],
    peers: [],
    proxies: [],
    defaults: [],
    others: [],
    tables: new Map(),
    lastDefaults: undefined,
  };
}

function emptyConfig(st: ParseState): import('./types.ts').Config {
  return {
    file: st.file,
    version: st.version,
    global: { localpeerLines: [], lines: [] },
    peersSections: [],
    proxies: [],
    defaults: [],
    tables: [],
    otherSections: [],
  };
}

function readLines(text: string, st: ParseState): void {
  const lines = splitLines(text);
  const conds = new CondStack();
  lines.forEach((raw, index) => readLine(raw, index + 1, st, conds));
  const last = lines[lines.length - 1] ?? '';
  if (last !== '') {
    st.diag.warnAt(
      lines.length,
      1,
      `Missing LF on last line, file might have been truncated at position ${last.length + 1}. (HAProxy 2.6 refuses such a file.)`,
    );
  }
  if (conds.depth() > 0) st.diag.errorAt(lines.length, 1, '', "non-terminated '.if' block.");
}

function readLine(raw: string, lineNo: number, st: ParseState, conds: CondStack): void {
  if (raw.trimStart().startsWith('[')) return; // a scope line: "[name]"
  const r = tokenizeLine(raw, lineNo, { env: st.env, file: st.file, section: st.sectionName });
  if (r.error !== undefined) {
    st.diag.errorAt(lineNo, r.error.column, r.error.token, r.error.detail);
    return;
  }
  const words = r.tokens.slice(0, firstEmpty(r.tokens));
  if (words.length === 0) return;
  if (conds.handle(words, st.env, st.version, st.diag)) return;
  if (conds.masked()) return;
  if (words[0]!.text.startsWith('.')) {
    if (!handleMessageDirective(words, st.diag)) st.diag.error(words[0]!, `unknown directive '${words[0]!.text}'.`);
    return;
  }
  const kw = words[0]!.text;
  if (kw === 'no' || kw === 'default') {
    const next = words[1];
    if (next === undefined || !NEGATABLE.has(next.text)) {
      st.diag.error(
        words[0]!,
        'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
      );
      return;
    }
    keepInSection(words, st);
    return;
  }
  if (startSection(words, st)) return;
  dispatch(words, st);
}

/** HAProxy stops reading a line's arguments at the first empty one (e.g. `""`). */
function firstEmpty(tokens: readonly Token[]): number {
  const i = tokens.findIndex((t) => t.text === '');
  return i < 0 ? tokens.length : i;
}

function startSection(words: readonly Token[], st: ParseState): boolean {
  const kw = words[0]!;
  if (kw.text === 'global') {
    if (words[1] !== undefined) st.diag.error(words[1], `'global' cannot handle unexpected argument '${words[1].text}'.`);
    st.section = { kind: 'global' };
    st.sectionName = 'global';
    return true;
  }
  if (kw.text === 'peers') {
    st.section = { kind: 'peers', peers: startPeersSection(words, st) };
    st.sectionName = words[1]?.text ?? 'peers';
    return true;
  }
  if (PROXY_SECTIONS.has(kw.text)) {
    st.section = { kind: 'proxy', proxy: startProxy(words, st) };
    st.sectionName = words[1]?.text ?? kw.text;
    return true;
  }
  if (OTHER_SECTIONS.has(kw.text)) {
    const other = { keyword: kw.text, name: words[1]?.text ?? '', line: kw.line, lines: [] };
    st.others.push(other);
    st.section = { kind: 'other', other };
    st.sectionName = words[1]?.text ?? kw.text;
    return true;
  }
  return false;
}

function dispatch(words: readonly Token[], st: ParseState): void {
  const s = st.section;
  switch (s.kind) {
    case 'none':
      st.diag.error(words[0]!, `unknown keyword '${words[0]!.text}' out of section.`);
      return;
    case 'global':
      return parseGlobalLine(words, st);
    case 'peers':
      // After an unusable `peers` header (already reported) its lines are skipped.
      if (s.peers === undefined) return;
      return parsePeersLine(words, s.peers, st);
    case 'proxy':
      return parseProxyLine(words, s.proxy, st);
    case 'other':
      s.other.lines.push(keptLine(words));
      return;
  }
}

function keepInSection(words: readonly Token[], st: ParseState): void {
  const s = st.section;
  if (s.kind === 'global') st.globalLines.push(keptLine(words));
  else if (s.kind === 'proxy') s.proxy.lines.push(keptLine(words));
  else if (s.kind === 'peers' && s.peers !== undefined) s.peers.lines.push(keptLine(words));
  else if (s.kind === 'other') s.other.lines.push(keptLine(words));
  else st.diag.error(words[0]!, `unknown keyword '${words[0]!.text}' out of section.`);
}

function parseGlobalLine(words: readonly Token[], st: ParseState): void {
  const kw = words[0]!;
  if (!isGlobalKeyword(kw.text)) {
    st.diag.error(kw, unknownKeywordDetail(kw.text, 'global', GLOBAL_KEYWORD_LIST));
    return;
  }
  if (kw.text !== 'localpeer') {
    st.globalLines.push(keptLine(words));
    return;
  }
  const name = words[1];
  if (words[2] !== undefined) {
    st.diag.error(words[2], `'localpeer' cannot handle unexpected argument '${words[2].text}'.`);
    return;
  }
  if (name === undefined) {
    st.diag.error(kw, "'localpeer' expects a name as an argument.");
    return;
  }
  const afterPeers = st.peers.length > 0;
  if (afterPeers) st.diag.warn(kw, "'localpeer' ignored since it is used after 'peers' section.");
  st.localpeerLines.push({ name: name.text, line: kw.line, column: kw.column, afterPeers });
}
