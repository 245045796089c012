/**
 * What differs between the HAProxy release lines sticksim models, one field per concern
 * (docs/haproxy-versions.md has the measurements and source commits behind each). The engine is
 * handed one profile (process, tables, runtime API, peers section) and consults it where a line
 * behaves differently; nothing else in the engine tests a version.
 */
import { assert } from '../../lib/assert.ts';

export const HAPROXY_VERSIONS = ['2.6', '3.0', '3.2'] as const;
export type HaproxyVersion = (typeof HAPROXY_VERSIONS)[number];
export const HAPROXY_VERSION_DEFAULT: HaproxyVersion = '2.6';

/** How a full table makes room (docs E2/E3). */
export type EvictionRule =
  /** 2.6: one expiry tree, up to `(size>>8)+1` oldest entries. */
  | { readonly kind: 'oldest' }
  /**
   * 3.x: buckets scanned from 0 (each from its oldest entry, at most ceil(batch/buckets) per
   * bucket), the batch `(size>>8)+1` capped at `batchMax` or, with `batchFixed`, always `batchMax`.
   */
  | { readonly kind: 'per-bucket'; readonly batchMax: number; readonly batchFixed: boolean };

export interface VersionProfile {
  readonly version: HaproxyVersion;
  /** The release measured for this line (what `haproxy -v` of the referee says). */
  readonly release: string;
  /**
   * Hash buckets of a table (`CONFIG_HAP_TBL_BUCKETS` of Debian's build); 0 = one tree (2.6).
   * A dump walks bucket by bucket; each entry line carries ` shard=N` (R1, R2, E1).
   */
  readonly tableBuckets: number;
  readonly eviction: EvictionRule;
  /**
   * Runtime-API key parsing (R3, R4): 'lax' is 2.6's (`inetaddr_host`, strtoul with a range
   * check); 'sample-cast' parses the key as a sample and casts it to the table's type (3.x).
   */
  readonly cliKeys: 'lax' | 'sample-cast';
  /** `set/show/clear table … key` on a binary table: the entry is looked up/created before the refusal (R5). */
  readonly binaryKeyTouchesEntry: boolean;
  /** …and each such command leaks a reference to it (3.0.11). */
  readonly binaryKeyLeaksRef: boolean;
  /** Usage texts name the `ptr <ptr>` form (R6). */
  readonly usageNamesPtr: boolean;
  /** Highest stick-table data type id the line knows (24 in 2.6; glitch_cnt/glitch_rate 25/26 from 3.0). */
  readonly dataTypeIdMax: number;
  /** `data.gpc[1]` element syntax on the CLI (R9). */
  readonly cliArrayIndex: boolean;
  /** `show peers` peer lines carry `app_state=… learn_state=…` and 3.x flag values (R10, R11). */
  readonly showPeers3x: boolean;
  /** A peers section whose only peer is the local one counts as synced at start (S1, 4b1a7ea66). */
  readonly loneLocalPeerSyncedAtStart: boolean;
  /**
   * A session that just got through its handshake (either role) reads and writes nothing until the
   * sync task has run once and acknowledged it (S4: PEER_F_WAIT_SYNCTASK_ACK, 12014587f/229755d8f,
   * 3.0-dev9). The acceptor's `200` then leaves alone, without its pending updates (S5).
   */
  readonly sessionWaitsForSyncTask: boolean;
  /** The expiry a timed update carries is capped at the receiving table's expire (P6, b02b8453d, in 3.0.11). */
  readonly capReceivedExpire: boolean;
  /**
   * The scheduler runs a task at most once per pass of the poll loop (S11: HAProxy 7d40b3134
   * "MEDIUM: sched: do not run a same task multiple times in series", 3.4-dev8, backported in
   * 3.2.16; not in 3.0.11). A task woken again in the pass it already ran in waits for the next
   * pass, and a pass begins with a poll, so the input that arrived in between is read first. For the
   * peers applet this is S4's hop: the session ran (its handshake woke the sync task), the sync task
   * ran in the same pass and acknowledged it, and the session's next run, the one that treats its
   * input and pushes, is one pass later. Without it (2.6, 3.0) that run comes in the same pass, with
   * no poll before it (3.2.26 calls epoll_wait(0) between the two runs, 3.0.11 never:
   * scripts/exp-swap-passes.sh, test/fixtures/versions/swap-capture/passes.txt).
   */
  readonly taskRunsOncePerPass: boolean;
  /**
   * An entry created by a peer update is queued for expiry at the expiry the update carries, so an
   * entry learned in a full resync is deleted on time (S6, 8f06c8fda, measured in 3.2.26); before,
   * it is queued at now + table expire and outlives its `exp` (2.6, 3.0).
   */
  readonly learnedEntryQueuedAtItsExpire: boolean;
  /**
   * An accepted peer stream that already holds received bytes (the initiator's hello) when it is
   * first processed keeps no read timeout for its whole life: that first pass stops reading with
   * the read expiry unset, consuming the bytes does not set it again, and later reads only move
   * an expiry that is set (2.6 stconn.c, issue 14: `show sess all` shows rex=<NEVER> on such a
   * session). The session then ends on a silent link only by the dead-peer path. 3.x: false
   * (scripts/exp-silent-cut.ts --hello with-connect: 16 of 20 trials late on 2.6.12, 0 of 8 on
   * 3.0.11 and on 3.2.26; that the hello did wait at accept there is assumed, not seen).
   */
  readonly acceptedInputDropsReadTimeout: boolean;
  /**
   * A peer session shut down while its outgoing connect is still under way (`peer_session_forceshutdown`
   * after a collision, before the connect completed) takes the connect with it: the applet's end
   * shuts both sides of its stream connector, and the back-end connect handler drops the attempt as
   * a client abort (2.6 `PEER_SESS_ST_END`: sc_shutw + sc_shutr; `back_handle_st_con` tests the
   * response channel's CF_SHUTW). 3.x: false, the applet's end only flags end of input
   * (SE_FL_EOS|SE_FL_EOI, v3.0.0 and v3.2.0 src/peers.c), and the abort test (front SHUT_DONE, or
   * shut wanted with nothing left to send) fails while the hello waits in the request channel: the
   * stream goes on connecting and delivers the hello once the link is back, and the other side,
   * taking it as a new session, kills its live one (issue 13: the second reconnection, roles
   * reversed, ~1 s after a split-brain heal; scripts/exp-heal-reconnect.ts, lab/v3 04).
   */
  readonly sessionEndAbortsConnect: boolean;
  /**
   * When the sync task finds updates to push to a connected peer and that peer's reconnect timer
   * has expired, it re-arms the timer 5 s ahead (HAProxy cebeab3d2, 2.9-dev8, in v3.0.0 and v3.2.0
   * src/peers.c process_peer_sync). The ALIVE check (PEER_F_ALIVE cleared, or the session shut
   * down as a dead peer) then waits for that new expiry, with the flag left as it was. Without it
   * (2.6.12, released before the fix) the expired tick stays and becomes the task's expiry: the task
   * runs again at once, every millisecond while the push lasts, and the first run that finds nothing
   * to push does the ALIVE check.
   */
  readonly reconnectRefreshedWhilePushing: boolean;
}

