/**
 * The read half of a session in message mode (2.6.12 `peer_treat_awaited_msg`,
 * `peer_treat_definemsg`, `peer_treat_switchmsg`, `peer_treat_updatemsg`, `peer_treat_ackmsg`),
 * spec §4.4–§4.7. Each function returns what the session must do next.
 */
import { assert } from '../../lib/assert.ts';
import { eventWanted } from '../env.ts';
import { ProtocolError } from '../errors.ts';
import { NO_ENTRY, type EntryRef } from '../table/table.ts';
import { tickAdd } from '../ticks.ts';
import {
  PEER_F_LEARN_ASSIGN,
  PEER_F_LEARN_NOTUP2DATE,
  PEER_F_TEACH_COMPLETE,
  PEER_F_TEACH_PROCESS,
  PEER_RECONNECT_TIMEOUT_MS,
  PEER_RESYNC_TIMEOUT_MS,
  PEER_SESS_ST_WAITMSG,
  PEER_TEACH_RESET_MASK,
  PEERS_F_RESYNC_ASSIGN,
  PEERS_F_RESYNC_LOCAL,
  PEERS_F_RESYNC_LOCALFINISHED,
  PEERS_F_RESYNC_LOCALPARTIAL,
  PEERS_F_RESYNC_PROCESS,
  PEERS_F_RESYNC_REMOTE,
  PEERS_F_RESYNC_REMOTEFINISHED,
  PEERS_F_RESYNC_REMOTEPARTIAL,
  PEERS_F_RESYNC_REQUESTED,
} from './constants.ts';
import { matchDefinition } from './definition.ts';
import type { ControlMessage, PeerMessage, UpdateMessage } from './message-types.ts';
import type { Peer } from './peer.ts';
import type { PeersSection } from './section.ts';
import type { PeerTable } from './shared-table.ts';
import { decodeUpdateBody } from './update-body.ts';
import { ACK_RX_KIND, AckReceivedDetails, UPDATE_RX_KIND, UpdateReceivedDetails } from './update-events.ts';

/** 'ok': message consumed, peer alive; 'end': close the session; 'error': protocol error. */
export type TreatResult = { readonly next: 'ok' } | { readonly next: 'end' } | { readonly next: 'error'; readonly error: ProtocolError };

const OK: TreatResult = { next: 'ok' };
/** An update message's explicit id: a big-endian uint32 ahead of the key (§4.6.3). */
const UPDATE_ID_BYTES = 4;

export function treatMessage(section: PeersSection, peer: Peer, msg: PeerMessage): TreatResult {
  assert(peer.session !== undefined && peer.session.st0 === PEER_SESS_ST_WAITMSG, 'messages are treated by the peer\'s own session in message mode');
  switch (msg.kind) {
    case 'control':
      return treatControl(section, peer, msg);
    case 'define':
      return treatDefine(section, peer, msg.def.tableId, msg.def.wireName, () => matchDefinition(msg.def, findSpec(peer, msg.def.wireName)));
    case 'malformedDefine':
      return treatMalformedDefine(peer, msg.tableId, msg.wireName, msg.error);
    case 'switch':
      peer.remoteTable = peer.tables.find((t) => t.remoteId === msg.tableId);
      return OK;
    case 'update':
      return treatUpdate(section, peer, msg);
    case 'ack': {
      if (peer.hasFlag(PEER_F_TEACH_PROCESS)) return OK;
      const pt = peer.tableByLocalId(msg.tableId);
      if (pt !== undefined) pt.update = msg.updateId;
      if (eventWanted(section.env.events, 'ack.rx')) section.emitDeferred(ACK_RX_KIND, new AckReceivedDetails(peer.traceName, msg.tableId, msg.updateId, pt !== undefined));
      return OK;
    }
    case 'malformedAck':
      return peer.hasFlag(PEER_F_TEACH_PROCESS) ? OK : { next: 'error', error: msg.error };
    case 'hello':
    case 'status':
    case 'error':
    case 'ignored':
      return OK;
  }
}

function findSpec(peer: Peer, wireName: string) {
  return peer.tables.find((t) => t.shared.table.spec.wireName === wireName)?.shared.table.spec;
}

