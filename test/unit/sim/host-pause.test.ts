/** Host verbs: pause/resume (SIGSTOP) holds a process's timers and sockets; drift; crash. */
import { describe, expect, it } from 'vitest';
import { scenario } from '../../../scenarios/dsl.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import { runScenario } from '../../../scenarios/runner.ts';

describe('pause and resume', () => {
  it('a paused node neither applies updates nor serves, and catches up in order on resume', () => {
    const seen: { t: number; v: number | undefined }[] = [];
    let heartbeatsWhilePaused = 0;
    const spec = scenario({
      name: 'pause-test',
      title: '',
      lesson: '',
      hosts: mesh(['hap1', 'hap2']),
      durationMs: 16_000,
      script: (s) => {
        s.observe('heartbeat.tx', (e) => {
          if (e.host === 'hap2' && e.t > 10_800 && e.t < 12_500) heartbeatsWhilePaused++;
        });
        // A short freeze (well under the 5 s timeouts): what arrived meanwhile is applied on resume.
        s.at(10_800, () => s.pause('hap2'));
        s.at(11_000, () => s.set('hap1', 'st', '10.3.3.3', { gpc0: 3 }));
        s.at(12_000, () => seen.push({ t: 12_000, v: s.read('hap2', 'st', '10.3.3.3', 'gpc0') }));
        s.at(12_500, () => s.resume('hap2'));
        s.at(12_501, () => seen.push({ t: 12_501, v: s.read('hap2', 'st', '10.3.3.3', 'gpc0') }));
      },
    });
    const { entries } = runScenario(spec, { seed: '1', policy: 'haproxy', keepEntries: true });
    expect(seen).toEqual([
      { t: 12_000, v: undefined },
      { t: 12_501, v: 3 },
    ]);
    expect(heartbeatsWhilePaused).toBe(0);
    expect(entries.filter((e) => e.kind === 'host.pause' || e.kind === 'host.resume').map((e) => [e.t, e.kind])).toEqual([
      [10_800, 'host.pause'],
      [12_500, 'host.resume'],
    ]);
  });

  it('a pause longer than the read timeout makes the peer end the session 5 s after its last input', () => {
    let dead = 0;
    let lastInputMs = 0;
    const timeoutsMs: number[] = [];
    const spec = scenario({
      name: 'pause-dead',
      title: '',
      lesson: '',
      hosts: mesh(['hap1', 'hap2']),
      durationMs: 30_000,
      script: (s) => {
        s.observe('peer.dead', (e) => {
          if (e.host === 'hap1' && e.t < 15_000) dead++;
        });
        s.observe('heartbeat.tx', (e) => {
          if (e.host === 'hap2' && e.t <= 10_000) lastInputMs = e.t;
        });
        s.observe('session.timeout', (e) => {
          if (e.host === 'hap1') timeoutsMs.push(e.t);
        });
        s.at(10_000, () => s.pause('hap2'));
        s.at(25_000, () => s.resume('hap2'));
      },
    });
    runScenario(spec, { seed: '2', policy: 'haproxy' });
    // hap2's last heartbeat arrives one link latency after it left; hap1 reads nothing after it.
    expect(lastInputMs).toBeGreaterThan(7_000);
    expect(timeoutsMs.length).toBeGreaterThanOrEqual(1);
    expect(timeoutsMs[0]! - lastInputMs).toBeGreaterThanOrEqual(5_000);
    expect(timeoutsMs[0]! - lastInputMs).toBeLessThanOrEqual(5_100);
    expect(dead).toBe(0);
  });
});