const PROFILE_2_6: VersionProfile = Object.freeze({
  version: '2.6',
  release: '2.6.12',
  tableBuckets: 0,
  eviction: Object.freeze({ kind: 'oldest' }),
  cliKeys: 'lax',
  binaryKeyTouchesEntry: false,
  binaryKeyLeaksRef: false,
  usageNamesPtr: false,
  dataTypeIdMax: 24,
  cliArrayIndex: false,
  showPeers3x: false,
  loneLocalPeerSyncedAtStart: false,
  sessionWaitsForSyncTask: false,
  taskRunsOncePerPass: false,
  capReceivedExpire: false,
  learnedEntryQueuedAtItsExpire: false,
  acceptedInputDropsReadTimeout: true,
  sessionEndAbortsConnect: true,
  reconnectRefreshedWhilePushing: false,
});

const PROFILE_3_0: VersionProfile = Object.freeze({
  version: '3.0',
  release: '3.0.11',
  tableBuckets: 32,
  eviction: Object.freeze({ kind: 'per-bucket', batchMax: Number.MAX_SAFE_INTEGER, batchFixed: false }),
  cliKeys: 'sample-cast',
  binaryKeyTouchesEntry: true,
  binaryKeyLeaksRef: true,
  usageNamesPtr: true,
  dataTypeIdMax: 26,
  cliArrayIndex: false,
  showPeers3x: true,
  loneLocalPeerSyncedAtStart: true,
  sessionWaitsForSyncTask: true,
  taskRunsOncePerPass: false,
  capReceivedExpire: true,
  learnedEntryQueuedAtItsExpire: false,
  acceptedInputDropsReadTimeout: false,
  sessionEndAbortsConnect: false,
  reconnectRefreshedWhilePushing: true,
});

const PROFILE_3_2: VersionProfile = Object.freeze({
  ...PROFILE_3_0,
  version: '3.2',
  release: '3.2.26',
  tableBuckets: 64,
  // STKTABLE_MAX_UPDATES_AT_ONCE; 3.2.26 behaves as f87cf8b76 (always that many), measured D3/D4.
  eviction: Object.freeze({ kind: 'per-bucket', batchMax: 100, batchFixed: true }),
  binaryKeyLeaksRef: false,
  cliArrayIndex: true,
  learnedEntryQueuedAtItsExpire: true,
  // 3.2.16 took the scheduler's single-run rule (S11).
  taskRunsOncePerPass: true,
});

const PROFILES: Readonly<Record<HaproxyVersion, VersionProfile>> = Object.freeze({
  '2.6': PROFILE_2_6,
  '3.0': PROFILE_3_0,
  '3.2': PROFILE_3_2,
});

export function profileFor(version: HaproxyVersion = HAPROXY_VERSION_DEFAULT): VersionProfile {
  const profile = PROFILES[version];
  assert(profile !== undefined, `known HAProxy version ${String(version)}`);
  return profile;
}

export function isHaproxyVersion(text: string): text is HaproxyVersion {
  return (HAPROXY_VERSIONS as readonly string[]).includes(text);
}

/** Parses a `--haproxy` value; a one-line error names the accepted values. */
export function parseHaproxyVersion(text: string): { ok: true; version: HaproxyVersion } | { ok: false; error: string } {
  if (isHaproxyVersion(text)) return { ok: true, version: text };
  return { ok: false, error: `--haproxy: unknown version '${text}' (expected one of ${HAPROXY_VERSIONS.join(', ')})` };
}
