/**
 * Issue 3 (b): full resync both ways — a peer started late learns a 10,000-entry table from the
 * one already running, whichever side (real haproxy (2.6, 3.0 or 3.2, sticksim under that line's profile) or `sticksim peer`) is late.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { interopLines } from './haproxy.ts';
import { ipOf, peersConfig, setEntries, showTable, startRealHaproxy, startSticksim, tableUsed, twoEndpoints, waitFor, type PeerProcess } from './peer-harness.ts';

const ENTRIES = 10_000;
const LEARN_MS_MAX = 10_000;

function fillCommands(): string[] {
  return Array.from({ length: ENTRIES }, (_, i) => `set table st key ${ipOf(i)} data.gpc0 ${i % 1000} data.http_req_cnt ${i} data.conn_cnt ${(i * 31) % 97}`);
}

for (const { line, gate } of interopLines()) describe.skipIf(gate.skip)(`live sticksim peer <-> real haproxy ${line}: full resync of 10,000 entries`, () => {
  const started: PeerProcess[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) await p.stop();
  });

  async function lateLearner(early: 'haproxy' | 'sticksim'): Promise<{ early: PeerProcess; late: PeerProcess; learnMs: number }> {
    if (gate.skip) throw new Error('unreachable');
    const [a, b] = await twoEndpoints();
    const configText = peersConfig({ peers: [{ name: 'early', endpoint: a }, { name: 'late', endpoint: b }] });
    const startEarly = early === 'haproxy' ? startRealHaproxy({ binary: gate.binary, configText, local: 'early' }) : startSticksim({ configText, local: 'early', haproxy: line });
    const first = await startEarly;
    started.push(first);
    await setEntries(first, fillCommands());
    expect(await tableUsed(first)).toBe(ENTRIES);
    const t0 = performance.now();
    const second = early === 'haproxy' ? await startSticksim({ configText, local: 'late', haproxy: line }) : await startRealHaproxy({ binary: gate.binary, configText, local: 'late' });
    started.push(second);
    const learnMs = await waitFor('the late peer to hold every entry', async () => ((await tableUsed(second)) === ENTRIES ? performance.now() - t0 : undefined), {
      timeoutMs: LEARN_MS_MAX,
      pollMs: 50,
    });
    return { early: first, late: second, learnMs };
  }

  async function expectSameTables(x: PeerProcess, y: PeerProcess): Promise<void> {
    const [dx, dy] = [await showTable(x), await showTable(y)];
    expect(dx.used).toBe(ENTRIES);
    expect(dy.used).toBe(ENTRIES);
    let differing = 0;
    for (const [key, row] of dx.rows) if (dy.rows.get(key) !== row) differing++;
    expect(differing).toBe(0);
    expect(dy.rows.get(ipOf(4321))).toBe(`gpc0=321 conn_cnt=${(4321 * 31) % 97} http_req_cnt=4321 http_req_rate(10000)=0`);
  }

  test('sticksim started late learns the table of a running haproxy', async () => {
    const { early, late, learnMs } = await lateLearner('haproxy');
    await expectSameTables(early, late);
    // the log line follows the last entry (RESYNCFINISHED), and stderr is a pipe: wait for it
    await waitFor('the learned log line', async () => (/learned the tables from peer 'early'/.test(late.output) ? true : undefined), { timeoutMs: 3_000 });
    console.log(`[interop] sticksim learned ${ENTRIES} entries from haproxy in ${learnMs.toFixed(0)} ms`);
  });

  test('haproxy started late learns the table of a running sticksim', async () => {
    const { early, late, learnMs } = await lateLearner('sticksim');
    await expectSameTables(early, late);
    await waitFor('the taught log line', async () => (/taught the tables to peer 'late'/.test(early.output) ? true : undefined), { timeoutMs: 3_000 });
    console.log(`[interop] haproxy learned ${ENTRIES} entries from sticksim in ${learnMs.toFixed(0)} ms`);
  });
});
