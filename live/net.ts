/**
 * The real network for the live runner: `Net` over node:net. Besides what the engine asks for
 * (listen, connect), the runner can bind a listening address before the engine starts (so a bind
 * failure is reported, or retried during a reload hand-over, before anything runs) and pause /
 * resume every listener, which is how an old process lets a new one take its port
 * (HAProxy's SIGTTOU / SIGTTIN; Node 20 cannot set SO_REUSEPORT, so the port is released instead).
 */
import { createServer, Socket, type Server } from 'node:net';
import type { ByteStream, Listener, Net, StreamCloseReason } from '../engine/env.ts';

/** Bytes buffered for a stream whose data handler is not registered yet. */
const PENDING_BYTES_MAX = 1 << 20;
/** After close(), the socket is destroyed if the other side has not closed its half by then. */
const CLOSE_LINGER_MS = 2_000;
/** Bytes a session may leave in node's socket buffer before it waits for the peer to read. */
const SEND_BUFFER_BYTES = 256 * 1024;

export interface LiveNetOptions {
  /** An exception thrown by an engine handler for one stream: the stream is reset, the process goes on. */
  onHandlerError?: (error: unknown, stream: { remoteAddress: string; remotePort: number }) => void;
  /** A listener failed (bind error, or error while listening). */
  onListenError?: (error: NodeJS.ErrnoException, endpoint: { address: string; port: number }) => void;
}

/** Maps a socket error to the engine's close reasons. */
export function closeReasonOf(error: NodeJS.ErrnoException | undefined, connected: boolean): StreamCloseReason {
  if (error === undefined) return 'closed';
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return connected ? 'reset' : 'refused';
    default:
      return 'reset';
  }
}

class LiveStream implements ByteStream {
  private readonly dataHandlers: ((bytes: Uint8Array) => void)[] = [];
  private readonly closeHandlers: ((reason: StreamCloseReason) => void)[] = [];
  private readonly connectHandlers: (() => void)[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private error: NodeJS.ErrnoException | undefined;
  private connected: boolean;
  private closeReason: StreamCloseReason | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly fallback: { address: string; port: number },
    private readonly onHandlerError: LiveNetOptions['onHandlerError'],
    options: { connected: boolean },
  ) {
    this.connected = options.connected;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      const handlers = this.connectHandlers.splice(0, this.connectHandlers.length);
      for (const handler of handlers) this.guard(handler);
    });
    socket.on('data', (chunk: Buffer) => this.deliver(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
    socket.on('close', () => {
      if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
      this.closeReason = closeReasonOf(this.error, this.connected);
      for (const handler of this.closeHandlers) this.guard(() => handler(this.closeReason ?? 'closed'));
    });
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.fallback.address;
  }
  get remotePort(): number {
    return this.socket.remotePort ?? this.fallback.port;
  }
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(bytes: Uint8Array): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(bytes);
  }

  pauseInput(): void {
    this.socket.pause();
  }

  resumeInput(): void {
    if (!this.socket.destroyed) this.socket.resume();
  }

  /** Room before SEND_BUFFER_BYTES wait in node's buffer (the kernel's own buffer is beyond). */
  roomBytes(): number {
    return Math.max(0, SEND_BUFFER_BYTES - this.socket.writableLength);
  }

  awaitRoom(handler: () => void): void {
    // 'drain' comes only after a write that filled node's buffer; the session's write of this
    // turn may be that write, so when no drain is pending yet it asks again on the next turn.
    if (this.socket.writableNeedDrain) this.socket.once('drain', () => this.guard(handler));
    else setImmediate(() => this.guard(handler));
  }

  close(): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    this.lingerTimer.unref();
  }

  onData(handler: (bytes: Uint8Array) => void): void {
    this.dataHandlers.push(handler);
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const chunk of pending) this.guard(() => handler(chunk));
  }

  onConnect(handler: () => void): void {
    if (!this.connected) {
      this.connectHandlers.push(handler);
      return;
    }
    if (this.closeReason !== undefined) return;
    setImmediate(() => {
      if (this.closeReason === undefined) this.guard(handler);
    });
  }

  onClose(handler: (reason: StreamCloseReason) => void): void {
    this.closeHandlers.push(handler);
    const reason = this.closeReason;
    if (reason !== undefined) setImmediate(() => this.guard(() => handler(reason)));
  }

  private deliver(chunk: Buffer): void {
    if (this.dataHandlers.length === 0) {
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > PENDING_BYTES_MAX) this.socket.destroy();
      else this.pending.push(chunk);
      return;
    }
    for (const handler of this.dataHandlers) this.guard(() => handler(chunk));
  }

  /** An engine exception must not take the process down: reset this stream and report it. */
  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.error ??= Object.assign(new Error('engine handler failed'), { code: 'EENGINE' });
      this.onHandlerError?.(error, { remoteAddress: this.remoteAddress, remotePort: this.remotePort });
      this.socket.destroy();
    }
  }
}

