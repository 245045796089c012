/**
 * The live stream's send buffer: a peer that does not read makes `roomBytes` fall to 0 (the
 * session then stops writing), and `awaitRoom` calls back once the peer reads again.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../../engine/env.ts';
import { LiveNet } from '../../../live/net.ts';

const CHUNK = new Uint8Array(64 * 1024);

describe('live stream send buffer', () => {
  it('room falls to 0 while the peer does not read; awaitRoom fires when it reads again', async () => {
    let peer: Socket | undefined;
    const server = createServer((socket) => {
      peer = socket;
      socket.pause(); // the peer stops reading
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (server.address() as { port: number }).port;
    const net = new LiveNet();
    const stream: ByteStream = net.connect({ address: '127.0.0.1', port });
    try {
      stream.onData(() => {});
      // Until the server accepted the connection (bounded: 2 s of 10 ms turns).
      for (let i = 0; i < 200 && peer === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(peer).toBeDefined();
      for (let i = 0; i < 200 && (stream.roomBytes?.() ?? 1) > 0; i++) {
        stream.write(CHUNK);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(stream.roomBytes?.()).toBe(0);
      const woke = new Promise<number>((resolve) => stream.awaitRoom?.(() => resolve(stream.roomBytes?.() ?? -1)));
      peer!.resume(); // reads again
      const roomAfter = await woke;
      expect(roomAfter).toBeGreaterThan(0);
    } finally {
      stream.close();
      peer?.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});
