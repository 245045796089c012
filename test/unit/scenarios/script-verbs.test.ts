/**
 * The script verbs of issue 14 item 4, each with a negative control: reject (a session dies at its
 * next send, not at the cut), heal of one link, request, s.random (its own stream), structured
 * figures, and sequential scripts (generator steps on the virtual clock).
 */
import { describe, expect, it } from 'vitest';
import { scenario, type ScenarioSpec } from '../../../scenarios/dsl.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import { runScenario } from '../../../scenarios/runner.ts';
import type { ScriptApi } from '../../../scenarios/script-api.ts';
import { junitFromSuite } from '../../../reports/junit.ts';
import { formatResultsFile, parseResultsFile } from '../../../reports/results-file.ts';
import { formatFigure } from '../../../reports/figures.ts';

const CUT_MS = 10_000;

function twoNodes(script: (s: ScriptApi) => void, durationMs = 20_000, names = ['hap1', 'hap2']): ScenarioSpec {
  return scenario({ name: 'verbs', title: 'verbs', lesson: '', hosts: mesh(names), durationMs, script });
}

/** When the sessions between hap1 and hap2 closed after the cut, per host. */
function closesAfterCut(fault: (s: ScriptApi) => void, seed = '1'): { host: string; t: number }[] {
  const closes: { host: string; t: number }[] = [];
  const spec = twoNodes((s) => {
    s.at(CUT_MS, () => fault(s));
    s.observe('session.closed', (e) => {
      if (e.t >= CUT_MS) closes.push({ host: e.host, t: e.t - CUT_MS });
    });
  }, 14_000);
  runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off' });
  return closes;
}

describe('s.reject', () => {
  it('the session dies at its next send (a heartbeat within 3 s), not at the cut; seeds differ in when', () => {
    const firsts: number[] = [];
    for (const seed of ['1', '2', '3', '4', '5']) {
      const closes = closesAfterCut((s) => s.reject(['hap1'], ['hap2']), seed);
      expect(closes.length, `seed ${seed}`).toBeGreaterThanOrEqual(2);
      const first = Math.min(...closes.map((c) => c.t));
      expect(first, `seed ${seed}`).toBeGreaterThan(0);
      expect(first, `seed ${seed}`).toBeLessThanOrEqual(3_100);
      firsts.push(first);
    }
    expect(new Set(firsts).size).toBeGreaterThan(1);
  });

  it('control: cut resets both ends at the instant', () => {
    const closes = closesAfterCut((s) => s.cut(['hap1'], ['hap2']));
    expect(closes.map((c) => c.t)).toEqual([0, 0]);
  });

  it('control: a DROP partition closes nothing within 3.1 s (only the 5 s read timeout would)', () => {
    const closes = closesAfterCut((s) => s.partition(['hap1'], ['hap2']));
    expect(closes.filter((c) => c.t <= 3_100)).toEqual([]);
  });

  it('a reconnect across the reject is refused at once (no SYN retries), and the trace names the verb', () => {
    const kinds: string[] = [];
    let refusedAfterCut = 0;
    const spec = twoNodes((s) => {
      s.at(CUT_MS, () => s.reject(['hap1'], ['hap2']));
      s.observe('fault.reject', (e) => kinds.push(e.kind));
      s.observe('net.refused', (e) => {
        if (e.t > CUT_MS) refusedAfterCut++;
      });
    }, 16_000);
    runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    expect(kinds).toEqual(['fault.reject']);
    expect(refusedAfterCut).toBeGreaterThan(0);
  });
});

describe('s.heal(a, b): one link only', () => {
  it('after a three-way cut, healing hap1-hap2 re-makes that session and leaves hap3 alone', () => {
    const made: string[] = [];
    const spec = twoNodes((s) => {
      s.at(CUT_MS, () => s.cut(['hap1'], ['hap2']));
      s.at(CUT_MS, () => s.cut(['hap1', 'hap2'], ['hap3']));
      s.at(12_000, () => s.heal('hap1', 'hap2'));
      s.observe('hello.status', (e) => {
        if (e.t > 12_000 && e.details?.['code'] === 200 && e.details['role'] === 'initiator') made.push([e.host, String(e.details['peer'])].sort().join('-'));
      });
    }, 25_000, ['hap1', 'hap2', 'hap3']);
    runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    expect(new Set(made)).toEqual(new Set(['hap1-hap2']));
  });

  it('control: heal() of everything re-makes the hap3 sessions too', () => {
    const made = new Set<string>();
    const spec = twoNodes((s) => {
      s.at(CUT_MS, () => s.cut(['hap1', 'hap2'], ['hap3']));
      s.at(12_000, () => s.heal());
      s.observe('hello.status', (e) => {
        if (e.t > 12_000 && e.details?.['code'] === 200 && e.details['role'] === 'initiator') made.add([e.host, String(e.details['peer'])].sort().join('-'));
      });
    }, 25_000, ['hap1', 'hap2', 'hap3']);
    runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    expect([...made].some((p) => p.includes('hap3'))).toBe(true);
  });
});

