/**
 * `s.observeDetails`: a script reads the hot update and ack events as the deferred details the
 * engine handed over (raw key and values, the host's pid set), the same events `s.observe` gets
 * rendered, first; and a run whose script only observes details never renders them.
 */
import { describe, expect, it } from 'vitest';
import { scenario, type ScenarioSpec } from '../../../scenarios/dsl.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import { runScenario } from '../../../scenarios/runner.ts';
import type { ScriptApi } from '../../../scenarios/script-api.ts';
import { UpdateReceivedDetails, UpdateSentDetails } from '../../../engine/peers/update-events.ts';

function withTraffic(script: (s: ScriptApi) => void): ScenarioSpec {
  return scenario({
    name: 'observe-details',
    title: 'observe details',
    lesson: '',
    hosts: mesh(['hap1', 'hap2']),
    durationMs: 8_000,
    script: (s) => {
      s.at(6_000, () => s.request('hap1', '10.0.0.7'));
      s.at(6_100, () => s.request('hap1', '10.0.0.8'));
      script(s);
    },
  });
}

describe('s.observeDetails', () => {
  it('sees every update.tx and update.rx the plain observers see, in order, before them, with the pid', () => {
    const order: string[] = [];
    const spec = withTraffic((s) => {
      for (const kind of ['update.tx', 'update.rx']) {
        s.observeDetails(kind, (host, d) => {
          expect(d instanceof UpdateSentDetails || d instanceof UpdateReceivedDetails).toBe(true);
          const u = d as UpdateSentDetails | UpdateReceivedDetails;
          expect(d.pid).toBe(s.world.host(host).pid);
          order.push(`details ${kind} ${host} ${u.keyText()} ${u.updateId}`);
        });
        s.observe(kind, (e) => order.push(`plain ${kind} ${e.host} ${String(e.details?.['key'])} ${String(e.details?.['updateId'])}`));
      }
    });
    runScenario(spec, { seed: '1', policy: 'haproxy', traceLevel: 'off' });
    const details = order.filter((line) => line.startsWith('details'));
    const plain = order.filter((line) => line.startsWith('plain'));
    expect(details.length).toBeGreaterThanOrEqual(4); // two keys, each sent by hap1 and received by hap2
    expect(details.map((line) => line.slice('details '.length))).toEqual(plain.map((line) => line.slice('plain '.length)));
    expect(details.some((line) => line.includes('update.rx hap2 10.0.0.8'))).toBe(true);
    // Each event reaches its details observer just before its plain observer.
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.startsWith('details')).toBe(true);
  });

  it('a run whose script only observes details renders none of them; control: a plain observer makes it render', () => {
    const renders = { count: 0 };
    const original = UpdateSentDetails.prototype.render;
    UpdateSentDetails.prototype.render = function (this: UpdateSentDetails) {
      renders.count++;
      return original.call(this);
    };
    try {
      let seen = 0;
      runScenario(withTraffic((s) => s.observeDetails('update.tx', () => seen++)), { seed: '1', policy: 'haproxy', traceLevel: 'off' });
      expect(seen).toBeGreaterThanOrEqual(2);
      expect(renders.count).toBe(0);
      runScenario(withTraffic((s) => s.observe('update.tx', () => {})), { seed: '1', policy: 'haproxy', traceLevel: 'off' });
      expect(renders.count).toBe(seen);
    } finally {
      UpdateSentDetails.prototype.render = original;
    }
  });
});
