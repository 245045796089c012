/**
 * `struct peer`: one member of a peers section as this process sees it — its address, its last
 * status, timers, counters and flags, the session currently attached to it, and its per-table
 * cursors. The session logic lives in session.ts, the sync task in section.ts.
 */
import { fail } from '../../lib/assert.ts';
import { TICK_ETERNITY, type Tick } from '../ticks.ts';
import { TraceName } from '../env.ts';
import { DictRxCache, DictTxCache } from './dict-cache.ts';
import { PeerTable, type SharedTable } from './shared-table.ts';
import type { PeerSession } from './session.ts';
import { FlagWord } from './flags.ts';
import {
  PEER_F_TEACH_FINISHED,
  PEER_F_TEACH_PROCESS,
  PEER_LEARN_RESET_MASK,
  PEER_SESS_ST_WAITMSG,
  PEER_TEACH_RESET_MASK,
  SHTABLE_F_TEACH_STAGE1,
  SHTABLE_F_TEACH_STAGE2,
} from './constants.ts';

const TEACH_STAGES = SHTABLE_F_TEACH_STAGE1 | SHTABLE_F_TEACH_STAGE2;

export interface PeerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** Its flags word holds PEER_F_* (uint32). */
export class Peer extends FlagWord {
  readonly name: string;
  /** `name` as the trace's deferred events carry it (engine/env.ts TraceName). */
  readonly traceName: TraceName;
  readonly address: string;
  readonly port: number;
  readonly local: boolean;
  /** `peer->appctx`: the session attached to this peer, if any. */
  session: PeerSession | undefined;
  statusCode = 0;
  /** 0 = never. */
  lastHandshakeTick: Tick = TICK_ETERNITY;
  reconnectTick: Tick = TICK_ETERNITY;
  heartbeatTick: Tick = TICK_ETERNITY;
  /** CONFIRMs owed (one per FINISHED/PARTIAL received). */
  confirm = 0;
  txHbt = 0;
  rxHbt = 0;
  noHbt = 0;
  newConn = 0;
  protoErr = 0;
  coll = 0;
  /**
   * 3.x (profile `sessionWaitsForSyncTask`): the session got through its handshake and waits for
   * the sync task to acknowledge it before it reads or writes (PEER_F_WAIT_SYNCTASK_ACK, S4).
   */
  waitsForSyncTask = false;
  /** Per table cursors, in HAProxy's list order (the most recently registered table first). */
  readonly tables: PeerTable[] = [];
  remoteTable: PeerTable | undefined;
  lastLocalTable: PeerTable | undefined;
  readonly dictTx = new DictTxCache();
  readonly dictRx = new DictRxCache();

  constructor(config: PeerConfig, options: { local: boolean }) {
    super();
    this.name = config.name;
    this.traceName = new TraceName(config.name);
    this.address = config.address;
    this.port = config.port;
    this.local = options.local;
  }

  registerTable(shared: SharedTable): void {
    this.tables.unshift(new PeerTable(shared));
  }

  tableByLocalId(localId: number): PeerTable | undefined {
    return this.tables.find((t) => t.localId === localId);
  }

  /**
   * What must hold between this peer's flags, its session and its per-table cursors after every
   * wake-up (PeersSection.checkInvariants calls it for each peer). Integer compares only; a
   * message is built only when one fails.
   *
   * The ACK id (`update`) is not held to an order: it comes from the wire, and neither HAProxy nor
   * sticksim checks what a peer acknowledges (§4.6.4). The incremental pusher's lower bound is the
   * resume point taken from it instead, `teaching_origin` (§4.9.4, §4.10.2).
   */
  checkInvariants(): void {
    const flags = this.flags;
    const session = this.session;
    if (session === undefined) {
      // __peer_session_deinit clears the teach and learn state with the session (§4.10).
      if ((flags & (PEER_TEACH_RESET_MASK | PEER_LEARN_RESET_MASK)) !== 0) {
        fail(`peer ${this.name}: without a session it neither teaches nor learns (flags 0x${flags.toString(16)})`);
      }
    } else {
      if (session.peer !== this) fail(`peer ${this.name}: its session ${session.id} is attached to it`);
      if (session.isEnded) fail(`peer ${this.name}: its session ${session.id} has not ended`);
    }
    const teaching = (flags & PEER_F_TEACH_PROCESS) !== 0;
    const taught = (flags & PEER_F_TEACH_FINISHED) !== 0;
    if (taught && !teaching) fail(`peer ${this.name}: TEACH_FINISHED only while TEACH_PROCESS (flags 0x${flags.toString(16)})`);
    // Message mode on the peer's own session: the cursors were set by init_*_peer (§4.9.4).
    const pushing = session !== undefined && session.st0 === PEER_SESS_ST_WAITMSG && !teaching;
    for (const pt of this.tables) {
      const stages = pt.flags;
      if ((stages & SHTABLE_F_TEACH_STAGE2) !== 0 && (stages & SHTABLE_F_TEACH_STAGE1) === 0) {
        fail(`peer ${this.name} table ${pt.localId}: teach stage 2 only after stage 1`);
      }
      if (taught && stages !== TEACH_STAGES) fail(`peer ${this.name} table ${pt.localId}: FINISHED sent after both teach stages (stages ${stages})`);
      if (pushing && !pt.pushedWithinResumeSpan()) {
        fail(
          `peer ${this.name} table ${pt.localId}: last_pushed ${pt.lastPushed} lies in [teaching_origin ${pt.teachingOrigin}, localupdate ${pt.shared.updates.localUpdate}]`,
        );
      }
    }
  }
}
