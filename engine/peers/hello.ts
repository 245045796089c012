/**
 * The text handshake (spec §4.2): building the initiator's hello, the acceptor's validation in
 * HAProxy's order (`peer_getline_version/host/last`), and the initiator's reading of the status
 * line (`atoi`). Lines are latin1 byte strings without their `\n` (a `\r` before it is dropped
 * by the decoder); like HAProxy's C strings, a line is read only up to its first NUL.
 */
import { assert } from '../../lib/assert.ts';

export const HELLO_PROTOCOL_NAME = 'HAProxyS';
export const PEER_MAJOR_VERSION = 2;
/** 2.1; a downgraded peer announces 2.0 (§4.2.5). */
export const PEER_MINOR_VERSION = 1;
/** A hello/status line, `\n` included, must fit the receive buffer. */
export const LINE_BYTES_MAX = 16384;

export const STATUS_SUCCESS = 200;
export const STATUS_TRY_AGAIN = 300;
export const STATUS_PROTOCOL_ERROR = 501;
export const STATUS_BAD_VERSION = 502;
export const STATUS_WRONG_NAME = 503;
export const STATUS_UNKNOWN_PEER = 504;

export type HelloRejectCode = 501 | 502 | 503 | 504;

/** The three hello lines an initiator sends (`peer_prepare_hellomsg`). */
export function helloLines(options: {
  minorVersion: number;
  calledName: string;
  callerName: string;
  pid: number;
  /** Always 1 in HAProxy 2.6 and later. */
  relativePid?: number;
}): [string, string, string] {
  assert(Number.isInteger(options.pid) && options.pid >= 0, 'pid is a non-negative integer');
  return [
    `${HELLO_PROTOCOL_NAME} ${PEER_MAJOR_VERSION}.${options.minorVersion}`,
    options.calledName,
    `${options.callerName} ${options.pid} ${options.relativePid ?? 1}`,
  ];
}

export type HelloValidation =
  | { readonly result: 'accepted'; readonly callerName: string; readonly majorVersion: number; readonly minorVersion: number }
  | { readonly result: 'rejected'; readonly statusCode: HelloRejectCode; readonly reason: string }
  /** Every line so far passed; more lines are needed. */
  | { readonly result: 'incomplete' };

/**
 * The acceptor's checks, line by line in HAProxy's order: 501 bad prefix, 502 bad version,
 * 503 called name is not ours, 501 no space on line 3, 504 caller unknown. `lines` may hold
 * 0–3 lines (the acceptor answers as soon as a line fails). `knownPeers` is every peer name of
 * the section, the local one included. The collision / local-peer (300) rule is session logic.
 */
export function validateHello(
  lines: readonly string[],
  options: { localName: string; knownPeers: readonly string[] },
): HelloValidation {
  const line0 = lines[0];
  if (line0 === undefined) return { result: 'incomplete' };
  const version = checkVersionLine(cString(line0));
  if (version.result === 'rejected') return version;
  const line1 = lines[1];
  if (line1 === undefined) return { result: 'incomplete' };
  if (cString(line1) !== options.localName) {
    return { result: 'rejected', statusCode: STATUS_WRONG_NAME, reason: `called name is not '${options.localName}'` };
  }
  const line2 = lines[2];
  if (line2 === undefined) return { result: 'incomplete' };
  const last = cString(line2);
  const space = last.indexOf(' ');
  if (space < 0) return { result: 'rejected', statusCode: STATUS_PROTOCOL_ERROR, reason: 'no space in the third line' };
  const callerName = last.slice(0, space);
  if (!options.knownPeers.includes(callerName)) {
    return { result: 'rejected', statusCode: STATUS_UNKNOWN_PEER, reason: `unknown peer '${callerName}'` };
  }
  return { result: 'accepted', callerName, majorVersion: version.major, minorVersion: version.minor };
}

function checkVersionLine(
  line: string,
): { result: 'ok'; major: number; minor: number } | { result: 'rejected'; statusCode: HelloRejectCode; reason: string } {
  const prefix = `${HELLO_PROTOCOL_NAME} `;
  if (!line.startsWith(prefix)) {
    return { result: 'rejected', statusCode: STATUS_PROTOCOL_ERROR, reason: `first line does not start with '${prefix}'` };
  }
  const text = line.slice(prefix.length);
  const major = readUint(text, 0);
  const bad = { result: 'rejected', statusCode: STATUS_BAD_VERSION, reason: `bad version '${text}'` } as const;
  if (major.end === 0 || text.charCodeAt(major.end) !== 0x2e) return bad;
  const minor = readUint(text, major.end + 1);
  if (minor.end === major.end + 1 || minor.end !== text.length) return bad;
  if (major.value !== PEER_MAJOR_VERSION || minor.value > PEER_MINOR_VERSION) {
    return { result: 'rejected', statusCode: STATUS_BAD_VERSION, reason: `unsupported version '${text}'` };
  }
  return { result: 'ok', major: major.value, minor: minor.value };
}

/** HAProxy's `read_uint`: decimal digits from `start`, wrapping modulo 2^32. */
function readUint(text: string, start: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  for (; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = (value * 10 + digit) % 0x1_0000_0000;
  }
  return { value, end: i };
}

/** A line as C sees it: up to the first NUL. */
function cString(line: string): string {
  const nul = line.indexOf('\0');
  return nul < 0 ? line : line.slice(0, nul);
}

/**
 * The status code the initiator reads: glibc `atoi` = `(int) strtol(line, NULL, 10)`: leading
 * white space, optional sign, digits; 0 when there are none; saturates at the 64-bit limits,
 * then keeps the low 32 bits as a signed int.
 */
export function parseStatusCode(line: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(cString(line));
  const digits = m?.[2] ?? '';
  if (digits === '') return 0;
  if (digits.length <= 9) return m?.[1] === '-' ? -Number(digits) | 0 : Number(digits);
  const LONG_MAX = (1n << 63n) - 1n;
  let value = BigInt(digits);
  if (m?.[1] === '-') value = value > LONG_MAX + 1n ? -(LONG_MAX + 1n) : -value;
  else if (value > LONG_MAX) value = LONG_MAX;
  return Number(BigInt.asIntN(32, value));
}
