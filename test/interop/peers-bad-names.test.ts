/**
 * Issue 3 (d): wrong names in the hello (RESULTS.md exp. 5). A caller that names the wrong peer
 * gets 503 (`last_status=NAME`), a caller the callee does not know gets 504 (`last_status=UNKN`);
 * neither side retries. Checked both ways between `sticksim peer` and real haproxy of each release
 * line (2.6, 3.0, 3.2), sticksim under that line's profile. No line retries after a 503 or 504 (the
 * sync task reconnects only after no status, a connect, a 200 or a connected-then-closed session:
 * the same condition in 2.6.0, 3.0.0 and 3.2.0); a connect refused before the other side listened
 * is retried after 5 s in every line, so connections are counted from the refusal on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interopLines, sleepMs } from './haproxy.ts';
import { peerBlock, peersConfig, type PeerBlock, startRealHaproxy, startSticksim, twoEndpoints, waitFor, type PeerProcess } from './peer-harness.ts';

/** Longer than HAProxy's reconnect back-offs (5 s max): a retry would show as new_conn > 1. */
const NO_RETRY_WATCH_MS = 6_000;

async function waitStatus(proc: PeerProcess, peer: string, status: string): Promise<void> {
  await waitFor(`${proc.kind} to show last_status=${status} for ${peer}`, async () => ((await peerBlock(proc, peer)).lastStatus === status ? true : undefined), {
    timeoutMs: 5_000,
    pollMs: 50,
  });
}

for (const { line, gate } of interopLines()) describe.skipIf(gate.skip)(`bad names in the hello, sticksim <-> real haproxy ${line}`, () => {
  const started: PeerProcess[] = [];
  let hapA: PeerProcess;
  let simA: PeerProcess;
  let hapB: PeerProcess;
  let simB: PeerProcess;

  beforeAll(async () => {
    if (gate.skip) return;
    // Setup A: sticksim calls haproxy by a wrong name (503 from haproxy); haproxy calls as a peer
    // sticksim does not know (504 from sticksim).
    const [h1, s1] = await twoEndpoints();
    hapA = await startRealHaproxy({ binary: gate.binary, configText: peersConfig({ peers: [{ name: 'hap', endpoint: h1 }, { name: 'sim', endpoint: s1 }] }), local: 'hap' });
    started.push(hapA);
    simA = await startSticksim({ configText: peersConfig({ peers: [{ name: 'sim', endpoint: s1 }, { name: 'wrong', endpoint: h1 }] }), local: 'sim', haproxy: line });
    started.push(simA);
    // Setup B: haproxy calls sticksim by a wrong name (503 from sticksim); sticksim calls as a
    // peer haproxy does not know (504 from haproxy).
    const [h2, s2] = await twoEndpoints();
    hapB = await startRealHaproxy({ binary: gate.binary, configText: peersConfig({ peers: [{ name: 'hap', endpoint: h2 }, { name: 'wrongsim', endpoint: s2 }] }), local: 'hap' });
    started.push(hapB);
    simB = await startSticksim({ configText: peersConfig({ peers: [{ name: 'sim', endpoint: s2 }, { name: 'hap', endpoint: h2 }] }), local: 'sim', haproxy: line });
    started.push(simB);
  });
  afterAll(async () => {
    for (const p of started.splice(0)) await p.stop();
  });

  test('haproxy answers 503 to a wrong called name; sticksim reports NAME, like haproxy does', async () => {
    await waitStatus(simA, 'wrong', 'NAME');
    await waitStatus(hapB, 'wrongsim', 'NAME');
    expect(simA.output).toMatch(/peer 'wrong' refused our hello: 503 \(NAME\)/);
    expect(simB.output).toMatch(/refused a hello: 503 \(NAME\)/);
  });

  test('an unknown caller gets 504: sticksim reports UNKN, like haproxy does', async () => {
    await waitStatus(simB, 'hap', 'UNKN');
    await waitStatus(hapA, 'sim', 'UNKN');
    expect(simA.output).toMatch(/refused a hello: 504 \(UNKN\)/);
  });

  test('after a 503 or 504 nobody retries: no new connection in 6 s, nothing established', async () => {
    const blocksNow = async (): Promise<PeerBlock[]> => [await peerBlock(simA, 'wrong'), await peerBlock(hapB, 'wrongsim'), await peerBlock(simB, 'hap'), await peerBlock(hapA, 'sim')];
    const before = await blocksNow();
    for (const b of before) expect(['NAME', 'UNKN'], b.text).toContain(b.lastStatus);
    await sleepMs(NO_RETRY_WATCH_MS);
    const after = await blocksNow();
    after.forEach((b, i) => {
      expect(b.newConn, `${before[i]!.text}\n--- 6 s later ---\n${b.text}`).toBe(before[i]!.newConn);
      expect(b.newConn, b.text).toBeLessThanOrEqual(2); // at most one refused connect before the peer listened
      expect(b.state ?? 'none', b.text).not.toBe('EST');
    });
    expect(simA.exited).toBeUndefined();
    expect(simB.exited).toBeUndefined();
  });
});
