/**
 * Splits haproxy.cfg text into lines and words the way HAProxy 2.6 does (`readcfgfile` +
 * `parse_line`): `#` comments, single and double quotes, backslash escapes (`\ `, `\\`, `\t`,
 * `\n`, `\r`, `\#`, `\'`, `\"`, `\$` inside double quotes, `\xHH`), and environment variables
 * (`$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` word expansion, `.LINE`/`.FILE`/`.SECTION`),
 * which HAProxy expands only inside double quotes (a `$` elsewhere is a plain character).
 * Every word keeps the 1-based column where it starts in the raw line.
 */
import type { Token } from './types.ts';

/** HAProxy's MAX_LINE_ARGS. */
export const LINE_WORDS_MAX = 64;

export interface TokenizeContext {
  readonly env: ReadonlyMap<string, string>;
  readonly file: string;
  /** Name of the current section (for `.SECTION`). */
  readonly section: string;
}

export interface LineWords {
  readonly tokens: Token[];
  /** Set when the line cannot be split; the line must then be skipped. */
  readonly error: { readonly column: number; readonly token: string; readonly detail: string } | undefined;
}

/** Raw lines of a text: split on LF; a CR ends the useful part of a line like in HAProxy. */
export function splitLines(text: string): string[] {
  return text.split('\n');
}

const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\n';
const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

class WordBuilder {
  readonly tokens: Token[] = [];
  private text = '';
  private column = 0;
  private started = false;

  constructor(private readonly line: number) {}

  /** Marks the current word as started at `column` (first raw char that belongs to it). */
  touch(column: number): void {
    if (!this.started) {
      this.started = true;
      this.column = column;
    }
  }

  emit(s: string, column: number): void {
    this.touch(column);
    this.text += s;
  }

  end(): void {
    if (this.started) this.tokens.push({ text: this.text, line: this.line, column: this.column });
    this.text = '';
    this.started = false;
  }
}

/** Splits one raw line (without its LF) into words. */
export function tokenizeLine(raw: string, lineNo: number, ctx: TokenizeContext): LineWords {
  const out = new WordBuilder(lineNo);
  let squote = false;
  let dquote = false;
  let quoteColumn = 0;
  const fail = (index: number, detail: string): LineWords => ({
    tokens: out.tokens,
    error: { column: index + 1, token: raw.slice(index, index + 8), detail },
  });
  let i = 0;
  // Each iteration consumes at least one character, so raw.length + 1 bounds the loop.
  for (let guard = 0; guard <= raw.length + 1 && i < raw.length; guard++) {
    const c = raw[i]!;
    const col = i + 1;
    if (c === '\r') break;
    if (c === '#' && !squote && !dquote) break;
    if (c === '"' && !squote) {
      out.touch(col);
      dquote = !dquote;
      quoteColumn = col;
      i++;
      continue;
    }
    if (c === "'" && !dquote) {
      out.touch(col);
      squote = !squote;
      quoteColumn = col;
      i++;
      continue;
    }
    if (c === '\\' && !squote) {
      const r = escapeAt(raw, i, dquote);
      if (r === undefined) return fail(i, 'truncated or invalid hexadecimal sequence');
      out.emit(r.text, col);
      i += r.length;
      continue;
    }
    if (isSpace(c) && !squote && !dquote) {
      out.end();
      while (i < raw.length && isSpace(raw[i]!) && raw[i] !== '\r') i++;
      continue;
    }
    if (c === '$' && dquote) {
      const r = expandVariable(raw, i, lineNo, ctx);
      if ('error' in r) return fail(r.index, r.error);
      out.touch(col);
      if (r.words === undefined) out.emit(r.value, col);
      else emitWords(out, r.words, col);
      i = r.next;
      continue;
    }
    out.emit(c, col);
    i++;
  }
  if (squote || dquote) {
    return { tokens: out.tokens, error: { column: quoteColumn, token: squote ? "'" : '"', detail: 'unmatched quote' } };
  }
  out.end();
  if (out.tokens.length > LINE_WORDS_MAX) {
    const t = out.tokens[LINE_WORDS_MAX - 1]!;
    return {
      tokens: out.tokens,
      error: {
        column: t.column,
        token: t.text,
        detail: `too many words, truncating after word ${LINE_WORDS_MAX}, position ${t.column}: <${t.text}>.`,
      },
    };
  }
  return { tokens: out.tokens, error: undefined };
}

function emitWords(out: WordBuilder, words: readonly string[], col: number): void {
  words.forEach((w, k) => {
    if (k > 0) out.end();
    out.emit(w, col);
  });
}

/** A backslash sequence at raw[i]; undefined for a bad `\x`. */
function escapeAt(raw: string, i: number, dquote: boolean): { text: string; length: number } | undefined {
  const n = raw[i + 1];
  switch (n) {
    case ' ':
    case '\\':
    case '#':
    case "'":
    case '"':
      return { text: n, length: 2 };
    case 't':
      return { text: '\t', length: 2 };
    case 'n':
      return { text: '\n', length: 2 };
    case 'r':
      return { text: '\r', length: 2 };
    case '$':
      return dquote ? { text: '$', length: 2 } : { text: '\\', length: 1 };
    case 'x':
      if (!isHex(raw[i + 2]) || !isHex(raw[i + 3])) return undefined;
      return { text: String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16)), length: 4 };
    default:
      return { text: '\\', length: 1 };
  }
}

type Expansion =
  | { value: string; words: string[] | undefined; next: number }
  | { error: string; index: number };

/** `$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` starting at raw[i] === '$'. */
function expandVariable(raw: string, i: number, lineNo: number, ctx: TokenizeContext): Expansion {
  let p = i + 1;
  const brace = raw[p] === '{' ? p++ : -1;
  const first = raw[p] ?? '';
  if (!isAlpha(first) && first !== '_' && first !== '.') {
    return { error: 'forbidden first char in environment variable name', index: Math.min(p, raw.length - 1) };
  }
  const nameStart = p;
  if (raw[p] === '.') p++;
  while (p < raw.length && (isAlnum(raw[p]!) || raw[p] === '_')) p++;
  const name = raw.slice(nameStart, p);
  let value: string | undefined;
  if (name.startsWith('.')) {
    if (name === '.LINE') value = String(lineNo);
    else if (name === '.FILE') value = ctx.file;
    else if (name === '.SECTION') value = ctx.section;
    else return { error: 'forbidden first char in environment variable name', index: nameStart };
  } else {
    value = ctx.env.get(name);
  }
  let expand = false;
  if (raw[p] === '[' && brace >= 0) {
    if (raw[p + 1] !== '*' || raw[p + 2] !== ']') {
      return { error: 'truncated or invalid word expansion sequence', index: p };
    }
    expand = true;
    p += 3;
  }
  if (brace >= 0) {
    if (raw[p] === '-') {
      const close = raw.indexOf('}', p);
      if (close < 0) return { error: 'unmatched brace in environment variable name', index: brace };
      if (value === undefined) value = raw.slice(p + 1, close);
      p = close;
    } else if (raw[p] !== '}') {
      return { error: 'unmatched brace in environment variable name', index: brace };
    }
    p++;
  }
  const text = value ?? '';
  if (!expand) return { value: text, words: undefined, next: p };
  const words = text.split(/[ \t\n\v\f\r]+/);
  return { value: text, words, next: p };
}
