/** Option parsers shared by commands: bad input is commander's one-line error, never a silent 0. */
import { InvalidArgumentError } from 'commander';
import { assert } from '../lib/assert.ts';
import { HAPROXY_VERSIONS, parseHaproxyVersion, type HaproxyVersion } from '../engine/version/profile.ts';

const UINT32_MAX = 0xffff_ffff;

/** A decimal integer in [0, 2^32): `--tick-start`. */
export function uint32Option(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('give a whole number of ms in [0, 4294967295]');
  const value = Number(text.trim());
  if (value > UINT32_MAX) throw new InvalidArgumentError('give a whole number of ms in [0, 4294967295]');
  assert(Number.isSafeInteger(value) && value >= 0, 'a validated uint32 option is a whole number');
  return value;
}

/** `--haproxy 2.6|3.0|3.2`: the HAProxy release line the engine behaves as. */
export function haproxyOption(text: string): HaproxyVersion {
  const parsed = parseHaproxyVersion(text);
  if (!parsed.ok) throw new InvalidArgumentError(`give one of ${HAPROXY_VERSIONS.join(', ')}`);
  return parsed.version;
}

/** `--haproxy 2.6|3.0|3.2|all` (run, fuzz): the lines to run under, in order. */
export function haproxyListOption(text: string): HaproxyVersion[] {
  if (text === 'all') return [...HAPROXY_VERSIONS];
  return [haproxyOption(text)];
}

export const HAPROXY_OPTION_HELP = `HAProxy release line the engine behaves as: ${HAPROXY_VERSIONS.join(', ')} (default 2.6)`;
