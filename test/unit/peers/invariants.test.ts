/**
 * Negative controls of the peers invariants (section.ts, peer.ts, session.ts, session-send.ts,
 * session-receive.ts): each test takes a healthy cluster, corrupts one field the way a bug
 * would, and shows that exactly the invariant about it fires. The healthy runs (and the built-in
 * suite, which checks them after every wake-up) show that none fires on a correct engine.
 */
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../lib/assert.ts';
import {
  PEER_F_LEARN_ASSIGN,
  PEER_F_TEACH_FINISHED,
  PEER_F_TEACH_PROCESS,
  PEER_SESS_ST_ACCEPT,
  PEER_SESS_ST_WAITMSG,
  PEERS_F_RESYNC_ASSIGN,
  PEERS_F_RESYNC_LOCAL,
  PEERS_F_RESYNC_PROCESS,
  PEERS_F_RESYNC_REMOTE,
  SC_TRY_AGAIN,
  SHTABLE_F_TEACH_STAGE1,
  SHTABLE_F_TEACH_STAGE2,
} from '../../../engine/peers/constants.ts';
import { sendMessages } from '../../../engine/peers/session-send.ts';
import { treatMessage } from '../../../engine/peers/session-receive.ts';
import { WireWriter } from '../../../engine/peers/wire.ts';
import { thrown } from '../../helpers/thrown.ts';
import { Cluster, isEstablished, setField, type Proc } from './helpers-peers.ts';

/**
 * Two or three nodes after their startup resync, every session established and idle. Three nodes
 * take longer than two: a session re-made after the startup teardown can time out once while the
 * sync task's expiry follows another peer (section.ts, syncPeer), as on haproxy 2.6 (lab 09: resync
 * ended by 14.3 s).
 */
function settled(hosts: readonly string[] = ['hap1', 'hap2']): { c: Cluster; procs: Proc[] } {
  const c = new Cluster({ hosts, link: { latencyMs: 2 } });
  const procs = hosts.map((h) => c.start(h));
  c.run(15000);
  for (const p of procs) for (const h of hosts) if (h !== p.host) expect(isEstablished(p, h)).toBe(true);
  for (const p of procs) expect(p.section.resyncStateName()).toBe('FINISHED');
  return { c, procs };
}

function violation(run: () => void): string {
  return thrown(run, InvariantError).message;
}

describe('the invariants hold on a correct engine', () => {
  it('after startup, writes, a partition and its heal, every check passes', () => {
    const { c, procs } = settled(['hap1', 'hap2', 'hap3']);
    for (let i = 0; i < 50; i++) setField(procs[i % 3]!, `127.0.0.${i + 1}`, 'gpc0', i);
    c.run(100);
    c.cut(['hap1'], ['hap2', 'hap3']);
    setField(procs[0]!, '127.0.1.1', 'gpc0', 7);
    c.run(15000);
    c.network.heal();
    c.run(15000);
    for (const p of procs) {
      p.section.checkInvariants();
      for (const peer of p.section.peers) peer.session?.checkInvariants();
    }
  });
});

