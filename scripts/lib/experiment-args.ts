/**
 * The command line of the experiment scripts against real haproxy (scripts/exp-*.ts), written once:
 * the argument loop (--help/-h prints the usage line and exits 0; a flag takes the next argument;
 * anything else is an error that ends with the usage line), the checks of a whole number and of a
 * release line, and the start-up that turns a bad argument or a missing binary into one line on
 * stderr (`SCRIPT: why`, exit 2, no stack).
 */
import { interopGateFor, parseHaproxyLine, type HaproxyBinary, type HaproxyLine } from '../../test/interop/haproxy.ts';

/** How a script reads its flags. */
export interface ArgSpec {
  /** The usage line: printed for --help/-h and appended to the unknown-argument error. */
  readonly usage: string;
  /** Flags without a value. */
  readonly switches?: Readonly<Record<string, () => void>>;
  /**
   * Flags that take the next argument: `value` is undefined when none is left; `where` names the
   * value's place for an error ("argument 3", counted from 1).
   */
  readonly values?: Readonly<Record<string, (value: string | undefined, where: string) => void>>;
}

/** Walks `argv` once, handing each flag to its handler; throws on an unknown argument. */
export function parseArgv(argv: readonly string[], spec: ArgSpec): void {
  const switches = spec.switches ?? {};
  const values = spec.values ?? {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(spec.usage);
      process.exit(0);
    }
    if (Object.hasOwn(switches, arg)) switches[arg]!();
    else if (Object.hasOwn(values, arg)) {
      i++;
      values[arg]!(argv[i], `argument ${i + 1}`);
    } else throw new Error(`unknown argument ${JSON.stringify(arg)} (argument ${i + 1}); ${spec.usage}`);
  }
}

/** The bounds of a whole-number flag. */
export interface WholeNumberRange {
  readonly min: number;
  readonly max: number;
  /** Whether the error spells the range ("a whole number 1..100") or says only "a whole number". */
  readonly rangeInMessage: boolean;
}

/** A flag's value as a whole number within `range`; throws `FLAG: a whole number… (where)` otherwise. */
export function wholeNumberArg(flag: string, value: string | undefined, where: string, range: WholeNumberRange): number {
  if (range.min > range.max) throw new Error(`wholeNumberArg ${flag}: min ${range.min} > max ${range.max}`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw new Error(`${flag}: a whole number${range.rangeInMessage ? ` ${range.min}..${range.max}` : ''} (${where})`);
  }
  return n;
}

/** A `--line` value: one of the HAProxy release lines. */
export function lineArg(value: string | undefined, where: string): HaproxyLine {
  return parseHaproxyLine(value ?? '', where);
}

/** One line on stderr, `SCRIPT: message`, and exit 2: bad arguments or no binary, no stack. */
export function exitWith(script: string, message: string): never {
  console.error(`${script}: ${message}`);
  process.exit(2);
}

/** Parses the command line and finds the binary of the options' line, or exits through `exitWith`. */
export function startExperiment<O extends { readonly line: HaproxyLine }>(
  script: string,
  parse: (argv: readonly string[]) => O,
): { options: O; binary: HaproxyBinary } {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    exitWith(script, error instanceof Error ? error.message : String(error));
  }
  const gate = interopGateFor(options.line);
  if (gate.skip) exitWith(script, gate.reason);
  return { options, binary: gate.binary };
}
