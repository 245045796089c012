/**
 * Issue 14 experiment against real haproxy (the referee): the startup of a 3-node mesh, as lab 02
 * and 09 start it. Each trial starts hap1, hap2, hap3 one after the other (each once its stats
 * socket answers, as the lab's start_node waits for it, plus `--gap-ms`), then polls `show peers`
 * on all three every few ms for `--watch-ms`. Per pair (1-2, 1-3, 2-3) it prints when the first
 * session came up, when it went down (the startup teardown), when the session that lasts was made
 * and which node initiated it (an accepted session shows an `xprt=` line in `show peers`; the
 * lab's `sess` helper reads it the same way), and each node's collision counter. Times are ms
 * after the first start; `remadeFromLastStartMs` is the lab's clock (its t0 is taken after the
 * last start).
 *
 *   npx tsx scripts/exp-startup.ts [--trials N=10] [--gap-ms N=0] [--watch-ms N=6000] [--line 2.6|3.0|3.2]
 *
 * Needs the haproxy binary of the line (default 2.6), found as the interop tests find it.
 */
import { performance } from 'node:perf_hooks';
import { allocateLoopbackEndpoint, interopGateFor, sleepMs, type HaproxyBinary, type HaproxyLine, type LoopbackEndpoint } from '../test/interop/haproxy.ts';
import { parseShowPeers, peersConfig, startRealHaproxy, twoEndpoints, type PeerProcess } from '../test/interop/peer-harness.ts';
import { lineArg, parseArgv, wholeNumberArg } from './lib/experiment-args.ts';

const USAGE = 'usage: npx tsx scripts/exp-startup.ts [--trials N=10] [--gap-ms N=0] [--watch-ms N=6000] [--line 2.6|3.0|3.2]';
const NODES = ['hap1', 'hap2', 'hap3'] as const;
const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
] as const;

interface Options {
  trials: number;
  gapMs: number;
  watchMs: number;
  line: HaproxyLine;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { trials: 10, gapMs: 0, watchMs: 6000, line: '2.6' };
  const count = { min: 0, max: 100_000, rangeInMessage: false };
  parseArgv(argv, {
    usage: USAGE,
    values: {
      '--line': (v, where) => (options.line = lineArg(v, where)),
      '--trials': (v, where) => (options.trials = wholeNumberArg('--trials', v, where, count)),
      '--gap-ms': (v, where) => (options.gapMs = wholeNumberArg('--gap-ms', v, where, count)),
      '--watch-ms': (v, where) => (options.watchMs = wholeNumberArg('--watch-ms', v, where, count)),
    },
  });
  return options;
}

/** Three endpoints on distinct 127.0.0.x addresses. */
async function threeEndpoints(): Promise<LoopbackEndpoint[]> {
  const [a, b] = await twoEndpoints();
  for (let i = 0; i < 50; i++) {
    const c = await allocateLoopbackEndpoint();
    if (c.address !== a.address && c.address !== b.address) return [a, b, c];
  }
  throw new Error('could not find three distinct loopback addresses');
}

/** One side's view of a pair: 'I' it initiated the session, 'A' it accepted it, '-' none. */
type View = 'I' | 'A' | '-';

function viewOf(showPeers: string, peer: string): View {
  const block = parseShowPeers(showPeers).peers.get(peer);
  if (block?.state !== 'EST') return '-';
  return /\bxprt=/.test(block.text) ? 'A' : 'I';
}

interface PairLog {
  /** The lower-numbered node's view over time, compressed to changes: [ms, view]. */
  changes: [number, View][];
}

async function trial(binary: HaproxyBinary, options: Options): Promise<Record<string, unknown>> {
  const endpoints = await threeEndpoints();
  const cfg = peersConfig({ peers: NODES.map((name, i) => ({ name, endpoint: endpoints[i]! })) });
  const procs: PeerProcess[] = [];
  const t0 = performance.now();
  const startedMs: number[] = [];
  try {
    for (const name of NODES) {
      startedMs.push(Math.round(performance.now() - t0));
      procs.push(await startRealHaproxy({ binary, configText: cfg, local: name }));
      if (options.gapMs > 0) await sleepMs(options.gapMs);
    }
    const lastStartMs = startedMs.at(-1)!;
    const logs: PairLog[] = PAIRS.map(() => ({ changes: [] }));
    while (performance.now() - t0 < options.watchMs) {
      const answers = await Promise.all(procs.map((p) => p.cli('show peers')));
      const ms = Math.round(performance.now() - t0);
      PAIRS.forEach(([lo, hi], k) => {
        const view = viewOf(answers[lo]!, NODES[hi]);
        const log = logs[k]!;
        if (log.changes.at(-1)?.[1] !== view) log.changes.push([ms, view]);
      });
      await sleepMs(5);
    }
    const finals = await Promise.all(procs.map((p) => p.cli('show peers')));
    const coll = finals.map((text) => NODES.map((n) => Number(/coll=(\d+)/.exec(parseShowPeers(text).peers.get(n)?.text ?? '')?.[1] ?? 0)).reduce((a, b) => a + b, 0));
    const pairs = PAIRS.map(([lo, hi], k) => {
      const changes = logs[k]!.changes;
      const last = changes.at(-1)!;
      return {
        pair: `${lo + 1}-${hi + 1}`,
        timeline: changes.map(([ms, v]) => `${ms}${v}`).join(' '),
        initiator: last[1] === 'I' ? NODES[lo] : last[1] === 'A' ? NODES[hi] : 'none',
        remadeMs: last[1] === '-' ? -1 : last[0],
      };
    });
    const remadeMs = Math.max(...pairs.map((p) => p.remadeMs));
    return {
      startedMs: startedMs.join(','),
      pairs,
      lowerInitiated: pairs.filter((p, k) => p.initiator === NODES[PAIRS[k]![0]]).length,
      remadeMs,
      remadeFromLastStartMs: remadeMs - lastStartMs,
      coll: coll.join(','),
    };
  } finally {
    for (const p of procs) await p.stop();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const gate = interopGateFor(options.line);
  if (gate.skip) throw new Error(gate.reason);
  console.log(`# exp-startup: haproxy ${gate.binary.version}, ${options.trials} trials, gap ${options.gapMs} ms after each socket answers, watch ${options.watchMs} ms`);
  for (let i = 1; i <= options.trials; i++) {
    const result = await trial(gate.binary, options);
    console.log(JSON.stringify({ trial: i, ...result }));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
