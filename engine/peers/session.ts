/**
 * One peer session (HAProxy's peer applet + its stream, 2.6.12 `peer_io_handler`): the text
 * handshake in both roles, then message mode. Each wake-up reads and treats every complete
 * message, then writes in HAProxy's order (session-send.ts); what one wake-up writes leaves in
 * one write. The stream side models the peers proxy: connect timeout 1 s with 3 retries
 * (1 s turn-around after a refused connect), ended by the stream's connect signal (the TCP
 * handshake, not the first byte), and a 5 s read timeout re-armed by input only (§4.11); on 2.6
 * an accepted stream that already holds input when first processed has none (issue 14). Each
 * wake-up treats at most one input buffer (16 KB, tune.bufsize) of received bytes, then yields.
 */
import { InputOverflowError, ProtocolError } from '../errors.ts';
import { assert, fail } from '../../lib/assert.ts';
import type { ByteStream, StreamCloseReason, TimerHandle } from '../env.ts';
import { tickAdd, tickRemain, TICK_ETERNITY, type Tick } from '../ticks.ts';
import type { Tasklet } from '../timer-list.ts';
import {
  PEER_BACKOFF_MIN_MS,
  PEER_BACKOFF_RANGE_MS,
  PEER_F_ALIVE,
  PEER_F_DWNGRD,
  PEER_F_HEARTBEAT,
  PEERS_CONN_RETRIES,
  PEERS_CONNECT_TIMEOUT_MS,
  PEERS_CONNECT_TURNAROUND_MS,
  PEERS_STREAM_TIMEOUT_MS,
  SC_BAD_VERSION,
  SC_PROTO_ERROR,
  SC_SUCCESS,
  SC_TRY_AGAIN,
  SC_UNKNOWN_PEER,
  SC_WRONG_NAME,
  PEER_SESS_ST_ACCEPT,
  PEER_SESS_ST_CONNECT,
  PEER_SESS_ST_END,
  PEER_SESS_ST_ERRPROTO,
  PEER_SESS_ST_ERRSIZE,
  PEER_SESS_ST_EXIT,
  PEER_SESS_ST_GETHOST,
  PEER_SESS_ST_GETPEER,
  PEER_SESS_ST_GETSTATUS,
  PEER_SESS_ST_GETVERSION,
  PEER_SESS_ST_MAX,
  PEER_SESS_ST_SENDSUCCESS,
  PEER_SESS_ST_WAITMSG,
} from './constants.ts';
import { MessageDecoder, SizeLimitError } from './decoder.ts';
import { encodeMessage } from './encode-message.ts';
import { helloLines, validateHello } from './hello.ts';
import type { Peer } from './peer.ts';
import type { PeersSection } from './section.ts';
import { sendMessages, type SendSink } from './session-send.ts';
import { MSG_BODY_BYTES_MAX, MSG_LENGTH_VARINT_BYTES_MAX } from './message-types.ts';
import { treatMessage } from './session-receive.ts';
import { WireWriter } from './wire.ts';

export type SessionRole = 'initiator' | 'acceptor';

/**
 * Received bytes treated per wake-up before yielding: HAProxy's applet handles one input buffer
 * (tune.bufsize, 16384) per pass. The message that crosses the mark is still treated.
 */
export const INPUT_BYTES_PER_WAKEUP_MAX = 16_384;
/** Messages treated per wake-up (a bound; the smallest message is 2 bytes, so bytes bound first). */
const MESSAGES_PER_WAKEUP_MAX = INPUT_BYTES_PER_WAKEUP_MAX / 2 + 1;
/** State changes per wake-up before the handler must have waited for input or ended (a bound). */
const TRANSITIONS_PER_WAKEUP_MAX = 16;
/** The largest message: class, type, length varint, body. */
const MESSAGE_BYTES_MAX = 2 + MSG_LENGTH_VARINT_BYTES_MAX + MSG_BODY_BYTES_MAX;
/** A session's output buffer at first (it grows with what one wake-up writes). */
const OUT_BYTES_INITIAL = 256;
/** Output buffers grown past this are dropped after the write (one input buffer's worth). */
const OUT_BYTES_KEPT_MAX = 16_384;

