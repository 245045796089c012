/**
 * `http-request`, `http-response`, `tcp-request connection|session|content` and `stick` lines
 * into typed rules (spec §1.5). Modelled actions: track-scN, sc-inc-gpc0/1, sc-inc-gpc,
 * sc-set-gpt0, sc-set-gpt, deny, reject, accept/allow, return. Other actions HAProxy 2.6 knows
 * are kept as `other`; unknown ones are errors with HAProxy's wording.
 */
import type { HaproxyVersion } from '../table/data-types.ts';
import { findCondition, parseCondition, type Parsed } from './conditions.ts';
import { parseSample, TRACK_SLOTS } from './fetches.ts';
import { atol, parseTimeMs } from './time-size.ts';
import type { Condition, GptValue, ReplyOptions, Rule, RuleSet, StickRule, Token } from './types.ts';

const HTTP_REQUEST_ACTIONS = [
  'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)',
  'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group',
  'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)',
  'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect',
  'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value',
  'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query',
  'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body',
  'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src',
  'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset',
];
const HTTP_RESPONSE_ACTIONS = [
  'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)',
  'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', 'add-acl(*)', 'add-header',
  'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'redirect',
  'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-status',
  'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)',
  'set-mark', 'set-tos', 'silent-drop',
];
const TCP_COMMON = ['accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0', 'track-sc1', 'track-sc2'];
const TCP_CONNECTION_ACTIONS = [
  ...TCP_COMMON, 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)',
  'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src',
  'set-src-port', 'set-tos', 'silent-drop',
];
const TCP_CONTENT_ACTIONS = [
  ...TCP_COMMON, 'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)',
  'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group',
  'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-src', 'set-src-port',
  'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class',
  'set-priority-offset',
];

function actionsOf(ruleSet: RuleSet): readonly string[] {
  switch (ruleSet) {
    case 'http-request':
      return HTTP_REQUEST_ACTIONS;
    case 'http-response':
      return HTTP_RESPONSE_ACTIONS;
    case 'tcp-request content':
      return TCP_CONTENT_ACTIONS;
    case 'tcp-request connection':
    case 'tcp-request session':
      return TCP_CONNECTION_ACTIONS;
  }
}

function isKnownAction(ruleSet: RuleSet, word: string): boolean {
  return actionsOf(ruleSet).some((a) => (a.endsWith('(*)') ? word.startsWith(a.slice(0, -3)) : word === a));
}

function unknownActionDetail(ruleSet: RuleSet, word: string, proxyDesc: string): string {
  const list = actionsOf(ruleSet).map((a) => `'${a}'`);
  if (ruleSet.startsWith('tcp-request')) {
    const tcp = list.filter((a) => !/^'track-sc[12]'$/.test(a)).map((a) => (a === "'track-sc0'" ? "'track-sc0' ... 'track-sc2'" : a));
    return `'${ruleSet}' expects ${tcp.join(', ')} in ${proxyDesc} (got '${word}').`;
  }
  return `'${ruleSet}' expects ${list.join(', ')}, but got '${word}'.`;
}

/** What a rule parser needs to know about the proxy it is in. */
export interface RuleContext {
  readonly proxyKind: 'frontend' | 'backend' | 'listen' | 'defaults';
  readonly proxyName: string;
  readonly version: HaproxyVersion;
  /** ACL names declared so far in this proxy. */
  readonly aclNames: ReadonlySet<string>;
}

export type RuleLine =
  | { readonly kind: 'rule'; readonly rule: Rule }
  | { readonly kind: 'inspect-delay'; readonly ms: number };

/** Built-in ACLs of HAProxy 2.6 (acl.c default_acl_list). */
const PREDEFINED_ACLS = new Set([
  'TRUE', 'FALSE', 'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_3.0', 'HTTP_CONTENT',
  'HTTP_URL_ABS', 'HTTP_URL_SLASH', 'HTTP_URL_STAR', 'LOCALHOST', 'METH_CONNECT', 'METH_DELETE',
  'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST', 'METH_PUT', 'METH_TRACE', 'RDP_COOKIE',
  'REQ_CONTENT', 'WAIT_END',
]);

const fail = <T>(at: Token, detail: string): Parsed<T> => ({ ok: false, at, detail });

