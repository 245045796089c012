/**
 * Every built-in scenario passes, and every expectation has a negative control: a broken variant
 * of the scenario (a verb removed or changed, a config fixed) or of the engine (another merge
 * policy under the same expectations) that must make exactly that expectation fail.
 */
import { describe, expect, it } from 'vitest';
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import { meshConfig, type ScenarioSpec } from '../../scenarios/dsl.ts';
import { runScenario } from '../../scenarios/runner.ts';
import type { ScriptApi } from '../../scenarios/script-api.ts';
import { loadScenarios } from '../../scenarios/suite.ts';
import { mesh } from '../../scenarios/builtin/cluster.ts';
import { SMALL_TABLE } from '../../scenarios/builtin/table-too-small-under-attack.ts';

const SEEDS = ['1', '2', '3'];
const suite = await loadScenarios([]);
const byName = new Map(suite.map((s) => [s.spec.name, s.spec]));

function spec(name: string): ScenarioSpec {
  const s = byName.get(name);
  if (s === undefined) throw new Error(`no built-in scenario ${name}`);
  return s;
}

type Verb = 'heal' | 'reload' | 'restart' | 'start' | 'crash' | 'cut' | 'natDestination' | 'natSource' | 'hold' | 'release' | 'clients';

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

const noop = (): void => {};

function failing(variant: ScenarioSpec, options: { seed?: string; policy?: MergePolicyName; told?: MergePolicyName } = {}): string[] {
  const { result } = runScenario(variant, {
    seed: options.seed ?? '1',
    policy: options.policy ?? 'haproxy',
    ...(options.told === undefined ? {} : { policyToldToScript: options.told }),
  });
  return result.expectations.filter((e) => !e.passed).map((e) => e.name);
}