export class PeerSession {
  /** Numbered per section, in creation order (deterministic). */
  readonly id: number;
  /** HAProxy's `st0` / `st1` (st1 holds the error status to send in EXIT). */
  st0: number;
  st1 = 0;
  /** `appctx->svcctx`: the peer once known (acceptor: after the hello). */
  peer: Peer | undefined;
  /** Times the I/O handler ran (`task_calls`). */
  calls = 0;
  /** The tick of the I/O handler's last run (undefined before the first; kept only under taskRunsOncePerPass). */
  private lastRunTick: Tick | undefined = undefined;
  /** 'EST' once the stream connected (or bytes came), 'CON' while connecting, 'TAR' in turn-around. */
  streamState: 'CON' | 'TAR' | 'EST' | 'CLO' = 'CON';
  stream: ByteStream | undefined;
  private decoder: MessageDecoder;
  /**
   * What this wake-up wrote, not yet handed to the stream: messages are appended in place (no
   * buffer per message) and leave in one write at the end of the wake-up.
   */
  private out = new WireWriter(OUT_BYTES_INITIAL);
  /** True while the session waits for room in its stream's send buffer. */
  private awaitingRoom = false;
  /** The stream's room when this wake-up started writing (nothing leaves it during one). */
  private roomAtWake: number | undefined;
  /** What session-send writes through (one object for the session's life). */
  private readonly sink: SendSink = {
    write: (bytes) => this.write(bytes),
    hasRoom: () => this.hasRoom(),
    writer: () => this.out,
  };
  /** The applet's wake-ups (`appctx_wakeup`): one tasklet for the session's life. */
  private readonly wakeTask: Tasklet;
  private connectTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private idleDeadlineTick: Tick = TICK_ETERNITY;
  /** The read timeout is never armed (profile acceptedInputDropsReadTimeout, set at accept). */
  private readTimeoutOff = false;
  /**
   * See `trackUnconsumedInput`: the applet's input channel write timeout (`wex`). The read
   * timeout's timer chases it too (an initiator always has one armed while it is set, and it is
   * never earlier than that timer), so it costs no timer of its own.
   */
  private unconsumedDeadlineTick: Tick = TICK_ETERNITY;
  private connectAttempts = 0;
  /** When the connect under way times out, or the turn-around ends (for an orphaned stream). */
  private connectDeadlineTick: Tick = TICK_ETERNITY;
  /** Bytes to (re)send on every new connection attempt (the hello, until the status came). */
  private pendingOnConnect: Uint8Array | undefined;
  private ended = false;

  private constructor(
    private readonly section: PeersSection,
    readonly role: SessionRole,
  ) {
    this.id = section.nextSessionId();
    this.st0 = role === 'initiator' ? PEER_SESS_ST_CONNECT : PEER_SESS_ST_ACCEPT;
    // Each message is treated before more bytes are pushed: updates are read in place.
    this.decoder = new MessageDecoder({ expect: role === 'initiator' ? 'status' : 'hello', inPlaceUpdates: true });
    this.wakeTask = section.tasklet(() => this.ioHandler());
  }

  /** `peer_session_create`: an outgoing session to `peer`, attached to it at once. */
  static connect(section: PeersSection, peer: Peer): PeerSession {
    const session = new PeerSession(section, 'initiator');
    session.peer = peer;
    session.openConnection();
    session.wake();
    return session;
  }

