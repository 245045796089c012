/**
 * The test-only TCP relay (tcp-relay.ts) on its own, between plain sockets on loopback: bytes
 * pass both ways in order, a cut resets and refuses, a heal lets new connections through, a drop
 * stalls (and hides a FIN) until it ends, a hold buffers within its bound and release delivers,
 * reset ends only the current connections, close leaves no socket open.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { sleepMs } from './haproxy.ts';
import { TcpRelay, type DeliveredChunk } from './tcp-relay.ts';
import { waitFor } from './peer-harness.ts';

/** Long enough for a forwarded byte to cross loopback many times over; used only to see that nothing arrives. */
const QUIET_MS = 200;
const WAIT = { timeoutMs: 5_000, pollMs: 5 };

interface End {
  readonly socket: Socket;
  readonly received: () => Buffer;
  readonly ended: () => boolean;
  readonly closed: () => boolean;
  readonly errorCode: () => string | undefined;
}

function watch(socket: Socket): End {
  const chunks: Buffer[] = [];
  let ended = false;
  let closed = false;
  let errorCode: string | undefined;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('end', () => (ended = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (errorCode ??= e.code));
  socket.on('close', () => (closed = true));
  return { socket, received: () => Buffer.concat(chunks), ended: () => ended, closed: () => closed, errorCode: () => errorCode };
}

/** A target server ("b") that keeps every accepted socket, watched. */
async function startTarget(): Promise<{ server: Server; port: number; accepted: End[] }> {
  const accepted: End[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => accepted.push(watch(s)));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const bound = server.address();
  if (bound === null || typeof bound !== 'object') throw new Error('no address');
  return { server, port: bound.port, accepted };
}

function connectTo(endpoint: { address: string; port: number }): End {
  return watch(createConnection({ host: endpoint.address, port: endpoint.port, allowHalfOpen: true }));
}

describe('test-only TCP relay', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Target b, a relay with the route a -> b (and b -> a to a dummy), and one connection a -> b through it. */
  async function setup(options: { holdBytesMax?: number; onDelivered?: (chunk: DeliveredChunk) => void; connectOnFirstBytes?: boolean } = {}) {
    const target = await startTarget();
    const relay = await TcpRelay.start({
      routes: [
        { from: 'a', to: 'b', target: { address: '127.0.0.1', port: target.port } },
        { from: 'b', to: 'a', target: { address: '127.0.0.1', port: 9 } },
      ],
      holdBytesMax: options.holdBytesMax,
      onDelivered: options.onDelivered,
      connectOnFirstBytes: options.connectOnFirstBytes,
    });
    const clients: End[] = [];
    cleanups.push(async () => {
      for (const c of clients) c.socket.destroy();
      for (const s of target.accepted) s.socket.destroy();
      await relay.close();
      await new Promise<void>((resolve) => target.server.close(() => resolve()));
    });
    const open = async (): Promise<{ a: End; b: End }> => {
      const before = target.accepted.length;
      const a = connectTo(relay.endpointFor('a', 'b'));
      clients.push(a);
      const b = await waitFor('the relayed connection at the target', async () => target.accepted[before], WAIT);
      return { a, b };
    };
    return { relay, target, open, clients };
  }

  test('bytes pass both ways in order, a FIN passes, the relay knows who initiated; the capture sees every byte', async () => {
    const captured: DeliveredChunk[] = [];
    const { relay, open } = await setup({ onDelivered: (c) => captured.push(c) });
    const { a, b } = await open();
    const up = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31 + 7) & 255));
    a.socket.write(up);
    b.socket.write('hello from b');
    await waitFor('a -> b bytes', async () => (b.received().length === up.length ? true : undefined), WAIT);
    await waitFor('b -> a bytes', async () => (a.received().length === 12 ? true : undefined), WAIT);
    expect(b.received().equals(up)).toBe(true);
    expect(a.received().toString()).toBe('hello from b');
    const [info] = relay.openConnections();
    expect(info).toMatchObject({ initiator: 'a', acceptor: 'b', bytesToAcceptor: up.length, bytesToInitiator: 12 });
    // the capture: each direction's chunks, in order, make up exactly the bytes delivered
    const capturedFrom = (sender: string): Buffer => Buffer.concat(captured.filter((c) => c.sender === sender && c.connection === info!.id).map((c) => c.bytes));
    expect(capturedFrom('a').equals(up)).toBe(true);
    expect(capturedFrom('b').toString()).toBe('hello from b');
    a.socket.end();
    await waitFor('the FIN at b', async () => (b.ended() ? true : undefined), WAIT);
    b.socket.end();
    await waitFor('the connection closed', async () => (relay.openConnections().length === 0 ? true : undefined), WAIT);
    expect(relay.connections().at(-1)?.end).toBe('closed');
    expect(a.errorCode()).toBeUndefined();
  });

  test('connectOnFirstBytes: the target sees the connection only with the first bytes; without it, at once (control)', async () => {
    for (const connectOnFirstBytes of [true, false]) {
      const { relay, target, clients } = await setup({ connectOnFirstBytes });
      const a = connectTo(relay.endpointFor('a', 'b'));
      clients.push(a);
      await sleepMs(QUIET_MS);
      expect(target.accepted.length).toBe(connectOnFirstBytes ? 0 : 1);
      a.socket.write('first bytes');
      const b = await waitFor('the relayed connection at the target', async () => target.accepted[0], WAIT);
      await waitFor('the first bytes at b', async () => (b.received().toString() === 'first bytes' ? true : undefined), WAIT);
      b.socket.write('reply');
      await waitFor('the reply at a', async () => (a.received().toString() === 'reply' ? true : undefined), WAIT);
      expect(relay.openConnections()).toHaveLength(1);
    }
  });

  test('cut resets the open connection and refuses new ones; heal lets new connections through', async () => {
    const { relay, open, clients } = await setup();
    const { a, b } = await open();
    await relay.cut();
    await waitFor('both ends closed', async () => (a.closed() && b.closed() ? true : undefined), WAIT);
    expect(a.errorCode()).toBe('ECONNRESET');
    expect(b.errorCode()).toBe('ECONNRESET');
    expect(relay.connections().at(-1)?.end).toBe('cut');
    const refused = connectTo(relay.endpointFor('a', 'b'));
    clients.push(refused);
    await waitFor('the new connect to fail', async () => (refused.closed() ? true : undefined), WAIT);
    expect(refused.errorCode()).toBe('ECONNREFUSED');
    await relay.heal();
    const again = await open();
    again.a.socket.write('after heal');
    await waitFor('bytes after the heal', async () => (again.b.received().toString() === 'after heal' ? true : undefined), WAIT);
  });

  test('cut and heal of one route leave the other alone', async () => {
    const { relay, clients } = await setup();
    await relay.cut();
    await relay.heal({ initiator: 'b' });
    const refused = connectTo(relay.endpointFor('a', 'b'));
    clients.push(refused);
    await waitFor('a -> b refused', async () => (refused.closed() ? true : undefined), WAIT);
    expect(refused.errorCode()).toBe('ECONNREFUSED');
    // b -> a is open again: the relay accepts, then its connect to the dead target fails and it resets
    const accepted = connectTo(relay.endpointFor('b', 'a'));
    clients.push(accepted);
    await waitFor('b -> a accepted then reset', async () => (accepted.closed() ? true : undefined), WAIT);
    expect(accepted.errorCode()).toBe('ECONNRESET');
    expect(relay.connections().at(-1)).toMatchObject({ initiator: 'b', acceptor: 'a', end: 'reset by acceptor' });
  });

  test('drop stalls one direction (bytes and FIN) while the other flows; the end of the drop delivers them', async () => {
    const { relay, open } = await setup();
    const { a, b } = await open();
    relay.drop({ sender: 'a' });
    a.socket.end('stalled');
    b.socket.write('still flows');
    await waitFor('b -> a bytes', async () => (a.received().toString() === 'still flows' ? true : undefined), WAIT);
    await sleepMs(QUIET_MS);
    expect(b.received().length).toBe(0);
    expect(b.ended()).toBe(false);
    expect(relay.openConnections()[0]?.bytesToAcceptor).toBe(0);
    relay.undrop({ sender: 'a' });
    await waitFor('the stalled bytes and FIN', async () => (b.ended() ? true : undefined), WAIT);
    expect(b.received().toString()).toBe('stalled');
  });

  test('drop of both directions, healed by heal()', async () => {
    const { relay, open } = await setup();
    const { a, b } = await open();
    relay.drop();
    a.socket.write('up');
    b.socket.write('down');
    await sleepMs(QUIET_MS);
    expect(a.received().length + b.received().length).toBe(0);
    await relay.heal();
    await waitFor('both directions', async () => (a.received().toString() === 'down' && b.received().toString() === 'up' ? true : undefined), WAIT);
  });

  test('hold buffers within its bound and release delivers every byte in order', async () => {
    const holdBytesMax = 1024;
    const { relay, open } = await setup({ holdBytesMax });
    const { a, b } = await open();
    relay.hold({ sender: 'a' });
    const big = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 131 + 3) & 255));
    a.socket.write(big);
    await waitFor('the relay to hold some bytes', async () => ((relay.openConnections()[0]?.bytesHeldToAcceptor ?? 0) > 0 ? true : undefined), WAIT);
    await sleepMs(QUIET_MS);
    const info = relay.openConnections()[0]!;
    expect(b.received().length).toBe(0);
    // bounded: at most the bound plus one read chunk (64 KiB), far below the 1 MiB written
    expect(info.bytesHeldToAcceptor).toBeLessThanOrEqual(holdBytesMax + 64 * 1024);
    relay.release({ sender: 'a' });
    await waitFor('every byte delivered', async () => (b.received().length === big.length ? true : undefined), WAIT);
    expect(b.received().equals(big)).toBe(true);
  });

  test('reset ends the current connections; the next one passes', async () => {
    const { relay, open } = await setup();
    const first = await open();
    relay.reset();
    await waitFor('the first connection reset', async () => (first.a.closed() && first.b.closed() ? true : undefined), WAIT);
    expect(first.a.errorCode()).toBe('ECONNRESET');
    expect(relay.connections().at(-1)?.end).toBe('reset by relay');
    const second = await open();
    second.a.socket.write('next');
    await waitFor('bytes on the next connection', async () => (second.b.received().toString() === 'next' ? true : undefined), WAIT);
  });

  test('close leaves no socket open and no listener', async () => {
    const { relay, open, clients } = await setup();
    const { a, b } = await open();
    relay.hold();
    await relay.close();
    await waitFor('both ends closed', async () => (a.closed() && b.closed() ? true : undefined), WAIT);
    expect(relay.openConnections()).toEqual([]);
    const late = connectTo(relay.endpointFor('a', 'b'));
    clients.push(late);
    await waitFor('the late connect to fail', async () => (late.closed() ? true : undefined), WAIT);
    expect(late.errorCode()).toBe('ECONNREFUSED');
  });
});
