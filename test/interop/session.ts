/**
 * Running a generated command session against one side (haproxy or sticksim) and keeping the
 * answers with their send times; the text fixture format those records are saved in.
 *
 * Fixture format (one block per command; parseable back with `parseFixture`):
 *   === #<index> +<atMs>ms
 *   > <command>
 *   | <answer line>           (one per line of the answer; every answer ends with a newline)
 *   \ no newline at end       (only if the answer did not end with a newline)
 * Lines before the first `===` are comments (`# …`) and the config (`#| …`).
 */
import type { SessionRecord } from './compare.ts';
import type { SessionCommand } from './commands.ts';

export interface RunSessionOptions {
  /** Monotonic ms clock; defaults to performance.now. */
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Sends each command after its intended delay; `atMs` is the send time since the first send. */
export async function runSession(
  commands: readonly SessionCommand[],
  exec: (command: string) => Promise<string>,
  options: RunSessionOptions = {},
): Promise<SessionRecord[]> {
  const nowMs = options.nowMs ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const records: SessionRecord[] = [];
  let startMs: number | undefined;
  for (let index = 0; index < commands.length; index++) {
    const cmd = commands[index]!;
    if (index > 0 && cmd.delayMsBefore > 0) await sleep(cmd.delayMsBefore);
    const sentMs = nowMs();
    startMs ??= sentMs;
    const output = await exec(cmd.text);
    records.push({ index, command: cmd.text, atMs: Math.round(sentMs - startMs), output });
  }
  return records;
}

const NO_NEWLINE_MARK = '\\ no newline at end';

export interface FixtureHeader {
  readonly comments: readonly string[];
  readonly configText: string;
}

export function formatFixture(header: FixtureHeader, records: readonly SessionRecord[]): string {
  const out: string[] = header.comments.map((c) => `# ${c}`);
  for (const line of header.configText.replace(/\n$/, '').split('\n')) out.push(`#| ${line}`);
  for (const rec of records) {
    if (rec.command.includes('\n')) throw new Error(`command #${rec.index} contains a newline`);
    out.push(`=== #${rec.index} +${rec.atMs}ms`, `> ${rec.command}`);
    const endsWithNewline = rec.output.endsWith('\n');
    const body = endsWithNewline ? rec.output.slice(0, -1) : rec.output;
    if (rec.output !== '') for (const line of body.split('\n')) out.push(`| ${line}`);
    if (!endsWithNewline) out.push(NO_NEWLINE_MARK);
  }
  return `${out.join('\n')}\n`;
}

export interface ParsedFixture {
  readonly configText: string;
  readonly records: SessionRecord[];
}

/** Reads a fixture written by formatFixture; throws with the line number on malformed input. */
export function parseFixture(text: string): ParsedFixture {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const config: string[] = [];
  const records: SessionRecord[] = [];
  let current: { index: number; atMs: number; command: string | undefined; body: string[]; newline: boolean } | undefined;
  const flush = (lineNo: number): void => {
    if (current === undefined) return;
    if (current.command === undefined) throw new Error(`fixture line ${lineNo}: block #${current.index} has no command`);
    const body = current.body.join('\n');
    const output = current.body.length === 0 ? '' : current.newline ? `${body}\n` : body;
    records.push({ index: current.index, command: current.command, atMs: current.atMs, output });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const head = /^=== #(\d+) \+(\d+)ms$/.exec(line);
    if (head !== null) {
      flush(lineNo);
      current = { index: Number(head[1]), atMs: Number(head[2]), command: undefined, body: [], newline: true };
    } else if (current === undefined) {
      if (line.startsWith('#| ')) config.push(line.slice(3));
      else if (line === '#|') config.push('');
      else if (!line.startsWith('#')) throw new Error(`fixture line ${lineNo}: expected a comment or "=== #N +Tms"`);
    } else if (line.startsWith('> ') && current.command === undefined) {
      current.command = line.slice(2);
    } else if (line.startsWith('| ') && current.command !== undefined) {
      current.body.push(line.slice(2));
    } else if (line === NO_NEWLINE_MARK && current.command !== undefined) {
      current.newline = false;
    } else {
      throw new Error(`fixture line ${lineNo}: unexpected ${JSON.stringify(line)}`);
    }
  }
  flush(lines.length);
  return { configText: `${config.join('\n')}\n`, records };
}
