/**
 * Issue 3 (f): the bytes the live runner really sends for a hello, a table definition and an
 * update equal those of the real-haproxy capture (test/fixtures/lab08-peers-capture.txt, lab experiment 08):
 * same names (sticksim plays hap1 calling hap2), same table. A raw TCP listener in the test plays
 * hap2 and answers with hap2's own captured bytes. The only field allowed to differ is the one
 * that depends on the clock: a never-started freq counter's `curr_tick_age` (= now_ms), which is
 * checked to be the clock sticksim was started with (`--tick-start`) plus the elapsed time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readVarintU32, type VarintSpan } from '../../engine/peers/varint.ts';
import { allocateLoopbackEndpoint, interopGate } from './haproxy.ts';
import { loadLabCapture, type CaptureSegment } from '../helpers/lab-capture.ts';
import { peersConfig, startSticksim, waitFor, type PeerProcess } from './peer-harness.ts';

const gate = interopGate();
/** hap1's tick at the capture (curr_tick_age of a never-hit counter), the start we give sticksim. */
const TICK_START = 4_259_437_000;

/** The established hap1 -> hap2 session of the capture (hap1 initiates, hap2 accepts with 200). */
function capturedSession(): { initiator: CaptureSegment[]; acceptor: CaptureSegment[] } {
  const all = loadLabCapture();
  const streams = [...new Set(all.map((e) => e.stream))];
  for (const stream of streams) {
    const initiator = all.filter((e) => e.stream === stream && e.direction === 'initiator->acceptor');
    const acceptor = all.filter((e) => e.stream === stream && e.direction === 'acceptor->initiator');
    const hello = Buffer.concat(initiator.slice(0, 3).map((e) => e.bytes)).toString('latin1');
    if (/^HAProxyS 2\.1\nhap2\nhap1 \d+ 1\n$/.test(hello) && acceptor[0]?.kind === 'status' && acceptor[0].fields.get('code') === '200' && initiator.some((e) => e.kind === 'update')) {
      return { initiator, acceptor };
    }
  }
  throw new Error('no established hap1 -> hap2 session with an UPDATE in the capture');
}

describe.skipIf(gate.skip)('bytes sent by sticksim peer = bytes of the real haproxy capture', () => {
  let server: Server | undefined;
  let sim: PeerProcess | undefined;
  let received = Buffer.alloc(0);
  let peerSocket: Socket | undefined;
  const session = capturedSession();
  const expectedHelloOf = (pid: number): Buffer =>
    Buffer.from(Buffer.concat(session.initiator.slice(0, 3).map((e) => e.bytes)).toString('latin1').replace(/\nhap1 \d+ 1\n$/, `\nhap1 ${pid} 1\n`), 'latin1');

  beforeAll(async () => {
    const hap2 = await allocateLoopbackEndpoint();
    let hap1 = await allocateLoopbackEndpoint();
    for (let i = 0; i < 10 && hap1.address === hap2.address; i++) hap1 = await allocateLoopbackEndpoint();
    server = createServer((socket) => {
      if (peerSocket !== undefined) {
        socket.destroy();
        return;
      }
      peerSocket = socket;
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (!answered && received.toString('latin1').split('\n').length > 3) {
          answered = true;
          // hap2's captured answer, in its order: 200 and RESYNCREQ at once; its DEFINE,
          // RESYNCPARTIAL and RESYNCCONFIRM once hap1's RESYNCREQ has come (teach on request)
          const answer = session.acceptor.filter((e) => !['ack', 'update', 'update-timed', 'incupdate-timed'].includes(e.kind) && e.fields.get('name') !== 'heartbeat');
          const firstCount = answer.findIndex((e) => e.kind === 'define');
          socket.write(Buffer.concat(answer.slice(0, firstCount).map((e) => e.bytes)));
          setTimeout(() => socket.write(Buffer.concat(answer.slice(firstCount).map((e) => e.bytes))), 200);
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server!.listen({ host: hap2.address, port: hap2.port }, resolve));
    const configText = peersConfig({
      peers: [
        { name: 'hap1', endpoint: hap1 },
        { name: 'hap2', endpoint: hap2 },
      ],
      table: 'type ip size 1k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt',
    });
    sim = await startSticksim({ configText, local: 'hap1', extraArgs: ['--tick-start', String(TICK_START)] });
  });
  afterAll(async () => {
    await sim?.stop();
    peerSocket?.destroy();
    server?.close();
  });

  test('hello: "HAProxyS 2.1", the called name, the caller name with its pid', async () => {
    const hello = expectedHelloOf(sim!.pid);
    await waitFor('the hello', async () => (received.length >= hello.length ? true : undefined), { timeoutMs: 5_000 });
    expect(received.subarray(0, hello.length).toString('hex')).toBe(hello.toString('hex'));
  });

  test('after the handshake: RESYNCREQ, the DEFINE of table st, RESYNCPARTIAL — byte for byte', async () => {
    const hello = expectedHelloOf(sim!.pid);
    // hap1's captured bytes between the hello and the first UPDATE: 00 00, DEFINE, 00 02, 00 03
    const capturedAfterHello = session.initiator.slice(3).filter((e) => !['ack', 'update', 'update-timed', 'incupdate-timed'].includes(e.kind) && e.fields.get('name') !== 'heartbeat');
    const expected = Buffer.concat(capturedAfterHello.map((e) => e.bytes));
    expect(capturedAfterHello.some((e) => e.kind === 'define')).toBe(true);
    await waitFor('the resync exchange', async () => (received.length >= hello.length + expected.length ? true : undefined), { timeoutMs: 5_000 });
    expect(received.subarray(hello.length, hello.length + expected.length).toString('hex')).toBe(expected.toString('hex'));
  });

  test('UPDATE for `set table st key 127.0.0.50 data.gpc0 5`: the captured bytes, clock field aside', async () => {
    const captured = session.initiator.find((e) => e.kind === 'update' && e.fields.get('key') === '127.0.0.50');
    expect(captured).toBeDefined();
    const before = received.length;
    expect(await sim!.cli('set table st key 127.0.0.50 data.gpc0 5')).toBe('\n');
    await waitFor('the UPDATE', async () => (received.length >= before + captured!.bytes.length ? true : undefined), { timeoutMs: 2_000 });
    const sent = received.subarray(before, before + captured!.bytes.length);
    // layout: 0a 80 <len> <u32 update id> <4-byte key> gpc0 conn_cnt http_req_cnt <age varint> curr prev
    const fixedHead = 3 + 4 + 4 + 3;
    expect(sent.subarray(0, fixedHead).toString('hex')).toBe(captured!.bytes.subarray(0, fixedHead).toString('hex'));
    const span: VarintSpan = { next: 0 };
    const sentAge = readVarintU32(sent, fixedHead, sent.length, span);
    const sentAgeEnd = span.next;
    const capturedAge = readVarintU32(captured!.bytes, fixedHead, captured!.bytes.length, span);
    expect(sentAgeEnd).toBe(span.next);
    expect(capturedAge).toBeGreaterThan(TICK_START);
    expect(sentAge).toBeGreaterThanOrEqual(TICK_START);
    expect(sentAge).toBeLessThan(TICK_START + 60_000); // the test's whole run so far
    expect(sent.subarray(sentAgeEnd).toString('hex')).toBe(captured!.bytes.subarray(span.next).toString('hex'));
  });
});
