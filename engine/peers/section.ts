/**
 * A peers section of one process (2.6.12 `struct peers` + `process_peer_sync`): the members,
 * the shared tables (local ids 1, 2, … in registration order), the learner's resync state
 * (FROM_LOCAL → FROM_REMOTE → FINISHED, spec §4.10.1), the sync task (connects, heartbeats,
 * liveness, §4.11), the listener on the local peer's address, and the reload hand-over on
 * soft stop (§4.10.3).
 */
import { assert, fail } from '../../lib/assert.ts';
import { TimerList, type Tasklet } from '../timer-list.ts';
import { FlagWord } from './flags.ts';
import { eventWanted, TraceName, type ByteStream, type DeferredDetails, type EventDetails, type Env, type Listener, type TimerHandle } from '../env.ts';
import { renderKey, type StoredKey } from '../table/keys.ts';
import type { EntryRef, StickTable } from '../table/table.ts';
import { tickAdd, tickFirst, tickIsExpired, tickIsSet, tickRemain, TICK_ETERNITY, type Tick } from '../ticks.ts';
import {
  PEER_F_ALIVE,
  PEER_F_HEARTBEAT,
  PEER_F_LEARN_ASSIGN,
  PEER_F_LEARN_NOTUP2DATE,
  PEER_F_TEACH_COMPLETE,
  PEER_F_TEACH_PROCESS,
  PEER_HEARTBEAT_TIMEOUT_MS,
  PEER_LEARN_RESET_MASK,
  PEER_LOCAL_RECONNECT_TIMEOUT_MS,
  PEER_RECONNECT_TIMEOUT_MS,
  PEER_RESYNC_TIMEOUT_MS,
  PEER_TEACH_RESET_MASK,
  PEERS_F_DONOTSTOP,
  PEERS_F_RESYNC_ASSIGN,
  PEERS_F_RESYNC_LOCAL,
  PEERS_F_RESYNC_LOCALABORT,
  PEERS_F_RESYNC_LOCALASSIGN,
  PEERS_F_RESYNC_LOCALTIMEOUT,
  PEERS_F_RESYNC_PROCESS,
  PEERS_F_RESYNC_REMOTE,
  PEERS_F_RESYNC_REMOTEABORT,
  PEERS_F_RESYNC_REMOTEASSIGN,
  PEERS_F_RESYNC_REMOTETIMEOUT,
  PEERS_RESYNC_FINISHED,
  PEERS_RESYNC_FROMLOCAL,
  PEERS_RESYNC_FROMREMOTE,
  PEERS_RESYNC_STATEMASK,
  PEER_SESS_ST_CONNECT,
  SC_CONNECT,
  SC_CONNECTED,
  SC_NONE,
  SC_SUCCESS,
  SC_TRY_AGAIN,
} from './constants.ts';
import { NO_MARKS, type CoverageMarks } from './marks.ts';
import { makeMergePolicy, type MergePolicy, type MergePolicyName } from './merge.ts';
import type { LayoutField } from './layout.ts';
import { Peer, type PeerConfig } from './peer.ts';
import type { PlantedBug } from './planted-bug.ts';
import { profileFor, type VersionProfile } from '../version/profile.ts';
import { backoffTick, PeerSession } from './session.ts';
import { OrphanStream, type OrphanStart } from './orphan-stream.ts';
import { SharedTable } from './shared-table.ts';
import type { WireValue } from './update-body.ts';
import { receivedNames, renderFields, storedNames } from './update-events.ts';

