/**
 * `show peers [dict|-] [<section>]` in HAProxy 2.6.12's format (spec §7.4, lab exp. 1).
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
}

/** The answer to `show peers …` (without the CLI's final empty line). */
export function showPeers(options: ShowPeersOptions, args: { dict: boolean; section: string | undefined }): string {
  let sections = options.sections;
  if (args.section !== undefined) {
    sections = sections.filter((s) => s.name === args.section);
    if (sections.length === 0) return 'No such peers\n';
  }
  const blocks = sections.map((s) => dumpSection(s, options.sections.indexOf(s), args.dict));
  return blocks.join('\n');
}

function dumpSection(section: PeersSection, index: number, dict: boolean): string {
  const now = section.now();
  let out =
    `${pointer(SECTION_BASE, index)}: [${section.startDate}] id=${section.name} disabled=0 flags=0x${hex(section.flags)}` +
    ` resync_timeout=${timerText(section.resyncTimeoutTick, now)} task_calls=${section.taskCalls}\n`;
  section.peers.forEach((peer, i) => {
    out += dumpPeer(section, index, peer, i, now, dict);
  });
  return out;
}

function dumpPeer(section: PeersSection, sectionIndex: number, peer: Peer, peerIndex: number, now: Tick, dict: boolean): string {
  const session = peer.session;
  let out =
    `  ${pointer(SECTION_BASE, sectionIndex, peerIndex + 1)}: id=${peer.name}(${peer.local ? 'local' : 'remote'},${session ? 'active' : 'inactive'})` +
    ` addr=${peer.address}:${peer.port} last_status=${statusLabel(peer.statusCode)}` +
    ` last_hdshk=${peer.lastHandshakeTick === 0 ? '<NEVER>' : humanTime((now - peer.lastHandshakeTick) >>> 0)}\n`;
  out +=
    `        reconnect=${timerText(peer.reconnectTick, now)} heartbeat=${timerText(peer.heartbeatTick, now)}` +
    ` confirm=${peer.confirm} tx_hbt=${peer.txHbt} rx_hbt=${peer.rxHbt} no_hbt=${peer.noHbt}` +
    ` new_conn=${peer.newConn} proto_err=${peer.protoErr} coll=${peer.coll}\n`;
  out += `        flags=0x${hex(peer.flags >>> 0)}`;
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
