/**
 * Issue 14: how long haproxy takes to process a peer connection it accepted, seen through the
 * mechanism that makes it matter. One haproxy process A (peers A and B; nothing listens for B) and
 * a raw client speaking as B: per trial the client connects to A's peer port and sends B's hello
 * `delay` µs after its connect completed (`queued`: written before, so it leaves right after the
 * handshake), reads A's status, and `show sess all` tells whether A's stream for it kept a read
 * expiry (rex set) or lost it (rex=<NEVER>: the hello was already in its input when A first
 * processed the stream). The share lost at each delay is the share of accepts A had not
 * processed yet that long after the handshake: the accept delay's distribution on this machine.
 *
 *   npx tsx scripts/exp-accept-delay.ts [--trials N=20] [--delays-us queued,100,300,1000,3000,10000] [--line 2.6|3.0|3.2]
 */
import { createConnection, type Socket } from 'node:net';
import { encodeMessage } from '../engine/peers/encode-message.ts';
import { helloLines } from '../engine/peers/hello.ts';
import { sleepMs, type HaproxyLine, type LoopbackEndpoint } from '../test/interop/haproxy.ts';
import { peerBlock, peersConfig, startRealHaproxy, twoEndpoints, waitFor } from '../test/interop/peer-harness.ts';
import { peerStreamsInMessageMode } from '../test/interop/show-sess.ts';
import { lineArg, parseArgv, startExperiment, wholeNumberArg } from './lib/experiment-args.ts';

const USAGE = 'usage: npx tsx scripts/exp-accept-delay.ts [--trials N=20] [--delays-us queued,100,300,1000,3000,10000] [--line 2.6|3.0|3.2]';
/** After the status came, before `show sess all`: the stream has run its first pass long before. */
const SETTLE_MS = 100;
const WAIT = { timeoutMs: 3_000, pollMs: 5 };

interface Options {
  trials: number;
  /** µs after the connect; -1 for `queued`. */
  delaysUs: number[];
  line: HaproxyLine;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { trials: 20, delaysUs: [-1, 100, 300, 1000, 3000, 10000], line: '2.6' };
  parseArgv(argv, {
    usage: USAGE,
    values: {
      '--trials': (v, where) => (options.trials = wholeNumberArg('--trials', v, where, { min: 1, max: 1000, rangeInMessage: true })),
      '--delays-us': (v, where) => (options.delaysUs = delaysUsArg(v ?? '', where)),
      '--line': (v, where) => (options.line = lineArg(v, where)),
    },
  });
  return options;
}

/** `queued` (-1) or whole µs 0..1000000, comma-separated. */
function delaysUsArg(text: string, where: string): number[] {
  const delaysUs = text.split(',').map((d) => (d === 'queued' ? -1 : Number(d)));
  if (delaysUs.some((d) => !Number.isInteger(d) || d < -1 || d > 1_000_000)) throw new Error(`--delays-us: 'queued' or whole µs 0..1000000, comma-separated (${where}: ${text})`);
  return delaysUs;
}

/** Busy-waits `us` microseconds (timers are too coarse below a millisecond). */
function spinUs(us: number): void {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  while (process.hrtime.bigint() < end);
}

/** Connects as B, sends the hello `delayUs` after the connect (-1: before), resolves once A answered. */
async function connectAsB(endpoint: LoopbackEndpoint, delayUs: number): Promise<{ socket: Socket; status: string }> {
  const hello = encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'A', callerName: 'B', pid: 4242 }) });
  const socket = createConnection({ host: endpoint.address, port: endpoint.port });
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  if (delayUs < 0) socket.write(hello);
  else {
    socket.once('connect', () => {
      spinUs(delayUs);
      socket.write(hello);
    });
  }
  await waitFor('the status from A', async () => (received.includes('\n') ? true : undefined), WAIT);
  return { socket, status: received.split('\n')[0]! };
}

const { options, binary } = startExperiment('exp-accept-delay', parseArgs);
const [ea, eb] = await twoEndpoints();
const a = await startRealHaproxy({ binary, configText: peersConfig({ peers: [{ name: 'A', endpoint: ea }, { name: 'B', endpoint: eb }] }), local: 'A' });
try {
  for (const delayUs of options.delaysUs) {
    let lost = 0;
    let kept = 0;
    let other = 0;
    for (let t = 0; t < options.trials; t++) {
      const { socket, status } = await connectAsB(ea, delayUs);
      await sleepMs(SETTLE_MS);
      const streams = peerStreamsInMessageMode(await a.cli('show sess all'));
      // A's stream for B's connection: the one whose request channel reads from the client.
      const rex = streams.length === 1 ? streams[0]!.rex[0] : undefined;
      if (status !== '200' || rex === undefined) other++;
      else if (rex === '<NEVER>') lost++;
      else kept++;
      socket.destroy();
      await waitFor('A to drop the session', async () => ((await peerBlock(a, 'B')).state !== 'EST' ? true : undefined), WAIT);
    }
    console.log(JSON.stringify({ line: options.line, helloDelayUs: delayUs < 0 ? 'queued' : delayUs, trials: options.trials, rexLost: lost, rexKept: kept, other }));
  }
} finally {
  await a.stop();
}
