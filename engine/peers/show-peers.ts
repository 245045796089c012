/**
 * `show peers [dict|-] [<section>]` in HAProxy 2.6.12's format (spec §7.4, lab exp. 1), or 3.x's
 * (docs/haproxy-versions.md R10/R11: `app_state=`/`learn_state=` on peer lines, flags renumbered
 * as in 3.0's peers-t.h; the engine keeps 2.6's flag words and the dump translates them).
 * Pointers are fake but stable: derived from the section's, peer's and table's positions.
 * The TX dictionary cache is not listed (the codec's DictTxCache does not expose its slots).
 */
import type { CliArgs } from '../runtime-api/cli-args.ts';
import type { RuntimeApi } from '../runtime-api/runtime-api.ts';
import { tickIsExpired, type Tick } from '../ticks.ts';
import { statusLabel } from './constants.ts';
import { DICT_CACHE_SLOTS } from './dict-cache.ts';
import type { Peer } from './peer.ts';
import type { PeersSection } from './section.ts';
import {
  PEER_F_LEARN_ASSIGN,
  PEER_F_LEARN_NOTUP2DATE,
  PEER_F_TEACH_COMPLETE,
  PEER_F_TEACH_FINISHED,
  PEER_F_TEACH_PROCESS,
  PEER_F_ALIVE,
  PEER_F_HEARTBEAT,
  PEER_F_DWNGRD,
  PEER_SESS_ST_WAITMSG,
} from './constants.ts';
import { profileFor, type VersionProfile } from '../version/profile.ts';

const DAY = 86400;
const HOUR = 3600;
const MINUTE = 60;

/** HAProxy's `human_time(ms, 1000)`: at most two units, seconds resolution. */
export function humanTime(ms: number): string {
  const t = Math.floor((ms | 0) / 1000);
  if (t < 0) return '?';
  let out = '';
  let cnt = 2;
  if (t >= DAY) {
    out += `${Math.floor(t / DAY)}d`;
    cnt--;
  }
  if (cnt > 0 && Math.floor((t % DAY) / HOUR) !== 0) {
    out += `${Math.floor((t % DAY) / HOUR)}h`;
    cnt--;
  }
  if (cnt > 0 && Math.floor((t % HOUR) / MINUTE) !== 0) {
    out += `${Math.floor((t % HOUR) / MINUTE)}m`;
    cnt--;
  }
  if ((cnt > 0 && t % MINUTE !== 0) || t === 0) out += `${t % MINUTE}s`;
  return out;
}

/** A timer as `show peers` prints it: `<NEVER>`, `<PAST>` or the time left. */
export function timerText(t: Tick, now: Tick): string {
  if (t === 0) return '<NEVER>';
  if (tickIsExpired(t, now)) return '<PAST>';
  return humanTime((t - now) >>> 0);
}

function hex(n: number | bigint): string {
  return n.toString(16);
}

function pointer(base: number, ...parts: number[]): string {
  let address = base;
  for (const [i, p] of parts.entries()) address += p * [0x1_0000_00, 0x1_0000, 0xb0][i]!;
  return `0x${address.toString(16)}`;
}

const SECTION_BASE = 0x55d0_c000_0000;

export interface ShowPeersOptions {
  /** Every peers section of the process, in configuration order. */
  sections: readonly PeersSection[];
  /** The HAProxy line whose format the dump has (default 2.6). */
  profile?: VersionProfile;
}

/**
 * 3.0 section flags from 2.6's word: the resync state bits (LOCAL/REMOTE finished, ASSIGN) keep
 * their values, RESYNC_PROCESS is gone, and the history bits (timeouts, aborts, finished,
 * partial, assign: 0x10..0x2000) became the DBG bits 0x100000..0x20000000.
 */
function sectionFlags3x(flags26: number): number {
  return ((flags26 & 0x7) | ((flags26 & 0x3ff0) << 16)) >>> 0;
}

/** 3.0 peer flags from 2.6's word (LEARN_ASSIGN became learn_state). */
function peerFlags3x(flags26: number): number {
  let f = 0;
  if (flags26 & PEER_F_TEACH_PROCESS) f |= 0x1;
  if (flags26 & PEER_F_TEACH_FINISHED) f |= 0x2;
  if (flags26 & PEER_F_TEACH_COMPLETE) f |= 0x4;
  if (flags26 & PEER_F_LEARN_NOTUP2DATE) f |= 0x8;
  if (flags26 & PEER_F_ALIVE) f |= 0x20;
  if (flags26 & PEER_F_HEARTBEAT) f |= 0x40;
  if (flags26 & PEER_F_DWNGRD) f |= 0x80;
  return f >>> 0;
}

/** The answer to `show peers …` (without the CLI's final empty line). */
export function showPeers(options: ShowPeersOptions, args: { dict: boolean; section: string | undefined }): string {
  let sections = options.sections;
  if (args.section !== undefined) {
    sections = sections.filter((s) => s.name === args.section);
    if (sections.length === 0) return 'No such peers\n';
  }
  const v3 = (options.profile ?? profileFor('2.6')).showPeers3x;
  const blocks = sections.map((s) => dumpSection(s, options.sections.indexOf(s), args.dict, v3));
  return blocks.join('\n');
}

