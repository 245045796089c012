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

/**
 * More received bytes wait unread than a session may hold (the peer sends faster than it is read):
 * the bytes already pending, the chunk refused and the bound. Not a ProtocolError: the bytes are not
 * malformed, the reader is behind.
 */
export class InputOverflowError extends Error {
  constructor(
    readonly pendingBytes: number,
    readonly chunkBytes: number,
    readonly bufferedBytesMax: number,
  ) {
    super(`input overflow: ${pendingBytes} bytes unread + ${chunkBytes} received > ${bufferedBytesMax}`);
    this.name = 'InputOverflowError';
  }
}
