/**
 * The ported lab experiment 4 (scenarios/builtin/lab-04-split-brain.ts) per HAProxy line over
 * many seeds, tallied as the lab's tally script does (lab/v3/tally-04.sh): for the trials where
 * both sides wrote (S1-S8, S11), whose value both ended with, named by the acceptor of the LAST
 * session of the trial ("acceptor was"), or SWAPPED (each side holds the other's value); next to
 * it the same by the FIRST session after the heal (the one that carried the updates).
 *
 *   npx tsx scripts/lab-04-versions.ts [--seeds N=60] [--lines 2.6,3.0,3.2] [--task-wake MIN-MAX|none|port]
 *
 * `--task-wake` overrides both hosts' taskWakeDelay (sim/task-wake.ts): `port` (default) keeps
 * the port's own, `none` removes it, `0-1` sets { minMs: 0, maxMs: 1 }.
 */
import spec from '../scenarios/builtin/lab-04-split-brain.ts';
import type { ScenarioSpec } from '../scenarios/dsl.ts';
import { runScenario } from '../scenarios/runner.ts';
import { HAPROXY_VERSIONS, type HaproxyVersion } from '../engine/version/profile.ts';

const USAGE = 'usage: npx tsx scripts/lab-04-versions.ts [--seeds N=60] [--lines 2.6,3.0,3.2] [--task-wake MIN-MAX|none|port]';
const BOTH_WROTE = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S11'];

interface Trial {
  init: string;
  acc: string;
  firstAcc: string;
  outcome: string;
}

function parse(argv: readonly string[]): { seeds: number; lines: HaproxyVersion[]; taskWake: string } {
  const o = { seeds: 60, lines: [...HAPROXY_VERSIONS] as HaproxyVersion[], taskWake: 'port' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i] ?? '';
    if (a === '--seeds' && /^\d+$/.test(v) && Number(v) > 0) o.seeds = Number(v);
    else if (a === '--lines') o.lines = v.split(',').map((l) => {
      if (!(HAPROXY_VERSIONS as readonly string[]).includes(l)) throw new Error(`--lines: ${l}? ${USAGE}`);
      return l as HaproxyVersion;
    });
    else if (a === '--task-wake' && /^(port|none|\d+-\d+)$/.test(v)) o.taskWake = v;
    else throw new Error(`argument ${a} ${v}? ${USAGE}`);
  }
  return o;
}

function withTaskWake(base: ScenarioSpec, taskWake: string): ScenarioSpec {
  if (taskWake === 'port') return base;
  const hosts = base.hosts.map((h) => {
    const { taskWakeDelay: _drop, ...rest } = h;
    if (taskWake === 'none') return rest;
    const [minMs, maxMs] = taskWake.split('-').map(Number) as [number, number];
    return { ...rest, taskWakeDelay: { minMs, maxMs } };
  });
  return { ...base, hosts };
}

const options = parse(process.argv.slice(2));
const run = withTaskWake(spec, options.taskWake);
console.log(`lab-04 port, seeds 1-${options.seeds}, task wake ${options.taskWake}; both wrote (S1-S8, S11): acceptor/initiator/swapped`);
console.log('| line | by last acceptor (lab tally) | by first acceptor | swapped by INIT A/B | seeds with a swap |');
console.log('|---|---|---|---|---|');
for (const line of options.lines) {
  const byLast = { acceptor: 0, initiator: 0, swapped: 0 };
  const byFirst = { acceptor: 0, initiator: 0, swapped: 0 };
  const swapsByInit: Record<string, number> = { A: 0, B: 0, any: 0 };
  let seedsWithSwap = 0;
  for (let seed = 1; seed <= options.seeds; seed++) {
    const figures = runScenario(run, { seed: String(seed), policy: 'haproxy', haproxy: line, traceLevel: 'off' }).result.figures as unknown as Record<string, Trial>;
    let swapped = false;
    for (const id of BOTH_WROTE) {
      const t = figures[id]!;
      if (t.outcome.startsWith('SWAPPED')) {
        byLast.swapped++;
        byFirst.swapped++;
        swapsByInit[t.init] = (swapsByInit[t.init] ?? 0) + 1;
        swapped = true;
        continue;
      }
      if (t.outcome === `${t.acc}'s partition value`) byLast.acceptor++;
      else byLast.initiator++;
      if (t.outcome === `${t.firstAcc}'s partition value`) byFirst.acceptor++;
      else byFirst.initiator++;
    }
    if (swapped) seedsWithSwap++;
  }
  const f = (c: typeof byLast): string => `${c.acceptor}/${c.initiator}/${c.swapped}`;
  console.log(`| ${line} | ${f(byLast)} | ${f(byFirst)} | ${swapsByInit['A']}/${swapsByInit['B']} (any ${swapsByInit['any']}) | ${seedsWithSwap}/${options.seeds} |`);
}
