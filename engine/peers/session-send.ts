/**
 * The write half of a session's wake-up in message mode (2.6.12 `peer_send_msgs` and
 * `peer_send_teachmsgs`, spec §4.8–§4.10): resync request, per table round-robin ACK then
 * incremental push or teach stages 1 and 2 (TIMED updates), FINISHED/PARTIAL, owed CONFIRMs.
 */
import { assert, fail } from '../../lib/assert.ts';
import { eventWanted } from '../env.ts';
import { tickRemain } from '../ticks.ts';
import {
  PEER_F_LEARN_ASSIGN,
  PEER_F_TEACH_FINISHED,
  PEER_F_TEACH_PROCESS,
  PEER_F_DWNGRD,
  PEER_MAX_UPDATES_AT_ONCE,
  PEER_SESS_ST_WAITMSG,
  PEERS_F_RESYNC_ASSIGN,
  PEERS_F_RESYNC_PROCESS,
  SHTABLE_F_TEACH_STAGE1,
  SHTABLE_F_TEACH_STAGE2,
} from './constants.ts';
import { appendAckMessage, encodeMessage } from './encode-message.ts';
import type { Peer } from './peer.ts';
import type { PeersSection } from './section.ts';
import type { PeerTable } from './shared-table.ts';
import { appendUpdateMessage, type WireValue } from './update-body.ts';
import { ACK_TX_KIND, AckSentDetails, UPDATE_TX_KIND, UpdateSentDetails } from './update-events.ts';
import type { WireWriter } from './wire.ts';
import type { EntryRef } from '../table/table.ts';

/**
 * 'done': everything was written; 'yield': a batch limit was hit, wake the session again;
 * 'full': the send buffer has no room for another update, wake the session when it has.
 */
export type SendResult = 'done' | 'yield' | 'full';

export interface SendSink {
  write(bytes: Uint8Array): void;
  /** True while the send buffer has room for a message of any size (MSG_BODY_BYTES_MAX). */
  hasRoom(): boolean;
  /** Where `write` appends: the hot messages (UPDATE, ACK) are encoded into it in place. */
  writer(): WireWriter;
}

type Lookup = 'process' | 'stage1' | 'stage2';

export function sendMessages(section: PeersSection, peer: Peer, out: SendSink): SendResult {
  assert(peer.session !== undefined && peer.session.st0 === PEER_SESS_ST_WAITMSG, 'messages are sent by the peer\'s own session in message mode');
  if (peer.hasFlag(PEER_F_LEARN_ASSIGN) && section.hasFlag(PEERS_F_RESYNC_ASSIGN) && !section.hasFlag(PEERS_F_RESYNC_PROCESS)) {
    out.write(encodeMessage({ kind: 'control', control: 'resyncRequest' }));
    section.emit('resync.request', { peer: peer.name });
    section.setFlag(PEERS_F_RESYNC_PROCESS);
  }
  const tables = sendTables(section, peer, out);
  if (tables !== 'done') return tables;
  if (peer.hasFlag(PEER_F_TEACH_PROCESS) && !peer.hasFlag(PEER_F_TEACH_FINISHED)) {
    const finished = section.resyncFinished();
    out.write(encodeMessage({ kind: 'control', control: finished ? 'resyncFinished' : 'resyncPartial' }));
    section.emit(finished ? 'resync.finished.tx' : 'resync.partial.tx', { peer: peer.name });
    section.marks.mark(finished ? 'peers.teach-finished' : 'peers.resync-partial-sent');
    peer.setFlag(PEER_F_TEACH_FINISHED);
  }
  while (peer.confirm > 0) {
    out.write(encodeMessage({ kind: 'control', control: 'resyncConfirm' }));
    section.emit('resync.confirm.tx', { peer: peer.name });
    peer.confirm--;
  }
  checkSentAll(peer);
  return 'done';
}

