/**
 * How HAProxy's stats socket cuts input into commands and words (2.6 `cli_io_handler`,
 * `cli_parse_request`). Input is a latin1 byte string.
 *
 * Commands end at an unescaped `\n` or `;`; a trailing `\r` is dropped. Words are separated by
 * spaces and tabs; a backslash escapes the next byte and is removed (`\\` gives one backslash).
 * HAProxy then reads words as C strings inside one buffer, so a command handler that reads past
 * the end of a word (e.g. `word + 5` on a short word) sees the bytes that follow it. `CliArgs`
 * keeps that buffer so handlers can reproduce those reads exactly.
 */

export const CLI_ARGS_MAX = 64;

/** Splits raw input into command lines (without their terminators). */
export function splitCommands(input: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      out.push(stripCr(input.slice(start, i)));
      start = i + 1;
    }
  }
  if (start < input.length) out.push(stripCr(input.slice(start)));
  return out;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export class CliArgs {
  private constructor(
    private readonly buffer: number[],
    private readonly starts: number[],
  ) {}

  /** Cuts one command line into words the way `cli_parse_request` does. */
  static parse(line: string): CliArgs {
    const buf: number[] = [];
    for (let i = 0; i < line.length; i++) buf.push(line.charCodeAt(i) & 0xff);
    buf.push(0);
    const end = buf.length - 1;
    const starts: number[] = [];
    let p = 0;
    while (starts.length < CLI_ARGS_MAX && p < end) {
      while (buf[p] === 0x20 || buf[p] === 0x09) p++;
      if (buf[p] === 0) break;
      const start = p;
      for (;;) {
        while (buf[p] !== 0 && buf[p] !== 0x20 && buf[p] !== 0x09 && buf[p] !== 0x5c) p++;
        if (buf[p] === 0x5c) {
          p++;
          if (buf[p] === 0) break;
          p++;
          if (buf[p] === 0) break;
        } else break;
      }
      buf[p] = 0;
      p++;
      // Unescape in place, leaving the bytes after the new terminator as they were.
      let j = start;
      for (let k = start; buf[k] !== 0; k++) {
        if (buf[k] === 0x5c) {
          if (buf[k + 1] === 0x5c) k++;
          else continue;
        }
        buf[j++] = buf[k]!;
      }
      buf[j] = 0;
      starts.push(start);
    }
    return new CliArgs(buf, starts);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Word `i`, or the empty string past the last word (HAProxy's unused slots). */
  arg(i: number): string {
    const start = this.starts[i];
    if (start === undefined) return '';
    return this.readCString(start);
  }

  /** The C string that starts `skip` bytes into word `i` (may run into the following words). */
  argFrom(i: number, skip: number): string {
    const start = this.starts[i];
    if (start === undefined) return this.readCString(this.buffer.length - 1 + skip);
    return this.readCString(start + skip);
  }

  private readCString(at: number): string {
    let out = '';
    for (let k = at; k < this.buffer.length && this.buffer[k] !== 0; k++) out += String.fromCharCode(this.buffer[k]!);
    return out;
  }
}
