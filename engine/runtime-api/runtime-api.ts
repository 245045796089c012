/**
 * The stats-socket runtime API of one process: cuts input into commands, dispatches them, and
 * answers each exactly as HAProxy 2.6 does, including the empty line that ends every answer.
 * Table commands are built in; other layers (peers: `show peers`) register their own.
 */
import type { Tick } from '../ticks.ts';
import type { StickTable, EntryRef } from '../table/table.ts';
import { CliArgs, splitCommands } from './cli-args.ts';
import { runTableCommand, type TableCommandContext } from './table-commands.ts';
import { profileFor, type VersionProfile } from '../version/profile.ts';

/** A command handler: gets the words, returns the answer without the final empty line. */
export type CommandHandler = (args: CliArgs) => string;

export interface RuntimeApiOptions {
  /** Tables in declaration order (the order of the configuration). */
  tables: readonly StickTable[];
  now: () => Tick;
  /** The HAProxy line whose texts and key parsing the API has (default 2.6). */
  profile?: VersionProfile;
}

export class RuntimeApi {
  private readonly handlers: { words: string[]; handler: CommandHandler }[] = [];
  private readonly tableContext: TableCommandContext;

  constructor(options: RuntimeApiOptions) {
    const byName = new Map<string, StickTable>();
    for (const t of options.tables) byName.set(t.spec.name, t);
    const tableIndex = new Map<StickTable, number>();
    options.tables.forEach((t, i) => tableIndex.set(t, i));
    this.tableContext = {
      tablesInListOrder: [...options.tables].reverse(),
      findTable: (name) => byName.get(name),
      now: options.now,
      profile: options.profile ?? profileFor('2.6'),
      entryAddress: (table: StickTable, ref: EntryRef) => fakeAddress(tableIndex.get(table) ?? 0, ref),
    };
    this.register(['show', 'table'], (args) => runTableCommand(this.tableContext, 'show', args));
    this.register(['set', 'table'], (args) => runTableCommand(this.tableContext, 'set', args));
    this.register(['clear', 'table'], (args) => runTableCommand(this.tableContext, 'clear', args));
  }

  register(words: string[], handler: CommandHandler): void {
    this.handlers.push({ words, handler });
  }

  /** Answers every command in `input` (a latin1 byte string); one answer per command. */
  execute(input: string): string[] {
    return splitCommands(input).map((line) => this.executeOne(line));
  }

  /** Answers one command line; the answer ends with the empty line HAProxy sends. */
  executeOne(line: string): string {
    const args = CliArgs.parse(line);
    if (args.count === 0) return '\n';
    for (const { words, handler } of this.handlers) {
      if (words.every((w, i) => args.arg(i) === w)) return handler(args) + '\n';
    }
    return `Unknown command: '${args.arg(0)}'\n\n`;
  }
}

/** A stable, plausible heap address for an entry (HAProxy prints the entry's pointer). */
function fakeAddress(tableIndex: number, ref: EntryRef): string {
  // 0x5600_0000_0000 + tableIndex * 2^32 + ref * 0xd0, printed as its high and low 32 bits
  // (small integers print faster than a 47-bit double).
  const offset = ref * 0xd0;
  const low = offset % 0x1_0000_0000;
  const high = 0x5600 + tableIndex + (offset - low) / 0x1_0000_0000;
  return '0x' + high.toString(16) + low.toString(16).padStart(8, '0');
}
