/**
 * Issue 3 (d): wrong names in the hello (RESULTS.md exp. 5). A caller that names the wrong peer
 * gets 503 (`last_status=NAME`), a caller the callee does not know gets 504 (`last_status=UNKN`);
 * neither side retries. Checked both ways between `sticksim peer` and real haproxy 2.6.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interopGate, sleepMs } from './haproxy.ts';
import { peerBlock, peersConfig, startRealHaproxy, startSticksim, twoEndpoints, waitFor, type PeerProcess } from './peer-harness.ts';

const gate = interopGate();
/** Longer than HAProxy's reconnect back-offs (5 s max): a retry would show as new_conn > 1. */
const NO_RETRY_WATCH_MS = 6_000;

async function waitStatus(proc: PeerProcess, peer: string, status: string): Promise<void> {
  await waitFor(`${proc.kind} to show last_status=${status} for ${peer}`, async () => ((await peerBlock(proc, peer)).lastStatus === status ? true : undefined), {
    timeoutMs: 5_000,
    pollMs: 50,
  });
}

describe.skipIf(gate.skip)('bad names in the hello, sticksim <-> real haproxy 2.6', () => {
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
    simA = await startSticksim({ configText: peersConfig({ peers: [{ name: 'sim', endpoint: s1 }, { name: 'wrong', endpoint: h1 }] }), local: 'sim' });
    started.push(simA);
    // Setup B: haproxy calls sticksim by a wrong name (503 from sticksim); sticksim calls as a
    // peer haproxy does not know (504 from haproxy).
    const [h2, s2] = await twoEndpoints();
    hapB = await startRealHaproxy({ binary: gate.binary, configText: peersConfig({ peers: [{ name: 'hap', endpoint: h2 }, { name: 'wrongsim', endpoint: s2 }] }), local: 'hap' });
    started.push(hapB);
    simB = await startSticksim({ configText: peersConfig({ peers: [{ name: 'sim', endpoint: s2 }, { name: 'hap', endpoint: h2 }] }), local: 'sim' });
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

  test('after a 503 or 504 nobody retries: one connection each, nothing established', async () => {
    await sleepMs(NO_RETRY_WATCH_MS);
    const blocks = [await peerBlock(simA, 'wrong'), await peerBlock(hapB, 'wrongsim'), await peerBlock(simB, 'hap'), await peerBlock(hapA, 'sim')];
    for (const b of blocks) {
      expect(b.newConn, b.text).toBe(1);
      expect(b.state ?? 'none', b.text).not.toBe('EST');
    }
    expect(simA.exited).toBeUndefined();
    expect(simB.exited).toBeUndefined();
  });
});
