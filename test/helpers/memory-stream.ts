/**
 * An in-memory ByteStream for driving one engine session from a test or a bench: the caller
 * `push`es what the peer sends and reads what the session `written`. It never signals its
 * connect (the session counts a stream connected at its first byte as well). With `canPause`
 * (the default) it honours the session's `pauseInput`/`resumeInput` as a socket's kernel buffer
 * would: the caller checks `paused` and holds its pushes meanwhile.
 */
import type { ByteStream, StreamCloseReason } from '../../engine/env.ts';

export class MemoryStream implements ByteStream {
  readonly remoteAddress = '127.0.0.2';
  readonly remotePort = 1;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 2;
  readonly written: Uint8Array[] = [];
  paused = false;
  /** How many times the session paused its input. */
  pauses = 0;
  pauseInput?: () => void;
  resumeInput?: () => void;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;

  constructor(options: { canPause?: boolean } = {}) {
    if (options.canPause === false) return;
    this.pauseInput = () => {
      this.paused = true;
      this.pauses++;
    };
    this.resumeInput = () => {
      this.paused = false;
    };
  }

  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
  close(): void {}
  onData(handler: (bytes: Uint8Array) => void): void {
    this.dataHandler = handler;
  }
  onConnect(_handler: () => void): void {}
  onClose(_handler: (reason: StreamCloseReason) => void): void {}
  push(bytes: Uint8Array): void {
    this.dataHandler?.(bytes);
  }
  writtenText(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}
