/**
 * ACL expressions (`<fetch>[(args)] [flags] [op] <values…>`) and `if|unless` conditions made of
 * ACL names, `!`, `or`/`||` and inline `{ … }` ACLs (acl.c:parse_acl_cond, 2.6 wording).
 */
import type { HaproxyVersion } from '../table/data-types.ts';
import { parseSample } from './fetches.ts';
import type { AclExpr, CondTerm, Condition, IntOperator, Token } from './types.ts';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly at: Token; readonly detail: string };

const INT_OPERATORS: readonly IntOperator[] = ['eq', 'ge', 'gt', 'le', 'lt'];
/** Flags that take one argument. */
const FLAGS_WITH_ARG = new Set(['-m', '-f', '-M']);
const FLAGS_ALONE = new Set(['-i', '-n', '-u']);

/** An integer pattern as pat_parse_int accepts it: N, N:M, :M, N: */
const isIntPattern = (s: string): boolean => /^(-?[0-9]+(:(-?[0-9]+)?)?|:-?[0-9]+)$/.test(s);

/** Parses ACL words (words[0] is the criterion). `where` names the ACL for messages. */
export function parseAclExpr(words: readonly Token[], version: HaproxyVersion, where: string): Parsed<AclExpr> {
  const first = words[0];
  if (first === undefined) {
    return { ok: false, at: { text: '', line: 0, column: 0 }, detail: `missing fetch method in ACL expression ''.` };
  }
  const sample = parseSample(first.text, version, `in ACL expression '${first.text}'`);
  if (!sample.ok) return { ok: false, at: first, detail: sample.detail };
  const flags: string[] = [];
  let matchMethod: string | undefined;
  let i = 1;
  for (let guard = 0; guard <= words.length && i < words.length; guard++) {
    const w = words[i]!.text;
    if (w === '--') {
      i++;
      break;
    }
    if (FLAGS_ALONE.has(w)) {
      flags.push(w);
      i++;
      continue;
    }
    if (!FLAGS_WITH_ARG.has(w)) break;
    const arg = words[i + 1];
    if (arg === undefined) return { ok: false, at: words[i]!, detail: `missing argument after '${w}' ${where}.` };
    flags.push(w, arg.text);
    if (w === '-m') matchMethod = arg.text;
    i += 2;
  }
  let operator: IntOperator | undefined;
  const values: string[] = [];
  const numeric = sample.expr.stickCounter !== undefined && (matchMethod === undefined || matchMethod === 'int');
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (numeric && values.length === 0 && operator === undefined && (INT_OPERATORS as readonly string[]).includes(w.text)) {
      operator = w.text as IntOperator;
      continue;
    }
    if (numeric && !isIntPattern(w.text)) {
      return { ok: false, at: w, detail: `'${w.text}' is neither a number nor a supported operator.` };
    }
    values.push(w.text);
  }
  return {
    ok: true,
    value: { sample: sample.expr, flags, matchMethod, operator, values, line: first.line, column: first.column },
  };
}

/**
 * Parses a condition: words[0] is `if` or `unless`. ACL names are not checked here (the caller
 * knows which ACLs exist when the line is parsed).
 */
export function parseCondition(words: readonly Token[], version: HaproxyVersion, ruleName: string): Parsed<Condition> {
  const polarity = words[0]!.text === 'unless' ? 'unless' : 'if';
  const where = `while parsing an '${ruleName}' condition`;
  const anyOf: CondTerm[][] = [];
  let group: CondTerm[] = [];
  let negated = false;
  let i = 1;
  for (let guard = 0; guard <= words.length && i < words.length; guard++) {
    const w = words[i]!;
    // As many leading '!' as there are, each one inverting (a lone '!' is allowed).
    const bangs = /^!*/.exec(w.text)![0].length;
    if (bangs % 2 === 1) negated = !negated;
    const text = w.text.slice(bangs);
    if (text === '') {
      i++;
      continue;
    }
    if (text.toLowerCase() === 'or' || text === '||') {
      if (group.length > 0) anyOf.push(group);
      group = [];
      negated = false;
      i++;
      continue;
    }
    if (text === '{') {
      const close = words.findIndex((t, k) => k > i && t.text === '}');
      if (close < 0) return { ok: false, at: w, detail: `error detected ${where} : missing closing '}' in condition.` };
      const inner = words.slice(i + 1, close);
      const acl = parseAclExpr(inner, version, 'in anonymous ACL');
      if (!acl.ok) {
        const at = acl.at.line === 0 ? w : acl.at;
        return { ok: false, at, detail: `error detected ${where} : ${acl.detail}` };
      }
      group.push({ negated, target: { kind: 'inline', expr: acl.value }, line: w.line, column: w.column });
      negated = false;
      i = close + 1;
      continue;
    }
    group.push({ negated, target: { kind: 'named', name: text }, line: w.line, column: w.column });
    negated = false;
    i++;
  }
  if (group.length > 0) anyOf.push(group);
  return { ok: true, value: { polarity, anyOf } };
}

/** The index of the first `if`/`unless` word at or after `from`, or -1. */
export function findCondition(words: readonly Token[], from: number): number {
  for (let i = from; i < words.length; i++) {
    const t = words[i]!.text;
    if (t === 'if' || t === 'unless') return i;
  }
  return -1;
}
