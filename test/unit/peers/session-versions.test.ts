/**
 * What a session does differently per release line. 3.x (profile `sessionWaitsForSyncTask`, docs/haproxy-versions.md S4): a session through its
 * handshake reads and writes nothing until the sync task has run once. Seen on the wire of the
 * version study's heal capture (../shared/lab/v3/out/3.0/04c-heal-capture.out, raw segments): 3.0's
 * acceptor sends `200\n` in a TCP segment of its own and its DEFINE and UPDATE 24 µs later in the
 * next one, where 2.6's acceptor sends all three in one segment (lab RESULTS.md exp. 4c).
 */
import { describe, expect, it } from 'vitest';
import { definitionFromSpec } from '../../../engine/peers/definition.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { layoutFromSpec } from '../../../engine/peers/layout.ts';
import { encodeUpdateMessage } from '../../../engine/peers/update-body.ts';
import { NO_ENTRY } from '../../../engine/table/table.ts';
import { helloLines } from '../../../engine/peers/hello.ts';
import { profileFor, type HaproxyVersion } from '../../../engine/version/profile.ts';
import { Cluster, ip, PEER_PORT, setField } from './helpers-peers.ts';

/** What a raw caller (as hap2) receives from hap1, holding one key, one chunk per delivery. */
function acceptorChunks(version: HaproxyVersion): { chunks: string[]; tMs: number[] } {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 }, profile: profileFor(version) });
  const hap1 = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
  setField(hap1, '10.9.9.9', 'gpc0', 7);
  // past its startup resync (5 s with hap2 absent): it no longer asks the caller for a lesson
  c.run(6_000);
  const chunks: string[] = [];
  const tMs: number[] = [];
  const stream = c.network.netFor('hap2').connect({ address: '10.0.0.1', port: PEER_PORT });
  stream.onData((bytes) => {
    chunks.push(Buffer.from(bytes).toString('hex'));
    tMs.push(c.kernel.nowMs());
  });
  stream.write(encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 7 }) }));
  c.run(50);
  return { chunks, tMs };
}

describe('the acceptor after its 200 (S4)', () => {
  const ok = Buffer.from('200\n').toString('hex');

  it('2.6: the 200 and the pending DEFINE and UPDATE leave in one write', () => {
    const { chunks } = acceptorChunks('2.6');
    expect(chunks[0]!.startsWith(ok)).toBe(true);
    expect(chunks[0]!.length).toBeGreaterThan(ok.length);
    expect(chunks[0]).toContain('0a82'); // DEFINE
    expect(chunks[0]).toContain('0a80'); // UPDATE
  });

  for (const version of ['3.0', '3.2'] as const) {
    it(`${version}: the 200 leaves alone; DEFINE and UPDATE follow once the sync task has run`, () => {
      const { chunks, tMs } = acceptorChunks(version);
      expect(chunks[0]).toBe(ok);
      expect(chunks[1]!.startsWith('0a82')).toBe(true);
      expect(chunks[1]).toContain('0a80');
      // the same bytes in all: only the cut between writes differs
      expect(chunks.join('')).toBe(acceptorChunks('2.6').chunks.join(''));
      // below the simulator's 1 ms clock: both arrive at the same simulated time
      expect(tMs[1]).toBe(tMs[0]);
    });
  }
});

/**
 * P6: the expiry a timed update carries. 2.6 uses it as sent; 3.x caps it at the receiving table's
 * expire (b02b8453d, present in the 3.0.11 release per the version study, A8).
 */
/** hap1 (60 s table) after a raw hap2 sent it one timed update of 10.7.7.7 carrying `sentExpireMs`. */
function learnedOneTimedUpdate(version: HaproxyVersion, sentExpireMs: number): { c: Cluster; hap1: ReturnType<Cluster['start']> } {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], link: { latencyMs: 2 }, profile: profileFor(version) });
  const hap1 = c.start('hap1', { sectionPeers: ['hap1', 'hap2'] });
  c.run(6_000);
  const stream = c.network.netFor('hap2').connect({ address: '10.0.0.1', port: PEER_PORT });
  stream.onData(() => {});
  stream.write(encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 7 }) }));
  c.run(20);
  const layout = layoutFromSpec(c.spec);
  const values = layout.fields.map((f) => (f.std === 'frqp' ? { ageMs: 0, curr: 0, prev: 0 } : 3));
  stream.write(encodeMessage({ kind: 'define', def: definitionFromSpec(c.spec, 1) }));
  stream.write(encodeUpdateMessage({ updateId: 1, expireMs: sentExpireMs, key: ip('10.7.7.7'), values }, layout));
  c.run(20);
  return { c, hap1 };
}

describe('a timed update carrying more than the table expire (P6)', () => {
  function expireLeftMs(version: HaproxyVersion, sentExpireMs: number): number {
    const { hap1 } = learnedOneTimedUpdate(version, sentExpireMs);
    const table = hap1.tables[0]!;
    const ref = table.lookup(ip('10.7.7.7'));
    expect(ref).not.toBe(NO_ENTRY);
    return (table.expireOf(ref) - hap1.env.clock.nowTick()) | 0;
  }

  it('2.6 keeps 120 s on a 60 s table; 3.0 and 3.2 cap it at 60 s', () => {
    expect(wholeSeconds(expireLeftMs('2.6', 120_000))).toBe(120);
    expect(wholeSeconds(expireLeftMs('3.0', 120_000))).toBe(60);
    expect(wholeSeconds(expireLeftMs('3.2', 120_000))).toBe(60);
  });

  it('below the table expire nothing changes in any line (the cap only lowers)', () => {
    for (const version of ['2.6', '3.0', '3.2'] as const) expect(wholeSeconds(expireLeftMs(version, 30_000))).toBe(30);
  });
});

/** Milliseconds left, in whole seconds (the run moved the clock by a few ms). */
function wholeSeconds(leftMs: number): number {
  return Math.round(leftMs / 1000);
}

/**
 * S6 (study D7): an entry learned from a timed update (as in a full resync) with 3.5 s left on a
 * 60 s table. 2.6 and 3.0 queue it for expiry at now + 60 s, so it outlives its exp; 3.2.26 queues
 * it at the update's expiry and deletes it on time (8f06c8fda).
 */
describe('when an entry learned with 3.5 s left is deleted (S6)', () => {
  function presentAfterMs(version: HaproxyVersion, waitMs: number): boolean {
    const { c, hap1 } = learnedOneTimedUpdate(version, 3_500);
    c.run(waitMs);
    // the test cluster runs no expiry task: run it once now (a process runs it at expNextTick)
    const table = hap1.tables[0]!;
    table.processExpire(hap1.env.clock.nowTick());
    return table.lookup(ip('10.7.7.7')) !== NO_ENTRY;
  }

  it('3.2: gone after 4 s', () => expect(presentAfterMs('3.2', 4_000)).toBe(false));
  it('2.6 and 3.0: still there after 4 s (past its exp), gone after 61 s', () => {
    for (const version of ['2.6', '3.0'] as const) {
      expect(presentAfterMs(version, 4_000)).toBe(true);
      expect(presentAfterMs(version, 61_000)).toBe(false);
    }
  });
});
