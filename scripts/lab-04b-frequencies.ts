/**
 * Lab experiment 4b (lab/v3/04b-splitbrain-3nodes.sh) on the engine, per HAProxy line, over many
 * seeds: how often the heal leaves the three nodes diverged. Not a built-in (the built-in
 * `split-brain-three-nodes` is another topology: hap3 cut from hap1 only, hap2 sees both).
 *
 * Per seed, as the lab's repeat: three meshed nodes, mesh up, hap1 sets gpc0=1, 0.5 s; hap1 is
 * cut from hap2 and from hap3 (the lab's cut_link: REJECT on OUTPUT, the sender gets the RST);
 * once every side sees those sessions DOWN, hap1 sets gpc0=5 and hap2 gpc0=12 (hap3 learns 12
 * from hap2), 0.5 s, heal; watch until every session is up for 2 s (at most 10 s); final gpc0 of
 * each node, and who accepted each of hap1's two sessions at the end.
 *
 *   npx tsx scripts/lab-04b-frequencies.ts [seeds=50] [lines=2.6,3.0,3.2]
 *
 * Lab (3 or 4 repeats per line, lab-outcomes.json `split-brain-3-nodes`): 2.6 diverged 1 of 4,
 * 3.0 3 of 3, 3.2 0 of 3.
 */
import type { HaproxyVersion } from '../engine/version/profile.ts';
import { scenario } from '../scenarios/dsl.ts';
import { PeerSessions } from '../scenarios/lab-port.ts';
import { runScenario } from '../scenarios/runner.ts';
import { mesh } from '../scenarios/builtin/cluster.ts';

const K = '127.0.0.50';
const NODES = ['hap1', 'hap2', 'hap3'] as const;

const spec = scenario({
  name: 'lab-04b-port',
  title: 'Lab 04b on the engine',
  lesson: 'measurement only',
  hosts: mesh([...NODES]),
  durationMs: 60_000,
  seeds: ['1'],
  script: (s) => {
    const sessions = new PeerSessions(s);
    let result: Record<string, string | number> = { finals: 'not run' };
    const allUp = (): boolean => NODES.every((a) => NODES.every((b) => a === b || sessions.established(a, b)));
    s.sequence(function* () {
      yield s.waitUntil(allUp, { everyMs: 200, withinMs: 30_000 });
      yield s.sleep(2_000);
      s.set('hap1', 'st', K, { gpc0: 1 });
      yield s.sleep(500);
      s.reject(['hap1'], ['hap2', 'hap3']);
      yield s.waitUntil(() => ['hap2', 'hap3'].every((p) => !sessions.established('hap1', p) && !sessions.established(p, 'hap1')), { everyMs: 20, withinMs: 30_000 });
      s.set('hap1', 'st', K, { gpc0: 5 });
      s.set('hap2', 'st', K, { gpc0: 12 });
      yield s.sleep(500);
      s.heal();
      let upSinceMs = -1;
      const healMs = s.nowMs();
      yield s.waitUntil(() => {
        if (!allUp()) upSinceMs = -1;
        else if (upSinceMs < 0) upSinceMs = s.nowMs();
        return upSinceMs >= 0 && s.nowMs() - upSinceMs >= 2_000;
      }, { everyMs: 100, withinMs: 10_000 });
      const finals = NODES.map((n) => s.read(n, 'st', K, 'gpc0') ?? -1);
      result = {
        finals: finals.join(','),
        diverged: new Set(finals).size > 1 ? 1 : 0,
        hap1AcceptedFrom: ['hap2', 'hap3'].filter((p) => sessions.state('hap1', p) === 'EST(accepted)').join('+') || 'none',
        settledMs: s.nowMs() - healMs,
      };
    });
    s.figure('lab04b', () => result);
  },
});

const seeds = Number(process.argv[2] ?? 50);
const lines = (process.argv[3] ?? '2.6,3.0,3.2').split(',') as HaproxyVersion[];
for (const haproxy of lines) {
  const finals = new Map<string, number>();
  const acceptedFrom = new Map<string, number>();
  let diverged = 0;
  for (let i = 1; i <= seeds; i++) {
    const r = runScenario(spec, { seed: String(i), policy: 'haproxy', traceLevel: 'off', haproxy }).result;
    const f = r.figures['lab04b'] as Record<string, string | number>;
    diverged += Number(f['diverged'] ?? 0);
    finals.set(String(f['finals']), (finals.get(String(f['finals'])) ?? 0) + 1);
    const key = `${String(f['hap1AcceptedFrom'])} -> ${Number(f['diverged']) === 1 ? 'diverged' : 'converged'}`;
    acceptedFrom.set(key, (acceptedFrom.get(key) ?? 0) + 1);
  }
  console.log(JSON.stringify({ haproxy, seeds, diverged, finals: Object.fromEntries([...finals].sort()), hap1AcceptedFrom: Object.fromEntries([...acceptedFrom].sort()) }));
}
