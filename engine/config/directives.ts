/**
 * Conditional blocks (`.if/.elif/.else/.endif`) and message directives (`.notice`, `.warning`,
 * `.diag`, `.alert`) of HAProxy 2.6, with a small condition language: `1`/`0` (any integer),
 * `defined(NAME)`, `streq(a,b)`, `strneq(a,b)`, `version_atleast(v)`, `version_before(v)`,
 * `feature(x)` (always false here), each optionally preceded by `!`.
 */
import type { Diagnostics } from './diagnostics.ts';
import type { TargetVersion, Token } from './types.ts';

/** HAProxy's MAXNESTEDCONDS. */
const NESTING_MAX = 128;

type CondState = 'take' | 'drop' | 'skip' | 'else-take' | 'else-drop';

export class CondStack {
  private readonly stack: CondState[] = [];

  /** True when the current line is masked out by a condition. */
  masked(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top !== undefined && top !== 'take' && top !== 'else-take';
  }

  depth(): number {
    return this.stack.length;
  }

  /** Handles a `.if`…`.endif` line; returns false when the word is not one of them. */
  handle(words: readonly Token[], env: ReadonlyMap<string, string>, version: TargetVersion, diag: Diagnostics): boolean {
    const kw = words[0]!;
    switch (kw.text) {
      case '.if':
        return this.onIf(words, env, version, diag);
      case '.elif':
        return this.onElif(words, env, version, diag);
      case '.else':
        return this.onElse(words, diag);
      case '.endif':
        if (words[1] !== undefined) diag.error(words[1], `Unexpected argument '${words[1].text}' for '.endif'.`);
        if (this.stack.length === 0) diag.error(kw, "lone '.endif' with no matching '.if'.");
        else this.stack.pop();
        return true;
    }
    return false;
  }

  private onIf(words: readonly Token[], env: ReadonlyMap<string, string>, version: TargetVersion, diag: Diagnostics): boolean {
    if (this.stack.length >= NESTING_MAX) {
      diag.error(words[0]!, `too many nested '.if', max is ${NESTING_MAX}.`);
      return true;
    }
    if (this.masked()) {
      this.stack.push('skip');
      return true;
    }
    const v = evalCondition(words, env, version, diag);
    this.stack.push(v ? 'take' : 'drop');
    return true;
  }

  private onElif(words: readonly Token[], env: ReadonlyMap<string, string>, version: TargetVersion, diag: Diagnostics): boolean {
    const top = this.stack.length - 1;
    const state = this.stack[top];
    if (state === undefined) {
      diag.error(words[0]!, "lone '.elif' with no matching '.if'.");
      return true;
    }
    if (state === 'else-take' || state === 'else-drop') {
      diag.error(words[0]!, "'.elif' after '.else' is not permitted.");
      return true;
    }
    if (state === 'take' || state === 'skip') {
      this.stack[top] = 'skip';
      return true;
    }
    this.stack[top] = evalCondition(words, env, version, diag) ? 'take' : 'drop';
    return true;
  }

  private onElse(words: readonly Token[], diag: Diagnostics): boolean {
    if (words[1] !== undefined) diag.error(words[1], `Unexpected argument '${words[1].text}' for '.else'.`);
    const top = this.stack.length - 1;
    const state = this.stack[top];
    if (state === undefined) {
      diag.error(words[0]!, "lone '.else' with no matching '.if'.");
      return true;
    }
    if (state === 'else-take' || state === 'else-drop') {
      diag.error(words[0]!, "'.else' after '.else' is not permitted.");
      return true;
    }
    this.stack[top] = state === 'drop' ? 'else-take' : 'else-drop';
    return true;
  }
}

const FULL_VERSION: Readonly<Record<TargetVersion, string>> = { '2.6': '2.6.12', '3.0': '3.0.0', '3.2': '3.2.0' };

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function evalCondition(words: readonly Token[], env: ReadonlyMap<string, string>, version: TargetVersion, diag: Diagnostics): boolean {
  const at = words[1] ?? words[0]!;
  let expr = words.slice(1).map((w) => w.text).join(' ').trim();
  let negate = false;
  while (expr.startsWith('!')) {
    negate = !negate;
    expr = expr.slice(1).trim();
  }
  const v = evalTerm(expr, env, version);
  if (v === undefined) {
    diag.error(at, `unparsable conditional expression '${expr}' in '${words[0]!.text}' (sticksim knows integers, defined(), streq(), strneq(), version_atleast(), version_before(), feature()).`);
    return false;
  }
  return v !== negate;
}

function evalTerm(expr: string, env: ReadonlyMap<string, string>, version: TargetVersion): boolean | undefined {
  if (/^-?[0-9]+$/.test(expr)) return Number(expr) !== 0;
  if (expr === '') return false;
  const m = /^([a-z_]+)\((.*)\)$/.exec(expr);
  if (m === null) return undefined;
  const args = m[2]!.split(',');
  switch (m[1]) {
    case 'defined':
      return env.has(args[0] ?? '');
    case 'feature':
      return false;
    case 'streq':
      return args.length === 2 && args[0] === args[1];
    case 'strneq':
      return args.length === 2 && args[0] !== args[1];
    case 'version_atleast':
      return compareVersions(FULL_VERSION[version], args[0] ?? '') >= 0;
    case 'version_before':
      return compareVersions(FULL_VERSION[version], args[0] ?? '') < 0;
  }
  return undefined;
}

/** `.notice/.warning/.diag/.alert "<msg>"`; returns false when the word is not one of them. */
export function handleMessageDirective(words: readonly Token[], diag: Diagnostics): boolean {
  const kw = words[0]!;
  if (!['.notice', '.warning', '.diag', '.alert'].includes(kw.text)) return false;
  if (words[2] !== undefined) {
    diag.error(words[2], `Unexpected argument '${words[2].text}' for '${kw.text}'. Use quotes if the message should contain spaces.`);
    return true;
  }
  const msg = words[1]?.text ?? '';
  if (kw.text === '.alert') diag.error(kw, `'${msg}'.`);
  else if (kw.text === '.warning') diag.warn(kw, `'${msg}'.`);
  return true;
}
