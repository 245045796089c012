/** Option parsers shared by commands: bad input is commander's one-line error, never a silent 0. */
import { InvalidArgumentError } from 'commander';
import { assert } from '../lib/assert.ts';

const UINT32_MAX = 0xffff_ffff;

/** A decimal integer in [0, 2^32): `--tick-start`. */
export function uint32Option(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('give a whole number of ms in [0, 4294967295]');
  const value = Number(text.trim());
  if (value > UINT32_MAX) throw new InvalidArgumentError('give a whole number of ms in [0, 4294967295]');
  assert(Number.isSafeInteger(value) && value >= 0, 'a validated uint32 option is a whole number');
  return value;
}
