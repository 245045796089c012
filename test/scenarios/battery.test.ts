/**
 * The failure battery on users' configs (`sticksim run --config`):
 *  - a 3-node config with real-looking addresses (192.168.1.10-12:10000): the cluster is derived
 *    from its peer lines, every scenario runs, findings carry the user's rule and a reproduce
 *    command that gives the same figures again, and a negative control (the same config whose
 *    table is not replicated) turns "reload keeps the table" into a let-through finding;
 *  - every haproxy.cfg fragment of the seed articles that HAProxy 2.6 accepts (`haproxy -c`):
 *    the battery runs and no scenario crashes, or the config is refused with one actionable line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/config/parse.ts';
import { deriveCluster, DeriveError, type ConfigFile, type DerivedCluster } from '../../scenarios/battery/derive.ts';
import { makePlan } from '../../scenarios/battery/harness.ts';
import { runBattery, type BatteryOptions, type BatteryResult } from '../../scenarios/battery/index.ts';
import { splits } from '../../scenarios/battery/split-brain.ts';
import { loadSeedFragments } from '../unit/config/seed-fragments.ts';
import { sharedGate } from '../helpers/shared.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(repoRoot, 'test/fixtures/battery/three-nodes.cfg');
const HAPROXY = '/usr/sbin/haproxy';
const seeds = sharedGate('seeds', 'the battery on the seed articles’ configs');
const seedsDir = seeds.path;

function configFile(file: string, text: string): ConfigFile {
  const parsed = parseConfig(text, { file });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return { file, text, config: parsed.config };
}

const OPTIONS: BatteryOptions = { seed: '1', policy: 'haproxy', latencyMs: 1, failOnFinding: false };

const byName = (runs: readonly BatteryResult[], name: string): BatteryResult => {
  const r = runs.find((x) => x.result.scenario === name);
  if (r === undefined) throw new Error(`no battery scenario ${name}; have ${runs.map((x) => x.result.scenario).join(', ')}`);
  return r;
};

describe('split-brain partitions', () => {
  it('every 2-way split up to 4 nodes; each node alone plus one half split beyond, said in a note', () => {
    const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
    // 2^(n-1) - 1 two-way splits.
    expect([2, 3, 4].map((n) => splits(names(n)).length)).toEqual([1, 3, 7]);
    for (const n of [2, 3, 4, 5, 6]) {
      for (const [a, b] of splits(names(n)) as [string[], string[]][]) {
        expect(a.length).toBeGreaterThan(0);
        expect(b.length).toBeGreaterThan(0);
        expect([...a, ...b].sort()).toEqual(names(n).sort());
      }
    }
    expect(splits(names(6)).length).toBe(6 + 1);
    const peers = names(6).map((n, i) => `    peer ${n} 10.9.0.${i + 1}:10000`).join('\n');
    const big = deriveCluster([configFile('six.cfg', `peers p\n${peers}\n\nbackend st\n    stick-table type ip size 1k expire 30s store gpc0 peers p\n`)]);
    expect(big.hosts).toHaveLength(6);
    expect(makePlan(big).notes.join('\n')).toMatch(/6 nodes: .*first 4 only.*every 2-way split only up to 4 nodes/);
  });
});

describe('battery on a 3-node config with real addresses', () => {
  const text = readFileSync(FIXTURE, 'latin1');
  const cluster = deriveCluster([configFile('three-nodes.cfg', text)]);

  it('derives one node per peer line at its own address, and the deny rule with its limit', () => {
    expect(cluster.hosts.map((h) => `${h.name}@${h.address}:${h.port}`)).toEqual([
      'haproxy1@192.168.1.10:10000',
      'haproxy2@192.168.1.11:10000',
      'haproxy3@192.168.1.12:10000',
    ]);
    expect(cluster.limits).toHaveLength(1);
    expect(cluster.limits[0]).toMatchObject({ what: 'http_req_rate', matchesFrom: 101, periodMs: 10_000, frontend: 'fe_http' });
    expect(cluster.tables.find((t) => t.name === 'fe_http')?.replicated).toBe(true);
  });

  const run = runBattery(cluster, OPTIONS);

  it('runs every family; no run breaks; every finding is a sentence with a reproduce command', () => {
    const families = new Set(run.results.map((r) => r.result.scenario.replace(/-.*/, '')));
    for (const f of ['reload', 'double', 'crash', 'split', 'no', 'resync', 'attack', 'one', 'latency']) expect(families).toContain(f);
    // 3 nodes: every 2-way split (3 of them).
    expect(run.results.filter((r) => r.result.scenario.startsWith('split-'))).toHaveLength(3);
    for (const { result, findings } of run.results) {
      expect(result.passed, `${result.scenario}: ${result.expectations.map((e) => e.message).join('; ')}`).toBe(true);
      expect(result.reproduce).toContain(`--battery-scenario ${result.scenario} --seed 1 --policy haproxy`);
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) expect(f.message.length).toBeGreaterThan(20);
    }
  });

  it('a replicated table survives each reload: no key lost and no request over the limit let through', () => {
    for (const h of cluster.hosts) {
      const r = byName(run.results, `reload-${h.name}`).result;
      expect(r.figures[`${h.name}-keys-kept`]).toBe(5);
      expect(r.figures[`${h.name}-let-through`]).toBe(0);
    }
  });

  it('a node restarted while its peers are unreachable lets requests over the user’s limit through, said with the rule', () => {
    const r = byName(run.results, 'resync-isolated-haproxy2');
    const leak = r.result.figures['haproxy2-let-through'] ?? 0;
    expect(leak).toBeGreaterThan(0);
    const msg = r.findings.find((f) => f.name === 'haproxy2-let-through')!.message;
    expect(msg).toContain('three-nodes.cfg:19');
    expect(msg).toContain('sc_http_req_rate(0) gt 100');
  });

  it('the reproduce command’s scenario alone gives the same figures', () => {
    const again = runBattery(cluster, { ...OPTIONS, scenario: 'resync-isolated-haproxy2' });
    expect(again.results).toHaveLength(1);
    expect(again.results[0]!.result.figures).toEqual(byName(run.results, 'resync-isolated-haproxy2').result.figures);
  });

  it('a run that breaks is a failed scenario with the reason, never an exception out of the battery', () => {
    // A frontend the config does not have: the engine's assertion fires in the first request.
    const broken = runBattery({ ...cluster, frontend: 'nosuch' }, { ...OPTIONS, scenario: 'crash-haproxy1' });
    expect(broken.results).toHaveLength(1);
    const r = broken.results[0]!.result;
    expect(r.passed).toBe(false);
    expect(r.expectations[0]!.message).toMatch(/^the fault-free reference run broke: the engine stopped at 500 ms on a broken invariant .*frontend named nosuch/);
    expect(r.reproduce).toContain('--battery-scenario crash-haproxy1');
  });

  it('negative control: without `peers mypeers` on the table, a reload loses the keys and lets requests through', () => {
    const local = deriveCluster([configFile('three-nodes-local.cfg', text.replace(' peers mypeers', ''))]);
    const r = runBattery(local, { ...OPTIONS, scenario: 'reload-haproxy1' }).results[0]!;
    expect(r.result.figures['haproxy1-keys-kept']).toBeLessThan(5);
    expect(r.result.figures['haproxy1-let-through']).toBeGreaterThan(0);
    expect(r.result.passed).toBe(true);
    // --fail-on-finding turns the same findings into failures.
    const strict = runBattery(local, { ...OPTIONS, scenario: 'reload-haproxy1', failOnFinding: true }).results[0]!;
    expect(strict.result.passed).toBe(false);
  });
});

