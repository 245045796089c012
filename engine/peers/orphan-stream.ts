/**
 * The stream an outgoing peer session leaves behind when the session is shut down while its
 * connect is still under way (HAProxy 2.6.12). `peer_session_forceshutdown` ends the applet, not
 * its stream: the hello the applet wrote at creation is still in the request channel, so the
 * stream goes on with its connect (1 s connect timeout, turn-around after a fast failure, 3
 * retries), forwards the hello once connected, then shuts its write side. Whatever comes back is
 * dropped; the stream ends when the server closes. This is what the lab sees at start-up (lab 02,
 * 09): a node whose first connect was refused and then collided delivers its hello about 1 s
 * later, and the other side, taking it as a new session, kills the session it had initiated.
 */
import { assert } from '../../lib/assert.ts';
import type { ByteStream, StreamCloseReason, TimerHandle } from '../env.ts';
import { tickRemain, type Tick } from '../ticks.ts';
import { PEERS_CONN_RETRIES, PEERS_CONNECT_TIMEOUT_MS, PEERS_CONNECT_TURNAROUND_MS } from './constants.ts';

/** What the orphan needs of its section. */
export interface OrphanHost {
  readonly env: { net: { connect(options: { address: string; port: number }): ByteStream } };
  now(): Tick;
  schedule(delayMs: number, fire: () => void): TimerHandle;
  emit(kind: string, details: Record<string, unknown>): void;
  releaseOrphan(orphan: OrphanStream): void;
}

export interface OrphanStart {
  /** The session it was part of (for the trace). */
  session: number;
  peer: string;
  address: string;
  port: number;
  /** The bytes the applet had written (the hello), sent again on each new attempt. */
  hello: Uint8Array;
  /** Connect attempts made so far (1 for the first). */
  attempts: number;
  /** The attempt under way (CON), or none during a turn-around (TAR). */
  stream: ByteStream | undefined;
  /** When the attempt under way times out, or when the turn-around ends. */
  deadlineTick: Tick;
}

export class OrphanStream {
  private stream: ByteStream | undefined;
  private timer: TimerHandle | undefined;
  private attempts: number;
  private done = false;

  constructor(
    private readonly host: OrphanHost,
    private readonly start: OrphanStart,
  ) {
    assert(start.attempts >= 1 && start.attempts <= PEERS_CONN_RETRIES + 1, 'an orphan comes from a connect attempt within the retries');
    this.attempts = start.attempts;
    const leftMs = Math.max(0, tickRemain(host.now(), start.deadlineTick));
    host.emit('session.orphan', { peer: start.peer, session: start.session, attempt: start.attempts, state: start.stream === undefined ? 'TAR' : 'CON' });
    if (start.stream === undefined) {
      this.timer = host.schedule(leftMs, () => this.open());
      return;
    }
    this.watch(start.stream, leftMs);
  }

  get isDone(): boolean {
    return this.done;
  }

  /** The process died: the stream goes at once. */
  kill(): void {
    this.end();
  }

  private open(): void {
    this.timer = undefined;
    if (this.done) return;
    this.attempts++;
    const stream = this.host.env.net.connect({ address: this.start.address, port: this.start.port });
    stream.write(this.start.hello);
    this.watch(stream, PEERS_CONNECT_TIMEOUT_MS);
  }

  private watch(stream: ByteStream, connectTimeoutMs: number): void {
    this.stream = stream;
    let connected = false;
    stream.onConnect(() => {
      if (this.stream !== stream || this.done) return;
      connected = true;
      this.timer?.cancel();
      this.timer = undefined;
      this.host.emit('session.orphan-hello', { peer: this.start.peer, session: this.start.session, attempt: this.attempts });
      // The hello goes first (it was written before the connect); then our write side shuts.
      stream.close();
    });
    stream.onData(() => {});
    stream.onClose((reason) => {
      if (this.stream !== stream || this.done) return;
      if (connected) this.end();
      else this.failed(stream, reason);
    });
    this.timer = this.host.schedule(connectTimeoutMs, () => {
      this.timer = undefined;
      if (this.stream === stream && !this.done && !connected) this.failed(stream, 'timeout');
    });
  }

  private failed(stream: ByteStream, reason: StreamCloseReason): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.stream = undefined;
    stream.close();
    if (this.attempts > PEERS_CONN_RETRIES) {
      this.end();
      return;
    }
    if (reason === 'timeout') {
      this.open();
      return;
    }
    this.timer = this.host.schedule(PEERS_CONNECT_TURNAROUND_MS, () => this.open());
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.timer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    stream?.close();
    this.host.releaseOrphan(this);
  }
}