describe('s.request', () => {
  const run = (withRequests: boolean) => {
    let counted: number | undefined;
    let action: string | undefined;
    const events: string[] = [];
    const spec = twoNodes((s) => {
      s.observe('script.request', (e) => events.push(`${e.t} ${e.host} ${String(e.details?.['src'])}`));
      if (withRequests) {
        s.request('hap1', '10.9.9.9', 5_000);
        s.at(5_001, () => {
          action = s.request('hap1', '10.9.9.9');
        });
      }
      s.at(6_000, () => {
        counted = s.read('hap2', 'st', '10.9.9.9', 'http_req_cnt');
      });
    }, 7_000);
    runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    return { counted, action, events };
  };

  it('one request at a chosen instant is tracked and replicated; each is a trace event', () => {
    const r = run(true);
    expect(r.counted).toBe(2);
    expect(r.action).toBe('allowed');
    expect(r.events).toEqual(['5000 hap1 10.9.9.9', '5001 hap1 10.9.9.9']);
  });

  it('control: without the requests hap2 has no entry', () => {
    expect(run(false).counted).toBeUndefined();
  });
});

describe('s.random: the script’s own seeded stream', () => {
  const draws = (seed: string, drawFrom: 'script' | 'host' | 'none') => {
    const values: number[] = [];
    const spec = twoNodes((s) => {
      if (drawFrom === 'script') for (let i = 0; i < 5; i++) values.push(s.random.nextInt(1_000_000));
      if (drawFrom === 'host') for (let i = 0; i < 5; i++) values.push(s.world.seeds.stream('host:hap1:1000').nextInt(1_000_000));
    }, 8_000);
    const out = runScenario(spec, { seed, policy: 'haproxy', keepEntries: true });
    const body = out.entries.filter((e) => e.kind !== 'script.random').map((e) => JSON.stringify(e)).join('\n');
    return { values, body, streams: out.streams, printed: out.entries.filter((e) => e.kind === 'script.random') };
  };

  it('same seed, same draws; another seed, other draws; its seed is printed and listed', () => {
    const a = draws('1', 'script');
    expect(draws('1', 'script').values).toEqual(a.values);
    expect(draws('2', 'script').values).not.toEqual(a.values);
    expect(a.printed).toHaveLength(1);
    expect(a.streams.map((s) => s.name)).toContain('script');
    expect(a.printed[0]!.details?.['seed']).toBe(a.streams.find((s) => s.name === 'script')!.seed);
  });

  it('drawing from it moves no other stream: the rest of the trace is byte-identical to a run without draws', () => {
    expect(draws('1', 'script').body).toBe(draws('1', 'none').body);
  });

  it('control: drawing as many values from the process stream of hap1 does change the trace', () => {
    expect(draws('1', 'host').body).not.toBe(draws('1', 'none').body);
  });
});

describe('structured figures', () => {
  const spec = twoNodes((s) => {
    s.figure('outcome', () => 'acceptor-wins');
    s.figure('final', () => ({ hap1: 5, hap2: 5, winner: 'hap1' }));
    s.figure('plain', () => 3);
  }, 1_000);

  it('a string and a record reach the result, the JUnit properties and the results file as such', () => {
    const { result } = runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    expect(result.figures).toEqual({ outcome: 'acceptor-wins', final: { hap1: 5, hap2: 5, winner: 'hap1' }, plain: 3 });
    const junit = junitFromSuite({ rootSeed: '1', runs: [result] });
    expect(junit).toContain('name="figure.outcome" value="acceptor-wins"');
    expect(junit).toContain('name="figure.final" value="hap1=5 hap2=5 winner=hap1"');
    const back = parseResultsFile(formatResultsFile({ rootSeed: '1', runs: [result] }), 'results.json');
    expect(back.runs[0]!.figures).toEqual(result.figures);
    expect(formatFigure('final', result.figures['final']!)).toBe('hap1=5 hap2=5 winner=hap1');
  });

  it('control: a figure of another shape (an array) is left out, as a throwing one is', () => {
    const bad = twoNodes((s) => {
      s.figure('list', () => [1, 2] as unknown as number);
      s.figure('ok', () => 'yes');
    }, 1_000);
    expect(runScenario(bad, { seed: '1', policy: 'haproxy', traceLevel: 'off' }).result.figures).toEqual({ ok: 'yes' });
  });
});

describe('s.sequence: generator steps on the virtual clock', () => {
  const run = (seed: string, check: (s: ScriptApi) => boolean) => {
    const log: string[] = [];
    const spec = twoNodes((s) => {
      s.sequence(function* () {
        log.push(`start ${s.nowMs()}`);
        yield s.sleep(3_000);
        s.set('hap1', 'st', '10.1.1.1', { gpc0: 7 });
        log.push(`set ${s.nowMs()}`);
        const timedOut = yield s.waitUntil(() => check(s), { everyMs: 5, withinMs: 2_000 });
        log.push(`until ${s.nowMs()} timedOut=${String(timedOut)}`);
        yield s.sleep(500);
        log.push(`end ${s.nowMs()}`);
      }, { startMs: 1_000 });
    }, 10_000);
    runScenario(spec, { seed, policy: 'haproxy', traceLevel: 'off' });
    return log;
  };
  const learned = (s: ScriptApi): boolean => s.read('hap2', 'st', '10.1.1.1', 'gpc0') === 7;

  it('each step resumes at its simulated instant, and the same seed gives the same steps', () => {
    const log = run('1', learned);
    expect(log[0]).toBe('start 1000');
    expect(log[1]).toBe('set 4000');
    const untilMs = Number(/^until (\d+) timedOut=false$/.exec(log[2]!)![1]);
    expect(untilMs).toBeGreaterThan(4_000);
    expect(untilMs).toBeLessThan(4_100);
    expect(log[3]).toBe(`end ${untilMs + 500}`);
    expect(run('1', learned)).toEqual(log);
  });

  it('control: a wait for something that never happens resumes timed out after withinMs', () => {
    expect(run('1', () => false)).toEqual(['start 1000', 'set 4000', 'until 6000 timedOut=true', 'end 6500']);
  });
});