describe('section invariants: the resync assignment', () => {
  it('fires when a peer holds PEER_F_LEARN_ASSIGN without the section flag', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    s.clearFlag(PEERS_F_RESYNC_REMOTE); // FROM_REMOTE, where a remote teacher is legal
    s.findPeer('hap2')!.setFlag(PEER_F_LEARN_ASSIGN);
    expect(violation(() => s.checkInvariants())).toMatch(/1 peers hold the resync assignment while RESYNC_ASSIGN is clear/);
  });

  it('fires when the section flag is set and no peer holds the assignment', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    s.setFlag(PEERS_F_RESYNC_ASSIGN);
    expect(violation(() => s.checkInvariants())).toMatch(/0 peers hold the resync assignment while RESYNC_ASSIGN is set/);
  });

  it('fires when two peers hold it', () => {
    const { procs } = settled(['hap1', 'hap2', 'hap3']);
    const s = procs[0]!.section;
    // FROM_REMOTE, where a remote teacher is legal: only the count can be wrong.
    s.clearFlag(PEERS_F_RESYNC_REMOTE);
    s.setFlag(PEERS_F_RESYNC_ASSIGN);
    s.findPeer('hap2')!.setFlag(PEER_F_LEARN_ASSIGN);
    s.checkInvariants();
    s.findPeer('hap3')!.setFlag(PEER_F_LEARN_ASSIGN);
    expect(violation(() => s.checkInvariants())).toMatch(/2 peers hold the resync assignment while RESYNC_ASSIGN is set/);
  });

  it('fires when a remote peer teaches a section that already FINISHED', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    s.setFlag(PEERS_F_RESYNC_ASSIGN);
    s.findPeer('hap2')!.setFlag(PEER_F_LEARN_ASSIGN);
    expect(violation(() => s.checkInvariants())).toMatch(/peer hap2 teaches it while its resync state is FINISHED/);
  });

  it('fires when a resync request is in flight without an assignment', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    s.setFlag(PEERS_F_RESYNC_PROCESS);
    expect(violation(() => s.checkInvariants())).toMatch(/RESYNC_PROCESS only while RESYNC_ASSIGN/);
  });

  it('fires on the resync state bits "REMOTE without LOCAL" (no such state)', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    s.clearFlag(PEERS_F_RESYNC_LOCAL);
    expect(violation(() => s.checkInvariants())).toMatch(/resync state FROM_LOCAL, FROM_REMOTE or FINISHED/);
  });
});

describe('peer invariants: flags, session, cursors', () => {
  it('fires when a peer without a session keeps teach flags', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    expect(s.local.session).toBeUndefined();
    s.local.setFlag(PEER_F_TEACH_PROCESS);
    expect(violation(() => s.checkInvariants())).toMatch(/peer hap1: without a session it neither teaches nor learns/);
  });

  it('fires when a peer says FINISHED without teaching', () => {
    const { procs } = settled();
    const peer = procs[0]!.section.findPeer('hap2')!;
    peer.setFlag(PEER_F_TEACH_FINISHED);
    expect(violation(() => peer.checkInvariants())).toMatch(/TEACH_FINISHED only while TEACH_PROCESS/);
  });

  it('fires on teach stage 2 before stage 1, and on FINISHED before both stages', () => {
    const { procs } = settled();
    const peer = procs[0]!.section.findPeer('hap2')!;
    const pt = peer.tables[0]!;
    pt.flags = SHTABLE_F_TEACH_STAGE2;
    expect(violation(() => peer.checkInvariants())).toMatch(/teach stage 2 only after stage 1/);
    pt.flags = SHTABLE_F_TEACH_STAGE1;
    peer.setFlag(PEER_F_TEACH_PROCESS | PEER_F_TEACH_FINISHED);
    expect(violation(() => peer.checkInvariants())).toMatch(/FINISHED sent after both teach stages/);
    pt.flags = SHTABLE_F_TEACH_STAGE1 | SHTABLE_F_TEACH_STAGE2;
    peer.checkInvariants();
  });

  it('fires when last_pushed leaves [teaching_origin, localupdate], wrap-aware', () => {
    const { procs } = settled();
    const peer = procs[0]!.section.findPeer('hap2')!;
    const pt = peer.tables[0]!;
    const updates = pt.shared.updates;
    // Across the uint32 wrap: origin 2^32 - 2, localupdate 3; last_pushed 1 lies between.
    pt.teachingOrigin = 0xffff_fffe;
    updates.localUpdate = 3;
    pt.lastPushed = 1;
    peer.checkInvariants();
    pt.lastPushed = 3;
    peer.checkInvariants();
    pt.lastPushed = 4;
    expect(violation(() => peer.checkInvariants())).toMatch(/last_pushed 4 lies in \[teaching_origin 4294967294, localupdate 3\]/);
    pt.lastPushed = 0xffff_fffd;
    expect(violation(() => peer.checkInvariants())).toMatch(/last_pushed 4294967293 lies in/);
  });

  it('fires when the session attached to a peer belongs to another peer', () => {
    const { procs } = settled(['hap1', 'hap2', 'hap3']);
    const s = procs[0]!.section;
    const hap2 = s.findPeer('hap2')!;
    hap2.session!.peer = s.findPeer('hap3');
    expect(violation(() => hap2.checkInvariants())).toMatch(/peer hap2: its session \d+ is attached to it/);
  });

  it('fires when a peer keeps a session that ended', () => {
    const { procs } = settled();
    const peer = procs[0]!.section.findPeer('hap2')!;
    const session = peer.session!;
    session.kill();
    peer.session = session;
    expect(violation(() => peer.checkInvariants())).toMatch(/peer hap2: its session \d+ has not ended/);
  });
});