function treatControl(section: PeersSection, peer: Peer, msg: ControlMessage): TreatResult {
  switch (msg.control) {
    case 'resyncRequest':
      for (const pt of peer.tables) {
        pt.teachingOrigin = pt.lastPushed = pt.update;
        pt.flags = 0;
      }
      peer.clearFlag(PEER_TEACH_RESET_MASK);
      peer.setFlag(PEER_F_TEACH_PROCESS);
      section.setFlag(PEERS_F_RESYNC_REQUESTED);
      section.emit('resync.request.rx', { peer: peer.name });
      return OK;
    case 'resyncFinished':
      if (peer.hasFlag(PEER_F_LEARN_ASSIGN)) {
        assert(section.hasFlag(PEERS_F_RESYNC_ASSIGN), 'an assigned teacher holds the section\'s assignment');
        peer.clearFlag(PEER_F_LEARN_ASSIGN);
        section.clearFlag(PEERS_F_RESYNC_ASSIGN | PEERS_F_RESYNC_PROCESS);
        section.setFlag(PEERS_F_RESYNC_LOCAL | PEERS_F_RESYNC_REMOTE);
        section.setFlag(peer.local ? PEERS_F_RESYNC_LOCALFINISHED : PEERS_F_RESYNC_REMOTEFINISHED);
        section.emit('resync.learned', { peer: peer.name, how: 'finished' });
      }
      peer.confirm++;
      section.emit('resync.finished.rx', { peer: peer.name });
      return OK;
    case 'resyncPartial':
      if (peer.hasFlag(PEER_F_LEARN_ASSIGN)) {
        assert(section.hasFlag(PEERS_F_RESYNC_ASSIGN), 'an assigned teacher holds the section\'s assignment');
        peer.clearFlag(PEER_F_LEARN_ASSIGN);
        section.clearFlag(PEERS_F_RESYNC_ASSIGN | PEERS_F_RESYNC_PROCESS);
        section.setFlag(peer.local ? PEERS_F_RESYNC_LOCALPARTIAL : PEERS_F_RESYNC_REMOTEPARTIAL);
        peer.setFlag(PEER_F_LEARN_NOTUP2DATE);
        section.resyncTimeoutTick = tickAdd(section.now(), PEER_RESYNC_TIMEOUT_MS);
        section.wakeSync();
      }
      peer.confirm++;
      section.emit('resync.partial.rx', { peer: peer.name });
      return OK;
    case 'resyncConfirm':
      section.emit('resync.confirm.rx', { peer: peer.name });
      if (section.stopping) {
        peer.setFlag(PEER_F_TEACH_COMPLETE);
        return { next: 'end' };
      }
      for (const pt of peer.tables) {
        pt.update = pt.lastPushed = pt.teachingOrigin;
        pt.flags = 0;
      }
      peer.clearFlag(PEER_TEACH_RESET_MASK);
      return OK;
    case 'heartbeat':
      peer.reconnectTick = tickAdd(section.now(), PEER_RECONNECT_TIMEOUT_MS);
      peer.rxHbt++;
      section.emit('heartbeat.rx', { peer: peer.name });
      return OK;
  }
}

function treatDefine(
  section: PeersSection,
  peer: Peer,
  tableId: number,
  wireName: string,
  match: () => ReturnType<typeof matchDefinition>,
): TreatResult {
  peer.remoteTable = undefined;
  for (const pt of peer.tables) if (pt.remoteId === tableId) pt.remoteId = 0;
  const pt = peer.tables.find((t) => t.shared.table.spec.wireName === wireName);
  const result = match();
  if (pt === undefined || result.result === 'ignored') {
    section.emit('define.ignored', { peer: peer.name, wireName, reason: result.result === 'ignored' ? result.reason : '' });
    return OK;
  }
  pt.remoteId = result.remoteTableId;
  pt.defineRemote(result.layout);
  peer.remoteTable = pt;
  section.emit('define.rx', { peer: peer.name, table: pt.shared.table.spec.name, remoteId: tableId });
  return OK;
}

function treatMalformedDefine(peer: Peer, tableId: number, wireName: string | undefined, error: ProtocolError): TreatResult {
  peer.remoteTable = undefined;
  for (const pt of peer.tables) if (pt.remoteId === tableId) pt.remoteId = 0;
  if (wireName !== undefined && peer.tables.some((t) => t.shared.table.spec.wireName === wireName)) {
    return { next: 'error', error };
  }
  return OK;
}