const proxyDesc = (ctx: RuleContext): string => `${ctx.proxyKind} '${ctx.proxyName}'`;

/** A condition starting at words[at] (if/unless), with its ACL names checked. */
export function conditionAt(words: readonly Token[], at: number, ctx: RuleContext, ruleName: string): Parsed<Condition> {
  const r = parseCondition(words.slice(at), ctx.version, ruleName);
  if (!r.ok) return r;
  for (const group of r.value.anyOf) {
    for (const term of group) {
      if (term.target.kind !== 'named') continue;
      const name = term.target.name;
      if (!ctx.aclNames.has(name) && !PREDEFINED_ACLS.has(name)) {
        const tok = words.find((w) => w.line === term.line && w.column === term.column) ?? words[at]!;
        return fail(tok, `error detected while parsing an '${ruleName}' condition : no such ACL : '${name}'.`);
      }
    }
  }
  return r;
}

/** The optional trailing condition at words[i]: nothing, or if/unless …; anything else is an error. */
function tailCondition(words: readonly Token[], i: number, ctx: RuleContext, ruleName: string): Parsed<Condition | undefined> {
  const w = words[i];
  if (w === undefined) return { ok: true, value: undefined };
  if (w.text !== 'if' && w.text !== 'unless') {
    return fail(w, `'${ruleName}' expects either 'if' or 'unless' followed by a condition but found '${w.text}'.`);
  }
  return conditionAt(words, i, ctx, ruleName);
}

/** Parses an `http-request|http-response|tcp-request …` line. */
export function parseRuleLine(words: readonly Token[], ctx: RuleContext): Parsed<RuleLine> {
  const kw = words[0]!;
  if (kw.text !== 'tcp-request') return parseAction(words, kw.text as RuleSet, 1, ctx);
  const sub = words[1];
  if (sub?.text === 'inspect-delay') return parseInspectDelay(words, ctx);
  if (sub === undefined || !['connection', 'session', 'content'].includes(sub.text)) {
    return fail(sub ?? kw, `'tcp-request' expects 'inspect-delay', 'connection', or 'content' in ${proxyDesc(ctx)} (got '${sub?.text ?? ''}')`);
  }
  if (sub.text !== 'content' && ctx.proxyKind === 'backend') {
    return fail(sub, `tcp-request ${sub.text} is not allowed because backend ${ctx.proxyName} is not a frontend`);
  }
  return parseAction(words, `tcp-request ${sub.text}` as RuleSet, 2, ctx);
}

function parseInspectDelay(words: readonly Token[], ctx: RuleContext): Parsed<RuleLine> {
  const v = words[2];
  const r = v === undefined ? undefined : parseTimeMs(v.text);
  if (v === undefined || r === undefined || !r.ok) {
    return fail(v ?? words[1]!, `'tcp-request inspect-delay' expects a positive delay in milliseconds, in ${proxyDesc(ctx)}`);
  }
  return { ok: true, value: { kind: 'inspect-delay', ms: r.ms } };
}

function parseAction(words: readonly Token[], ruleSet: RuleSet, ai: number, ctx: RuleContext): Parsed<RuleLine> {
  const act = words[ai];
  if (act === undefined) return fail(words[ai - 1]!, unknownActionDetail(ruleSet, '', proxyDesc(ctx)));
  const a = act.text;
  const r = parseModelled(words, ruleSet, ai, ctx);
  if (r !== undefined) return r.ok ? { ok: true, value: { kind: 'rule', rule: r.value } } : r;
  if (!isKnownAction(ruleSet, a)) return fail(act, unknownActionDetail(ruleSet, a, proxyDesc(ctx)));
  const ci = findCondition(words, ai + 1);
  const cond = ci < 0 ? undefined : conditionAt(words, ci, ctx, `${ruleSet} ${a}`);
  if (cond !== undefined && !cond.ok) return cond;
  const end = ci < 0 ? words.length : ci;
  return {
    ok: true,
    value: {
      kind: 'rule',
      rule: {
        action: 'other',
        name: a,
        words: words.slice(ai + 1, end).map((t) => t.text),
        ruleSet,
        cond: cond?.value,
        line: act.line,
        column: act.column,
      },
    },
  };
}

