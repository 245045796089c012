/**
 * Numbers as haproxy.cfg writes them: sizes with k/m/g suffixes (`parse_size_err`) and times
 * with us/ms/s/m/h/d units (`parse_time_err`), with HAProxy's limits. Pure leaves.
 */

export type SizeResult =
  | { readonly ok: true; readonly value: number }
  /** `badChar`: the offending character (HAProxy names it in its message). */
  | { readonly ok: false; readonly badChar: string };

const UINT32_MAX = 0xffffffff;

/** `parse_size_err`: decimal uint32, optional k/m/g (×1024, ×1024², ×1024³), nothing after. */
export function parseSize(text: string): SizeResult {
  const m = /^([0-9]+)(.*)$/s.exec(text);
  if (m === null) return { ok: false, badChar: text[0] ?? '' };
  const digits = m[1]!;
  const rest = m[2]!;
  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    value = value * 10 + (digits.charCodeAt(i) - 48);
    if (value > UINT32_MAX) return { ok: false, badChar: digits[i]! };
  }
  if (rest === '') return { ok: true, value };
  const shift = { k: 10, m: 20, g: 30 }[rest[0]!.toLowerCase()];
  if (shift === undefined) return { ok: false, badChar: rest[0]! };
  if (rest.length > 1) return { ok: false, badChar: rest[1]! };
  if (value > UINT32_MAX / 2 ** shift) return { ok: false, badChar: rest[0]! };
  return { ok: true, value: value * 2 ** shift };
}

export type TimeResult =
  | { readonly ok: true; readonly ms: number; readonly trailingGarbage: string | undefined }
  | { readonly ok: false; readonly reason: 'syntax'; readonly badChar: string }
  | { readonly ok: false; readonly reason: 'overflow' | 'underflow' };

const UNIT_TO_US: ReadonlyMap<string, bigint> = new Map([
  ['us', 1n],
  ['ms', 1_000n],
  ['s', 1_000_000n],
  ['m', 60_000_000n],
  ['h', 3_600_000_000n],
  ['d', 86_400_000_000n],
]);

/** Largest time HAProxy accepts in ms (values must stay below 2^31). */
export const TIME_MS_MAX = 2147483647;

/**
 * `parse_time_err(text, TIME_UNIT_MS)`: decimal value, optional unit (default ms). Fractions of
 * a ms round up. 0 is allowed; a non-zero value that rounds to 0 ms is an underflow; 2^31 ms or
 * more is an overflow. Characters after a valid unit only give a warning in 2.6.
 */
export function parseTimeMs(text: string): TimeResult {
  const m = /^([0-9]+)(.*)$/s.exec(text);
  if (m === null) return { ok: false, reason: 'syntax', badChar: text[0] ?? '' };
  const value = BigInt(m[1]!);
  const rest = m[2]!;
  let unit = '';
  if (rest !== '') {
    if (rest.startsWith('us')) unit = 'us';
    else if (rest.startsWith('ms')) unit = 'ms';
    else if ('smhd'.includes(rest[0]!)) unit = rest[0]!;
    else return { ok: false, reason: 'syntax', badChar: rest[0]! };
  }
  const usPerUnit = unit === '' ? 1_000n : UNIT_TO_US.get(unit)!;
  const ms = (value * usPerUnit + 999n) / 1_000n;
  if (ms > BigInt(TIME_MS_MAX)) return { ok: false, reason: 'overflow' };
  if (ms === 0n && value !== 0n) return { ok: false, reason: 'underflow' };
  const after = rest.slice(unit.length);
  return { ok: true, ms: Number(ms), trailingGarbage: after === '' ? undefined : after };
}

/** C `atol`/`atoi`: optional blanks and sign, then leading digits; 0 when there are none. */
export function atol(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(text);
  if (m === null || m[2] === '') return 0;
  const v = Number(m[2]!.slice(0, 18));
  return m[1] === '-' ? -v : v;
}