describe('session invariants: state, role, stream', () => {
  it('fires on an st0 that is no applet state', () => {
    const { procs } = settled();
    const session = procs[0]!.section.findPeer('hap2')!.session!;
    session.st0 = 12;
    expect(violation(() => session.checkInvariants())).toMatch(/st0 12 is an applet state/);
  });

  it("fires on a state of the other role's handshake", () => {
    const { procs } = settled();
    const session = procs[0]!.section.findPeer('hap2')!.session!;
    session.st0 = session.role === 'initiator' ? PEER_SESS_ST_ACCEPT : 6;
    expect(violation(() => session.checkInvariants())).toMatch(/is a state of the (acceptor|initiator)/);
  });

  it('fires on message mode without a stream', () => {
    const { procs } = settled();
    const session = procs[0]!.section.findPeer('hap2')!.session!;
    expect(session.st0).toBe(PEER_SESS_ST_WAITMSG);
    session.stream = undefined;
    expect(violation(() => session.checkInvariants())).toMatch(/message mode has a peer and an established stream/);
  });

  it("fires on message mode while the peer's status is not 200", () => {
    const { procs } = settled();
    const peer = procs[0]!.section.findPeer('hap2')!;
    peer.statusCode = SC_TRY_AGAIN;
    expect(violation(() => peer.session!.checkInvariants())).toMatch(/peer hap2 in message mode has status 300/);
  });

  it('fires on a connect turn-around that still holds a stream', () => {
    const { procs } = settled();
    const session = procs[0]!.section.findPeer('hap2')!.session!;
    session.streamState = 'TAR';
    expect(violation(() => session.checkInvariants())).toMatch(/no stream during a connect turn-around/);
  });

  it('fires on an ended session that left END', () => {
    const { procs } = settled();
    const session = procs[0]!.section.findPeer('hap2')!.session!;
    session.kill();
    session.checkInvariants();
    session.st0 = PEER_SESS_ST_WAITMSG;
    expect(violation(() => session.checkInvariants())).toMatch(/ended in st0 7/);
  });
});

describe('send and receive: preconditions and the complete-send postcondition', () => {
  const output = new WireWriter(64);
  const sink = { write: () => {}, hasRoom: () => true, writer: () => output };

  it('sending or treating for a peer without a session in message mode fires', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    expect(violation(() => sendMessages(s, s.local, sink))).toMatch(/sent by the peer's own session in message mode/);
    expect(violation(() => treatMessage(s, s.local, { kind: 'control', control: 'heartbeat' }))).toMatch(/treated by the peer's own session in message mode/);
  });

  it('a complete send that leaves a CONFIRM owed fires', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    const peer = s.findPeer('hap2')!;
    expect(sendMessages(s, peer, sink)).toBe('done');
    peer.confirm = -1; // a corrupted count: the CONFIRM loop cannot pay it
    expect(violation(() => sendMessages(s, peer, sink))).toMatch(/-1 CONFIRMs still owed after a complete send/);
  });

  it('an incremental walk that returns an id beyond localupdate fires', () => {
    const { procs } = settled();
    const s = procs[0]!.section;
    setField(procs[0]!, '127.0.0.9', 'gpc0', 1);
    const peer = s.findPeer('hap2')!;
    const updates = peer.tables[0]!.shared.updates;
    const honest = updates.nextLocal.bind(updates);
    updates.nextLocal = (lastPushed) => {
      const found = honest(lastPushed);
      return found === undefined ? undefined : { key: (updates.localUpdate + 1) >>> 0, ref: found.ref };
    };
    expect(violation(() => sendMessages(s, peer, sink))).toMatch(/incremental push of id \d+ outside \(\d+, \d+\]/);
  });
});
