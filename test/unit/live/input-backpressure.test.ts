/**
 * Input back-pressure on a live stream: a session reads one 16 KB buffer per wake-up, so a peer
 * that sends faster (a full resync from a real haproxy: libuv hands over up to 64 KB per read,
 * several reads per turn) would pile up unread input until the decoder's 4 MiB bound ends the
 * session. With a stream that can hold input back (`pauseInput`/`resumeInput`, a socket's
 * pause/resume, i.e. TCP's window), the session stops reading while a buffer is unread and the
 * sender waits, as HAProxy stops reading a socket while its input buffer is full. The negative
 * control feeds the same bytes to a stream that cannot pause: the session overflows.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../engine/config/parse.ts';
import type { Env, EventDetails, Net } from '../../../engine/env.ts';
import { encodeMessage } from '../../../engine/peers/encode-message.ts';
import { HaproxyProcess } from '../../../engine/process/process.ts';
import { LiveClock, LiveTimers } from '../../../live/clock.ts';
import { LiveRandom } from '../../../live/random.ts';
import { MemoryStream } from '../../helpers/memory-stream.ts';

const CHUNK_BYTES = 64 * 1024;
/** Reads per event-loop turn when bytes wait (libuv reads a ready socket several times per turn). */
const CHUNKS_PER_TURN = 8;
/** 5 MiB of heartbeats: past the decoder's 4 MiB bound if nothing holds the sender back. */
const TOTAL_BYTES = 5 * 1024 * 1024;
const TURNS_MAX = 1_000_000;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function feed(options: { canPause: boolean }): Promise<{ heartbeatsRead: number; sent: number; pauses: number; overflows: number }> {
  let connection: MemoryStream | undefined;
  const net: Net = { connect: () => (connection = new MemoryStream(options)), listen: () => ({ close: () => {} }) };
  let overflows = 0;
  const events = { emit: (kind: string, _details: EventDetails) => void (kind === 'session.input-overflow' && overflows++) };
  const env: Env = { clock: new LiveClock(), timers: new LiveTimers(), random: new LiveRandom(), net, events };
  const cfg = ['global', '    localpeer learner', 'peers mesh', '    peer learner 127.0.0.1:2', '    peer teacher 127.0.0.2:1', '', 'backend st', '    stick-table type ip size 1k peers mesh', ''].join('\n');
  const parsed = parseConfig(cfg, { file: 'backpressure.cfg' });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const proc = new HaproxyProcess({ env, config: parsed.config, hostname: 'learner', cliLocalPeer: 'learner' });
  proc.start();
  for (let i = 0; i < 10_000 && connection === undefined; i++) await turn();
  const conn = connection!;
  conn.push(Buffer.from('200\n'));
  await turn();
  const beat = encodeMessage({ kind: 'control', control: 'heartbeat' });
  const chunk = new Uint8Array(CHUNK_BYTES);
  for (let at = 0; at < CHUNK_BYTES; at += beat.length) chunk.set(beat, at);
  let sent = 0;
  for (let turns = 0; sent < TOTAL_BYTES && turns < TURNS_MAX; turns++) {
    for (let i = 0; i < CHUNKS_PER_TURN && !conn.paused && sent < TOTAL_BYTES; i++) {
      conn.push(chunk);
      sent += CHUNK_BYTES;
    }
    await turn();
  }
  const teacher = proc.sections[0]!.findPeer('teacher')!;
  // The last buffers are read in the next wake-ups.
  for (let i = 0; i < 10_000 && teacher.rxHbt < TOTAL_BYTES / 2 && overflows === 0; i++) await turn();
  const heartbeatsRead = teacher.rxHbt;
  proc.kill();
  return { heartbeatsRead, sent, pauses: conn.pauses, overflows };
}

describe('input back-pressure on a live stream', () => {
  it('a stream that can pause: the session holds the sender back and reads every byte', async () => {
    const r = await feed({ canPause: true });
    expect(r.overflows).toBe(0);
    expect(r.pauses).toBeGreaterThan(0);
    expect(r.sent).toBe(TOTAL_BYTES);
    expect(r.heartbeatsRead).toBe(TOTAL_BYTES / 2);
  }, 60_000);

  it('negative control: a stream that cannot pause overflows the decoder and ends the session', async () => {
    const r = await feed({ canPause: false });
    expect(r.overflows).toBeGreaterThanOrEqual(1);
    expect(r.heartbeatsRead).toBeLessThan(TOTAL_BYTES / 2);
  }, 60_000);
});
