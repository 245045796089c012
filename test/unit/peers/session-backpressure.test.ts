/**
 * Send-buffer back-pressure (HAProxy's applet waits for room in its channel): a session never
 * leaves more than its stream's send buffer in flight, pauses a lesson when the buffer is full and
 * resumes it as the peer takes the bytes, losing and repeating nothing.
 */
import { describe, expect, it } from 'vitest';
import { specOf } from '../../helpers/spec.ts';
import { Cluster, getField, setField } from './helpers-peers.ts';

const ENTRIES = 6_000;
const SEND_BUFFER_BYTES = 32 * 1024;
const LATENCY_MS = 20;
/** A control message (ACK, heartbeat, FINISHED) may go out after the room check: a few bytes. */
const CONTROL_SLACK_BYTES = 64;
const SPEC = specOf({ name: 'st', size: 2 * ENTRIES, store: 'gpc0,conn_cnt,http_req_cnt,http_req_rate(10000)', expireMs: 600_000 });

function teach(options: { sendBufferBytes?: number }) {
  const c = new Cluster({ hosts: ['hap1', 'hap2'], spec: SPEC, link: { latencyMs: LATENCY_MS, bandwidthBytesPerS: 10_000_000, ...options } });
  const a = c.start('hap1');
  c.run(6000);
  for (let i = 0; i < ENTRIES; i++) setField(a, `10.1.${i >> 8}.${i & 255}`, 'gpc0', i + 1);
  c.run(1000);
  // hap2 starts while hap1 has no connect attempt to it under way: a refused attempt cut short by
  // hap2's connect would deliver its hello later (orphan-stream.ts) and restart the lesson.
  c.runUntil(() => a.section.findPeer('hap2')!.session === undefined, 10_000);
  expect(a.section.findPeer('hap2')!.session).toBe(undefined);
  const b = c.start('hap2');
  const startedAt = c.nowMs();
  let queuedMax = 0;
  c.runUntil(() => {
    for (const conn of c.network.connections()) queuedMax = Math.max(queuedMax, conn.upBytesQueued, conn.downBytesQueued);
    return b.tables[0]!.used === ENTRIES && b.section.resyncStateName() === 'FINISHED';
  }, 20_000);
  const received = c.kinds('update.rx', (e) => e.host === 'hap2');
  const lastUpdateMs = Math.max(...received.map((e) => e.t)) - startedAt;
  return { c, a, b, lastUpdateMs, queuedMax };
}

describe('send-buffer back-pressure', () => {
  it('a lesson larger than the send buffer is paced by it: never more in flight, every entry learned once', () => {
    const small = teach({ sendBufferBytes: SEND_BUFFER_BYTES });
    expect(small.b.tables[0]!.used).toBe(ENTRIES);
    for (const i of [0, 2999, ENTRIES - 1]) expect(getField(small.b, `10.1.${i >> 8}.${i & 255}`, 'gpc0')).toBe(i + 1);
    const timed = small.c.kinds('update.rx', (e) => e.host === 'hap2' && e.timed === true);
    expect(timed.length).toBe(ENTRIES);
    expect(new Set(timed.map((e) => e.key)).size).toBe(ENTRIES);
    expect(small.queuedMax).toBeLessThanOrEqual(SEND_BUFFER_BYTES + CONTROL_SLACK_BYTES);
    expect(small.a.marks.count('peers.send-buffer-full')).toBeGreaterThan(0);

    // The default buffer takes the whole lesson at once: faster, and the pause never happens.
    const roomy = teach({});
    expect(roomy.b.tables[0]!.used).toBe(ENTRIES);
    expect(roomy.a.marks.count('peers.send-buffer-full')).toBe(0);
    expect(roomy.queuedMax).toBeGreaterThan(SEND_BUFFER_BYTES);
    // ~190 KB through a 32 KB buffer: a dozen deliveries of 20 ms, against one.
    expect(small.lastUpdateMs).toBeGreaterThan(roomy.lastUpdateMs + 5 * LATENCY_MS);
  });

  it('a peer that stops reading (link held) fills the buffer and no more: the push resumes on release', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2'], spec: SPEC, link: { latencyMs: 5, sendBufferBytes: SEND_BUFFER_BYTES } });
    const a = c.start('hap1');
    const b = c.start('hap2');
    c.run(8000);
    const hold = c.network.holdLink({ from: ['hap1'], to: ['hap2'] });
    for (let i = 0; i < ENTRIES; i++) setField(a, `10.1.${i >> 8}.${i & 255}`, 'gpc0', i + 1);
    let queuedMax = 0;
    for (let ms = 0; ms < 3000; ms += 10) {
      c.run(10);
      for (const conn of c.network.connections()) queuedMax = Math.max(queuedMax, conn.upBytesQueued, conn.downBytesQueued);
    }
    expect(queuedMax).toBeGreaterThan(SEND_BUFFER_BYTES / 2);
    expect(queuedMax).toBeLessThanOrEqual(SEND_BUFFER_BYTES + CONTROL_SLACK_BYTES);
    expect(b.tables[0]!.used).toBe(0);
    c.network.releaseLink(hold);
    c.runUntil(() => b.tables[0]!.used === ENTRIES, 20_000);
    expect(b.tables[0]!.used).toBe(ENTRIES);
    for (const i of [0, ENTRIES - 1]) expect(getField(b, `10.1.${i >> 8}.${i & 255}`, 'gpc0')).toBe(i + 1);
  });
});