export interface PeersSectionOptions {
  env: Env;
  /** Section name (`peers <name>`). */
  name: string;
  /** This process's local peer name (§6.1). */
  localName: string;
  /** Every `peer` line in configuration order, the local one included. */
  peers: readonly PeerConfig[];
  /** Shared tables in registration order (local ids 1, 2, …). */
  tables: readonly StickTable[];
  /** How received updates are merged; default 'haproxy'. */
  mergePolicy?: MergePolicyName;
  marks?: CoverageMarks;
  /** True for the new process of a reload: it first waits for the old one's lesson. */
  hasOldProcess?: boolean;
  /** Announced in the hello (ignored by receivers). */
  pid?: number;
  /** `[DD/Mon/YYYY:HH:MM:SS]` text of the section's start, for `show peers`. */
  startDate?: string;
  /** Called once a soft-stopping process may exit (lesson taught, or impossible). */
  onMayExit?: () => void;
  /** A deliberately wrong behaviour (testing aid, planted-bug.ts); absent: the correct engine. */
  plantedBug?: PlantedBug | undefined;
  /** The HAProxy line whose resync rules the section follows (default 2.6). */
  profile?: VersionProfile;
}

/** Its flags word holds PEERS_F_*. */
export class PeersSection extends FlagWord {
  readonly env: Env;
  readonly name: string;
  readonly localName: string;
  /** `name` and `localName` as the trace's deferred events tag them (engine/env.ts TraceName). */
  readonly traceName: TraceName;
  readonly localTraceName: TraceName;
  readonly pid: number;
  readonly startDate: string;
  readonly policy: MergePolicy;
  readonly marks: CoverageMarks;
  /** The planted bug of this section's process (testing aid, planted-bug.ts), usually none. */
  readonly plantedBug: PlantedBug | undefined;
  /** In HAProxy's list order (the last configured peer first). */
  readonly peers: Peer[] = [];
  readonly local: Peer;
  readonly sharedTables: SharedTable[] = [];
  resyncTimeoutTick: Tick = TICK_ETERNITY;
  stopping = false;
  /** Runs of the sync task (`task_calls`). */
  taskCalls = 0;
  private readonly hasOldProcess: boolean;
  /** 3.x (4b1a7ea66): FROM_REMOTE ends at once when the section lists no remote peer. */
  private readonly noRemoteEndsResync: boolean;
  private readonly onMayExit: (() => void) | undefined;
  private listener: Listener | undefined;
  /** The sync task's wake-ups (`task_wakeup`) and its expiry, each one tasklet. */
  private readonly syncWake: Tasklet;
  private readonly syncExpire: Tasklet;
  private signalPending = false;
  private readonly timers = new TimerList(() => !this.stopped);
  private readonly sessions = new Set<PeerSession>();
  /** Streams of shut-down outgoing sessions still connecting to deliver their hello. */
  private readonly orphans = new Set<OrphanStream>();
  private stopped = false;
  private sessionIdNext = 1;
  /** 3.x: a session through its handshake waits for one sync-task run (`awaitSyncTask`, S4). */
  private readonly sessionWaitsForSyncTask: boolean;
  /** 3.2: a task woken again in the pass it ran in runs at the next pass (VersionProfile.taskRunsOncePerPass). */
  readonly taskRunsOncePerPass: boolean;
  /** 3.x: a received timed update's expiry is capped at the table's expire (P6). */
  readonly capReceivedExpire: boolean;
  /** See VersionProfile.acceptedInputDropsReadTimeout. */
  readonly acceptedInputDropsReadTimeout: boolean;
  /** See VersionProfile.sessionEndAbortsConnect. */
  readonly sessionEndAbortsConnect: boolean;
  /** 3.2: an entry a peer update creates is queued at the update's expiry (S6). */
  readonly learnedEntryQueuedAtItsExpire: boolean;
  /** See VersionProfile.reconnectRefreshedWhilePushing. */
  private readonly reconnectRefreshedWhilePushing: boolean;

