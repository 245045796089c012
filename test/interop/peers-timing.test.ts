/**
 * Issue 14 (1): when a session counts as connected, and which silence ends it, between
 * `sticksim peer` and real haproxy 2.6, through the test-only TCP relay (tcp-relay.ts).
 *
 * - A paused acceptor (SIGSTOP): the kernel (here the relay) completes the TCP handshake, so
 *   sticksim's connect is done and its session waits for the status — up to the 5 s read timeout,
 *   as haproxy's peers proxy does — instead of timing out the connect after 1 s and retrying.
 * - A one-way drop (the bytes haproxy sends vanish): sticksim's input goes silent while it keeps
 *   writing heartbeats; its read timeout ends the session 5 s after the last input, not the
 *   dead-peer path (5-10 s, no_hbt + 1).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allocateLoopbackEndpoint, interopGate, sleepMs } from './haproxy.ts';
import { peerBlock, peersConfig, startRealHaproxy, startSticksim, twoEndpoints, waitFor, type PeerProcess } from './peer-harness.ts';
import { TcpRelay } from './tcp-relay.ts';

const gate = interopGate();
const HAP = 'hap';
const SIM = 'sim';
/** How long the acceptor stays paused while sticksim's connect waits (below the 5 s read timeout). */
const PAUSED_MS = 4_000;
/** haproxy's peers proxy timeouts: connect 1 s, client/server (read) 5 s. */
const CONNECT_TIMEOUT_MS = 1_000;
const READ_TIMEOUT_MS = 5_000;
/** Slack for process scheduling and `show peers` polling on a loaded machine. */
const POLL_SLACK_MS = 1_500;

describe.skipIf(gate.skip)('connect signal and read timeout between sticksim and real haproxy 2.6 (through a TCP relay)', () => {
  let hap: PeerProcess | undefined;
  let sim: PeerProcess | undefined;
  let relay: TcpRelay | undefined;

  beforeAll(async () => {
    if (gate.skip) return;
    const [h, s] = await twoEndpoints();
    relay = await TcpRelay.start({
      routes: [
        { from: HAP, to: SIM, target: s },
        { from: SIM, to: HAP, target: h },
      ],
      listenAddress: (await allocateLoopbackEndpoint()).address,
    });
    const configFor = (local: string): string =>
      peersConfig({
        peers: [
          { name: HAP, endpoint: local === HAP ? h : relay!.endpointFor(SIM, HAP) },
          { name: SIM, endpoint: local === SIM ? s : relay!.endpointFor(HAP, SIM) },
        ],
      });
    hap = await startRealHaproxy({ binary: gate.binary, configText: configFor(HAP), local: HAP });
    // haproxy is paused before sticksim exists: sticksim's first connect meets a silent acceptor.
    hap.signal('SIGSTOP');
    sim = await startSticksim({ configText: configFor(SIM), local: SIM });
  });
  afterAll(async () => {
    hap?.signal('SIGCONT');
    await sim?.stop();
    await hap?.stop();
    await relay?.close();
  });

  const bothEstablished = async (): Promise<boolean> => (await peerBlock(hap!, SIM)).state === 'EST' && (await peerBlock(sim!, HAP)).state === 'EST';

  test(
    'a paused acceptor: sticksim connects once and waits (no 1 s connect-timeout retries); the session comes up on SIGCONT',
    async () => {
      try {
        await waitFor('sticksim to connect through the relay', async () => (relay!.connections().some((c) => c.initiator === SIM) ? true : undefined), {
          timeoutMs: 5_000,
          pollMs: 20,
        });
        await sleepMs(PAUSED_MS);
        const fromSim = relay!.connections().filter((c) => c.initiator === SIM);
        // Connect-timeout retries would open a new connection every CONNECT_TIMEOUT_MS (3 by now).
        expect(fromSim.length, JSON.stringify(fromSim)).toBe(1);
        expect(fromSim[0]!.closedAtMs, 'the first connection is still open').toBe(undefined);
        expect(fromSim[0]!.bytesToAcceptor, 'the hello went out').toBeGreaterThan(0);
        expect(fromSim[0]!.bytesToInitiator, 'nothing came back from the paused haproxy').toBe(0);
      } finally {
        hap!.signal('SIGCONT');
      }
      await waitFor('an established session on both sides', async () => ((await bothEstablished()) ? true : undefined), { timeoutMs: 20_000, pollMs: 50 });
    },
    40_000,
  );

  test(
    "a one-way drop of haproxy's bytes: sticksim's read timeout ends the session within 5 s, not the dead-peer path",
    async () => {
      await waitFor('an established session on both sides', async () => ((await bothEstablished()) ? true : undefined), { timeoutMs: 20_000, pollMs: 50 });
      const before = await peerBlock(sim!, HAP);
      const droppedAt = relay!.nowMs();
      relay!.drop({ sender: HAP });
      try {
        await waitFor('sticksim to end its session to haproxy', async () => ((await peerBlock(sim!, HAP)).state !== 'EST' ? true : undefined), {
          timeoutMs: 2 * READ_TIMEOUT_MS + POLL_SLACK_MS,
          pollMs: 50,
        });
        const tookMs = relay!.nowMs() - droppedAt;
        const after = await peerBlock(sim!, HAP);
        // The last input arrived before the drop: the read timeout fires at most 5 s later.
        expect(tookMs, after.text).toBeLessThanOrEqual(READ_TIMEOUT_MS + POLL_SLACK_MS);
        expect(after.noHbt, `no dead-peer verdict: ${after.text}`).toBe(before.noHbt);
      } finally {
        relay!.undrop({ sender: HAP });
      }
      await waitFor('the session back on both sides', async () => ((await bothEstablished()) ? true : undefined), { timeoutMs: 20_000, pollMs: 50 });
    },
    60_000,
  );
});