describe('the built-in suite', () => {
  it('has the scenarios the issue lists', () => {
    expect(suite.length).toBeGreaterThanOrEqual(12);
  });

  for (const { spec: s } of suite) {
    for (const policy of s.policies ?? (['haproxy'] as MergePolicyName[])) {
      it(`${s.name} passes under ${policy} for seeds ${SEEDS.join(', ')}`, () => {
        for (const seed of SEEDS) {
          const { result } = runScenario(s, { seed, policy });
          const failed = result.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.message}`);
          expect(failed, `${s.name} seed ${seed}`).toEqual([]);
        }
      });
    }
  }
});

const PEERS3 = [
  { name: 'hap1', address: '10.0.0.1' },
  { name: 'hap2', address: '10.0.0.2' },
  { name: 'hap3', address: '10.0.0.3' },
];

/** [scenario, expectation that must fail, how the variant is broken, the variant]. */
const CONTROLS: [string, string, string, () => string[]][] = [
  ['split-brain-acceptor-wins', 'converges-after-heal', 'never healed', () => failing(withVerbs(spec('split-brain-acceptor-wins'), { heal: noop }))],
  ['split-brain-acceptor-wins', 'outcome-per-merge-policy', 'engine merges with max', () => failing(spec('split-brain-acceptor-wins'), { seed: '1', policy: 'max', told: 'haproxy' })],
  ['reload-keeps-table', 'new-process-has-every-entry', 'hard restart instead of reload', () => failing(withVerbs(spec('reload-keeps-table'), { reload: (s, h: string) => s.restart(h) }))],
  ['reload-keeps-table', 'entriesAfterReload', 'hard restart instead of reload', () => failing(withVerbs(spec('reload-keeps-table'), { reload: (s, h: string) => s.restart(h) }))],
  ['reload-without-peers-loses-table', 'entriesAfterReload', 'with a one-peer section', () => failing({ ...spec('reload-without-peers-loses-table'), hosts: mesh(['hap1']) })],
  ['reload-without-peers-loses-table', 'entriesBeforeReload', 'restarted before the count', () =>
    failing({ ...spec('reload-without-peers-loses-table'), script: (s) => { spec('reload-without-peers-loses-table').script(s); s.at(8_000, () => s.restart('hap1')); } })],
  ['hard-restart-loses-table', 'entriesAfterRestart', 'soft reload instead of restart', () => failing(withVerbs(spec('hard-restart-loses-table'), { restart: (s, h: string) => s.reload(h) }))],
  ['reload-before-startup-resync-loses-table', 'entriesAfterReload', 'reload after the resync window', () =>
    failing(withVerbs(spec('reload-before-startup-resync-loses-table'), { reload: (s, h: string) => s.at(7_000, () => s.reload(h)) }))],
  ['reload-before-startup-resync-loses-table', 'updatesTaught', 'reload after the resync window', () =>
    failing(withVerbs(spec('reload-before-startup-resync-loses-table'), { reload: (s, h: string) => s.at(7_000, () => s.reload(h)) }))],
  ['crashed-node-resyncs', 'hap3-relearns-every-key', 'hap3 comes back cut off', () =>
    failing(withVerbs(spec('crashed-node-resyncs'), { start: (s, h: string) => { s.cut([h], ['hap1', 'hap2']); s.start(h); } }))],
  ['crashed-node-resyncs', 'resyncMsAfterRestart', 'hap3 comes back cut off', () =>
    failing(withVerbs(spec('crashed-node-resyncs'), { start: (s, h: string) => { s.cut([h], ['hap1', 'hap2']); s.start(h); } }))],
  ['split-brain-session-survives', 'values-swapped', 'engine merges with max', () => failing(spec('split-brain-session-survives'), { policy: 'max' })],
  ['split-brain-session-survives', 'stays-swapped', 'engine merges with max', () => failing(spec('split-brain-session-survives'), { policy: 'max' })],
  ['split-brain-three-nodes', 'hap3-never-gets-it-through-hap2', 'never cut', () => failing(withVerbs(spec('split-brain-three-nodes'), { cut: noop }))],
  ['split-brain-three-nodes', 'hap2-learns-from-hap1', 'hap2 cut too', () =>
    failing(withVerbs(spec('split-brain-three-nodes'), { cut: (s, a: string[], b: string[]) => s.cut(a, [...b, 'hap2']) }))],
  ['split-brain-three-nodes', 'hap3HasKeyAtEnd', 'never healed', () => failing(withVerbs(spec('split-brain-three-nodes'), { heal: noop }))],
  ['misaddressed-peer-one-way', 'hap1GotNameErrorFromHap3', 'configs fixed', () =>
    failing({ ...spec('misaddressed-peer-one-way'), hosts: spec('misaddressed-peer-one-way').hosts.map((h) => ({ ...h, config: meshConfig({ local: h.name, peers: PEERS3 }) })) })],
  ['misaddressed-peer-one-way', 'hap1CallsHap2AfterThe503', 'hap1 keeps calling (hap2 never returns, hap1 restarted)', () =>
    failing({ ...spec('misaddressed-peer-one-way'), script: (s) => { spec('misaddressed-peer-one-way').script(s); s.at(20_000, () => s.restart('hap1')); } })],
  ['misaddressed-peer-one-way', 'hap2-learns-hap1-writes-at-start', 'hap2 never starts', () =>
    failing({ ...spec('misaddressed-peer-one-way'), hosts: spec('misaddressed-peer-one-way').hosts.map((h) => (h.name === 'hap2' ? { ...h, startAtZero: false } : h)) })],
  ['misaddressed-peer-one-way', 'replication-back-once-hap2-calls-in', 'hap2 never returns', () =>
    failing(withVerbs(spec('misaddressed-peer-one-way'), { start: noop }))],
  ['misaddressed-peer-both-ways', 'hap2-never-learns', 'configs fixed', () =>
    failing({ ...spec('misaddressed-peer-both-ways'), hosts: spec('misaddressed-peer-both-ways').hosts.map((h) => ({ ...h, config: meshConfig({ local: h.name, peers: PEERS3 }) })) })],
  ['misaddressed-peer-both-ways', 'connectAttemptsBetweenHap1AndHap2', 'restarted every 3 s', () =>
    failing({ ...spec('misaddressed-peer-both-ways'), script: (s) => { spec('misaddressed-peer-both-ways').script(s); s.every({ startMs: 3_000, everyMs: 3_000, untilMs: 30_000 }, () => s.restart('hap1')); } })],
  ['no-local-peer-name', 'removingIncompleteSectionWarnings', 'localpeer set', () =>
    failing({ ...spec('no-local-peer-name'), hosts: spec('no-local-peer-name').hosts.map((h) => (h.name === 'vm' ? { ...h, cliLocalPeer: 'hap1' } : h)) })],
  ['no-local-peer-name', 'hap2-never-learns', 'localpeer set', () =>
    failing({ ...spec('no-local-peer-name'), hosts: spec('no-local-peer-name').hosts.map((h) => (h.name === 'vm' ? { ...h, cliLocalPeer: 'hap1' } : h)) })],
  ['no-local-peer-name', 'vmTableWorksLocally', 'vm crashed', () =>
    failing({ ...spec('no-local-peer-name'), script: (s) => { spec('no-local-peer-name').script(s); s.at(9_000, () => s.crash('vm')); } })],
  ['peer-behind-nat', 'both-directions-replicate', 'NAT to the wrong host and hap1 misaddressing hap2', () =>
    failing({
      ...withVerbs(spec('peer-behind-nat'), { natDestination: (s, rule: { address: string }) => s.natDestination({ address: rule.address, toHost: 'hap2' }) }),
      hosts: spec('peer-behind-nat').hosts.map((h) =>
        h.name === 'hap1' ? { ...h, config: meshConfig({ local: 'hap1', peers: [{ name: 'hap1', address: '10.0.0.1' }, { name: 'hap2', address: '10.0.0.9' }] }) } : h,
      ),
    })],
  ['rogue-peer', 'hap1-accepts-the-injected-entry', 'rogue never starts', () => failing(withVerbs(spec('rogue-peer'), { start: noop }))],
  ['rogue-peer', 'collisionsOnHap1AfterRogueStarts', 'rogue never starts', () => failing(withVerbs(spec('rogue-peer'), { start: noop }))],
  ['resync-window-empty-table', 'resyncFinishedAfterRestartMs', 'never cut: hap2 teaches at once', () => failing(withVerbs(spec('resync-window-empty-table'), { cut: noop }))],
  ['resync-window-empty-table', 'finishedByTimeout', 'never cut: hap2 teaches at once', () => failing(withVerbs(spec('resync-window-empty-table'), { cut: noop }))],
  ['resync-window-empty-table', 'attackerLetThroughAfterRestart', 'never cut: hap2 teaches the attacker’s rate', () => failing(withVerbs(spec('resync-window-empty-table'), { cut: noop }))],
  ['table-too-small-under-attack', 'botnetLetThroughPercent', 'a 100k table', () =>
    failing({ ...spec('table-too-small-under-attack'), hosts: mesh(['hap1'], { table: SMALL_TABLE.replace('size 100 ', 'size 100k '), frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }) })],
  ['table-too-small-under-attack', 'tableFull', 'a 100k table', () =>
    failing({ ...spec('table-too-small-under-attack'), hosts: mesh(['hap1'], { table: SMALL_TABLE.replace('size 100 ', 'size 100k '), frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }'], withPeers: false }) })],
  ['table-too-small-nopurge', 'earlyAttackerLetThrough', 'no limit rule', () =>
    failing({ ...spec('table-too-small-nopurge'), hosts: spec('table-too-small-nopurge').hosts.map((h) => ({ ...h, config: h.config!.replace(/\n\s*http-request deny[^\n]*/, '') })) })],
  ['table-too-small-nopurge', 'lateAttackerLetThrough', 'without nopurge and a big table', () =>
    failing({ ...spec('table-too-small-nopurge'), hosts: spec('table-too-small-nopurge').hosts.map((h) => ({ ...h, config: h.config!.replace('size 100 ', 'size 100k ').replace(' nopurge', '') })) })],
  ['table-too-small-nopurge', 'lateAttackerTracked', 'without nopurge and a big table', () =>
    failing({ ...spec('table-too-small-nopurge'), hosts: spec('table-too-small-nopurge').hosts.map((h) => ({ ...h, config: h.config!.replace('size 100 ', 'size 100k ').replace(' nopurge', '') })) })],
  ['rolling-reload-under-traffic', 'usersDenied', 'a limit of 0', () =>
    failing({ ...spec('rolling-reload-under-traffic'), hosts: mesh(['hap1', 'hap2', 'hap3'], { frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 0 }'] }) })],
  ['rolling-reload-under-traffic', 'reloadsThatLostTheCounter', 'hard restarts cut off from the peers', () =>
    failing(withVerbs(spec('rolling-reload-under-traffic'), { reload: (s, h: string) => { s.cut([h], ['hap1', 'hap2', 'hap3'].filter((x) => x !== h)); s.restart(h); } }))],
  ['rolling-reload-under-traffic', 'attackerAllowedDuringReloads', 'hard restarts cut off from the peers', () =>
    failing(withVerbs(spec('rolling-reload-under-traffic'), { reload: (s, h: string) => { s.cut([h], ['hap1', 'hap2', 'hap3'].filter((x) => x !== h)); s.restart(h); } }))],
  ['flapping-link', 'converges-once-stable', 'the link stays down', () => failing(withVerbs(spec('flapping-link'), { heal: noop }))],
  ['flapping-link', 'sessionsEstablished', 'the link stays down', () => failing(withVerbs(spec('flapping-link'), { heal: noop }))],
  ['resync-over-long-link', 'resyncMsAfterRestart', 'a 16 MB send buffer (the lesson in one trip)', () =>
    failing({ ...spec('resync-over-long-link'), link: { latency: 100, sendBufferBytes: 16 * 1024 * 1024 } })],
  ['resync-over-long-link', 'hap2-relearns-the-table', 'hap2 comes back cut off', () =>
    failing(withVerbs(spec('resync-over-long-link'), { start: (s, h: string) => { s.cut([h], ['hap1']); s.start(h); } }))],
  ['resync-over-long-link', 'entriesAtRestart', 'no clients', () => failing(withVerbs(spec('resync-over-long-link'), { clients: noop }))],
  ['inter-region-latency', 'replicationDelayMs', '2 s between regions', () => failing({ ...spec('inter-region-latency'), link: { latency: 2_000 } })],
  ['inter-region-latency', 'attackerLetThrough', 'a limit of 0', () =>
    failing({ ...spec('inter-region-latency'), hosts: mesh(['hap1', 'hap2'], { frontend: ['http-request deny deny_status 429 if { sc_http_req_rate(0) gt 0 }'] }) })],
];

describe('negative controls: each expectation can fail', () => {
  for (const [scenarioName, expectation, how, run] of CONTROLS) {
    it(`${scenarioName} / ${expectation} fails when ${how}`, () => {
      expect(run()).toContain(expectation);
    });
  }

  it('every expectation of every built-in scenario has a control', () => {
    const controlled = new Set(CONTROLS.map(([s, e]) => `${s}/${e}`));
    const missing: string[] = [];
    for (const { spec: s } of suite) {
      const { result } = runScenario(s, { seed: '1', policy: 'haproxy' });
      for (const e of result.expectations) if (!controlled.has(`${s.name}/${e.name}`)) missing.push(`${s.name}/${e.name}`);
    }
    expect(missing).toEqual([]);
  });
});