  constructor(options: PeersSectionOptions) {
    super();
    this.env = options.env;
    this.name = options.name;
    this.localName = options.localName;
    this.traceName = new TraceName(options.name);
    this.localTraceName = new TraceName(options.localName);
    this.pid = options.pid ?? 1;
    this.startDate = options.startDate ?? '01/Jan/2026:00:00:00';
    this.plantedBug = options.plantedBug;
    this.policy = makeMergePolicy(options.mergePolicy ?? 'haproxy', { plantedBug: options.plantedBug });
    this.marks = options.marks ?? NO_MARKS;
    this.hasOldProcess = options.hasOldProcess ?? false;
    const profile = options.profile ?? profileFor('2.6');
    this.noRemoteEndsResync = profile.loneLocalPeerSyncedAtStart && options.peers.length === 1;
    this.sessionWaitsForSyncTask = profile.sessionWaitsForSyncTask;
    this.taskRunsOncePerPass = profile.taskRunsOncePerPass;
    this.capReceivedExpire = profile.capReceivedExpire;
    this.acceptedInputDropsReadTimeout = profile.acceptedInputDropsReadTimeout;
    this.sessionEndAbortsConnect = profile.sessionEndAbortsConnect;
    this.learnedEntryQueuedAtItsExpire = profile.learnedEntryQueuedAtItsExpire;
    this.reconnectRefreshedWhilePushing = profile.reconnectRefreshedWhilePushing;
    this.onMayExit = options.onMayExit;
    this.syncWake = this.tasklet(() => this.processSync());
    this.syncExpire = this.tasklet(() => this.processSync());
    const names = new Set<string>();
    for (const config of options.peers) {
      assert(!names.has(config.name), `peer ${config.name} is listed once`);
      names.add(config.name);
      this.peers.unshift(new Peer(config, { local: config.name === options.localName }));
    }
    const local = this.peers.find((p) => p.local);
    assert(local !== undefined, `the section lists the local peer ${options.localName}`);
    this.local = local;
    const policy = this.policy;
    options.tables.forEach((table, i) => {
      // A policy that remembers entries forgets each one as the table frees it.
      const onRemoving = policy.forget === undefined ? undefined : (ref: EntryRef) => policy.forget?.(table, table.keyOf(ref));
      const shared = new SharedTable(table, i + 1, { onLocalChange: () => this.wakeSync(), onRemoving });
      this.sharedTables.push(shared);
      for (const peer of this.peers) peer.registerTable(shared);
    });
  }

  // --- life cycle --------------------------------------------------------------------------------

  /** Listens on the local peer's address and runs the sync task for the first time. */
  start(): void {
    this.listener = this.env.net.listen({ address: this.local.address, port: this.local.port }, (stream) => this.accept(stream));
    this.emit('section.start', { local: this.localName, hasOldProcess: this.hasOldProcess });
    this.wakeSync();
  }

