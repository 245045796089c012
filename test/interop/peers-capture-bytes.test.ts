/**
 * Issue 3 (f), per release line (issue 13): the bytes the live runner really sends for a hello, a
 * table definition and an update equal those two real haproxies of that line exchanged (2.6:
 * test/fixtures/lab08-peers-capture.txt; 3.0, 3.2: test/fixtures/versions/<line>/peers-capture.txt,
 * the same lab experiment 08). sticksim plays hap1 (`--haproxy <line>`), with the same names and
 * table; raw TCP sockets in the test play hap2 with hap2's own captured bytes.
 *
 * Which side opened the session that carried hap1's first UPDATE is whatever won the startup
 * collision in that capture: hap1 in the 2.6 and 3.2 captures, hap2 in the 3.0 one. The test plays
 * the capture's roles: when hap1 initiated, sticksim calls the test's hap2; when hap1 accepted, the
 * test calls sticksim as hap2 (and sticksim's own hello, sent to the test's hap2 listener, is
 * compared with hap1's hello from another connection of the same capture).
 *
 * The only field allowed to differ is the one that depends on the clock: a never-started freq
 * counter's `curr_tick_age` (= now_ms), checked to be the clock sticksim was started with
 * (`--tick-start`, taken from the capture) plus the elapsed time, modulo 2^32 (3.x clocks start
 * 20 s before the wrap).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readVarintU32, type VarintSpan } from '../../engine/peers/varint.ts';
import { allocateLoopbackEndpoint, interopLines, type LoopbackEndpoint } from './haproxy.ts';
import { captureFixtureOf, loadCaptureOf, numField, type CaptureSegment } from '../helpers/lab-capture.ts';
import { peersConfig, startSticksim, waitFor, type PeerProcess } from './peer-harness.ts';

type Line = '2.6' | '3.0' | '3.2';
const NOT_HANDSHAKE = ['ack', 'update', 'update-timed', 'incupdate-timed'];
const isHandshake = (e: CaptureSegment): boolean => !NOT_HANDSHAKE.includes(e.kind) && e.fields.get('name') !== 'heartbeat';
const bytesOf = (segments: readonly CaptureSegment[]): Buffer => Buffer.concat(segments.map((e) => e.bytes));

interface CapturedSession {
  /** hap1's role in the session that carried its first UPDATE (key 127.0.0.50). */
  readonly hap1Role: 'initiator' | 'acceptor';
  /** hap1's segments in that session, and hap2's. */
  readonly hap1: CaptureSegment[];
  readonly hap2: CaptureSegment[];
  /** The UPDATE of `set table st key 127.0.0.50 data.gpc0 5`, as hap1 sent it. */
  readonly update: CaptureSegment;
  /** hap1's three hello lines from a connection it opened (this session's or an earlier one). */
  readonly hap1Hello: CaptureSegment[];
}

function capturedSession(line: Line): CapturedSession {
  const all = loadCaptureOf(line);
  const where = captureFixtureOf(line);
  const update = all.find((e) => e.kind === 'update' && e.fields.get('key') === '127.0.0.50');
  if (update === undefined) throw new Error(`${where}: no UPDATE of 127.0.0.50`);
  const hap1Role = update.direction === 'initiator->acceptor' ? 'initiator' : 'acceptor';
  const inStream = all.filter((e) => e.stream === update.stream);
  const hap1 = inStream.filter((e) => e.direction === update.direction);
  const hap2 = inStream.filter((e) => e.direction !== update.direction);
  const hap1Opened = all.find((e) => e.acceptor === 'hap2' && e.direction === 'initiator->acceptor' && e.kind === 'hello-line');
  if (hap1Opened === undefined) throw new Error(`${where}: no connection opened by hap1`);
  const hap1Hello = all.filter((e) => e.stream === hap1Opened.stream && e.direction === 'initiator->acceptor').slice(0, 3);
  const status = (hap1Role === 'initiator' ? hap2 : hap1)[0];
  if (status?.kind !== 'status' || status.fields.get('code') !== '200') throw new Error(`${where}: the session of the UPDATE does not start with 200`);
  return { hap1Role, hap1, hap2, update, hap1Hello };
}

/** hap1's hello with sticksim's pid in place of the captured one. */
function helloWithPid(hello: readonly CaptureSegment[], pid: number): Buffer {
  return Buffer.from(bytesOf(hello).toString('latin1').replace(/\nhap2\nhap1 \d+ 1\n$/, `\nhap2\nhap1 ${pid} 1\n`), 'latin1');
}

/** A listener on `endpoint` that hands each accepted socket to `onSocket`. */
async function listen(endpoint: LoopbackEndpoint, onSocket: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: endpoint.address, port: endpoint.port }, resolve));
  return server;
}

/** Writes hap2's handshake in the capture's order: what precedes its DEFINE at once, the rest 200 ms later. */
function answerHandshake(socket: Socket, hap2Handshake: readonly CaptureSegment[]): void {
  const firstDefine = hap2Handshake.findIndex((e) => e.kind === 'define');
  const splitAt = firstDefine < 0 ? hap2Handshake.length : firstDefine;
  socket.write(bytesOf(hap2Handshake.slice(0, splitAt)));
  setTimeout(() => socket.write(bytesOf(hap2Handshake.slice(splitAt))), 200);
}