/** §4.7 in order: current table, last_get, decode, allocate-then-lookup, merge, expiry, touch. */
function treatUpdate(section: PeersSection, peer: Peer, msg: UpdateMessage): TreatResult {
  const pt = peer.remoteTable;
  if (pt === undefined) return OK;
  if (msg.withId) {
    const b = msg.body;
    const at = msg.bodyStart ?? 0;
    if ((msg.bodyEnd ?? b.length) - at < UPDATE_ID_BYTES) return { next: 'error', error: new ProtocolError(msg.bodyOffset + at, 'update', 'truncated update id') };
    pt.lastGet = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  } else {
    pt.lastGet = (pt.lastGet + 1) >>> 0;
  }
  let update;
  try {
    update = decodeUpdateBody(msg, pt.remoteLayout, peer.dictRx);
  } catch (err) {
    if (err instanceof ProtocolError) return { next: 'error', error: err };
    throw err;
  }
  const table = pt.shared.table;
  const now = section.now();
  // 3.x caps what a timed update carries at this table's expire (P6); 2.6 uses it as sent.
  const sentExpireMs = update.expireMs ?? table.spec.expireMs;
  const expireMs = section.capReceivedExpire && sentExpireMs > table.spec.expireMs ? table.spec.expireMs : sentExpireMs;
  const batchesBefore = table.stats.evictionBatches;
  const ref = table.setEntryAllocatingFirst(update.key, now, section.learnedEntryQueuedAtItsExpire ? tickAdd(now, expireMs) : undefined);
  const existed = !table.lastSetCreated;
  if (table.stats.evictionBatches !== batchesBefore) section.marks.mark('peers.purge-batch-on-receipt');
  const recording = eventWanted(section.env.events, 'update.rx');
  if (ref === NO_ENTRY) {
    if (recording) section.emitWanted('update.rx', { peer: peer.name, table: table.spec.name, key: section.renderKey(table, update.key), updateId: pt.lastGet, dropped: true });
    return OK;
  }
  // PLANTED BUG 'relay-learned' (testing aid, planted-bug.ts): what the entry held before, to relay a change.
  const heldBefore = section.plantedBug === 'relay-learned' && existed ? storedValues(section, pt, ref) : undefined;
  const decisions = section.policy.apply({
    table,
    ref,
    key: update.key,
    now,
    origin: peer.name,
    created: !existed,
    fields: pt.remoteLayout.fields,
    values: update.values,
    decisionsWanted: recording && section.policy.name !== 'haproxy',
  });
  if (section.plantedBug === 'remote-touch-local') {
    // PLANTED BUG 'remote-touch-local' (testing aid, planted-bug.ts): the receipt is a local touch.
    table.touchLocal(ref, now);
  } else {
    table.setExpire(ref, tickAdd(now, expireMs));
    table.touchRemote(ref);
  }
  if (section.plantedBug === 'relay-learned' && (heldBefore === undefined || heldBefore !== storedValues(section, pt, ref))) {
    relayLearned(pt, ref);
  }
  if (!recording) return OK;
  const details = new UpdateReceivedDetails({
    peer: peer.traceName,
    session: peer.session?.id ?? null,
    table: pt.shared.traceName,
    keyType: table.spec.keyType,
    key: update.key,
    updateId: pt.lastGet,
    timed: msg.timed,
    values: update.values,
    layout: pt.remoteNames,
    expireMs,
  });
  section.emitDeferred(UPDATE_RX_KIND, details);
  if (section.policy.name !== 'haproxy') {
    const rendered = section.renderKey(table, update.key);
    section.emit('merge.decision', { policy: section.policy.name, peer: peer.name, table: table.spec.name, key: rendered, fields: decisions });
  }
  return OK;
}

/**
 * PLANTED BUG 'relay-learned' (testing aid, planted-bug.ts): a learned change gets a local update
 * id, so every session pushes it on, except the sender's when it was up to date (split horizon).
 */
function relayLearned(sender: PeerTable, ref: EntryRef): void {
  const updates = sender.shared.updates;
  const caughtUp = sender.lastPushed === updates.localUpdate;
  updates.touchedLocal(sender.shared.table, ref);
  if (caughtUp) sender.lastPushed = updates.localUpdate;
}

/** The entry's stored values as they would be pushed, as one text (for 'relay-learned' only). */
function storedValues(section: PeersSection, pt: PeerTable, ref: EntryRef): string {
  const table = pt.shared.table;
  const key = table.keyOf(ref);
  const now = section.now();
  return JSON.stringify(table.layout.stored.map((slot) => section.policy.outgoing(table, ref, key, slot, now)), (_, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}