function dumpSection(section: PeersSection, index: number, dict: boolean, v3: boolean): string {
  const now = section.now();
  const flags = v3 ? sectionFlags3x(section.flags) : section.flags;
  let out =
    `${pointer(SECTION_BASE, index)}: [${section.startDate}] id=${section.name} disabled=0 flags=0x${hex(flags)}` +
    ` resync_timeout=${timerText(section.resyncTimeoutTick, now)} task_calls=${section.taskCalls}\n`;
  section.peers.forEach((peer, i) => {
    out += dumpPeer(section, index, peer, i, now, dict, v3);
  });
  return out;
}

function dumpPeer(section: PeersSection, sectionIndex: number, peer: Peer, peerIndex: number, now: Tick, dict: boolean, v3: boolean): string {
  const session = peer.session;
  // 3.x: the applet runs once its handshake is through; a learner assigned a lesson sends its
  // request at once (PROCESSING). Transient states (STARTING, STOPPING, FINISHED) wait for the
  // sync task's ack, which the engine does not model.
  const states = v3
    ? ` app_state=${session !== undefined && session.st0 === PEER_SESS_ST_WAITMSG ? 'RUNNING' : 'STOPPED'}` +
      ` learn_state=${peer.flags & PEER_F_LEARN_ASSIGN ? 'PROCESSING' : 'NOTASSIGNED'}`
    : '';
  let out =
    `  ${pointer(SECTION_BASE, sectionIndex, peerIndex + 1)}: id=${peer.name}(${peer.local ? 'local' : 'remote'},${session ? 'active' : 'inactive'})` +
    ` addr=${peer.address}:${peer.port}${states} last_status=${statusLabel(peer.statusCode)}` +
    ` last_hdshk=${peer.lastHandshakeTick === 0 ? '<NEVER>' : humanTime((now - peer.lastHandshakeTick) >>> 0)}\n`;
  out +=
    `        reconnect=${timerText(peer.reconnectTick, now)} heartbeat=${timerText(peer.heartbeatTick, now)}` +
    ` confirm=${peer.confirm} tx_hbt=${peer.txHbt} rx_hbt=${peer.rxHbt} no_hbt=${peer.noHbt}` +
    ` new_conn=${peer.newConn} proto_err=${peer.protoErr} coll=${peer.coll}\n`;
  out += `        flags=0x${hex(v3 ? peerFlags3x(peer.flags) : peer.flags >>> 0)}`;
  if (session !== undefined) {
    out += ` appctx:${pointer(SECTION_BASE + 0x20_0000, sectionIndex, 0, session.id)} st0=${session.st0} st1=${session.st1} task_calls=${session.calls} state=${session.streamState}`;
    if (session.role === 'acceptor' && session.stream !== undefined) {
      const s = session.stream;
      out += `\n        xprt=RAW src=${s.remoteAddress}:${s.remotePort} addr=${s.localAddress}:${s.localPort}`;
    }
  }
  const tableRef = (localId: number) => pointer(SECTION_BASE + 0x10_0000, sectionIndex, peerIndex + 1, localId);
  if (peer.remoteTable !== undefined) {
    const t = peer.remoteTable;
    out += `\n        remote_table:${tableRef(t.localId)} id=${t.shared.table.spec.name} local_id=${t.localId} remote_id=${t.remoteId}`;
  }
  if (peer.lastLocalTable !== undefined) {
    const t = peer.lastLocalTable;
    out += `\n        last_local_table:${tableRef(t.localId)} id=${t.shared.table.spec.name} local_id=${t.localId} remote_id=${t.remoteId}`;
  }
  if (peer.tables.length > 0) {
    out += '\n        shared tables:';
    for (const st of peer.tables) {
      const u = st.shared.updates;
      out += `\n          ${tableRef(st.localId)} local_id=${st.localId} remote_id=${st.remoteId} flags=0x${hex(st.flags)} remote_data=0x${hex(st.remoteData)}`;
      out += `\n              last_acked=${st.lastAcked} last_pushed=${st.lastPushed} last_get=${st.lastGet} teaching_origin=${st.teachingOrigin} update=${st.update}`;
      out +=
        `\n              table:${pointer(SECTION_BASE + 0x30_0000, sectionIndex, 0, st.localId)} id=${st.shared.table.spec.name}` +
        ` update=${u.update} localupdate=${u.localUpdate} commitupdate=${u.commitUpdate} refcnt=1`;
      if (dict) {
        out += '\n        TX dictionary cache:';
        out += '\n        RX dictionary cache:';
        for (let i = 0; i < DICT_CACHE_SLOTS; i++) {
          if (i % 4 === 0) out += '\n        ';
          out += `  ${String(i).padStart(3, ' ')} -> ${peer.dictRx.get(i + 1) ?? '-'}`;
        }
      } else {
        out += '\n        Dictionary cache not dumped (use "show peers dict")';
      }
    }
  }
  return out + '\n';
}

/** Parses `show peers [dict|-] [<section>]` the way `cli_parse_show_peers` does. */
export function parseShowPeersArgs(args: CliArgs): { dict: boolean; section: string | undefined } {
  let at = 2;
  let dict = false;
  if (args.arg(at) === 'dict') {
    dict = true;
    at++;
  } else if (args.arg(at) === '-') {
    at++;
  }
  const section = args.arg(at);
  return { dict, section: section === undefined || section === '' ? undefined : section };
}

/** Registers `show peers` on a process's runtime API. */
export function registerShowPeers(api: RuntimeApi, options: ShowPeersOptions): void {
  api.register(['show', 'peers'], (args) => showPeers(options, parseShowPeersArgs(args)));
}
