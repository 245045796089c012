/**
 * Two regions 100 ms apart. hap1 holds about 15,000 client entries; hap2 crashes and comes back,
 * and learns the table from hap1 by a full resync over the long link. A sender never leaves more
 * than its socket send buffer (here 64 KB) unacknowledged: HAProxy's peer applet waits for room
 * in its buffer, so the lesson goes out one buffer per trip across the link.
 *
 * What an operator learns: a full resync is paced by the send buffer and the link's latency, not
 * by bandwidth — about (table bytes / send buffer) one-way trips. Some 400 KB of table over a
 * 100 ms link takes about a second, and the returning node's limits are blind for that long; a
 * bigger table or a longer link makes the window grow in proportion.
 */
import { scenario } from '../dsl.ts';
import { mesh } from './cluster.ts';

export const ENTRIES_TARGET = 20_000;
const CRASH_MS = 8_000;
const RESTART_MS = 10_000;
export const SEND_BUFFER_BYTES = 64 * 1024;

export default scenario({
  name: 'resync-over-long-link',
  title: 'A full resync over a 100 ms link is paced by the send buffer',
  lesson: 'A returning node learns a large table one send buffer per trip across the link: its blind window grows with table size and distance.',
  hosts: mesh(['hap1', 'hap2'], { table: 'stick-table type ip size 100k expire 10m store http_req_cnt,gpc0' }),
  durationMs: 20_000,
  // Not seed 3: there, under the 16 MB control, hap1's reconnect crosses hap2's connect at the
  // restart; hap1's cut-short attempt still delivers its hello (orphan-stream.ts, as HAProxy's
  // stream does) and hap2 drops the session carrying the first lesson, so resyncMsAfterRestart
  // measures that collision, not the send buffer (1250 ms against 610 on seeds 2 and 4-12).
  seeds: ['1', '2', '4'],
  link: { latencyMs: 100, sendBufferBytes: SEND_BUFFER_BYTES },
  watch: { table: 'st', keys: [], everyMs: 1_000 },
  script: (s) => {
    // 30,000 requests from 20,000 clients on hap1 early on: about 15,500 distinct entries.
    s.clients({ name: 'clients', addresses: { cidr: '10.20.0.0/16', count: ENTRIES_TARGET }, arrival: { kind: 'constant', ratePerSec: 20_000 }, targetHost: 'hap1', startMs: 1_000, stopMs: 2_500 });
    s.at(CRASH_MS, () => s.crash('hap2'));
    s.at(RESTART_MS, () => s.start('hap2'));
    let learnedMs = -1;
    let entriesAtRestart = 0;
    s.at(RESTART_MS, () => (entriesAtRestart = s.used('hap1', 'st')));
    s.until({ startMs: RESTART_MS, everyMs: 10, withinMs: 8_000 }, () => s.used('hap2', 'st') >= entriesAtRestart && entriesAtRestart > 0, (timedOut) => {
      if (!timedOut) learnedMs = s.nowMs() - RESTART_MS;
    });
    s.eventually('hap2-relearns-the-table', { afterMs: RESTART_MS, withinMs: 5_000, describe: 'hap2 holds as many entries as hap1' }, () => s.used('hap2', 'st') >= entriesAtRestart && entriesAtRestart > 0);
    s.count('entriesAtRestart', () => entriesAtRestart, { atLeast: 12_000 });
    // Hello, status and resync request take two trips; the lesson (~8 buffers of 64 KB) at
    // least eight more: far beyond the ~0.3 s a buffer holding the whole table would need.
    s.count('resyncMsAfterRestart', () => learnedMs, { atLeast: 800, atMost: 3_000 });
  },
});
