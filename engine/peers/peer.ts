/**
 * `struct peer`: one member of a peers section as this process sees it — its address, its last
 * status, timers, counters and flags, the session currently attached to it, and its per-table
 * cursors. The session logic lives in session.ts, the sync task in section.ts.
 */
import type { Tick } from '../ticks.ts';
import { DictRxCache, DictTxCache } from './dict-cache.ts';
import { PeerTable, type SharedTable } from './shared-table.ts';
import type { PeerSession } from './session.ts';
import { FlagWord } from './flags.ts';

export interface PeerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** Its flags word holds PEER_F_* (uint32). */
export class Peer extends FlagWord {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly local: boolean;
  /** `peer->appctx`: the session attached to this peer, if any. */
  session: PeerSession | undefined;
  statusCode = 0;
  /** 0 = never. */
  lastHandshakeTick: Tick = 0;
  reconnectTick: Tick = 0;
  heartbeatTick: Tick = 0;
  /** CONFIRMs owed (one per FINISHED/PARTIAL received). */
  confirm = 0;
  txHbt = 0;
  rxHbt = 0;
  noHbt = 0;
  newConn = 0;
  protoErr = 0;
  coll = 0;
  /** Per table cursors, in HAProxy's list order (the most recently registered table first). */
  readonly tables: PeerTable[] = [];
  remoteTable: PeerTable | undefined;
  lastLocalTable: PeerTable | undefined;
  readonly dictTx = new DictTxCache();
  readonly dictRx = new DictRxCache();

  constructor(config: PeerConfig, options: { local: boolean }) {
    super();
    this.name = config.name;
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
}