interface Endpoint {
  address: string;
  port: number;
}

function endpointKey(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}

/** Listens on an endpoint; resolves once bound, rejects with the bind error. */
function bindServer(server: Server, endpoint: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host: endpoint.address, port: endpoint.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

class LiveListener implements Listener {
  server: Server | undefined;
  closed = false;
  constructor(
    readonly endpoint: Endpoint,
    private readonly makeServer: () => Server,
    private readonly owner: LiveNet,
  ) {}

  /** Binds (again); the error, if any, goes to the net's onListenError. */
  async bind(server: Server = this.makeServer()): Promise<void> {
    this.server = server;
    if (server.listening) return;
    try {
      await bindServer(server, this.endpoint);
    } catch (error) {
      if (this.server === server) this.server = undefined;
      this.owner.reportListenError(error as NodeJS.ErrnoException, this.endpoint);
    }
  }

  pause(): void {
    this.server?.close();
    this.server = undefined;
  }

  close(): void {
    this.closed = true;
    this.pause();
    this.owner.forget(this);
  }
}

export class LiveNet implements Net {
  private readonly prebound = new Map<string, Server>();
  private readonly listeners = new Set<LiveListener>();
  private readonly streams = new Set<Socket>();
  private paused = false;

  constructor(private readonly options: LiveNetOptions = {}) {}

  /**
   * Binds an endpoint now, before the engine asks for it. `onAddressInUse` is asked on
   * EADDRINUSE whether to try again (it may make the holder release the port first).
   */
  async prebind(endpoint: Endpoint, options: { onAddressInUse?: (attempt: number) => Promise<boolean> } = {}): Promise<void> {
    const attemptsMax = 1_000;
    for (let attempt = 1; attempt <= attemptsMax; attempt++) {
      const server = createServer({ allowHalfOpen: false });
      try {
        await bindServer(server, endpoint);
        this.prebound.set(endpointKey(endpoint), server);
        return;
      } catch (error) {
        server.close();
        const err = error as NodeJS.ErrnoException;
        if (err.code !== 'EADDRINUSE' || options.onAddressInUse === undefined) throw err;
        if (!(await options.onAddressInUse(attempt))) throw err;
      }
    }
  }

  listen(endpoint: Endpoint, onAccept: (stream: ByteStream) => void): Listener {
    const attach = (server: Server): Server => {
      server.on('connection', (socket: Socket) => {
        if (listener.closed) {
          socket.destroy();
          return;
        }
        onAccept(this.track(socket, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, true));
      });
      server.on('error', (error: NodeJS.ErrnoException) => this.reportListenError(error, endpoint));
      return server;
    };
    const listener = new LiveListener(endpoint, () => attach(createServer({ allowHalfOpen: false })), this);
    const key = endpointKey(endpoint);
    const prebound = this.prebound.get(key);
    this.prebound.delete(key);
    this.listeners.add(listener);
    if (this.paused) prebound?.close();
    else void listener.bind(prebound === undefined ? undefined : attach(prebound));
    return listener;
  }

  connect(endpoint: Endpoint): ByteStream {
    const socket = new Socket({ allowHalfOpen: false });
    const stream = this.track(socket, endpoint, false);
    socket.connect({ host: endpoint.address, port: endpoint.port });
    return stream;
  }

  /** SIGTTOU: stop listening (the ports are released) until resume(). */
  pause(): void {
    this.paused = true;
    for (const l of this.listeners) l.pause();
  }

  /** SIGTTIN: listen again. */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    await Promise.all([...this.listeners].filter((l) => l.server === undefined).map((l) => l.bind()));
  }

  /** Closes every listener and connection (hard stop). */
  closeAll(): void {
    for (const server of this.prebound.values()) server.close();
    this.prebound.clear();
    for (const l of [...this.listeners]) l.close();
    for (const socket of this.streams) socket.destroy();
    this.streams.clear();
  }

  get listeningCount(): number {
    let n = 0;
    for (const l of this.listeners) if (l.server !== undefined) n++;
    return n;
  }

  reportListenError(error: NodeJS.ErrnoException, endpoint: Endpoint): void {
    this.options.onListenError?.(error, endpoint);
  }

  forget(listener: LiveListener): void {
    this.listeners.delete(listener);
  }

  private track(socket: Socket, fallback: Endpoint, connected: boolean): LiveStream {
    this.streams.add(socket);
    socket.once('close', () => this.streams.delete(socket));
    return new LiveStream(socket, fallback, this.options.onHandlerError, { connected });
  }
}
