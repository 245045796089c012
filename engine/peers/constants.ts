/**
 * Timers, status codes and flag bits of the peers protocol as HAProxy 2.6.12 defines them
 * (spec §4.2.3, §4.11, §7.4, §8). Flag values are HAProxy's own so `show peers` prints them as is.
 */

export const PEER_RESYNC_TIMEOUT_MS = 5000;
export const PEER_RECONNECT_TIMEOUT_MS = 5000;
/** Reconnect period of the old process toward the new one while soft-stopping (2.6.x). */
export const PEER_LOCAL_RECONNECT_TIMEOUT_MS = 500;
export const PEER_HEARTBEAT_TIMEOUT_MS = 3000;
/** Back-off after a collision, a dead peer or a soft stop: 50 + rand() % 2000 ms. */
export const PEER_BACKOFF_MIN_MS = 50;
export const PEER_BACKOFF_RANGE_MS = 2000;
/** `tune.peers.max-updates-at-once` default (2.6.12+). */
export const PEER_MAX_UPDATES_AT_ONCE = 200;

/** Peers proxy (`peers_setup_frontend`, 2.6.12): connect timeout. */
export const PEERS_CONNECT_TIMEOUT_MS = 1000;
/** Peers proxy client and server timeouts (stream inactivity). */
export const PEERS_STREAM_TIMEOUT_MS = 5000;
/** `conn_retries` of the peers proxy (CONN_RETRIES). */
export const PEERS_CONN_RETRIES = 3;
/** Turn-around before retrying a connect that failed quickly: min(1 s, timeout connect). */
export const PEERS_CONNECT_TURNAROUND_MS = 1000;

/** `statuscode` values (§4.2.3). */
export const SC_NONE = 0;
export const SC_CONNECT = 100;
export const SC_CONNECTED = 110;
export const SC_SUCCESS = 200;
export const SC_TRY_AGAIN = 300;
export const SC_PROTO_ERROR = 501;
export const SC_BAD_VERSION = 502;
export const SC_WRONG_NAME = 503;
export const SC_UNKNOWN_PEER = 504;

export function statusLabel(code: number): string {
  switch (code) {
    case SC_CONNECT:
      return 'CONN';
    case SC_CONNECTED:
      return 'HSHK';
    case SC_SUCCESS:
      return 'ESTA';
    case SC_TRY_AGAIN:
      return 'RETR';
    case SC_PROTO_ERROR:
      return 'PROT';
    case SC_BAD_VERSION:
      return 'VERS';
    case SC_WRONG_NAME:
      return 'NAME';
    case SC_UNKNOWN_PEER:
      return 'UNKN';
    default:
      return 'NONE';
  }
}

// Section flags (`peers->flags`, 2.6).
export const PEERS_F_RESYNC_LOCAL = 0x1;
export const PEERS_F_RESYNC_REMOTE = 0x2;
export const PEERS_F_RESYNC_ASSIGN = 0x4;
export const PEERS_F_RESYNC_PROCESS = 0x8;
export const PEERS_F_RESYNC_LOCALTIMEOUT = 0x10;
export const PEERS_F_RESYNC_REMOTETIMEOUT = 0x20;
export const PEERS_F_RESYNC_LOCALABORT = 0x40;
export const PEERS_F_RESYNC_REMOTEABORT = 0x80;
export const PEERS_F_RESYNC_LOCALFINISHED = 0x100;
export const PEERS_F_RESYNC_REMOTEFINISHED = 0x200;
export const PEERS_F_RESYNC_LOCALPARTIAL = 0x400;
export const PEERS_F_RESYNC_REMOTEPARTIAL = 0x800;
export const PEERS_F_RESYNC_LOCALASSIGN = 0x1000;
export const PEERS_F_RESYNC_REMOTEASSIGN = 0x2000;
export const PEERS_F_RESYNC_REQUESTED = 0x4000;
export const PEERS_F_DONOTSTOP = 0x10000;
export const PEERS_RESYNC_STATEMASK = PEERS_F_RESYNC_LOCAL | PEERS_F_RESYNC_REMOTE;
export const PEERS_RESYNC_FROMLOCAL = 0;
export const PEERS_RESYNC_FROMREMOTE = PEERS_F_RESYNC_LOCAL;
export const PEERS_RESYNC_FINISHED = PEERS_F_RESYNC_LOCAL | PEERS_F_RESYNC_REMOTE;

// Peer flags (`peer->flags`, 2.6); unsigned values, combine with `>>> 0`.
export const PEER_F_TEACH_PROCESS = 0x1;
export const PEER_F_TEACH_FINISHED = 0x8;
export const PEER_F_TEACH_COMPLETE = 0x10;
export const PEER_F_LEARN_ASSIGN = 0x100;
export const PEER_F_LEARN_NOTUP2DATE = 0x200;
export const PEER_F_ALIVE = 0x20000000;
export const PEER_F_HEARTBEAT = 0x40000000;
export const PEER_F_DWNGRD = 0x80000000;
export const PEER_TEACH_RESET_MASK = PEER_F_TEACH_PROCESS | PEER_F_TEACH_FINISHED;
export const PEER_LEARN_RESET_MASK = PEER_F_LEARN_ASSIGN | PEER_F_LEARN_NOTUP2DATE;

// Shared table flags.
export const SHTABLE_F_TEACH_STAGE1 = 0x1;
export const SHTABLE_F_TEACH_STAGE2 = 0x2;

/** Applet states (`appctx->st0`, HAProxy's `PEER_SESS_ST_*`), numbered as `show peers` prints them. */
export const PEER_SESS_ST_ACCEPT = 0;
export const PEER_SESS_ST_GETVERSION = 1;
export const PEER_SESS_ST_GETHOST = 2;
export const PEER_SESS_ST_GETPEER = 3;
export const PEER_SESS_ST_SENDSUCCESS = 4;
export const PEER_SESS_ST_CONNECT = 5;
export const PEER_SESS_ST_GETSTATUS = 6;
export const PEER_SESS_ST_WAITMSG = 7;
export const PEER_SESS_ST_EXIT = 8;
export const PEER_SESS_ST_ERRPROTO = 9;
export const PEER_SESS_ST_ERRSIZE = 10;
export const PEER_SESS_ST_END = 11;
/** The last applet state: a session's `st0` lies in [PEER_SESS_ST_ACCEPT, PEER_SESS_ST_END]. */
export const PEER_SESS_ST_MAX = PEER_SESS_ST_END;
