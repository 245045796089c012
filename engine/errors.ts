/** Errors the engine raises on purpose: every one carries a place a person can act on. */

/** A configuration problem at file:line:column, naming the offending token. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly token: string,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}${token === '' ? '' : ` (at '${token}')`}`);
    this.name = 'ConfigError';
  }
}

/** Malformed peers-protocol bytes: the byte offset and the message kind being decoded. */
export class ProtocolError extends Error {
  constructor(
    readonly offset: number,
    readonly messageKind: string,
    readonly detail: string,
  ) {
    super(`protocol error at byte ${offset} in ${messageKind}: ${detail}`);
    this.name = 'ProtocolError';
  }
}

/** A broken invariant: a bug in sticksim, never bad input. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

/**
 * TIGER_STYLE assertion: states what must hold; a failure is a bug in sticksim. On hot paths pass
 * a constant message, or write `if (!cond) fail(\`…${x}\`)` so no message is built when it holds.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** A broken invariant, reported with a message built only now that it failed. */
export function fail(message: string): never {
  throw new InvariantError(message);
}
