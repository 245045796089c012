/** Collects errors and warnings of one config file, each with file:line:column (bounded). */
import { ConfigError } from '../errors.ts';
import type { ConfigWarning, Token } from './types.ts';

/** More findings than this are dropped (a runaway file must not exhaust memory). */
export const FINDINGS_MAX = 1000;

export class Diagnostics {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigWarning[] = [];

  constructor(readonly file: string) {}

  /** An error pointing at a token of the line. */
  error(at: Token, detail: string): void {
    this.errorAt(at.line, at.column, at.text, detail);
  }

  errorAt(line: number, column: number, token: string, detail: string): void {
    if (this.errors.length >= FINDINGS_MAX) return;
    this.errors.push(new ConfigError(this.file, line, column, token, detail));
  }

  warn(at: Token, detail: string): void {
    this.warnAt(at.line, at.column, detail);
  }

  warnAt(line: number, column: number, detail: string): void {
    if (this.warnings.length >= FINDINGS_MAX) return;
    const message = `${this.file}:${line}:${column}: ${detail}`;
    this.warnings.push({ file: this.file, line, column, detail, message });
  }
}
