/**
 * The scenario language: a cluster given as real haproxy.cfg text, a script of small symmetric
 * verbs addressed by host name (partition/heal, hold/release, crash/restart, reload, nat,
 * traffic, at, until), and expectations of three kinds — always (invariants), eventually within
 * a bound (convergence), counts (figures compared with a bound).
 *
 * A scenario file exports one `ScenarioSpec` built with `scenario({...})`. Its header comment says
 * what an operator learns from it; `lesson` repeats it for the reports.
 */
import type { MergePolicyName } from '../engine/peers/merge.ts';
import type { LinkSpec } from '../sim/network.ts';
import type { TickStart, TimerLateness } from '../sim/host-clock.ts';
import type { AcceptDelay } from '../sim/accept-delay.ts';
import type { TaskWakeDelay } from '../sim/task-wake.ts';
import type { ScriptApi } from './script-api.ts';

export interface HostSpec {
  name: string;
  /** Addresses on the simulated network (default: 10.0.0.<n>). */
  addresses?: string[];
  /** haproxy.cfg for this host; default: the scenario's `config`. */
  config?: string;
  /** `-L <name>` on haproxy's command line. */
  cliLocalPeer?: string;
  tickStart?: TickStart;
  driftPpm?: number;
  /** How late this host's timers fire, in whole ms (default: the lab's measured 1-2 ms). */
  timerLateness?: TimerLateness;
  /** How long haproxy takes to process an accepted connection, whole ms (sim/accept-delay.ts; default none). */
  acceptDelay?: AcceptDelay;
  /** How long a task haproxy wakes waits for the pass that runs it, whole ms (sim/task-wake.ts; default none). */
  taskWakeDelay?: TaskWakeDelay;
  /** Start haproxy at time 0 (default true). */
  startAtZero?: boolean;
}

export interface WatchSpec {
  table: string;
  keys: string[];
  /** Sampling period of the watched keys (and of `always` checks). */
  everyMs: number;
}

export interface ScenarioSpec {
  /** File name without extension. */
  name: string;
  title: string;
  /** What an operator learns from it. */
  lesson: string;
  hosts: HostSpec[];
  /** haproxy.cfg shared by every host that has none of its own. */
  config?: string;
  durationMs: number;
  link?: LinkSpec;
  /** Merge policies this scenario is run under by default (the CLI's --policy overrides). */
  policies?: MergePolicyName[];
  /**
   * Root seeds the built-in test runs this scenario (and each of its negative controls) on,
   * chosen so that every outcome the scenario tells apart occurs (e.g. either node accepting
   * the reconnect); default `DEFAULT_SCENARIO_SEEDS`. The CLI does not read it: `sticksim run`
   * uses --seed/--seeds (default seed 1).
   */
  seeds?: readonly string[];
  watch?: WatchSpec;
  script: (s: ScriptApi) => void;
}

/** The seeds a scenario is tested on when it names none. */
export const DEFAULT_SCENARIO_SEEDS: readonly string[] = ['1', '2', '3'];

export function scenario(spec: ScenarioSpec): ScenarioSpec {
  return spec;
}

/** The seeds the built-in test runs `spec` and its controls on. */
export function scenarioSeeds(spec: ScenarioSpec): readonly string[] {
  return spec.seeds ?? DEFAULT_SCENARIO_SEEDS;
}

/** The address of the `index`-th host (from 0) when its spec gives none: 10.0.0.<index + 1>. */
export function defaultHostAddress(index: number): string {
  return `10.0.0.${index + 1}`;
}

/** The lab's configuration for host `local` of a full mesh (RESULTS.md "Common config"). */
export function meshConfig(options: {
  local: string;
  peers: readonly { name: string; address: string }[];
  table?: string;
  /** Extra lines in the frontend (rules). */
  frontend?: string[];
  withPeers?: boolean;
  localpeer?: boolean;
}): string {
  const withPeers = options.withPeers ?? true;
  const table =
    options.table ?? 'stick-table type ip size 1k expire 60s store http_req_cnt,http_req_rate(10s),gpc0,conn_cnt';
  const lines = ['global', '    nbthread 1'];
  if (options.localpeer ?? true) lines.push(`    localpeer ${options.local}`);
  lines.push('', 'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s', '');
  if (withPeers) {
    lines.push('peers mypeers');
    for (const p of options.peers) lines.push(`    peer ${p.name} ${p.address}:10000`);
    lines.push('');
  }
  const own = options.peers.find((p) => p.name === options.local)?.address ?? '127.0.0.1';
  lines.push('frontend fe', `    bind ${own}:8080`, '    http-request track-sc0 src table st');
  for (const l of options.frontend ?? []) lines.push(`    ${l}`);
  lines.push('    default_backend app', '');
  lines.push('backend app', '    server app1 192.0.2.80:80', '');
  lines.push('backend st', `    ${table}${withPeers ? ' peers mypeers' : ''}`, '');
  return lines.join('\n');
}
