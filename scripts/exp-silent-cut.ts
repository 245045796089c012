/**
 * Issue 14 experiment against real haproxy 2.6 (the referee): which path ends a peer session when
 * the link goes silent both ways. Two haproxy processes A and B talk through the test relay
 * (test/interop/tcp-relay.ts). Each trial follows lab 04's steps: start A then B, wait for the
 * session, 1.5 s, A writes the key (`--writes` updates of it, as the lab's two requests and one
 * `set gpc0`), wait until B has it, 300 ms, then the relay drops every byte both ways (what the
 * processes see of the lab's DROP/REJECT cut; the kernel's retransmissions are not reproduced).
 * Per trial it prints who initiated, when each side dropped the session (ms after the cut) and
 * whether its no_hbt grew (the dead-peer path: reconnect timer expired twice without input)
 * rather than the 5 s read timeout. With `--show-sess` it also samples `show sess all` on both
 * sides before the writes and during the silence: the peer stream's task expiry and each
 * channel's read expiry (rex).
 *
 * `--hello` times the initiator's hello against the acceptor's accept (the suspected race):
 *   normal        as it comes (the relay connects to the acceptor when the initiator connects);
 *   late          the relay holds the initiator's bytes until its connection is `--late-ms` old
 *                 (default 300), long after the acceptor processed the accepted stream;
 *   with-connect  the relay connects to the acceptor only once the hello came and sends it right
 *                 after the handshake, before the acceptor process can have taken the connection.
 *
 *   npx tsx scripts/exp-silent-cut.ts [--trials N=8] [--writes N=3] [--show-sess] [--hello normal|late|with-connect] [--late-ms N=300] [--line 2.6|3.0|3.2]
 *
 * Needs the haproxy binary of the line (default 2.6), found as the interop tests find it
 * (/usr/sbin/haproxy or STICKSIM_HAPROXY_2_6; STICKSIM_HAPROXY_3_0 / _3_2, see scripts/haproxy-bin.sh).
 */
import { sleepMs, type HaproxyBinary, type HaproxyLine } from '../test/interop/haproxy.ts';
import { peerBlock, type PeerProcess } from '../test/interop/peer-harness.ts';
import type { TcpRelay } from '../test/interop/tcp-relay.ts';
import { peerStreamExpiries } from '../test/interop/show-sess.ts';
import { lineArg, parseArgv, startExperiment, wholeNumberArg } from './lib/experiment-args.ts';
import { startRelayedPair, withRelayedProcesses, type RelayedPair } from './lib/relayed-pair.ts';

const USAGE = 'usage: npx tsx scripts/exp-silent-cut.ts [--trials N=8] [--writes N=3] [--show-sess] [--hello normal|late|with-connect] [--late-ms N=300] [--line 2.6|3.0|3.2]';
const HELLO_MODES = ['normal', 'late', 'with-connect'] as const;
type HelloMode = (typeof HELLO_MODES)[number];
const KEY = '10.9.9.9';
/** When the silence is sampled with --show-sess, ms after the cut. */
const SAMPLE_AT_MS = [1000, 2000, 3200, 4000, 4900, 6000, 7000];
/** Longest wait for both sides to drop the session: past the dead-peer path's 10 s. */
const WATCH_MS_MAX = 14_000;
const POLL_MS = 10;

interface Options {
  trials: number;
  writes: number;
  showSess: boolean;
  hello: HelloMode;
  lateMs: number;
  line: HaproxyLine;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { trials: 8, writes: 3, showSess: false, hello: 'normal', lateMs: 300, line: '2.6' };
  const count = { min: 1, max: 100, rangeInMessage: true };
  parseArgv(argv, {
    usage: USAGE,
    switches: { '--show-sess': () => (options.showSess = true) },
    values: {
      '--hello': (mode, where) => {
        if (!HELLO_MODES.includes(mode as HelloMode)) throw new Error(`--hello: one of ${HELLO_MODES.join(', ')} (${where})`);
        options.hello = mode as HelloMode;
      },
      '--line': (v, where) => (options.line = lineArg(v, where)),
      '--late-ms': (v, where) => (options.lateMs = wholeNumberArg('--late-ms', v, where, { min: 1, max: 5000, rangeInMessage: true })),
      '--trials': (v, where) => (options.trials = wholeNumberArg('--trials', v, where, count)),
      '--writes': (v, where) => (options.writes = wholeNumberArg('--writes', v, where, count)),
    },
  });
  return options;
}

