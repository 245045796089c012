/**
 * Negative controls of the built-in suite: each is a broken variant of a scenario (a verb removed
 * or changed, a config fixed) or of the engine (another merge policy while the script is told the
 * policy it expects), and names the exact set of expectations it must make fail on EVERY seed the
 * scenario is tested on (`scenarioSeeds`). Used by builtin.test.ts and by controls-table.ts.
 *
 * Planted bugs (engine/peers/planted-bug.ts) are wrong engines too: each one but `ack-rewind` has a
 * control here (the suite catches it on every seed); `ack-rewind` (a reconnect re-sends what the
 * peer already acknowledged) changes no value any scenario can see, because HAProxy's merge and the
 * aggregate policy both apply a repeated update idempotently: the fuzz catches it
 * (no-update-applied-twice), test/fuzz/planted-bug.test.ts proves it.
 */
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import type { PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';
import { meshConfig, type ScenarioSpec } from '../../scenarios/dsl.ts';
import { runScenario } from '../../scenarios/runner.ts';
import type { ScriptApi } from '../../scenarios/script-api.ts';
import { mesh } from '../../scenarios/builtin/cluster.ts';
import { SMALL_TABLE } from '../../scenarios/builtin/table-too-small-under-attack.ts';

export interface Control {
  scenario: string;
  /** How the variant is broken (read as "fails when …"). */
  how: string;
  /** Every expectation the variant makes fail, on every seed of the scenario, and no other. */
  breaks: readonly string[];
  /**
   * Expectations the variant also makes fail on some seeds and not others, by a race it sets off
   * (not the behaviour it names), with why: left out of the exact comparison (failingCounted).
   */
  mayAlsoBreak?: { expectations: readonly string[]; why: string };
  /** The broken scenario (default: the scenario itself, with a broken engine). */
  variant?: (base: ScenarioSpec) => ScenarioSpec;
  /**
   * A broken engine: it merges with `policy` while the script is told `told` (default haproxy), or
   * runs with a planted bug (engine/peers/planted-bug.ts, as `sticksim run --plant-bug` does).
   */
  engine?: { policy?: MergePolicyName; told?: MergePolicyName; plantedBug?: PlantedBug };
  /**
   * The HAProxy line the variant runs under, engine and script alike (default 2.6): a scenario whose
   * expectations differ by line has controls under its 3.x expectations too (versions.test.ts has
   * the cross-line ones: one line's engine judged by another line's expectations).
   */
  haproxy?: HaproxyVersion;
}

type Verb = 'heal' | 'healOneWay' | 'reload' | 'restart' | 'start' | 'crash' | 'cut' | 'reject' | 'rejectOneWay' | 'partition' | 'natDestination' | 'natSource' | 'hold' | 'release' | 'clients' | 'request';

/** The scenario with some verbs of its script replaced (a no-op by default). */
function withVerbs(base: ScenarioSpec, replace: Partial<Record<Verb, (s: ScriptApi, ...args: never[]) => void>>): ScenarioSpec {
  return {
    ...base,
    script: (s) => {
      const proxy = new Proxy(s, {
        get(target, prop, receiver) {
          const r = replace[prop as Verb];
          if (r !== undefined) return (...args: never[]) => r(target, ...args);
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      base.script(proxy);
    },
  };
}

/** The scenario with more script after its own. */
function thenAlso(base: ScenarioSpec, more: (s: ScriptApi) => void): ScenarioSpec {
  return {
    ...base,
    script: (s) => {
      base.script(s);
      more(s);
    },
  };
}

const noop = (): void => {};

const PEERS3 = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
  { name: 'hap3', address: '10.0.0.3' },
];

const fixedConfigs = (base: ScenarioSpec): ScenarioSpec => ({ ...base, hosts: base.hosts.map((h) => ({ ...h, config: meshConfig({ local: h.name, peers: PEERS3 }) })) });
const hardRestartCutOff = (base: ScenarioSpec): ScenarioSpec =>
  withVerbs(base, { reload: (s, h: string) => { s.cut([h], ['hap1', 'hap2', 'hap3'].filter((x) => x !== h)); s.restart(h); } });

export const CONTROLS: readonly Control[] = [
  // --- split brain: wrong merge rules and broken scripts -----------------------------------------
  { scenario: 'split-brain-acceptor-wins', how: 'never healed', breaks: ['converges-after-heal', 'outcome-per-merge-policy'], variant: (b) => withVerbs(b, { heal: noop }) },
  { scenario: 'split-brain-acceptor-wins', how: 'the engine keeps the larger value', breaks: ['outcome-per-merge-policy'], engine: { policy: 'max' } },
  { scenario: 'split-brain-acceptor-wins', how: 'the engine adds the changes up', breaks: ['outcome-per-merge-policy'], engine: { policy: 'aggregate' } },
  { scenario: 'split-brain-acceptor-wins', how: 'the engine keeps the larger value (script told aggregate)', breaks: ['outcome-per-merge-policy'], engine: { policy: 'max', told: 'aggregate' } },
  { scenario: 'split-brain-acceptor-wins', how: 'the engine adds the changes up (script told max)', breaks: ['outcome-per-merge-policy'], engine: { policy: 'aggregate', told: 'max' } },
  { scenario: 'split-brain-session-survives', how: 'the engine keeps the larger value', breaks: ['values-swapped', 'stays-swapped'], engine: { policy: 'max' } },
  { scenario: 'split-brain-session-survives', how: 'the engine adds the changes up', breaks: ['values-swapped', 'stays-swapped'], engine: { policy: 'aggregate' } },
  { scenario: 'split-brain-session-survives', how: 'never released', breaks: ['values-swapped', 'stays-swapped'], variant: (b) => withVerbs(b, { release: noop }) },
  { scenario: 'split-brain-three-nodes', how: 'never cut', breaks: ['nothing-relayed-through-hap2', 'acceptor-wins-nothing-relayed-after-heal'], variant: (b) => withVerbs(b, { cut: noop }) },
  { scenario: 'split-brain-three-nodes', how: 'hap2 paused while hap1 writes', breaks: ['hap2-learns-from-hap1'], variant: (b) => thenAlso(b, (s) => { s.at(10_500, () => s.pause('hap2')); s.at(11_900, () => s.resume('hap2')); }) },
  { scenario: 'split-brain-three-nodes', how: 'never healed', breaks: ['acceptor-wins-nothing-relayed-after-heal'], variant: (b) => withVerbs(b, { heal: noop }) },
  { scenario: 'split-brain-three-nodes', how: 'the engine keeps the larger value', breaks: ['acceptor-wins-nothing-relayed-after-heal'], engine: { policy: 'max' } },
  { scenario: 'split-brain-three-nodes', how: 'the engine adds the changes up', breaks: ['acceptor-wins-nothing-relayed-after-heal'], engine: { policy: 'aggregate' } },
  { scenario: 'flapping-link', how: 'the link stays down', breaks: ['converges-once-stable', 'sessionsEstablished', 'ownWritesReverted'], variant: (b) => withVerbs(b, { heal: noop }) },
  { scenario: 'flapping-link', how: 'the engine keeps the larger value', breaks: ['converges-once-stable', 'ownWritesReverted'], engine: { policy: 'max' } },
  { scenario: 'flapping-link', how: 'the engine adds the changes up', breaks: ['ownWritesReverted'], engine: { policy: 'aggregate' } },

  // --- reloads, restarts, resyncs -----------------------------------------------------------------
  { scenario: 'reload-keeps-table', how: 'hard restart instead of reload', breaks: ['new-process-has-every-entry', 'entriesAfterReload'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'reload-without-peers-loses-table', how: 'with a one-peer section', breaks: ['entriesAfterReload'], variant: (b) => ({ ...b, hosts: mesh(['hap1']) }) },
  { scenario: 'reload-without-peers-loses-table', how: 'restarted before the count', breaks: ['entriesBeforeReload'], variant: (b) => thenAlso(b, (s) => s.at(8_000, () => s.restart('hap1'))) },
  { scenario: 'hard-restart-loses-table', how: 'soft reload instead of restart', breaks: ['entriesAfterRestart'], variant: (b) => withVerbs(b, { restart: (s, h: string) => s.reload(h) }) },
  { scenario: 'reload-before-startup-resync-loses-table', how: 'reload after the resync window', breaks: ['entriesAfterReload', 'updatesTaught'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.at(7_000, () => s.reload(h)) }) },
  { scenario: 'crashed-node-resyncs', how: 'hap3 comes back cut off', breaks: ['hap3-relearns-every-key', 'resyncMsAfterRestart'], variant: (b) => withVerbs(b, { start: (s, h: string) => { s.cut([h], ['hap1', 'hap2']); s.start(h); } }) },
  { scenario: 'resync-window-empty-table', how: 'never cut: hap2 teaches at once', breaks: ['resyncFinishedAfterRestartMs', 'finishedByTimeout', 'attackerLetThroughAfterRestart'], variant: (b) => withVerbs(b, { cut: noop }) },
  { scenario: 'resync-over-long-link', how: 'a 16 MB send buffer (the lesson in one trip)', breaks: ['resyncMsAfterRestart'], variant: (b) => ({ ...b, link: { latencyMs: 100, sendBufferBytes: 16 * 1024 * 1024 } }) },
  { scenario: 'resync-over-long-link', how: 'hap2 comes back cut off', breaks: ['hap2-relearns-the-table', 'resyncMsAfterRestart'], variant: (b) => withVerbs(b, { start: (s, h: string) => { s.cut([h], ['hap1']); s.start(h); } }) },
  { scenario: 'resync-over-long-link', how: 'no clients', breaks: ['entriesAtRestart', 'hap2-relearns-the-table', 'resyncMsAfterRestart'], variant: (b) => withVerbs(b, { clients: noop }) },
  { scenario: 'rolling-reload-under-traffic', how: 'a limit of 0', breaks: ['usersDenied'], variant: (b) => ({ ...b, hosts: mesh(['hap1', 'hap2', 'hap3'], { frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 0 }'] }) }) },
  { scenario: 'rolling-reload-under-traffic', how: 'hard restarts cut off from the peers', breaks: ['reloadsThatLostTheCounter', 'attackerAllowedDuringReloads'], variant: hardRestartCutOff },

  // --- misconfigurations --------------------------------------------------------------------------
  { scenario: 'misaddressed-peer-one-way', how: 'configs fixed', breaks: ['hap1GotNameErrorFromHap3'], variant: fixedConfigs },
  { scenario: 'misaddressed-peer-one-way', how: 'hap1 keeps calling (hap2 never returns, hap1 restarted)', breaks: ['hap1CallsHap2AfterThe503', 'hap1GotNameErrorFromHap3'], variant: (b) => thenAlso(b, (s) => s.at(20_000, () => s.restart('hap1'))) },
  { scenario: 'misaddressed-peer-one-way', how: 'hap2 never starts', breaks: ['hap1GotNameErrorFromHap3', 'hap2-learns-hap1-writes-at-start'], variant: (b) => ({ ...b, hosts: b.hosts.map((h) => (h.name === 'hap2' ? { ...h, startAtZero: false } : h)) }) },
  { scenario: 'misaddressed-peer-one-way', how: 'hap2 never returns', breaks: ['replication-back-once-hap2-calls-in'], variant: (b) => withVerbs(b, { start: noop }) },
  { scenario: 'misaddressed-peer-both-ways', how: 'configs fixed', breaks: ['hap2-never-learns', 'connectAttemptsBetweenHap1AndHap2'], variant: fixedConfigs },
  { scenario: 'misaddressed-peer-both-ways', how: 'restarted every 3 s', breaks: ['connectAttemptsBetweenHap1AndHap2'], variant: (b) => thenAlso(b, (s) => s.every({ startMs: 3_000, everyMs: 3_000, untilMs: 30_000 }, () => s.restart('hap1'))) },
  { scenario: 'no-local-peer-name', how: 'localpeer set', breaks: ['removingIncompleteSectionWarnings', 'hap2-never-learns'], variant: (b) => ({ ...b, hosts: b.hosts.map((h) => (h.name === 'vm' ? { ...h, cliLocalPeer: 'hap1' } : h)) }) },
  { scenario: 'no-local-peer-name', how: 'vm crashed', breaks: ['vmTableWorksLocally'], variant: (b) => thenAlso(b, (s) => s.at(9_000, () => s.crash('vm'))) },
  {
    scenario: 'peer-behind-nat',
    how: 'NAT to the wrong host and hap1 misaddressing hap2',
    breaks: ['both-directions-replicate'],
    variant: (b) => ({
      ...withVerbs(b, { natDestination: (s, rule: { address: string }) => s.natDestination({ address: rule.address, toHost: 'hap2' }) }),
      hosts: b.hosts.map((h) =>
        h.name === 'hap1' ? { ...h, config: meshConfig({ local: 'hap1', peers: [{ name: 'hap1', address: '10.0.0.1' }, { name: 'hap2', address: '10.0.0.9' }] }) } : h,
      ),
    }),
  },
  // --- ports of the lab's experiments ------------------------------------------------------------
  { scenario: 'lab-04-split-brain', how: 'the engine keeps the larger value', breaks: ['acceptor-wins-when-both-wrote', 'surviving-session-swaps'], engine: { policy: 'max' } },
  { scenario: 'lab-04-split-brain', how: 'the engine adds the changes up', breaks: ['acceptor-wins-when-both-wrote', 'surviving-session-swaps'], engine: { policy: 'aggregate' } },
  { scenario: 'lab-04-split-brain', how: 'each one-way heal opens the other direction', breaks: ['chosen-node-reconnects'], variant: (b) => withVerbs(b, { healOneWay: (s, from: string, to: string) => s.healOneWay(to, from) }) },
  { scenario: 'lab-04-split-brain', how: 'never cut', breaks: ['acceptor-wins-when-both-wrote', 'chosen-node-reconnects', 'cut-seen-in-time', 'surviving-session-swaps'], variant: (b) => withVerbs(b, { reject: noop, partition: noop }) },
  { scenario: 'lab-04-split-brain', how: 'a session pushes before it reads what arrived (push-before-read)', breaks: ['acceptor-wins-when-both-wrote'], engine: { plantedBug: 'push-before-read' } },
  { scenario: 'lab-04-split-brain', how: 'a received update keeps the larger value (merge-max)', breaks: ['acceptor-wins-when-both-wrote', 'surviving-session-swaps'], engine: { plantedBug: 'merge-max' } },
  {
    scenario: 'lab-04-split-brain',
    how: 'a remote touch is treated as local (remote-touch-local)',
    breaks: ['one-sided-write-propagates'],
    engine: { plantedBug: 'remote-touch-local' },
    mayAlsoBreak: {
      expectations: ['surviving-session-swaps'],
      why: "S12: each side re-pushes the value it received as its own, so the two values chase each other across the surviving session after the heal and the rows the timeline ends on are swapped or DIVERGED by timing (seeds 1-6: DIVERGED on 2 and 6, one slow and one fast helper speed)",
    },
  },
  { scenario: 'lab-04-split-brain', how: 'never healed', breaks: ['acceptor-wins-when-both-wrote', 'chosen-node-reconnects', 'one-sided-write-propagates', 'surviving-session-swaps'], variant: (b) => withVerbs(b, { healOneWay: noop, heal: noop }) },
  { scenario: 'lab-04-split-brain', how: 'the run stops after 100 s', breaks: ['trialsRun'], variant: (b) => ({ ...b, durationMs: 100_000 }) },
  { scenario: 'lab-03b-reload-threshold', how: 'hard restart instead of reload', breaks: ['kept-only-after-the-startup-resync'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'lab-03b-reload-threshold', how: 'the run stops after 20 s', breaks: ['rounds'], variant: (b) => ({ ...b, durationMs: 20_000 }) },
  { scenario: 'lab-03b-reload-threshold', how: 'no peers section', breaks: ['kept-only-after-the-startup-resync'], variant: (b) => ({ ...b, hosts: mesh(['hap1'], { withPeers: false }).map((h) => ({ ...h, startAtZero: false })) }) },
  { scenario: 'lab-09-startup-window', how: 'hap3 comes up cut off from the others', breaks: ['every-write-everywhere-by-the-last-check', 'section-flags-at-the-last-check'], variant: (b) => withVerbs(b, { start: (s, h: string) => { s.start(h); if (h === 'hap3') s.cut(['hap3'], ['hap1', 'hap2']); } }) },
  { scenario: 'lab-09-startup-window', how: 'the run stops after 30 s', breaks: ['rounds'], variant: (b) => ({ ...b, durationMs: 30_000 }) },
  { scenario: 'lab-02-replication', how: 'a learned update is relayed (relay-learned)', breaks: ['crossing-writes-converge-or-swap', 'no-relay-across-the-cut'], engine: { plantedBug: 'relay-learned' } },
  { scenario: 'lab-02-replication', how: 'never healed', breaks: ['healToHap3Ms'], variant: (b) => withVerbs(b, { heal: noop }) },
  { scenario: 'lab-02-replication', how: 'hap3 paused during the pushes', breaks: ['push-reaches-both-peers'], variant: (b) => thenAlso(b, (s) => { s.at(8_500, () => s.pause('hap3')); s.at(9_500, () => s.resume('hap3')); }) },
  { scenario: 'lab-02-replication', how: "cut_link's rules never added", breaks: ['cutSeenByBothMs', 'cutPhaseRun', 'healToHap3Ms'], variant: (b) => withVerbs(b, { rejectOneWay: noop }) },
  { scenario: 'lab-02-replication', how: 'no requests', breaks: ['each-request-counted-everywhere'], variant: (b) => withVerbs(b, { request: noop }) },
  { scenario: 'lab-02-replication', how: 'the run stops after 12 s (before the cut is seen)', breaks: ['cutSeenByBothMs', 'cutPhaseRun', 'healToHap3Ms'], variant: (b) => ({ ...b, durationMs: 12_000 }) },
  { scenario: 'rogue-peer', how: 'rogue never starts', breaks: ['hap1-accepts-the-injected-entry', 'collisionsOnHap1AfterRogueStarts'], variant: (b) => withVerbs(b, { start: noop }) },

  // --- the same variants under a 3.x line, for the scenarios whose expectations differ by line -----
  // (each 3.x expectation fails here on a broken run of its own line; versions.test.ts judges one
  // line's engine by another line's expectations)
  { scenario: 'reload-before-startup-resync-loses-table', haproxy: '3.0', how: 'hard restart instead of reload', breaks: ['entriesAfterReload', 'updatesTaught'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'reload-before-startup-resync-loses-table', haproxy: '3.2', how: 'hard restart instead of reload', breaks: ['entriesAfterReload', 'updatesTaught'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'lab-03b-reload-threshold', haproxy: '3.0', how: 'hard restart instead of reload', breaks: ['kept-only-after-the-startup-resync'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'lab-03b-reload-threshold', haproxy: '3.2', how: 'hard restart instead of reload', breaks: ['kept-only-after-the-startup-resync'], variant: (b) => withVerbs(b, { reload: (s, h: string) => s.restart(h) }) },
  { scenario: 'lab-09-startup-window', haproxy: '3.0', how: 'hap3 comes up cut off from the others', breaks: ['every-write-everywhere-by-the-last-check', 'section-flags-at-the-last-check'], variant: (b) => withVerbs(b, { start: (s, h: string) => { s.start(h); if (h === 'hap3') s.cut(['hap3'], ['hap1', 'hap2']); } }) },
  { scenario: 'lab-09-startup-window', haproxy: '3.2', how: 'hap3 comes up cut off from the others', breaks: ['every-write-everywhere-by-the-last-check', 'section-flags-at-the-last-check'], variant: (b) => withVerbs(b, { start: (s, h: string) => { s.start(h); if (h === 'hap3') s.cut(['hap3'], ['hap1', 'hap2']); } }) },
  { scenario: 'lab-04-split-brain', haproxy: '3.0', how: 'never cut', breaks: ['acceptor-wins-when-both-wrote', 'chosen-node-reconnects', 'cut-seen-in-time', 'surviving-session-swaps'], variant: (b) => withVerbs(b, { reject: noop, partition: noop }) },
  { scenario: 'lab-04-split-brain', haproxy: '3.2', how: 'never cut', breaks: ['acceptor-wins-when-both-wrote', 'chosen-node-reconnects', 'cut-seen-in-time', 'surviving-session-swaps'], variant: (b) => withVerbs(b, { reject: noop, partition: noop }) },
  { scenario: 'lab-04-split-brain', haproxy: '3.0', how: 'the engine keeps the larger value', breaks: ['acceptor-wins-when-both-wrote', 'surviving-session-swaps'], engine: { policy: 'max' } },
  { scenario: 'lab-04-split-brain', haproxy: '3.2', how: 'the engine keeps the larger value', breaks: ['acceptor-wins-when-both-wrote', 'surviving-session-swaps'], engine: { policy: 'max' } },
  {
    scenario: 'table-too-small-under-attack',
    haproxy: '3.0',
    how: 'a 100k table',
    breaks: ['botnetLetThroughPercent', 'tableFull'],
    variant: (b) => ({ ...b, hosts: mesh(['hap1'], { table: SMALL_TABLE.replace('size 100 ', 'size 100k '), frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }) }),
  },
  {
    scenario: 'table-too-small-under-attack',
    haproxy: '3.2',
    how: 'a 100k table',
    breaks: ['botnetLetThroughPercent', 'tableFull'],
    variant: (b) => ({ ...b, hosts: mesh(['hap1'], { table: SMALL_TABLE.replace('size 100 ', 'size 100k '), frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }) }),
  },

  // --- table size and traffic ---------------------------------------------------------------------
  {
    scenario: 'table-too-small-under-attack',
    how: 'a 100k table',
    breaks: ['botnetLetThroughPercent', 'tableFull'],
    variant: (b) => ({ ...b, hosts: mesh(['hap1'], { table: SMALL_TABLE.replace('size 100 ', 'size 100k '), frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }) }),
  },
  { scenario: 'table-too-small-nopurge', how: 'no limit rule', breaks: ['earlyAttackerLetThrough'], variant: (b) => ({ ...b, hosts: b.hosts.map((h) => ({ ...h, config: h.config!.replace(/\n\s*http-request deny[^\n]*/, '') })) }) },
  {
    scenario: 'table-too-small-nopurge',
    how: 'without nopurge and a big table',
    breaks: ['lateAttackerLetThrough', 'lateAttackerTracked'],
    variant: (b) => ({ ...b, hosts: b.hosts.map((h) => ({ ...h, config: h.config!.replace('size 100 ', 'size 100k ').replace(' nopurge', '') })) }),
  },
  { scenario: 'inter-region-latency', how: '2 s between regions', breaks: ['replicationDelayMs', 'attackerLetThrough'], variant: (b) => ({ ...b, link: { latencyMs: 2_000 } }) },
  { scenario: 'inter-region-latency', how: 'a limit of 0', breaks: ['attackerLetThrough'], variant: (b) => ({ ...b, hosts: mesh(['hap1', 'hap2'], { frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 0 }'] }) }) },
  // Planted bugs (engine/peers/planted-bug.ts, `sticksim run --plant-bug NAME`): wrong engines in
  // the wire order and the merge, each caught on every seed of the scenario.
  { scenario: 'split-brain-acceptor-wins', how: 'a session pushes before it reads what arrived (push-before-read)', breaks: ['converges-after-heal', 'outcome-per-merge-policy'], engine: { plantedBug: 'push-before-read' } },
  { scenario: 'split-brain-three-nodes', how: 'a session pushes before it reads what arrived (push-before-read)', breaks: ['acceptor-wins-nothing-relayed-after-heal'], engine: { plantedBug: 'push-before-read' } },
  { scenario: 'split-brain-three-nodes', how: 'a learned update is relayed (relay-learned)', breaks: ['acceptor-wins-nothing-relayed-after-heal', 'nothing-relayed-through-hap2'], engine: { plantedBug: 'relay-learned' } },
  { scenario: 'misaddressed-peer-both-ways', how: 'a learned update is relayed (relay-learned)', breaks: ['hap2-never-learns'], engine: { plantedBug: 'relay-learned' } },
  { scenario: 'split-brain-three-nodes', how: 'a remote touch is treated as local (remote-touch-local)', breaks: ['acceptor-wins-nothing-relayed-after-heal', 'nothing-relayed-through-hap2'], engine: { plantedBug: 'remote-touch-local' } },
  { scenario: 'split-brain-session-survives', how: 'a remote touch is treated as local (remote-touch-local)', breaks: ['stays-swapped'], engine: { plantedBug: 'remote-touch-local' } },
  { scenario: 'flapping-link', how: 'a remote touch is treated as local (remote-touch-local)', breaks: ['converges-once-stable'], engine: { plantedBug: 'remote-touch-local' } },
  { scenario: 'misaddressed-peer-one-way', how: 'a remote touch is treated as local (remote-touch-local)', breaks: ['replication-back-once-hap2-calls-in'], engine: { plantedBug: 'remote-touch-local' } },
  { scenario: 'split-brain-acceptor-wins', how: 'a received update keeps the larger value (merge-max)', breaks: ['outcome-per-merge-policy'], engine: { plantedBug: 'merge-max' } },
  { scenario: 'split-brain-session-survives', how: 'a received update keeps the larger value (merge-max)', breaks: ['values-swapped', 'stays-swapped'], engine: { plantedBug: 'merge-max' } },
  { scenario: 'split-brain-acceptor-wins', how: 'a reconnect forgets the ACK cursor (forget-ack, under aggregate)', breaks: ['converges-after-heal', 'outcome-per-merge-policy'], engine: { policy: 'aggregate', told: 'aggregate', plantedBug: 'forget-ack' } },
];

/** The expectations a control's variant fails on one seed, sorted by name. */
/** The expectations that fail under the control on `seed`, less its `mayAlsoBreak` ones. */
export function failingCounted(control: Control, base: ScenarioSpec, seed: string): string[] {
  const racy = new Set(control.mayAlsoBreak?.expectations ?? []);
  return failingUnder(control, base, seed).filter((name) => !racy.has(name));
}

export function failingUnder(control: Control, base: ScenarioSpec, seed: string): string[] {
  const variant = control.variant === undefined ? base : control.variant(base);
  const { result } = runScenario(variant, {
    seed,
    policy: control.engine?.policy ?? 'haproxy',
    ...(control.engine === undefined ? {} : { policyToldToScript: control.engine.told ?? 'haproxy' }),
    ...(control.engine?.plantedBug === undefined ? {} : { plantedBug: control.engine.plantedBug }),
    ...(control.haproxy === undefined ? {} : { haproxy: control.haproxy }),
    traceLevel: 'off',
  });
  return result.expectations.filter((e) => !e.passed).map((e) => e.name).sort();
}
