/**
 * Issue 13 experiment against real haproxy (2.6, 3.0, 3.2): why, under 3.x, the session re-opened
 * after a split-brain heal is closed again about a second later and re-opened with the roles
 * reversed (lab 04 on 3.0 and 3.2). Two haproxy processes A and B talk through the test relay
 * (test/interop/tcp-relay.ts). Each trial follows lab 04's steps with the relay's REJECT-like cut:
 * start A then B, wait for the session, 1.5 s, A writes the key, B has it, 300 ms; the relay resets
 * every connection and refuses new ones (lab `iptables -j REJECT --reject-with tcp-reset`); both
 * see the session down; A writes gpc0=5, B gpc0=12; then only INIT's connects are let through until
 * INIT's session is up, then every route is open again (the lab's uncut_node + heal). For the
 * next `--watch-ms` it samples `show peers` on both sides and prints every change of state, with
 * the counters that tell the close paths apart: `coll` (a hello arrived while a session object
 * existed: the older one is killed), `no_hbt` (the reconnect timer expired twice without input:
 * the dead-peer path), `new_conn`; and the relay's connections (who opened each, when it opened
 * and how it ended).
 *
 *   npx tsx scripts/exp-heal-reconnect.ts [--trials N=6] [--init A|B|alt] [--line 2.6|3.0|3.2] [--watch-ms N=5000] [--trace]
 *
 * `--trace` turns on haproxy's own peers trace (3.x: `trace peers`, sink buf0) for the heal and
 * prints its events of session creation and release after the trial.
 */
import { sleepMs, type HaproxyBinary, type HaproxyLine } from '../test/interop/haproxy.ts';
import { peerBlock, type PeerProcess } from '../test/interop/peer-harness.ts';
import { lineArg, parseArgv, startExperiment, wholeNumberArg } from './lib/experiment-args.ts';
import { startRelayedPair, withRelayedProcesses, type RelayedPair } from './lib/relayed-pair.ts';

const USAGE = 'usage: npx tsx scripts/exp-heal-reconnect.ts [--trials N=6] [--init A|B|alt] [--line 2.6|3.0|3.2] [--watch-ms N=5000] [--trace]';
const KEY = '10.9.9.9';
const POLL_MS = 10;

interface Options {
  trials: number;
  init: 'A' | 'B' | 'alt';
  line: HaproxyLine;
  watchMs: number;
  trace: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { trials: 6, init: 'alt', line: '3.0', watchMs: 5000, trace: false };
  const count = { min: 1, max: 100_000, rangeInMessage: false };
  parseArgv(argv, {
    usage: USAGE,
    switches: { '--trace': () => (options.trace = true) },
    values: {
      '--line': (v, where) => (options.line = lineArg(v, where)),
      '--init': (v, where) => {
        if (v !== 'A' && v !== 'B' && v !== 'alt') throw new Error(`--init: A, B or alt (${where})`);
        options.init = v;
      },
      '--trials': (v, where) => (options.trials = wholeNumberArg('--trials', v, where, count)),
      '--watch-ms': (v, where) => (options.watchMs = wholeNumberArg('--watch-ms', v, where, count)),
    },
  });
  return options;
}

interface Side {
  state: string;
  coll: number;
  noHbt: number;
  newConn: number;
  gpc0: string;
}

async function sideOf(p: PeerProcess, other: string): Promise<Side> {
  const block = await peerBlock(p, other);
  const coll = Number(/\bcoll=(\d+)/.exec(block.text)?.[1] ?? NaN);
  const row = await p.cli(`show table st key ${KEY}`);
  const gpc0 = / gpc0=(\d+)/.exec(row)?.[1] ?? '-';
  return { state: block.state ?? block.lastStatus, coll, noHbt: block.noHbt, newConn: block.newConn, gpc0 };
}

async function waitState(p: PeerProcess, other: string, want: (s: string | undefined) => boolean, timeoutMs: number): Promise<boolean> {
  for (let t = 0; t < timeoutMs / 20; t++) {
    if (want((await peerBlock(p, other)).state)) return true;
    await sleepMs(20);
  }
  return false;
}

