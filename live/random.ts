/** Real randomness for the live runner (HAProxy's back-offs use rand()). */
import { assert } from '../lib/assert.ts';
import type { Random } from '../engine/env.ts';

export class LiveRandom implements Random {
  nextInt(boundExclusive: number): number {
    assert(Number.isInteger(boundExclusive) && boundExclusive > 0, `random bound must be a positive integer: ${boundExclusive}`);
    return Math.floor(Math.random() * boundExclusive);
  }
}