const ruleError = (ctx: RuleContext, name: string, detail: string): string =>
  `error detected in ${proxyDesc(ctx)} while parsing '${name}' rule : ${detail}`;

/** The modelled actions; undefined when `words[ai]` is not one of them. */
function parseModelled(words: readonly Token[], ruleSet: RuleSet, ai: number, ctx: RuleContext): Parsed<Rule> | undefined {
  const act = words[ai]!;
  const a = act.text;
  const base = { ruleSet, line: act.line, column: act.column };
  const name = `${ruleSet} ${a}`;
  if (/^track-sc/.test(a)) return parseTrack(words, ai, ctx, base);
  if (/^sc-inc-gpc[01]?(\(|$)/.test(a)) return parseIncGpc(words, ai, ctx, base);
  if (/^sc-set-gpt0?(\(|$)/.test(a)) return parseSetGpt(words, ai, ctx, base);
  const isTcp = ruleSet.startsWith('tcp-request');
  if (a === 'reject' || (a === 'accept' && isTcp) || (a === 'allow' && !isTcp)) {
    const cond = tailCondition(words, ai + 1, ctx, name);
    if (!cond.ok) return cond;
    return { ok: true, value: { ...base, action: a, cond: cond.value } };
  }
  if ((a === 'deny' || a === 'return') && !isTcp) {
    // 2.6 parse_http_deny: an http-request deny answers 403 by default, an http-response deny 502.
    const denyStatus = ruleSet === 'http-response' ? 502 : 403;
    const reply = parseReply(words, ai + 1, a === 'deny' ? denyStatus : 200, ctx, name);
    if (!reply.ok) return reply;
    const cond = tailCondition(words, reply.value.next, ctx, name);
    if (!cond.ok) return cond;
    return { ok: true, value: { ...base, action: a, reply: reply.value.reply, cond: cond.value } };
  }
  return undefined;
}

interface Base {
  readonly ruleSet: RuleSet;
  readonly line: number;
  readonly column: number;
}

function parseTrack(words: readonly Token[], ai: number, ctx: RuleContext, base: Base): Parsed<Rule> {
  const act = words[ai]!;
  const m = /^track-sc([0-9]+)$/.exec(act.text);
  const name = `${base.ruleSet} ${act.text}`;
  if (m === null) return fail(act, ruleError(ctx, name, `invalid track-sc number in '${act.text}'.`));
  const slot = Number(m[1]);
  if (slot >= TRACK_SLOTS) {
    return fail(act, ruleError(ctx, name, `${slot} track-sc number exceeding ${TRACK_SLOTS - 1} (MAX_SESS_STKCTR-1) value.`));
  }
  const sampleTok = words[ai + 1];
  if (sampleTok === undefined || sampleTok.text === 'if' || sampleTok.text === 'unless') {
    return fail(sampleTok ?? act, ruleError(ctx, name, 'missing fetch method.'));
  }
  const sample = parseSample(sampleTok.text, ctx.version, `in '${name}' rule`);
  if (!sample.ok) return fail(sampleTok, ruleError(ctx, name, sample.detail));
  const table = tableOption(words, ai + 2, ruleError(ctx, name, 'missing table name.'));
  if (!table.ok) return table;
  const { tableArg, next: i } = table.value;
  const cond = tailCondition(words, i, ctx, name);
  if (!cond.ok) return cond;
  return {
    ok: true,
    value: { ...base, action: 'track-sc', slot, sample: sample.expr, tableArg, tableName: '', cond: cond.value },
  };
}

/** `(<a>)` / `(<a>,<b>)` suffix of an action word: the numbers, or undefined if not integers. */
function callArgs(word: string, prefix: string): string[] | undefined {
  const rest = word.slice(prefix.length);
  if (rest === '') return [];
  if (!rest.startsWith('(') || !rest.endsWith(')')) return undefined;
  return rest.slice(1, -1).split(',');
}

const isInt = (s: string | undefined): s is string => s !== undefined && /^[0-9]+$/.test(s);

function slotArg(ctx: RuleContext, act: Token, name: string, s: string | undefined, usage: string): Parsed<number> {
  if (s === undefined) return { ok: true, value: 0 };
  if (!isInt(s)) return fail(act, ruleError(ctx, name, `invalid stick table track ID. Expects ${usage}.`));
  const slot = Number(s);
  if (slot >= TRACK_SLOTS) {
    return fail(act, ruleError(ctx, name, `invalid stick table track ID. The max allowed ID is ${TRACK_SLOTS - 1}.`));
  }
  return { ok: true, value: slot };
}

function parseIncGpc(words: readonly Token[], ai: number, ctx: RuleContext, base: Base): Parsed<Rule> {
  const act = words[ai]!;
  const name = `${base.ruleSet} ${act.text}`;
  const m = /^sc-inc-gpc([01]?)/.exec(act.text)!;
  const prefix = m[0];
  const args = callArgs(act.text, prefix) ?? ['x'];
  let gpcIndex: number;
  let slotText: string | undefined;
  if (m[1] === '') {
    if (args.length !== 2 || !isInt(args[0])) {
      return fail(act, ruleError(ctx, name, `Missing gpc ID '${act.text}'. Expects sc-inc-gpc(<GPC ID>,<Track ID>).`));
    }
    gpcIndex = Number(args[0]);
    slotText = args[1];
  } else {
    gpcIndex = Number(m[1]);
    if (args.length > 1) return fail(act, ruleError(ctx, name, `invalid stick table track ID. Expects ${act.text}(<Track ID>).`));
    slotText = args[0];
  }
  const usage = m[1] === '' ? 'sc-inc-gpc(<GPC ID>,<Track ID>)' : `${act.text}(<Track ID>)`;
  const slot = slotArg(ctx, act, name, slotText, usage);
  if (!slot.ok) return slot;
  const cond = tailCondition(words, ai + 1, ctx, name);
  if (!cond.ok) return cond;
  const action = m[1] === '' ? 'sc-inc-gpc' : m[1] === '0' ? 'sc-inc-gpc0' : 'sc-inc-gpc1';
  return { ok: true, value: { ...base, action, slot: slot.value, gpcIndex, cond: cond.value } };
}

function parseSetGpt(words: readonly Token[], ai: number, ctx: RuleContext, base: Base): Parsed<Rule> {
  const act = words[ai]!;
  const name = `${base.ruleSet} ${act.text}`;
  const is0 = act.text.startsWith('sc-set-gpt0');
  const prefix = is0 ? 'sc-set-gpt0' : 'sc-set-gpt';
  const args = callArgs(act.text, prefix) ?? ['x'];
  let gptIndex = 0;
  let slotText: string | undefined;
  if (is0) {
    if (args.length > 1) return fail(act, ruleError(ctx, name, `invalid stick table track ID. Expects ${act.text}(<Track ID>).`));
    slotText = args[0];
  } else {
    if (args.length !== 2 || !isInt(args[0])) {
      return fail(act, ruleError(ctx, name, `Missing gpt ID '${act.text}'. Expects sc-set-gpt(<GPT ID>,<Track ID>).`));
    }
    gptIndex = Number(args[0]);
    slotText = args[1];
  }
  const usage = is0 ? `${act.text}(<Track ID>)` : 'sc-set-gpt(<GPT ID>,<Track ID>)';
  const slot = slotArg(ctx, act, name, slotText, usage);
  if (!slot.ok) return slot;
  let i = ai + 1;
  let value: GptValue = { kind: 'int', value: 0 };
  const v = words[i];
  if (v !== undefined && v.text !== 'if' && v.text !== 'unless') {
    if (/^-?[0-9]+$/.test(v.text)) {
      value = { kind: 'int', value: atol(v.text) };
    } else {
      const s = parseSample(v.text, ctx.version, `in '${name}' rule`);
      if (!s.ok) return fail(v, ruleError(ctx, name, s.detail));
      value = { kind: 'expr', expr: s.expr };
    }
    i++;
  }
  const cond = tailCondition(words, i, ctx, name);
  if (!cond.ok) return cond;
  const action = is0 ? 'sc-set-gpt0' : 'sc-set-gpt';
  return { ok: true, value: { ...base, action, slot: slot.value, gptIndex, value, cond: cond.value } };
}

const BODY_KINDS = new Set(['string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles']);

/** deny/return reply options (http_htx.c:http_parse_http_reply). */
function parseReply(
  words: readonly Token[],
  from: number,
  defaultStatus: number,
  ctx: RuleContext,
  name: string,
): Parsed<{ reply: ReplyOptions; next: number }> {
  let status = defaultStatus;
  let contentType: string | undefined;
  let body: { kind: string; value: string } | undefined;
  const headers: { name: string; value: string }[] = [];
  let i = from;
  for (let guard = 0; guard <= words.length && i < words.length; guard++) {
    const w = words[i]!;
    if (w.text === 'if' || w.text === 'unless') break;
    const v = words[i + 1];
    if (w.text === 'status' || w.text === 'deny_status') {
      if (v === undefined) return fail(w, ruleError(ctx, name, "'status' expects <status_code> as argument."));
      status = atol(v.text);
      if (status < 200 || status > 599) return fail(v, ruleError(ctx, name, `Unexpected status code '${status}'.`));
      i += 2;
    } else if (w.text === 'content-type') {
      if (v === undefined) return fail(w, ruleError(ctx, name, "'content-type' expects <ctype> as argument."));
      contentType = v.text;
      i += 2;
    } else if (BODY_KINDS.has(w.text)) {
      if (v === undefined) return fail(w, ruleError(ctx, name, `'${w.text}' expects an argument.`));
      body = { kind: w.text, value: v.text };
      i += 2;
    } else if (w.text === 'hdr') {
      const hv = words[i + 2];
      if (v === undefined || hv === undefined) return fail(w, ruleError(ctx, name, "'hdr' expects <name> and <fmt> as arguments."));
      headers.push({ name: v.text, value: hv.text });
      i += 3;
    } else if (w.text === 'default-errorfiles') {
      i += 1;
    } else {
      return fail(w, `'${name}' expects either 'if' or 'unless' followed by a condition but found '${w.text}'.`);
    }
  }
  return { ok: true, value: { reply: { status, contentType, body, headers }, next: i } };
}

/** `stick on|match|store-request|store-response <pattern> [table <t>] [if|unless …]`. */
export function parseStickLine(words: readonly Token[], ctx: RuleContext): Parsed<StickRule> {
  const kw = words[0]!;
  const sub = words[1];
  const kinds = ['on', 'match', 'store-request', 'store-response'];
  if (ctx.proxyKind === 'defaults') return fail(kw, `'stick' not allowed in 'defaults' section.`);
  if (ctx.proxyKind === 'frontend') {
    return fail(kw, `'stick' ignored because frontend '${ctx.proxyName}' has no backend capability.`);
  }
  if (sub === undefined || !kinds.includes(sub.text)) {
    return fail(sub ?? kw, `'${kw.text}' expects 'on', 'match', 'store-request' or 'store-response'.`);
  }
  const name = `${kw.text} ${sub.text}`;
  const pat = words[2];
  if (pat === undefined || pat.text === 'if' || pat.text === 'unless' || pat.text === 'table') {
    return fail(pat ?? sub, `'${name}' expects a pattern expression.`);
  }
  const sample = parseSample(pat.text, ctx.version, `in '${name}'`);
  if (!sample.ok) return fail(pat, `'${name}': ${sample.detail}`);
  const table = tableOption(words, 3, `'${name}' expects a table name after 'table'.`);
  if (!table.ok) return table;
  const { tableArg, next: i } = table.value;
  const cond = tailCondition(words, i, ctx, name);
  if (!cond.ok) return cond;
  return {
    ok: true,
    value: {
      kind: sub.text as StickRule['kind'],
      sample: sample.expr,
      tableArg,
      tableName: '',
      cond: cond.value,
      line: kw.line,
      column: kw.column,
    },
  };
}

/** An optional `table <name>` at `words[at]`: the name (if given) and where the words go on. */
function tableOption(words: readonly Token[], at: number, missingName: string): Parsed<{ tableArg: string | undefined; next: number }> {
  if (words[at]?.text !== 'table') return { ok: true, value: { tableArg: undefined, next: at } };
  const name = words[at + 1];
  if (name === undefined) return fail(words[at]!, missingName);
  return { ok: true, value: { tableArg: name.text, next: at + 2 } };
}