const TRACE_ON = ['trace peers sink buf0', 'trace peers level developer', 'trace peers verbosity minimal', 'trace peers event +any', 'trace peers start now'];

async function trial(binary: HaproxyBinary, pair: RelayedPair, options: Options, init: 'A' | 'B'): Promise<void> {
  const relay = pair.relay;
  const other = init === 'A' ? 'B' : 'A';
  await withRelayedProcesses(pair, binary, async (a, b) => {
    await waitState(a, 'B', (s) => s === 'EST', 10_000);
    await waitState(b, 'A', (s) => s === 'EST', 10_000);
    await sleepMs(1500);
    await a.cli(`set table st key ${KEY} data.gpc0 1`);
    for (let i = 0; i < 250 && !(await b.cli(`show table st key ${KEY}`)).includes('gpc0=1'); i++) await sleepMs(20);
    await sleepMs(300);
    await relay.cut();
    await waitState(a, 'B', (s) => s !== 'EST', 15_000);
    await waitState(b, 'A', (s) => s !== 'EST', 15_000);
    await a.cli(`set table st key ${KEY} data.gpc0 5`);
    await sleepMs(200);
    await b.cli(`set table st key ${KEY} data.gpc0 12`);
    await sleepMs(200);
    if (options.trace) for (const p of [a, b]) for (const c of TRACE_ON) await p.cli(c);
    const before = { A: await sideOf(a, 'B'), B: await sideOf(b, 'A') };
    const t0 = relay.nowMs();
    const firstConn = relay.connections().length === 0 ? 1 : relay.connections().at(-1)!.id + 1;
    await relay.heal({ initiator: init });
    const initProc = init === 'A' ? a : b;
    await waitState(initProc, other, (s) => s === 'EST', 12_000);
    const estMs = Math.round(relay.nowMs() - t0);
    await relay.heal();
    const healMs = Math.round(relay.nowMs() - t0);
    let last = '';
    const lines: string[] = [];
    const endMs = relay.nowMs() + options.watchMs;
    while (relay.nowMs() < endMs) {
      const sa = await sideOf(a, 'B');
      const sb = await sideOf(b, 'A');
      const cur = `A[${sa.state} coll=${sa.coll} no_hbt=${sa.noHbt} new_conn=${sa.newConn} gpc0=${sa.gpc0}] B[${sb.state} coll=${sb.coll} no_hbt=${sb.noHbt} new_conn=${sb.newConn} gpc0=${sb.gpc0}]`;
      if (cur !== last) lines.push(`  +${Math.round(relay.nowMs() - t0)}ms ${cur}`);
      last = cur;
      await sleepMs(POLL_MS);
    }
    console.log(`---- ${options.line} trial init=${init}: ${init} EST at +${estMs}ms, heal at +${healMs}ms; before: A coll=${before.A.coll} no_hbt=${before.A.noHbt} new_conn=${before.A.newConn}, B coll=${before.B.coll} no_hbt=${before.B.noHbt} new_conn=${before.B.newConn}`);
    for (const l of lines) console.log(l);
    for (const c of relay.connections().filter((c) => c.id >= firstConn)) {
      console.log(`  conn ${c.id} by ${c.initiator}: opened +${Math.round(c.openedAtMs - t0)}ms ${JSON.stringify({ ...c, openedAtMs: undefined, initiator: undefined, id: undefined })}`);
    }
    if (options.trace) {
      for (const [n, p] of [['A', a], ['B', b]] as const) {
        const ev = await p.cli('show events buf0');
        console.log(`  trace ${n}:`);
        for (const l of ev.split('\n').filter((l) => l.trim() !== '')) console.log(`    ${l}`);
      }
    }
  });
}

const { options, binary } = startExperiment('exp-heal-reconnect', parseArgs);
// Every route starts cut for the trial's cut: a cut selection by initiator needs the route known.
const pair = await startRelayedPair();
for (let t = 1; t <= options.trials; t++) {
  const init = options.init === 'alt' ? (t % 2 === 1 ? 'A' : 'B') : options.init;
  await trial(binary, pair, options, init);
}
await pair.relay.close();