for (const { line, gate } of interopLines()) {
  describe.skipIf(gate.skip)(`bytes sent by sticksim peer = bytes of the real haproxy ${line} capture`, () => {
    const session = capturedSession(line);
    /** hap1's tick at the capture (curr_tick_age of a never-hit counter), the start we give sticksim. */
    const tickStart = Math.floor(numField(session.update, 'http_req_rate.age_ms') / 1000) * 1000;
    const servers: Server[] = [];
    const sockets: Socket[] = [];
    let sim: PeerProcess | undefined;
    /** What sticksim sent on its own connection to hap2 (its hello), and on the session compared. */
    let helloReceived = Buffer.alloc(0);
    let received = Buffer.alloc(0);

    beforeAll(async () => {
      const hap2 = await allocateLoopbackEndpoint();
      let hap1 = await allocateLoopbackEndpoint();
      for (let i = 0; i < 10 && hap1.address === hap2.address; i++) hap1 = await allocateLoopbackEndpoint();
      const hap2Handshake = session.hap2.filter(isHandshake);
      servers.push(
        await listen(hap2, (socket) => {
          sockets.push(socket);
          if (sockets.length > 1) return; // sticksim's later attempts: left unanswered
          let answered = false;
          socket.on('data', (chunk: Buffer) => {
            helloReceived = Buffer.concat([helloReceived, chunk]);
            if (session.hap1Role !== 'initiator') return; // the hello is all this connection is for
            received = helloReceived;
            if (!answered && received.toString('latin1').split('\n').length > 3) {
              answered = true;
              answerHandshake(socket, hap2Handshake);
            }
          });
        }),
      );
      const configText = peersConfig({
        peers: [
          { name: 'hap1', endpoint: hap1 },
          { name: 'hap2', endpoint: hap2 },
        ],
        table: 'type ip size 1k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt',
      });
      sim = await startSticksim({ configText, local: 'hap1', haproxy: line, extraArgs: ['--tick-start', String(tickStart)] });
      if (session.hap1Role === 'acceptor') {
        // sticksim's own hello first (its connect to hap2), then the test calls it as hap2
        const hello = helloWithPid(session.hap1Hello, sim.pid);
        await waitFor('sticksim to call hap2', async () => (helloReceived.length >= hello.length ? true : undefined), { timeoutMs: 10_000 });
        const caller = connect({ host: hap1.address, port: hap1.port });
        sockets.push(caller);
        caller.on('error', () => {});
        let answered = false;
        caller.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          if (!answered && received.includes(0x0a)) {
            answered = true;
            answerHandshake(caller, hap2Handshake.filter((e) => e.kind !== 'hello-line'));
          }
        });
        await new Promise<void>((resolve) => caller.once('connect', resolve));
        caller.write(bytesOf(session.hap2.slice(0, 3)));
      }
    });
    afterAll(async () => {
      await sim?.stop();
      for (const socket of sockets) socket.destroy();
      for (const server of servers) server.close();
    });

    test(`hello: "HAProxyS 2.1", the called name, the caller name with its pid (hap1 ${session.hap1Role === 'initiator' ? 'initiated' : 'accepted'} the captured session)`, async () => {
      const hello = helloWithPid(session.hap1Hello, sim!.pid);
      expect(hello.toString('latin1')).toMatch(/^HAProxyS 2\.1\nhap2\nhap1 \d+ 1\n$/);
      await waitFor('the hello', async () => (helloReceived.length >= hello.length ? true : undefined), { timeoutMs: 5_000 });
      expect(helloReceived.subarray(0, hello.length).toString('hex')).toBe(hello.toString('hex'));
    });

    test('the handshake block (status or RESYNCREQ, the DEFINE of table st, RESYNCPARTIAL…): byte for byte', async () => {
      // hap1's captured bytes of that session up to its first UPDATE, without heartbeats and ACKs
      const handshake = session.hap1.filter(isHandshake);
      expect(handshake.some((e) => e.kind === 'define')).toBe(true);
      // as initiator, sticksim's hello (its own pid) comes first: compare what follows it
      const capturedHelloBytes = session.hap1Role === 'initiator' ? bytesOf(handshake.slice(0, 3)).length : 0;
      const expected = bytesOf(handshake).subarray(capturedHelloBytes);
      const from = session.hap1Role === 'initiator' ? helloWithPid(session.hap1Hello, sim!.pid).length : 0;
      await waitFor('the handshake block', async () => (received.length >= from + expected.length ? true : undefined), { timeoutMs: 5_000 });
      expect(received.subarray(from, from + expected.length).toString('hex')).toBe(expected.toString('hex'));
    });

    test('UPDATE for `set table st key 127.0.0.50 data.gpc0 5`: the captured bytes, clock field aside', async () => {
      const captured = session.update;
      const before = received.length;
      expect(await sim!.cli('set table st key 127.0.0.50 data.gpc0 5')).toBe('\n');
      await waitFor('the UPDATE', async () => (received.length >= before + captured.bytes.length ? true : undefined), { timeoutMs: 2_000 });
      const sent = received.subarray(before, before + captured.bytes.length);
      // layout: 0a 80 <len> <u32 update id> <4-byte key> gpc0 conn_cnt http_req_cnt <age varint> curr prev
      const fixedHead = 3 + 4 + 4 + 3;
      expect(sent.subarray(0, fixedHead).toString('hex')).toBe(captured.bytes.subarray(0, fixedHead).toString('hex'));
      const span: VarintSpan = { next: 0 };
      const sentAge = readVarintU32(sent, fixedHead, sent.length, span);
      const sentAgeEnd = span.next;
      const capturedAge = readVarintU32(captured.bytes, fixedHead, captured.bytes.length, span);
      expect(sentAgeEnd).toBe(span.next);
      expect(capturedAge - tickStart).toBeGreaterThanOrEqual(0);
      expect((sentAge - tickStart) >>> 0).toBeLessThan(60_000); // the test's whole run so far
      expect(sent.subarray(sentAgeEnd).toString('hex')).toBe(captured.bytes.subarray(span.next).toString('hex'));
    });
  });
}