describe('battery on the seed articles’ configs', () => {
  const haveSeeds = !seeds.skip;
  const haveHaproxy = existsSync(HAPROXY);
  if (!haveHaproxy) console.warn(`battery.test.ts: no ${HAPROXY}: skipped the battery on the seed articles’ configs (it asks HAProxy 2.6 which fragments it accepts)`);
  it.skipIf(!haveSeeds || !haveHaproxy)(`every fragment HAProxy 2.6 accepts runs the battery or is refused in one line${haveSeeds ? '' : ' (skipped: ../shared/seeds is absent)'}${haveHaproxy ? '' : ` (skipped: no ${HAPROXY})`}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sticksim-battery-seeds-'));
    const fragments = loadSeedFragments(seedsDir);
    let ran = 0;
    let refused = 0;
    for (const f of fragments) {
      const file = path.join(dir, `${f.seedFile.slice(0, 3)}-${f.startLine}.cfg`);
      writeFileSync(file, f.text);
      const firstPeer = /^\s*(?:peer|server)\s+(\S+)/m.exec(f.text)?.[1];
      const check = spawnSync(HAPROXY, ['-c', '-f', file, ...(firstPeer === undefined ? [] : ['-L', firstPeer])], { encoding: 'utf8' });
      // 0: valid; 2: valid but nothing to listen on (a fragment without bind lines).
      if (check.status !== 0 && check.status !== 2) continue;
      const parsed = parseConfig(f.text, { file });
      expect(parsed.ok, `${file}: HAProxy accepts it, sticksim's parser must too`).toBe(true);
      if (!parsed.ok) continue;
      let cluster: DerivedCluster;
      try {
        cluster = deriveCluster([{ file, text: f.text, config: parsed.config }]);
      } catch (error) {
        expect(error).toBeInstanceOf(DeriveError);
        const message = (error as Error).message;
        expect(message, 'one line naming the file and line').toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: [^\\n]+$`));
        refused++;
        continue;
      }
      const { results } = runBattery(cluster, OPTIONS);
      expect(results.length).toBeGreaterThan(0);
      for (const { result } of results) expect(result.passed, `${file} ${result.scenario}: ${result.expectations.map((e) => e.message).join('; ')}`).toBe(true);
      ran++;
    }
    console.log(`battery on the seed articles: ${fragments.length} fragments, ${ran} ran the battery, ${refused} refused in one line, the rest refused by HAProxy 2.6 itself`);
    // The articles hold several complete clusters and single nodes with tables (5 at the time of writing).
    expect(ran).toBeGreaterThanOrEqual(4);
    expect(ran + refused).toBeGreaterThanOrEqual(8);
  });
});