async function bothUp(a: PeerProcess, b: PeerProcess): Promise<boolean> {
  return (await peerBlock(a, 'B')).state === 'EST' && (await peerBlock(b, 'A')).state === 'EST';
}

/**
 * --hello late: once a connection holds the initiator's bytes and is `lateMs` old, releases every
 * hold (for good: later connections pass at once). Returns the connections released late.
 */
function releaseLateHellos(relay: TcpRelay, lateMs: number): number[] {
  if (!relay.isHeld('A') && !relay.isHeld('B')) return [];
  const ready = relay.openConnections().filter((c) => c.bytesHeldToAcceptor > 0 && relay.nowMs() - c.openedAtMs >= lateMs);
  if (ready.length === 0) return [];
  const late = relay.openConnections().filter((c) => c.bytesHeldToAcceptor > 0).map((c) => c.id);
  relay.release();
  return late;
}

async function trial(binary: HaproxyBinary, pair: RelayedPair, options: Options): Promise<Record<string, unknown>> {
  const relay = pair.relay;
  if (options.hello === 'late') relay.hold();
  const releasedLate: number[] = [];
  return withRelayedProcesses(pair, binary, async (a, b) => {
    // `show peers` says EST once the TCP connection is up, before the hello: release first.
    for (let i = 0; i < 500 && relay.isHeld('A'); i++) {
      releasedLate.push(...releaseLateHellos(relay, options.lateMs));
      await sleepMs(10);
    }
    for (let i = 0; i < 500 && !(await bothUp(a, b)); i++) await sleepMs(20);
    await sleepMs(1500);
    const atStart = options.showSess ? { A: peerStreamExpiries(await a.cli('show sess all')), B: peerStreamExpiries(await b.cli('show sess all')) } : undefined;
    for (let w = 1; w <= options.writes; w++) await a.cli(`set table st key ${KEY} data.gpc0 ${w}`);
    for (let i = 0; i < 250 && !(await b.cli(`show table st key ${KEY}`)).includes(`gpc0=${options.writes}`); i++) await sleepMs(20);
    await sleepMs(300);
    const initiator = relay.openConnections().map((c) => c.initiator).join(',');
    const helloLate = options.hello === 'late' ? relay.openConnections().map((c) => releasedLate.includes(c.id)).join(',') : undefined;
    const noHbtBefore = { A: (await peerBlock(a, 'B')).noHbt, B: (await peerBlock(b, 'A')).noHbt };
    const cutMs = relay.nowMs();
    relay.drop();
    const down: Record<string, number> = {};
    const samples: Record<string, string[]> = { A: [], B: [] };
    const sampleAt = options.showSess ? [...SAMPLE_AT_MS] : [];
    const sides = [['A', a, 'B'], ['B', b, 'A']] as const;
    while (relay.nowMs() - cutMs < WATCH_MS_MAX && Object.keys(down).length < 2) {
      if (sampleAt.length > 0 && relay.nowMs() - cutMs >= sampleAt[0]!) {
        sampleAt.shift();
        for (const [n, p] of sides) if (down[n] === undefined) samples[n]!.push(`@${Math.round(relay.nowMs() - cutMs)} ${peerStreamExpiries(await p.cli('show sess all'))}`);
      }
      for (const [n, p, other] of sides) if (down[n] === undefined && (await peerBlock(p, other)).state !== 'EST') down[n] = Math.round(relay.nowMs() - cutMs);
      await sleepMs(POLL_MS);
    }
    const deadPeer = { A: (await peerBlock(a, 'B')).noHbt - noHbtBefore.A, B: (await peerBlock(b, 'A')).noHbt - noHbtBefore.B };
    relay.undrop();
    return { initiator, ...(helloLate === undefined ? {} : { helloLate }), downA: down['A'] ?? -1, downB: down['B'] ?? -1, deadPeerA: deadPeer.A, deadPeerB: deadPeer.B, ...(options.showSess ? { beforeWrites: atStart, samples } : {}) };
  });
}

const { options, binary } = startExperiment('exp-silent-cut', parseArgs);
const pair = await startRelayedPair({ connectOnFirstBytes: options.hello === 'with-connect' });
let late = 0;
for (let t = 1; t <= options.trials; t++) {
  const result = await trial(binary, pair, options);
  if (result['deadPeerA'] !== 0 || result['deadPeerB'] !== 0) late++;
  console.log(JSON.stringify({ trial: t, line: options.line, writes: options.writes, hello: options.hello, ...result }));
}
console.log(`${late} of ${options.trials} trials: one side ended by the dead-peer path (no_hbt + 1) instead of the read timeout`);
await pair.relay.close();
