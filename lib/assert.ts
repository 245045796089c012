/**
 * TIGER_STYLE assertions, the one leaf module every layer may import (it imports nothing).
 * A failed assertion is a bug in sticksim, never bad input: bad input gets a typed error with its
 * place (engine/errors.ts).
 */

/** A broken invariant: a bug in sticksim, never bad input. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

/**
 * States what must hold. On hot paths pass a constant message, or write
 * `if (!cond) fail(\`…${x}\`)` so no message is built when it holds.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** A broken invariant, reported with a message built only now that it failed. */
export function fail(message: string): never {
  throw new InvariantError(message);
}