  /**
   * A connection accepted on the local peer's address. This call is the accepted stream's first
   * processing: input that reached the stream before it (the initiator's hello, when the process
   * took the connection late) costs the session its read timeout on 2.6 (issue 14).
   */
  static accept(section: PeersSection, stream: ByteStream): PeerSession {
    const session = new PeerSession(section, 'acceptor');
    const unreadBytes = stream.unreadBytes?.() ?? 0;
    if (section.acceptedInputDropsReadTimeout && unreadBytes > 0) {
      session.readTimeoutOff = true;
      section.emit('session.read-timeout-off', { session: session.id, unreadBytes });
    }
    session.attachStream(stream);
    session.streamState = 'EST';
    session.wake();
    return session;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Schedules the I/O handler (`appctx_wakeup`). */
  wake(): void {
    if (this.ended) return;
    this.wakeTask.wake();
  }

  /** True when the I/O handler ran at `tick` (the engine's stand-in for "in this scheduler pass"). */
  ranAt(tick: Tick): boolean {
    return this.lastRunTick === tick;
  }

  /**
   * Schedules the I/O handler for the host's next scheduler pass (3.2's single-run rule, S11): it
   * waits like any woken task (Env.taskWake); without a task wake delay the next pass is at once,
   * after the input already delivered, as `wake`.
   */
  wakeNextPass(): void {
    if (this.ended) return;
    const taskWake = this.section.env.taskWake;
    if (taskWake === undefined) this.wakeTask.wake();
    else this.wakeTask.wakeVia((fire) => taskWake.schedule(fire));
  }

  /** `peer_session_forceshutdown` after the section detached the peer: end at next wake-up. */
  shutdown(): void {
    if (this.ended) return;
    this.st0 = PEER_SESS_ST_END;
    this.wake();
  }

  /** Hard stop (process death): close without a word. */
  kill(): void {
    if (this.ended) return;
    this.st0 = PEER_SESS_ST_END;
    this.finish();
  }

  // --- the stream ------------------------------------------------------------------------------

  private openConnection(): void {
    const peer = this.peer;
    assert(peer !== undefined, 'an outgoing session knows its peer');
    this.connectAttempts++;
    this.streamState = 'CON';
    const stream = this.section.env.net.connect({ address: peer.address, port: peer.port });
    this.attachStream(stream);
    stream.onConnect(() => {
      if (this.stream === stream && !this.ended) this.connected();
    });
    if (this.pendingOnConnect !== undefined) stream.write(this.pendingOnConnect);
    this.connectDeadlineTick = tickAdd(this.section.now(), PEERS_CONNECT_TIMEOUT_MS);
    this.connectTimer = this.section.schedule(PEERS_CONNECT_TIMEOUT_MS, () => {
      this.connectTimer = undefined;
      this.connectFailed(stream, 'timeout');
    });
  }

  /** True while this session holds its stream's input back (its buffer is full). */
  private inputPaused = false;

  private pauseInput(stream: ByteStream): void {
    if (this.inputPaused || stream.pauseInput === undefined) return;
    this.inputPaused = true;
    stream.pauseInput();
  }

  /** Reads again once the unread input is below one buffer. */
  private resumeInputIfRoom(): void {
    if (!this.inputPaused || this.decoder.bufferedBytes >= INPUT_BYTES_PER_WAKEUP_MAX) return;
    this.inputPaused = false;
    this.stream?.resumeInput?.();
  }

  private attachStream(stream: ByteStream): void {
    this.stream = stream;
    stream.onData((bytes) => {
      if (this.stream !== stream || this.ended) return;
      // A stream that never signals its connect (a test's memory stream) counts as connected here.
      if (this.streamState !== 'EST') this.connected();
      this.armIdle();
      try {
        this.decoder.push(bytes);
        // A full input buffer: stop reading until a wake-up treats it (TCP then holds the sender).
        if (this.decoder.bufferedBytes >= INPUT_BYTES_PER_WAKEUP_MAX) this.pauseInput(stream);
      } catch (err) {
        // The decoder's unread-bytes bound: a peer sending faster than this session reads.
        if (!(err instanceof InputOverflowError)) throw err;
        this.section.emit('session.input-overflow', {
          peer: this.peer?.name ?? null,
          session: this.id,
          pendingBytes: err.pendingBytes,
          chunkBytes: err.chunkBytes,
          bufferedBytesMax: err.bufferedBytesMax,
        });
        this.st0 = PEER_SESS_ST_END;
      }
      this.wake();
    });
    stream.onClose((reason) => {
      if (this.stream !== stream || this.ended) return;
      if (this.role === 'initiator' && this.streamState !== 'EST') {
        this.connectFailed(stream, reason);
        return;
      }
      // Input that arrived before the close is read first (HAProxy reads before seeing shutr).
      if (this.wakeTask.pending) {
        this.wakeTask.cancel();
        this.ioHandler();
      }
      if (this.ended) return;
      this.section.emit('session.closed', { peer: this.peer?.name ?? null, session: this.id, reason });
      this.stream = undefined;
      this.st0 = PEER_SESS_ST_END;
      this.finish();
    });
    if (this.role === 'acceptor') this.armIdle();
  }

  /** The connect completed (SYN-ACK): the connect timer stops and the read timeout starts. */
  private connected(): void {
    this.connectTimer?.cancel();
    this.connectTimer = undefined;
    this.streamState = 'EST';
    this.armIdle();
  }

  /** A connect attempt failed: retry (after a turn-around if it failed fast) or give up. */
  private connectFailed(stream: ByteStream, reason: StreamCloseReason): void {
    if (this.ended || this.stream !== stream) return;
    this.connectTimer?.cancel();
    this.connectTimer = undefined;
    this.stream = undefined;
    stream.close();
    this.section.emit('session.connect-failed', { peer: this.peer?.name ?? null, session: this.id, reason, attempt: this.connectAttempts });
    if (this.connectAttempts > PEERS_CONN_RETRIES) {
      this.st0 = PEER_SESS_ST_END;
      this.finish();
      return;
    }
    if (reason === 'timeout') {
      this.openConnection();
      return;
    }
    this.streamState = 'TAR';
    this.connectDeadlineTick = tickAdd(this.section.now(), PEERS_CONNECT_TURNAROUND_MS);
    this.connectTimer = this.section.schedule(PEERS_CONNECT_TURNAROUND_MS, () => {
      this.connectTimer = undefined;
      if (!this.ended) this.openConnection();
    });
  }

  /**
   * Read timeout (client/server timeout 5 s, §4.11): fires when input stays silent for 5 s; the
   * session's own writes do not re-arm it. Armed when the stream connects. The deadline moves on
   * each received chunk; one timer chases it (re-armed for the rest when it fires early),
   * instead of a cancel and a new timer per message. Never armed when `readTimeoutOff`.
   */
  private armIdle(): void {
    if (this.readTimeoutOff) return;
    this.idleDeadlineTick = tickAdd(this.section.now(), PEERS_STREAM_TIMEOUT_MS);
    if (this.idleTimer === undefined) this.scheduleIdleCheck(PEERS_STREAM_TIMEOUT_MS);
  }

  /**
   * Received bytes the applet leaves in its input channel (an incomplete message) are output its
   * stream has not delivered: the channel's write timeout (`wex`, the applet side's timeout) runs
   * from the wake-up that left them, moves only when the applet consumes some of them and stops
   * when none is left; more bytes of the same message do not move it (they re-arm the read
   * timeout only). When it fires the stream shuts the applet's side and the session ends.
   * Only an initiator has it: its applet is the stream's front end, whose timeout is the peers
   * proxy's `timeout client` (5 s); an acceptor's applet is the back end, and the peers proxy
   * sets no `timeout server`. Measured on 2.6.12, 3.0.11, 3.2.26 (scripts/exp-read-timeout-rearm.py:
   * a byte every 2 s of a never-ended message closes an initiator's session 5 s after the
   * first byte, with its read expiry re-armed by every byte; an acceptor's lives on).
   */
  private trackUnconsumedInput(consumedBytes: number): void {
    if (this.ended || this.role !== 'initiator' || this.streamState !== 'EST') return;
    if (this.decoder.bufferedBytes === 0) {
      this.unconsumedDeadlineTick = TICK_ETERNITY;
      return;
    }
    if (this.unconsumedDeadlineTick !== TICK_ETERNITY && consumedBytes === 0) return;
    assert(this.idleTimer !== undefined, 'an established initiator has its read timeout armed');
    this.unconsumedDeadlineTick = tickAdd(this.section.now(), PEERS_STREAM_TIMEOUT_MS);
  }

  private scheduleIdleCheck(delayMs: number): void {
    this.idleTimer = this.section.schedule(delayMs, () => {
      this.idleTimer = undefined;
      if (this.ended || this.streamState !== 'EST') return;
      const now = this.section.now();
      const unconsumedLeftMs = this.unconsumedDeadlineTick === TICK_ETERNITY ? Infinity : tickRemain(now, this.unconsumedDeadlineTick);
      const idleLeftMs = tickRemain(now, this.idleDeadlineTick);
      if (unconsumedLeftMs <= 0 && unconsumedLeftMs <= idleLeftMs) {
        this.section.emit('session.input-timeout', { peer: this.peer?.name ?? null, session: this.id, unconsumedBytes: this.decoder.bufferedBytes });
      } else if (idleLeftMs <= 0) {
        this.section.emit('session.timeout', { peer: this.peer?.name ?? null, session: this.id });
      } else {
        return this.scheduleIdleCheck(Math.min(idleLeftMs, unconsumedLeftMs));
      }
      this.st0 = PEER_SESS_ST_END;
      this.finish();
    });
  }

  private write(bytes: Uint8Array): void {
    this.out.bytes(bytes);
  }

  /** Room for one more message of any size: the stream's send buffer less this wake-up's output. */
  private hasRoom(): boolean {
    const room = this.roomAtWake;
    return room === undefined || room - this.out.pos >= MESSAGE_BYTES_MAX;
  }

  /** The send buffer is full: the I/O handler runs again once bytes left it (`appctx` waits for room). */
  private waitForRoom(): void {
    const stream = this.stream;
    if (this.awaitingRoom || stream?.awaitRoom === undefined) return;
    this.awaitingRoom = true;
    this.section.marks.mark('peers.send-buffer-full');
    stream.awaitRoom(() => {
      if (this.stream !== stream) return;
      this.awaitingRoom = false;
      this.wake();
    });
  }

  private flush(): void {
    const out = this.out;
    if (out.pos === 0) return;
    // The stream keeps what it is given until delivered: a copy of this wake-up's output.
    const all = out.buf.slice(0, out.pos);
    out.pos = 0;
    // A buffer grown by a large lesson is not kept for the session's life.
    if (out.buf.length > OUT_BYTES_KEPT_MAX) this.out = new WireWriter(OUT_BYTES_INITIAL);
    if (this.stream !== undefined) {
      this.stream.write(all);
      if (this.role === 'initiator') this.refreshIdleOnWrite();
    }
    if (this.role === 'initiator' && this.st0 === PEER_SESS_ST_GETSTATUS) this.pendingOnConnect = all;
  }

  /**
   * An initiator whose connect was retried has its own output move its read expiry (when one is
   * set): the stream's back-end connector starts with the peers proxy's independent-streams flag
   * (`SC_FL_INDEP_STR`: reads only move the read timeout) and loses it on a connect retry, after
   * which the stream refreshes the read timeout on write activity there too. An acceptor's
   * connection is the front end, which keeps the flag. Measured on 2.6.12, 3.0.11, 3.2.26
   * (scripts/exp-read-timeout-rearm.py; `show sess all` scb flags 0x49 after a first-attempt
   * connect, 0x01 after a retry): receiving nothing after the handshake, an initiator connected at
   * its first attempt ends by its read timeout at 5.0 s, one connected at its second attempt keeps
   * rex 2-5 s ahead through its heartbeats and ends by the dead-peer check (~9 s, no_hbt=1), also
   * with the link silently cut (DROP) or REJECTed as in lab 04.
   */
  private refreshIdleOnWrite(): void {
    if (this.connectAttempts < 2 || this.streamState !== 'EST' || this.idleDeadlineTick === TICK_ETERNITY) return;
    this.armIdle();
  }

  // --- the I/O handler -----------------------------------------------------------------------------

  private ioHandler(): void {
    if (this.ended) return;
    this.calls++;
    // Only the single-run rule reads it (S11): no clock read per wake-up on the other lines.
    if (this.section.taskRunsOncePerPass) this.lastRunTick = this.section.now();
    const unreadAtWake = this.decoder.bufferedBytes;
    this.step();
    this.flush();
    this.trackUnconsumedInput(unreadAtWake - this.decoder.bufferedBytes);
    if (this.st0 === PEER_SESS_ST_END) this.finish({ orphanStream: true });
    // A wake-up changes this session, its peer and the section's flags: those are checked here;
    // what spans every peer and session is checked on each sync-task run and release.
    this.checkInvariants();
    this.peer?.checkInvariants();
    this.section.checkFlags();
  }

  /**
   * What must hold between this session's state, role, peer and stream after every wake-up:
   * `st0` is an applet state of this role; an ended session is in END with its stream closed; in
   * message mode it has a peer and an established stream, and when it is its peer's session the
   * handshake status is 200 (§4.2.4); a turn-around has no stream; the pending output is counted.
   */
  checkInvariants(): void {
    const st0 = this.st0;
    if (!Number.isInteger(st0) || st0 < PEER_SESS_ST_ACCEPT || st0 > PEER_SESS_ST_MAX) fail(`session ${this.id}: st0 ${st0} is an applet state`);
    // O(1): everything written by the wake-up was handed to the stream.
    if (this.out.pos !== 0) fail(`session ${this.id}: ${this.out.pos} output bytes left after a wake-up`);
    if (this.ended) {
      if (st0 !== PEER_SESS_ST_END || this.stream !== undefined || this.streamState !== 'CLO') {
        fail(`session ${this.id}: ended in st0 ${st0} with stream state ${this.streamState}`);
      }
      return;
    }
    // ACCEPT..SENDSUCCESS are the acceptor's handshake, CONNECT and GETSTATUS the initiator's.
    const acceptorState = st0 <= PEER_SESS_ST_SENDSUCCESS;
    const initiatorState = st0 === PEER_SESS_ST_CONNECT || st0 === PEER_SESS_ST_GETSTATUS;
    if (this.role === 'initiator' ? acceptorState : initiatorState) fail(`session ${this.id}: st0 ${st0} is a state of the ${this.role === 'initiator' ? 'acceptor' : 'initiator'}`);
    if (this.role === 'initiator' && this.peer === undefined) fail(`session ${this.id}: an initiator knows its peer`);
    if (this.streamState === 'TAR' && this.stream !== undefined) fail(`session ${this.id}: no stream during a connect turn-around`);
    if (st0 === PEER_SESS_ST_SENDSUCCESS && this.peer === undefined) fail(`session ${this.id}: SENDSUCCESS knows its peer`);
    if (st0 !== PEER_SESS_ST_WAITMSG) return;
    const peer = this.peer;
    if (peer === undefined || this.stream === undefined || this.streamState !== 'EST') {
      fail(`session ${this.id}: message mode has a peer and an established stream (stream state ${this.streamState})`);
    }
    if (peer.session === this && peer.statusCode !== SC_SUCCESS) fail(`session ${this.id}: peer ${peer.name} in message mode has status ${peer.statusCode}`);
  }

  /** Runs states until one waits for input or the session ends. */
  private step(): void {
    for (let transitions = 0; transitions < TRANSITIONS_PER_WAKEUP_MAX; transitions++) {
      switch (this.st0) {
        case PEER_SESS_ST_ACCEPT:
          this.st0 = PEER_SESS_ST_GETVERSION;
          continue;
        case PEER_SESS_ST_GETVERSION:
        case PEER_SESS_ST_GETHOST:
        case PEER_SESS_ST_GETPEER:
          if (!this.readHello()) return;
          continue;
        case PEER_SESS_ST_SENDSUCCESS:
          this.sendSuccess();
          continue;
        case PEER_SESS_ST_CONNECT:
          if (!this.sendHello()) continue;
          continue;
        case PEER_SESS_ST_GETSTATUS:
          if (!this.readStatus()) return;
          continue;
        case PEER_SESS_ST_WAITMSG:
          if (this.waitMessages()) return;
          continue;
        case PEER_SESS_ST_EXIT:
          this.write(encodeMessage({ kind: 'status', code: this.st1 }));
          this.st0 = PEER_SESS_ST_END;
          continue;
        case PEER_SESS_ST_ERRPROTO:
          if (this.peer !== undefined) this.peer.protoErr++;
          this.write(encodeMessage({ kind: 'error', error: 'protocol' }));
          this.st0 = PEER_SESS_ST_END;
          continue;
        case PEER_SESS_ST_ERRSIZE:
          this.write(encodeMessage({ kind: 'error', error: 'sizeLimit' }));
          this.st0 = PEER_SESS_ST_END;
          continue;
        case PEER_SESS_ST_END:
          return;
        default:
          assert(false, `known session state ${this.st0}`);
      }
    }
    assert(false, 'session states settle within TRANSITIONS_PER_WAKEUP_MAX transitions');
  }

  /** Acceptor: GETVERSION / GETHOST / GETPEER. False while more lines are needed. */
  private readHello(): boolean {
    const section = this.section;
    let lines: readonly string[];
    try {
      const msg = this.decoder.next();
      lines = msg?.kind === 'hello' ? msg.lines : this.decoder.peekHelloLines();
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.reject(SC_PROTO_ERROR, err.message);
      return true;
    }
    const result = validateHello(lines, { localName: section.localName, knownPeers: section.peerNames() });
    if (result.result === 'incomplete') {
      this.st0 = lines.length === 0 ? PEER_SESS_ST_GETVERSION : lines.length === 1 ? PEER_SESS_ST_GETHOST : PEER_SESS_ST_GETPEER;
      return false;
    }
    if (result.result === 'rejected') {
      this.reject(result.statusCode, result.reason);
      return true;
    }
    const peer = section.findPeer(result.callerName);
    assert(peer !== undefined, 'validateHello only accepts known peers');
    if (peer.session !== undefined && peer.session !== this) {
      if (peer.local) {
        this.reject(SC_TRY_AGAIN, 'a local session already exists');
        return true;
      }
      section.collide(peer);
    }
    if (result.minorVersion === 0) peer.setFlag(PEER_F_DWNGRD);
    else peer.clearFlag(PEER_F_DWNGRD);
    peer.session = this;
    peer.setFlag(PEER_F_ALIVE);
    this.peer = peer;
    this.st0 = PEER_SESS_ST_SENDSUCCESS;
    section.emit('session.accept', { peer: peer.name, session: this.id, from: `${this.stream?.remoteAddress ?? '?'}:${this.stream?.remotePort ?? 0}` });
    return true;
  }

  private reject(code: number, reason: string): void {
    this.st0 = PEER_SESS_ST_EXIT;
    this.st1 = code;
    this.section.emit('hello.status', { role: 'acceptor', code, reason, session: this.id });
    if (code === SC_WRONG_NAME) this.section.marks.mark('peers.status-503');
    if (code === SC_UNKNOWN_PEER) this.section.marks.mark('peers.status-504');
  }

  private sendSuccess(): void {
    const peer = this.peer;
    assert(peer !== undefined, 'SENDSUCCESS knows its peer');
    if (peer.session !== this) {
      this.st0 = PEER_SESS_ST_END;
      return;
    }
    this.write(encodeMessage({ kind: 'status', code: SC_SUCCESS }));
    this.section.emit('hello.status', { role: 'acceptor', code: SC_SUCCESS, peer: peer.name, session: this.id });
    this.section.initAcceptedPeer(peer);
    this.st0 = PEER_SESS_ST_WAITMSG;
  }

  /** Initiator: the hello goes out at once (before the TCP connect completes). */
  private sendHello(): boolean {
    const peer = this.peer;
    assert(peer !== undefined, 'CONNECT knows its peer');
    if (peer.session !== this) {
      this.st0 = PEER_SESS_ST_END;
      return false;
    }
    const lines = helloLines({
      minorVersion: peer.hasFlag(PEER_F_DWNGRD) ? 0 : 1,
      calledName: peer.name,
      callerName: this.section.localName,
      pid: this.section.pid,
    });
    this.write(encodeMessage({ kind: 'hello', lines }));
    this.st0 = PEER_SESS_ST_GETSTATUS;
    this.section.emit('session.connect', { peer: peer.name, session: this.id, to: `${peer.address}:${peer.port}` });
    return true;
  }

  private readStatus(): boolean {
    const peer = this.peer;
    assert(peer !== undefined, 'GETSTATUS knows its peer');
    if (peer.session !== this) {
      this.st0 = PEER_SESS_ST_END;
      return true;
    }
    let code: number;
    try {
      const msg = this.decoder.next();
      if (msg === undefined) return false;
      assert(msg.kind === 'status', 'the first line read by an initiator is a status');
      code = msg.code;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.st0 = PEER_SESS_ST_END;
      return true;
    }
    this.pendingOnConnect = undefined;
    const section = this.section;
    peer.statusCode = code;
    peer.lastHandshakeTick = section.now();
    section.wakeSync();
    section.emit('hello.status', { role: 'initiator', code, peer: peer.name, session: this.id });
    if (code === SC_WRONG_NAME) section.marks.mark('peers.status-503');
    if (code === SC_UNKNOWN_PEER) section.marks.mark('peers.status-504');
    if (code !== SC_SUCCESS) {
      if (code === SC_BAD_VERSION) peer.setFlag(PEER_F_DWNGRD);
      this.st0 = PEER_SESS_ST_END;
      return true;
    }
    section.initConnectedPeer(peer);
    this.st0 = PEER_SESS_ST_WAITMSG;
    return true;
  }

  /**
   * WAITMSG: treat complete messages up to one input buffer's worth of bytes, then send. True when
   * done for this wake-up (woken again when received bytes remain).
   */
  private waitMessages(): boolean {
    const peer = this.peer;
    assert(peer !== undefined, 'WAITMSG knows its peer');
    if (peer.session !== this) {
      this.st0 = PEER_SESS_ST_END;
      return false;
    }
    // 3.x: nothing is read or written until the sync task has acknowledged the new session (S4).
    if (peer.waitsForSyncTask) return true;
    // PLANTED BUG 'push-before-read' (testing aid, planted-bug.ts): the pending local updates go
    // out before the messages that arrived are treated (HAProxy treats its input first, §4.8).
    if (this.section.plantedBug === 'push-before-read') this.sendAll(peer);
    const unreadAtWake = this.decoder.bufferedBytes;
    for (let count = 0; count < MESSAGES_PER_WAKEUP_MAX; count++) {
      if (unreadAtWake - this.decoder.bufferedBytes >= INPUT_BYTES_PER_WAKEUP_MAX) {
        // One buffer's worth treated: send, and read the rest at the next wake-up.
        this.resumeInputIfRoom();
        this.sendAll(peer);
        this.wake();
        return true;
      }
      let msg;
      try {
        msg = this.decoder.next();
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        this.st0 = err instanceof SizeLimitError ? PEER_SESS_ST_ERRSIZE : PEER_SESS_ST_ERRPROTO;
        this.section.emit('session.protocol-error', { peer: peer.name, session: this.id, detail: err.message });
        return false;
      }
      if (msg === undefined) {
        this.resumeInputIfRoom();
        return this.sendAll(peer);
      }
      const result = treatMessage(this.section, peer, msg);
      if (result.next === 'error') {
        this.section.emit('session.protocol-error', { peer: peer.name, session: this.id, detail: result.error.message });
        this.st0 = PEER_SESS_ST_ERRPROTO;
        return false;
      }
      if (result.next === 'end') {
        this.st0 = PEER_SESS_ST_END;
        return false;
      }
      peer.setFlag(PEER_F_ALIVE);
    }
    this.sendAll(peer);
    this.wake();
    return true;
  }

  private sendAll(peer: Peer): boolean {
    if (peer.hasFlag(PEER_F_HEARTBEAT)) {
      peer.clearFlag(PEER_F_HEARTBEAT);
      this.write(encodeMessage({ kind: 'control', control: 'heartbeat' }));
      peer.txHbt++;
      this.section.emit('heartbeat.tx', { peer: peer.name });
    }
    // Asked once per wake-up: the stream only drains between wake-ups (the outBytes count the rest).
    this.roomAtWake = this.stream?.roomBytes?.();
    const sent = sendMessages(this.section, peer, this.sink);
    if (sent === 'yield') this.wake();
    else if (sent === 'full') this.waitForRoom();
    return true;
  }

  /**
   * END: close the stream and release the session (`peer_session_release`). With `orphanStream`
   * (the applet ended on its own or was shut down, the process lives on), an initiator waiting
   * out a turn-around (TAR) leaves its stream behind: it connects again and delivers the hello
   * (orphan-stream.ts). One whose connect is under way (CON) does so only where the applet's end
   * leaves the connect alone (profile `sessionEndAbortsConnect` false, 3.x); in 2.6 the applet's
   * end shuts the response side, and the stream's connect handler takes that as a client abort
   * during the connection attempt and drops the connect (HAProxy's back-end CON state check).
   */
  private finish(options: { orphanStream?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    this.st0 = PEER_SESS_ST_END;
    this.wakeTask.dispose();
    this.connectTimer?.cancel();
    this.idleTimer?.cancel();
    const stream = this.stream;
    const turningAround = this.streamState === 'TAR';
    const connecting = this.streamState === 'CON' && stream !== undefined && !this.section.sessionEndAbortsConnect;
    this.streamState = 'CLO';
    this.stream = undefined;
    const hello = this.pendingOnConnect;
    const peer = this.peer;
    if (options.orphanStream === true && this.role === 'initiator' && (turningAround || connecting) && hello !== undefined && peer !== undefined) {
      this.section.adoptOrphan({
        session: this.id,
        peer: peer.name,
        address: peer.address,
        port: peer.port,
        hello,
        attempts: this.connectAttempts,
        stream,
        deadlineTick: this.connectDeadlineTick,
      });
    } else {
      stream?.close();
    }
    this.section.releaseSession(this);
  }
}

/** 50 + rand() % 2000 ms after now, HAProxy's back-off. */
export function backoffTick(section: PeersSection): Tick {
  return tickAdd(section.now(), PEER_BACKOFF_MIN_MS + section.env.random.nextInt(PEER_BACKOFF_RANGE_MS));
}