/**
 * After a wake-up that wrote everything ('done'): every table's last received id is acked, no
 * CONFIRM is owed, a lesson begun has been closed with FINISHED/PARTIAL, and outside lessons (as
 * teacher or as learner) the pusher reached the table's newest local id (§4.8, §4.9.5).
 */
function checkSentAll(peer: Peer): void {
  if (peer.confirm !== 0) fail(`peer ${peer.name}: ${peer.confirm} CONFIRMs still owed after a complete send`);
  const teaching = peer.hasFlag(PEER_F_TEACH_PROCESS);
  if (teaching && !peer.hasFlag(PEER_F_TEACH_FINISHED)) fail(`peer ${peer.name}: a complete lesson ends with FINISHED or PARTIAL`);
  const pushing = !teaching && !peer.hasFlag(PEER_F_LEARN_ASSIGN);
  for (const pt of peer.tables) {
    if (pt.lastAcked !== pt.lastGet) fail(`peer ${peer.name} table ${pt.localId}: last_get ${pt.lastGet} acked (last_acked ${pt.lastAcked})`);
    if (pushing && pt.lastPushed !== pt.shared.updates.localUpdate) {
      fail(`peer ${peer.name} table ${pt.localId}: pushed up to localupdate ${pt.shared.updates.localUpdate} (last_pushed ${pt.lastPushed})`);
    }
  }
}

/** The per table round-robin, starting after the last table updates were sent for. */
function sendTables(section: PeersSection, peer: Peer, out: SendSink): SendResult {
  const tables = peer.tables;
  if (tables.length === 0) return 'done';
  const lastLocal = peer.lastLocalTable ?? tables[0]!;
  const lastIndex = tables.indexOf(lastLocal);
  let index = lastIndex + 1;
  let tablesVisited = 0;
  for (let visits = 0; visits <= tables.length; visits++) {
    if (index >= tables.length) index = 0;
    const pt = tables[index]!;
    if (pt.lastGet !== pt.lastAcked) {
      appendAckMessage(out.writer(), pt.remoteId, pt.lastGet);
      if (eventWanted(section.env.events, 'ack.tx')) section.emitDeferred(ACK_TX_KIND, new AckSentDetails(peer.traceName, pt.shared.traceName, pt.lastGet));
      pt.lastAcked = pt.lastGet;
    }
    if (!peer.hasFlag(PEER_F_TEACH_PROCESS)) {
      if (!peer.hasFlag(PEER_F_LEARN_ASSIGN) && pt.lastPushed !== pt.shared.updates.localUpdate) {
        const r = teach(section, peer, pt, 'process', out);
        if (r !== 'done') return r;
      }
    } else if (!peer.hasFlag(PEER_F_TEACH_FINISHED)) {
      if ((pt.flags & SHTABLE_F_TEACH_STAGE1) === 0) {
        const r = teach(section, peer, pt, 'stage1', out);
        if (r !== 'done') return r;
      }
      if ((pt.flags & SHTABLE_F_TEACH_STAGE2) === 0) {
        const r = teach(section, peer, pt, 'stage2', out);
        if (r !== 'done') return r;
      }
    }
    if (index === lastIndex) break;
    index++;
    tablesVisited++;
    if (tablesVisited >= PEER_MAX_UPDATES_AT_ONCE) return 'yield';
  }
  return 'done';
}

