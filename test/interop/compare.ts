/**
 * Comparing runtime-API answers of haproxy (expected) and sticksim (actual): entry pointers are
 * masked, `exp=` values may differ by a tolerance (both sides spend real time between commands),
 * everything else must match byte for byte. Mismatches are reported as a readable line diff.
 */

export const EXP_TOLERANCE_MS_DEFAULT = 150;
/** Above this many lines per side the diff is positional instead of LCS (keeps it O(n)). */
const LCS_LINES_MAX = 2_000;

export interface CompareOptions {
  /** Largest accepted |exp_haproxy - exp_sticksim| in ms. */
  readonly expToleranceMs?: number;
}


/** One command and haproxy's answer, with the time it was sent (ms since the session start). */
export interface SessionRecord {
  readonly index: number;
  readonly command: string;
  readonly atMs: number;
  readonly output: string;
}

export interface Mismatch {
  readonly index: number;
  readonly command: string;
  readonly atMs: number;
  readonly expected: string;
  readonly actual: string;
  readonly reason: string;
}

const POINTER_RE = /^0x[0-9a-f]+: /;
const EXP_RE = / exp=(\d+)(?= |$)/;

interface NormalisedLine {
  /** The line with the pointer masked and the exp value replaced by `#`. */
  readonly text: string;
  /** exp value of an entry line, if any. */
  readonly expMs: number | undefined;
}

/** Masks the `0x…:` entry pointer of a `show table` entry line and pulls its `exp=` value out. */
export function normaliseLine(line: string): NormalisedLine {
  if (!POINTER_RE.test(line)) return { text: line, expMs: undefined };
  const masked = line.replace(POINTER_RE, '0x…: ');
  const m = EXP_RE.exec(masked);
  if (m === null) return { text: masked, expMs: undefined };
  return { text: masked.replace(EXP_RE, ' exp=#'), expMs: Number(m[1]) };
}

/** The text with pointers masked (exp kept): what a human compares. */
export function maskPointers(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(POINTER_RE, '0x…: '))
    .join('\n');
}

export type CompareResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Compares one answer: masked text verbatim, exp within tolerance. */
export function compareOutputs(expected: string, actual: string, options: CompareOptions = {}): CompareResult {
  const toleranceMs = options.expToleranceMs ?? EXP_TOLERANCE_MS_DEFAULT;
  if (expected === actual) return { ok: true };
  const e = expected.split('\n');
  const a = actual.split('\n');
  if (e.length !== a.length) return { ok: false, reason: `${e.length - 1} lines expected, ${a.length - 1} received` };
  for (let i = 0; i < e.length; i++) {
    const le = normaliseLine(e[i]!);
    const la = normaliseLine(a[i]!);
    if (le.text !== la.text) return { ok: false, reason: `line ${i + 1} differs` };
    if (le.expMs !== undefined && la.expMs !== undefined) {
      const deltaMs = Math.abs(le.expMs - la.expMs);
      if (deltaMs > toleranceMs) return { ok: false, reason: `line ${i + 1}: exp differs by ${deltaMs} ms (tolerance ${toleranceMs} ms)` };
    }
  }
  return { ok: true };
}

/**
 * Compares a whole session: `actual[i]` is sticksim's answer to `expected[i].command`.
 * Returns every mismatch (empty when the sessions agree).
 */
export function compareSessions(expected: readonly SessionRecord[], actual: readonly string[], options: CompareOptions = {}): Mismatch[] {
  if (expected.length !== actual.length) {
    throw new RangeError(`session lengths differ: ${expected.length} haproxy answers, ${actual.length} sticksim answers`);
  }
  const mismatches: Mismatch[] = [];
  for (let i = 0; i < expected.length; i++) {
    const rec = expected[i]!;
    const got = actual[i]!;
    const result = compareOutputs(rec.output, got, options);
    if (!result.ok) mismatches.push({ index: rec.index, command: rec.command, atMs: rec.atMs, expected: rec.output, actual: got, reason: result.reason });
  }
  return mismatches;
}

/** Makes control characters and trailing spaces visible in a diff line. */
function visible(line: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\t/g, '\\t');
  return / $/.test(shown) ? `${shown}⏎` : shown;
}

type DiffOp = { readonly op: ' ' | '-' | '+'; readonly line: string };

/** Line diff on normalised lines (LCS); exp differences alone do not split lines. */
function diffLines(expected: readonly string[], actual: readonly string[]): DiffOp[] {
  const ne = expected.map((l) => normaliseLine(l).text);
  const na = actual.map((l) => normaliseLine(l).text);
  if (expected.length > LCS_LINES_MAX || actual.length > LCS_LINES_MAX) {
    const ops: DiffOp[] = [];
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      if (i < expected.length && i < actual.length && ne[i] === na[i]) ops.push({ op: ' ', line: expected[i]! });
      else {
        if (i < expected.length) ops.push({ op: '-', line: expected[i]! });
        if (i < actual.length) ops.push({ op: '+', line: actual[i]! });
      }
    }
    return ops;
  }
  const rows = ne.length + 1;
  const cols = na.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = ne.length - 1; i >= 0; i--) {
    for (let j = na.length - 1; j >= 0; j--) {
      lcs[i * cols + j] = ne[i] === na[j] ? lcs[(i + 1) * cols + j + 1]! + 1 : Math.max(lcs[(i + 1) * cols + j]!, lcs[i * cols + j + 1]!);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < ne.length || j < na.length) {
    if (i < ne.length && j < na.length && ne[i] === na[j]) {
      ops.push({ op: ' ', line: expected[i]! });
      i++;
      j++;
    } else if (i < ne.length && (j === na.length || lcs[(i + 1) * cols + j]! >= lcs[i * cols + j + 1]!)) {
      ops.push({ op: '-', line: expected[i]! });
      i++;
    } else {
      ops.push({ op: '+', line: actual[j]! });
      j++;
    }
  }
  return ops;
}

/** A readable report of one mismatch: command index, command, haproxy's text, sticksim's text. */
export function formatMismatch(m: Mismatch): string {
  const out = [
    `#${m.index} at +${Math.round(m.atMs)} ms: ${m.command}`,
    `  ${m.reason}`,
    '  --- haproxy (expected)',
    '  +++ sticksim (actual)',
  ];
  for (const d of diffLines(m.expected.split('\n'), m.actual.split('\n'))) out.push(`  ${d.op} ${visible(maskPointers(d.line))}`);
  return out.join('\n');
}

/** All mismatches (at most `shownMax`), with a count line. */
export function formatMismatches(mismatches: readonly Mismatch[], shownMax = 20): string {
  if (mismatches.length === 0) return 'sessions agree';
  const shown = mismatches.slice(0, shownMax).map(formatMismatch);
  const more = mismatches.length > shownMax ? [`… and ${mismatches.length - shownMax} more mismatches`] : [];
  return [`${mismatches.length} mismatching answers`, ...shown, ...more].join('\n\n');
}