  /** Soft stop (reload's old process): close sessions, hand the tables to the new process. */
  softStop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.signalPending = true;
    this.listener?.close();
    this.listener = undefined;
    this.emit('section.soft-stop', {});
    this.wakeSync();
  }

  /** Hard stop (process killed): everything closes at once, nothing is said. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.listener?.close();
    this.listener = undefined;
    // The orphans leave the set before the sessions go (a session's release checks the invariants,
    // which hold no orphan past a stop); they are killed after them, in the order they always were.
    const orphans = [...this.orphans];
    this.orphans.clear();
    for (const session of [...this.sessions]) session.kill();
    for (const orphan of orphans) orphan.kill();
    this.timers.cancelAll();
  }

  private accept(stream: ByteStream): void {
    if (this.stopped) {
      stream.close();
      return;
    }
    this.sessions.add(PeerSession.accept(this, stream));
  }

  // --- helpers for sessions ----------------------------------------------------------------------

  nextSessionId(): number {
    return this.sessionIdNext++;
  }

  now(): Tick {
    return this.env.clock.nowTick();
  }

  schedule(delayMs: number, fire: () => void): TimerHandle {
    return this.timers.schedule(this.env.timers, delayMs, fire);
  }

  /** A task of this section (cancelled when it stops), woken with `wake`. */
  tasklet(run: () => void): Tasklet {
    return this.timers.tasklet(this.env.timers, run);
  }

  emit(kind: string, details: EventDetails): void {
    if (!eventWanted(this.env.events, kind)) return;
    this.emitWanted(kind, details);
  }

  /** `emit` for a caller that asked `eventWanted` itself (to skip building unwanted details). */
  emitWanted(kind: string, details: EventDetails): void {
    // The caller's literal is its own: tagged in place rather than copied.
    details['section'] = this.name;
    details['local'] = this.localName;
    this.env.events.emit(kind, details);
  }

  /** `emitWanted` for deferred details: rendered here only when the receiver takes no deferred ones. */
  emitDeferred(kind: TraceName, details: DeferredDetails): void {
    const events = this.env.events;
    if (events.emitDeferred === undefined) {
      this.emitWanted(kind.text, details.render());
      return;
    }
    details.section = this.traceName;
    details.local = this.localTraceName;
    events.emitDeferred(kind, details);
  }


  resyncState(): number {
    return this.flags & PEERS_RESYNC_STATEMASK;
  }

  resyncFinished(): boolean {
    return this.resyncState() === PEERS_RESYNC_FINISHED;
  }

  peerNames(): string[] {
    return this.peers.map((p) => p.name);
  }

  findPeer(name: string): Peer | undefined {
    return this.peers.find((p) => p.name === name);
  }

  renderKey(table: StickTable, key: StoredKey): string {
    return renderKey(table.spec.keyType, key);
  }

  /** Values for the trace: field name → number / string / [age, curr, prev]. */
  renderValues(table: StickTable, values: readonly WireValue[]): Record<string, unknown> {
    return renderFields(storedNames(table.layout.stored).names, values);
  }

  renderReceived(fields: readonly LayoutField[], values: readonly WireValue[]): Record<string, unknown> {
    return renderFields(receivedNames(fields).names, values);
  }

  /** An incoming hello for a peer that already has a session (§4.2.2 step 4). */
  collide(peer: Peer): void {
    peer.reconnectTick = backoffTick(this);
    this.forceShutdown(peer);
    peer.heartbeatTick = TICK_ETERNITY;
    peer.coll++;
    this.marks.mark('peers.collision');
    this.emit('collision', { peer: peer.name, reconnectInMs: tickRemain(this.now(), peer.reconnectTick) });
  }

  /** `peer_session_forceshutdown`: a session still in CONNECT is left alone. */
  forceShutdown(peer: Peer): void {
    const session = peer.session;
    if (session === undefined || session.st0 === PEER_SESS_ST_CONNECT) return;
    this.deinit(peer);
    session.shutdown();
  }

  /** `__peer_session_deinit`. */
  deinit(peer: Peer): void {
    if (peer.session === undefined) return;
    peer.dictTx.clear();
    peer.dictRx.clear();
    peer.remoteTable = undefined;
    peer.lastLocalTable = undefined;
    peer.session = undefined;
    if (peer.hasFlag(PEER_F_LEARN_ASSIGN)) {
      peer.clearFlag(PEER_F_LEARN_ASSIGN);
      this.clearFlag(PEERS_F_RESYNC_ASSIGN | PEERS_F_RESYNC_PROCESS);
      this.setFlag(peer.local ? PEERS_F_RESYNC_LOCALABORT : PEERS_F_RESYNC_REMOTEABORT);
      this.resyncTimeoutTick = tickAdd(this.now(), PEER_RESYNC_TIMEOUT_MS);
      this.emit('resync.abort', { peer: peer.name });
    }
    peer.clearFlag(PEER_TEACH_RESET_MASK | PEER_LEARN_RESET_MASK);
    this.wakeSync();
  }

  /** `peer_session_release`. */
  /** An outgoing session ended while connecting: its stream goes on alone (orphan-stream.ts). */
  adoptOrphan(start: OrphanStart): void {
    if (this.stopped) {
      start.stream?.close();
      return;
    }
    const orphan = new OrphanStream(this, start);
    if (!orphan.isDone) this.orphans.add(orphan);
  }

  releaseOrphan(orphan: OrphanStream): void {
    this.orphans.delete(orphan);
  }

  releaseSession(session: PeerSession): void {
    this.sessions.delete(session);
    const peer = session.peer;
    if (peer === undefined) return;
    if (peer.session === session) this.deinit(peer);
    peer.clearFlag(PEER_F_ALIVE);
    this.emit('session.end', { peer: peer.name, session: session.id });
    this.checkInvariants();
  }

  /** Cursors at session start (§4.9.4), common to both roles. */
  private initCursors(peer: Peer): void {
    peer.heartbeatTick = tickAdd(this.now(), PEER_HEARTBEAT_TIMEOUT_MS);
    for (const pt of peer.tables) {
      pt.lastGet = pt.lastAcked = 0;
      const updates = pt.shared.updates;
      // PLANTED BUG 'forget-ack' (testing aid, planted-bug.ts): a reconnect forgets the ACK cursor.
      if (this.plantedBug === 'forget-ack' && pt.update !== 0) pt.update = updates.localUpdate;
      // PLANTED BUG 'ack-rewind' (testing aid, planted-bug.ts): a reconnect resumes from the start.
      if (this.plantedBug === 'ack-rewind') pt.update = 0;
      if (((updates.localUpdate - pt.update) | 0) < 0) pt.update = (updates.localUpdate + 0x8000_0000) >>> 0;
      pt.teachingOrigin = pt.lastPushed = pt.update;
      pt.flags = 0;
      updates.raiseCommit(pt.lastPushed);
    }
    peer.confirm = 0;
    peer.clearFlag(PEER_TEACH_RESET_MASK | PEER_LEARN_RESET_MASK);
  }

  /** `init_accepted_peer`. */
  initAcceptedPeer(peer: Peer): void {
    peer.statusCode = SC_SUCCESS;
    peer.lastHandshakeTick = this.now();
    this.wakeSync();
    this.initCursors(peer);
    this.awaitSyncTask(peer);
    if (peer.local) {
      if (this.resyncState() === PEERS_RESYNC_FROMLOCAL && !this.hasFlag(PEERS_F_RESYNC_ASSIGN)) {
        peer.setFlag(PEER_F_LEARN_ASSIGN);
        this.setFlag(PEERS_F_RESYNC_ASSIGN | PEERS_F_RESYNC_PROCESS | PEERS_F_RESYNC_LOCALASSIGN);
        this.emit('resync.assign', { peer: peer.name, from: 'local' });
      }
    } else if (this.resyncState() === PEERS_RESYNC_FROMREMOTE && !this.hasFlag(PEERS_F_RESYNC_ASSIGN)) {
      this.assignTeacher(peer);
    }
  }

  /** `init_connected_peer`. */
  initConnectedPeer(peer: Peer): void {
    this.initCursors(peer);
    this.awaitSyncTask(peer);
    if (peer.local) {
      peer.setFlag(PEER_F_TEACH_PROCESS);
    } else if (this.resyncState() === PEERS_RESYNC_FROMREMOTE && !this.hasFlag(PEERS_F_RESYNC_ASSIGN)) {
      this.assignTeacher(peer);
    }
  }

  /**
   * 3.x: the session stays put until the sync task has run (3.0's accept and connect both end in
   * `init_connected_peer`, which wakes the sync task and sets PEER_F_WAIT_SYNCTASK_ACK).
   */
  private awaitSyncTask(peer: Peer): void {
    if (!this.sessionWaitsForSyncTask) return;
    peer.waitsForSyncTask = true;
    this.wakeSync();
  }

  /**
   * The sync task's acknowledgement (`sync_peer_app_state`, STARTING → RUNNING): the session may go
   * on. Its run comes in this pass, or (3.2, `taskRunsOncePerPass`) in the next one when the session
   * already ran in this pass. The engine knows passes only by the millisecond: a session that ran at
   * this tick is taken to have run in this sync task's pass (the sync task ran at once, without a
   * host's task wake delay in between).
   */
  private ackWaitingSessions(): void {
    if (!this.sessionWaitsForSyncTask) return;
    for (const peer of this.peers) {
      if (!peer.waitsForSyncTask) continue;
      peer.waitsForSyncTask = false;
      const session = peer.session;
      if (session === undefined) continue;
      if (this.taskRunsOncePerPass && session.ranAt(this.now())) session.wakeNextPass();
      else session.wake();
    }
  }

  private assignTeacher(peer: Peer): void {
    peer.setFlag(PEER_F_LEARN_ASSIGN);
    this.setFlag(PEERS_F_RESYNC_ASSIGN | PEERS_F_RESYNC_REMOTEASSIGN);
    this.emit('resync.assign', { peer: peer.name, from: 'remote' });
  }

  // --- the sync task -------------------------------------------------------------------------------

  /** `task_wakeup(peers->sync_task)`. */
  wakeSync(): void {
    if (this.stopped) return;
    // The sync task is a task: woken, it runs at the host's next scheduler pass (Env.taskWake).
    const taskWake = this.env.taskWake;
    if (taskWake === undefined) this.syncWake.wake();
    else this.syncWake.wakeVia((fire) => taskWake.schedule(fire));
  }

  private scheduleSync(expire: Tick): void {
    this.syncExpire.cancel();
    if (!tickIsSet(expire)) return;
    // At least 1 ms: a task whose expiry is now runs at the next millisecond, not in a loop.
    const delayMs = Math.max(1, tickRemain(this.now(), expire));
    this.syncExpire.wake(delayMs);
  }

  /** `process_peer_sync`. */
  processSync(): void {
    if (this.stopped) return;
    this.taskCalls++;
    this.ackWaitingSessions();
    const expire = this.stopping ? this.syncStopping() : this.syncRunning();
    this.scheduleSync(expire);
    this.checkInvariants();
  }

  private syncRunning(): Tick {
    const now = this.now();
    let expire: Tick = TICK_ETERNITY;
    if (this.resyncTimeoutTick === TICK_ETERNITY) this.resyncTimeoutTick = tickAdd(now, PEER_RESYNC_TIMEOUT_MS);
    if (
      this.resyncState() === PEERS_RESYNC_FROMLOCAL &&
      (!this.hasOldProcess || tickIsExpired(this.resyncTimeoutTick, now)) &&
      !this.hasFlag(PEERS_F_RESYNC_ASSIGN)
    ) {
      this.setFlag(PEERS_F_RESYNC_LOCAL | PEERS_F_RESYNC_LOCALTIMEOUT);
      this.resyncTimeoutTick = tickAdd(now, PEER_RESYNC_TIMEOUT_MS);
      this.emit('resync.state', { state: 'FROM_REMOTE' });
    }
    for (const peer of this.peers) {
      if (peer.local) continue;
      expire = this.syncPeer(peer, now, expire);
    }
    if (
      this.resyncState() === PEERS_RESYNC_FROMREMOTE &&
      !this.hasFlag(PEERS_F_RESYNC_ASSIGN) &&
      (tickIsExpired(this.resyncTimeoutTick, now) || this.noRemoteEndsResync)
    ) {
      this.setFlag(PEERS_F_RESYNC_REMOTE | PEERS_F_RESYNC_REMOTETIMEOUT);
      this.emit('resync.state', { state: 'FINISHED', how: 'timeout' });
    }
    if (!this.resyncFinished() && !tickIsExpired(this.resyncTimeoutTick, now)) {
      expire = tickFirst(expire, this.resyncTimeoutTick);
    }
    return expire;
  }

  /**
   * One remote peer in a running sync task. Takes the task's expiry as the peers before this one
   * left it and returns it as this one leaves it, as `process_peer_sync` does with `task->expire`:
   * a peer without a session adds its reconnect tick to it, but a peer in message mode sets it to
   * its own reconnect or heartbeat tick, dropping what the peers before it in the list asked for
   * (2.6.12 through 3.x). A peer whose reconnect is so dropped is looked at again only when
   * something else runs the task: its session's events, a local update, or the heartbeat or
   * reconnect tick of a later peer in the list (lab 02's startup: a pair re-made ~3 s after
   * another pair's session came up, at that session's first heartbeat; scripts/exp-startup.ts).
   */
  private syncPeer(peer: Peer, now: Tick, expire: Tick): Tick {
    const session = peer.session;
    if (session === undefined) {
      const retryable = peer.statusCode === SC_CONNECT || peer.statusCode === SC_SUCCESS || peer.statusCode === SC_CONNECTED;
      if (peer.statusCode === SC_NONE || (retryable && tickIsExpired(peer.reconnectTick, now))) {
        this.createSession(peer);
        return expire;
      }
      if (!tickIsExpired(peer.reconnectTick, now)) return tickFirst(expire, peer.reconnectTick);
      return expire;
    }
    if (peer.statusCode !== SC_SUCCESS) return expire;
    if (this.resyncState() === PEERS_RESYNC_FROMREMOTE && !this.hasFlag(PEERS_F_RESYNC_ASSIGN) && !peer.hasFlag(PEER_F_LEARN_NOTUP2DATE)) {
      this.assignTeacher(peer);
      session.wake();
      return expire;
    }
    for (const pt of peer.tables) {
      if (pt.lastPushed !== pt.shared.updates.localUpdate) {
        peer.clearFlag(PEER_F_HEARTBEAT);
        peer.heartbeatTick = tickAdd(now, PEER_HEARTBEAT_TIMEOUT_MS);
        // 3.x (cebeab3d2): an expired reconnect tick is re-armed here; 2.6 leaves it expired.
        if (this.reconnectRefreshedWhilePushing && tickIsExpired(peer.reconnectTick, now)) {
          peer.reconnectTick = tickAdd(now, PEER_RECONNECT_TIMEOUT_MS);
        }
        session.wake();
        return tickFirst(peer.reconnectTick, peer.heartbeatTick);
      }
    }
    if (tickIsExpired(peer.reconnectTick, now)) {
      if (peer.hasFlag(PEER_F_ALIVE)) {
        peer.clearFlag(PEER_F_ALIVE);
        peer.reconnectTick = tickAdd(now, PEER_RECONNECT_TIMEOUT_MS);
      } else {
        peer.reconnectTick = backoffTick(this);
        peer.heartbeatTick = TICK_ETERNITY;
        this.forceShutdown(peer);
        peer.noHbt++;
        this.marks.mark('peers.dead-peer');
        this.emit('peer.dead', { peer: peer.name });
      }
    } else if (tickIsExpired(peer.heartbeatTick, now)) {
      peer.heartbeatTick = tickAdd(now, PEER_HEARTBEAT_TIMEOUT_MS);
      peer.setFlag(PEER_F_HEARTBEAT);
      session.wake();
    }
    return tickFirst(peer.reconnectTick, peer.heartbeatTick);
  }

  /** `peer_session_create`. */
  private createSession(peer: Peer): void {
    peer.newConn++;
    peer.reconnectTick = tickAdd(this.now(), this.stopping ? PEER_LOCAL_RECONNECT_TIMEOUT_MS : PEER_RECONNECT_TIMEOUT_MS);
    peer.heartbeatTick = TICK_ETERNITY;
    peer.statusCode = SC_CONNECT;
    peer.lastHandshakeTick = this.now();
    const session = PeerSession.connect(this, peer);
    peer.session = session;
    this.sessions.add(session);
  }

  /** The soft-stop branch of `process_peer_sync` (2.6.12). */
  private syncStopping(): Tick {
    const now = this.now();
    let expire: Tick = TICK_ETERNITY;
    if (this.signalPending) {
      this.signalPending = false;
      if (!this.hasFlag(PEERS_F_DONOTSTOP)) {
        this.setFlag(PEERS_F_DONOTSTOP);
        for (const peer of this.peers) {
          peer.reconnectTick = backoffTick(this);
          if (peer.session !== undefined) this.forceShutdown(peer);
        }
        this.resyncTimeoutTick = tickAdd(now, PEER_RESYNC_TIMEOUT_MS);
        this.local.reconnectTick = now;
      }
    }
    const ps = this.local;
    if (ps.hasFlag(PEER_F_TEACH_COMPLETE)) {
      if (this.hasFlag(PEERS_F_DONOTSTOP)) this.mayExit('taught');
    } else if (ps.session === undefined) {
      if (!tickIsSet(this.resyncTimeoutTick)) this.resyncTimeoutTick = tickAdd(now, PEER_RESYNC_TIMEOUT_MS);
      const statusOk =
        ps.statusCode === SC_NONE || ps.statusCode === SC_SUCCESS || ps.statusCode === SC_CONNECTED || ps.statusCode === SC_TRY_AGAIN;
      if (this.resyncFinished() && !tickIsExpired(this.resyncTimeoutTick, now) && statusOk) {
        if (!tickIsExpired(ps.reconnectTick, now)) expire = tickFirst(expire, ps.reconnectTick);
        else if (this.hasFlag(PEERS_F_DONOTSTOP)) this.createSession(ps);
      } else if (this.hasFlag(PEERS_F_DONOTSTOP)) {
        this.mayExit('cannot-teach');
      }
    } else if (ps.statusCode === SC_SUCCESS) {
      this.resyncTimeoutTick = TICK_ETERNITY;
      for (const pt of ps.tables) {
        if (pt.lastPushed !== pt.shared.updates.localUpdate) {
          ps.session?.wake();
          break;
        }
      }
    }
    return expire;
  }

  private mayExit(reason: string): void {
    this.clearFlag(PEERS_F_DONOTSTOP);
    this.emit('section.may-exit', { reason });
    this.onMayExit?.();
  }

  /**
   * What must hold across the section, its peers and its sessions after every wake-up (the sync
   * task's, a session's, a release): the learner's state is one of its three (§4.10.1); a resync
   * request is only in flight to an assigned teacher; at most one peer holds the assignment
   * (PEER_F_LEARN_ASSIGN) and it does exactly when the section's PEERS_F_RESYNC_ASSIGN is set; the
   * local peer teaches only FROM_LOCAL, a remote one only FROM_REMOTE; each peer's own invariants
   * (peer.ts); a session still listed has not ended. Integer compares, bounded by the peers and
   * sessions; a message is built only when one fails.
   */
  checkInvariants(): void {
    this.checkFlags();
    const state = this.flags & PEERS_RESYNC_STATEMASK;
    const assigned = this.hasFlag(PEERS_F_RESYNC_ASSIGN);
    let teachers = 0;
    for (const peer of this.peers) {
      peer.checkInvariants();
      if (!peer.hasFlag(PEER_F_LEARN_ASSIGN)) continue;
      teachers++;
      const expected = peer.local ? PEERS_RESYNC_FROMLOCAL : PEERS_RESYNC_FROMREMOTE;
      if (state !== expected) fail(`section ${this.name}: peer ${peer.name} teaches it while its resync state is ${this.resyncStateName()}`);
    }
    if (teachers !== (assigned ? 1 : 0)) {
      fail(`section ${this.name}: ${teachers} peers hold the resync assignment while RESYNC_ASSIGN is ${assigned ? 'set' : 'clear'}`);
    }
    for (const session of this.sessions) if (session.isEnded) fail(`section ${this.name}: session ${session.id} was released when it ended`);
    if (this.stopped && this.orphans.size > 0) fail(`section ${this.name}: ${this.orphans.size} orphan streams outlive the process`);
    for (const orphan of this.orphans) if (orphan.isDone) fail(`section ${this.name}: an orphan stream was released when it ended`);
  }

  /** The section's own flags, alone (O(1), after every session wake-up). */
  checkFlags(): void {
    const state = this.flags & PEERS_RESYNC_STATEMASK;
    if (state === PEERS_F_RESYNC_REMOTE) fail(`section ${this.name}: resync state FROM_LOCAL, FROM_REMOTE or FINISHED (flags 0x${this.flags.toString(16)})`);
    if (this.hasFlag(PEERS_F_RESYNC_PROCESS) && !this.hasFlag(PEERS_F_RESYNC_ASSIGN)) fail(`section ${this.name}: RESYNC_PROCESS only while RESYNC_ASSIGN (flags 0x${this.flags.toString(16)})`);
  }

  /** For tests and reports: the learner's state as a word. */
  resyncStateName(): 'FROM_LOCAL' | 'FROM_REMOTE' | 'FINISHED' {
    const state = this.resyncState();
    if (state === PEERS_RESYNC_FINISHED) return 'FINISHED';
    if (state === PEERS_RESYNC_FROMREMOTE) return 'FROM_REMOTE';
    return 'FROM_LOCAL';
  }
}
