/**
 * The failure battery under a chosen HAProxy line (`sticksim run --config … --haproxy`):
 *  - a lone node (its peers section lists only itself), reloaded 3 s after start: under 3.2 the
 *    new process keeps the table (a section without remote peers counts as synced at once) and no
 *    request over the limit gets through; under 2.6 — the negative control on the same config —
 *    the reload falls in the startup resync and the keys are lost, requests leak;
 *  - with several lines, that finding is said to differ (2.6 against 3.0, 3.2), and on the 3-node
 *    config, where the lines behave alike, nothing is said to differ (the control of the detector).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/config/parse.ts';
import { HAPROXY_VERSIONS, type HaproxyVersion } from '../../engine/version/profile.ts';
import { versionDifferences } from '../../cli/battery-report.ts';
import { deriveCluster, type DerivedCluster } from '../../scenarios/battery/derive.ts';
import { runBattery, type BatteryOptions, type BatteryResult } from '../../scenarios/battery/index.ts';
import { fixture } from '../helpers/shared.ts';

const OPTIONS: BatteryOptions = { seed: '1', policy: 'haproxy', latencyMs: 1, failOnFinding: false };

function clusterOf(name: string, haproxy: HaproxyVersion): DerivedCluster {
  const file = fixture(`battery/${name}`);
  const text = readFileSync(file, 'latin1');
  const parsed = parseConfig(text, { file, version: haproxy });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return deriveCluster([{ file, text, config: parsed.config }]);
}

function only(name: string, scenario: string, haproxy: HaproxyVersion): BatteryResult {
  const run = runBattery(clusterOf(name, haproxy), { ...OPTIONS, haproxy, scenario });
  expect(run.results).toHaveLength(1);
  return run.results[0]!;
}

function group(name: string, scenario: string): { scenario: string; policy: string; byVersion: Map<HaproxyVersion, BatteryResult> } {
  return { scenario, policy: 'haproxy', byVersion: new Map(HAPROXY_VERSIONS.map((v) => [v, only(name, scenario, v)])) };
}

describe('the battery under HAProxy 3.2 and 2.6: a lone node reloaded within its startup window', () => {
  it('3.2: the reload keeps all 5 keys and lets no request over the limit through; the reproduce command names 3.2', () => {
    const r = only('lone-node.cfg', 'reload-lb1', '3.2');
    expect(r.result.haproxy).toBe('3.2');
    expect(r.result.passed).toBe(true);
    expect(r.result.figures['lb1-keys-kept']).toBe(5);
    expect(r.result.figures['lb1-let-through']).toBe(0);
    expect(r.findings.filter((f) => f.notable)).toEqual([]);
    expect(r.result.reproduce).toMatch(/--battery-scenario reload-lb1 --seed 1 --policy haproxy --haproxy 3\.2$/);
  });

  it('negative control, 2.6 on the same config: the reload loses the keys and lets requests through, said as findings', () => {
    const r = only('lone-node.cfg', 'reload-lb1', '2.6');
    expect(r.result.haproxy).toBe('2.6');
    expect(r.result.figures['lb1-keys-kept']).toBe(0);
    expect(r.result.figures['lb1-let-through']).toBeGreaterThan(0);
    expect(r.findings.filter((f) => f.notable).map((f) => f.name)).toEqual(['lb1-keys-kept', 'lb1-let-through']);
    expect(r.result.reproduce).toMatch(/--haproxy 2\.6$/);
  });

  it('side by side, the reload finding differs: 2.6 alone against 3.0 and 3.2', () => {
    const diffs = versionDifferences(group('lone-node.cfg', 'reload-lb1'), HAPROXY_VERSIONS);
    expect(diffs.map((d) => d.name)).toEqual(['lb1-keys-kept', 'lb1-let-through']);
    for (const d of diffs) expect(d.said.map((x) => x.versions)).toEqual([['2.6'], ['3.0', '3.2']]);
    expect(diffs[0]!.said[0]!.message).toMatch(/lost 5 of the 5 keys/);
    expect(diffs[0]!.said[1]!.message).toMatch(/held all 5 keys/);
  });

  it('control of the detector: a crash (no line keeps a crashed table) and the 3-node reload do not differ', () => {
    expect(versionDifferences(group('lone-node.cfg', 'crash-lb1'), HAPROXY_VERSIONS)).toEqual([]);
    expect(versionDifferences(group('three-nodes.cfg', 'reload-haproxy1'), HAPROXY_VERSIONS)).toEqual([]);
  });
});