/** The next entry to send for `lookup`, applying HAProxy's end-of-walk side effects. */
function nextEntry(pt: PeerTable, lookup: Lookup): { key: number; ref: EntryRef } | undefined {
  const updates = pt.shared.updates;
  const from = (pt.lastPushed + 1) >>> 0;
  switch (lookup) {
    case 'process': {
      const found = updates.nextLocal(pt.lastPushed);
      // The pusher walks (last_pushed, localupdate] only, in uint32 distances (ids wrap).
      if (found !== undefined && ((found.key - pt.lastPushed - 1) >>> 0) >= ((updates.localUpdate - pt.lastPushed) >>> 0)) {
        fail(`incremental push of id ${found.key} outside (${pt.lastPushed}, ${updates.localUpdate}]`);
      }
      if (found === undefined) {
        pt.lastPushed = updates.localUpdate;
        updates.commitUpdate = updates.localUpdate;
      }
      return found;
    }
    case 'stage1': {
      // lookup_ge(last_pushed + 1): C's unsigned +1 wraps to 0.
      const found = updates.lookupGe(from);
      if (found === undefined) {
        pt.flags |= SHTABLE_F_TEACH_STAGE1;
        const first = updates.firstKey();
        if (first !== undefined) pt.lastPushed = (first - 1) >>> 0;
      }
      return found;
    }
    case 'stage2': {
      const found = updates.lookupGe(from);
      if (found === undefined || found.key > pt.teachingOrigin) {
        pt.flags |= SHTABLE_F_TEACH_STAGE2;
        return undefined;
      }
      return found;
    }
  }
}

/** `peer_send_teachmsgs`: DEFINE if the table changed, then a batch of at most 200 updates. */
function teach(section: PeersSection, peer: Peer, pt: PeerTable, lookup: Lookup, out: SendSink): SendResult {
  if (peer.lastLocalTable !== pt) {
    out.write(encodeMessage({ kind: 'define', def: pt.shared.definition }));
    section.emit('define.tx', { peer: peer.name, table: pt.shared.table.spec.name, tableId: pt.localId });
    peer.lastLocalTable = pt;
  }
  const timed = lookup !== 'process' && !peer.hasFlag(PEER_F_DWNGRD);
  let newPushed = true;
  for (let sent = 0; ; ) {
    // No room in the send buffer: stop before taking the next entry (it stays unpushed).
    if (!out.hasRoom()) return 'full';
    const next = nextEntry(pt, lookup);
    if (next === undefined) return 'done';
    assert(peer.lastLocalTable === pt, 'updates follow the DEFINE of their table');
    sendUpdate(section, peer, pt, next.key, next.ref, { forceId: newPushed, timed }, out);
    pt.lastPushed = next.key;
    if (lookup === 'process') pt.shared.updates.raiseCommit(pt.lastPushed);
    newPushed = false;
    sent++;
    if (sent >= PEER_MAX_UPDATES_AT_ONCE) return 'yield';
  }
}

function sendUpdate(
  section: PeersSection,
  peer: Peer,
  pt: PeerTable,
  updateId: number,
  ref: EntryRef,
  options: { forceId: boolean; timed: boolean },
  out: SendSink,
): void {
  const table = pt.shared.table;
  const now = section.now();
  const key = table.keyOf(ref);
  const last = pt.lastPushed;
  const withId = options.forceId || last === 0 || updateId < last || ((updateId - last) >>> 0) !== 1;
  const stored = table.layout.stored;
  // Built by push, a packed array like the receiver's (a holey one makes every reader of values polymorphic).
  const values: WireValue[] = [];
  for (let i = 0; i < stored.length; i++) values.push(section.policy.outgoing(table, ref, key, stored[i]!, now));
  const expireMs = options.timed ? tickRemain(now, table.expireOf(ref)) : undefined;
  appendUpdateMessage(out.writer(), { updateId: withId ? updateId : undefined, expireMs, key, values }, pt.shared.layout, peer.dictTx);
  if (!eventWanted(section.env.events, 'update.tx')) return;
  const details = new UpdateSentDetails({
    peer: peer.traceName,
    session: peer.session?.id ?? null,
    table: pt.shared.traceName,
    keyType: table.spec.keyType,
    key,
    updateId,
    timed: options.timed,
    values,
    layout: pt.shared.sentNames,
    withId,
    expireMs: expireMs ?? null,
  });
  section.emitDeferred(UPDATE_TX_KIND, details);
}
