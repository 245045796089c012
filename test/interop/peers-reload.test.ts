/**
 * Issue 3 (c): reload hand-over. The old process, once it finished its own startup resync
 * (5 s when alone, RESULTS.md exp. 3b), is soft-stopped by the new one (HAProxy's `-sf`:
 * SIGTTOU while the port is taken, then SIGUSR1), connects to the local peer address where the
 * new process now listens, and teaches it the table before it exits.
 *   - new `sticksim peer --reload-from <old pid>` learns from an old sticksim;
 *   - new real `haproxy -sf <old sticksim pid>` learns from an old sticksim.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { allocateLoopbackEndpoint, interopLines } from './haproxy.ts';
import { ipOf, peersConfig, setEntries, showPeers, showTable, startRealHaproxy, startSticksim, waitFor, type PeerProcess, type TableDump } from './peer-harness.ts';

const ENTRIES = 1_000;
const OLD_RESYNC_MS_MAX = 8_000;
const HANDOVER_MS_MAX = 5_000;

for (const { line, gate } of interopLines()) describe.skipIf(gate.skip)(`reload hand-over from an old sticksim process (haproxy ${line})`, () => {
  const started: PeerProcess[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) await p.stop();
  });

  /** An old sticksim alone in its section, filled, past its own startup resync. */
  async function oldSticksim(): Promise<{ old: PeerProcess; configText: string; before: TableDump }> {
    const endpoint = await allocateLoopbackEndpoint();
    const configText = peersConfig({ peers: [{ name: 'node', endpoint }] });
    const old = await startSticksim({ configText, local: 'node', haproxy: line });
    started.push(old);
    await setEntries(
      old,
      Array.from({ length: ENTRIES }, (_, i) => `set table st key ${ipOf(i)} data.gpc0 ${i} data.http_req_cnt ${i * 2}`),
    );
    await waitFor('the old process to finish its startup resync', async () => ((await showPeers(old)).resync.remoteFinished ? true : undefined), {
      timeoutMs: OLD_RESYNC_MS_MAX,
      pollMs: 100,
    });
    const before = await showTable(old);
    expect(before.used).toBe(ENTRIES);
    return { old, configText, before };
  }

  async function expectLearned(fresh: PeerProcess, old: PeerProcess, before: TableDump): Promise<void> {
    const learnedMs = await waitFor(
      `the new ${fresh.kind} to hold the old table`,
      async () => {
        const dump = await showTable(fresh);
        return dump.used === ENTRIES ? dump : undefined;
      },
      { timeoutMs: HANDOVER_MS_MAX, pollMs: 50 },
    );
    let differing = 0;
    for (const [key, row] of before.rows) if (learnedMs.rows.get(key) !== row) differing++;
    expect(differing).toBe(0);
    // the lesson came from the local peer (the old process), not from a remote
    expect((await showPeers(fresh)).resync.taughtByLocal).toBe(true);
    const status = await old.waitExit(HANDOVER_MS_MAX);
    expect(status).toEqual({ code: 0, signal: null });
  }

  test('a new sticksim learns the table from the old sticksim before it leaves', async () => {
    const { old, configText, before } = await oldSticksim();
    const fresh = await startSticksim({ configText, local: 'node', reloadFromPid: old.pid, haproxy: line });
    started.push(fresh);
    await expectLearned(fresh, old, before);
    expect(fresh.output).toMatch(/learning the tables from peer 'node' \(local\)/);
    expect(old.output).toMatch(/soft stop/);
  });

  test('a new real haproxy (-sf <sticksim pid>) learns the table from the old sticksim', async () => {
    if (gate.skip) return;
    const { old, configText, before } = await oldSticksim();
    const fresh = await startRealHaproxy({ binary: gate.binary, configText, local: 'node', softStopPid: old.pid });
    started.push(fresh);
    await expectLearned(fresh, old, before);
    expect(old.output).toMatch(/taught the tables to peer 'node'/);
  });
});
