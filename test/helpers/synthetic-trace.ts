/**
 * Builds traces and results exactly in the formats the scenario runner writes (sim/trace.ts
 * lines, scenarios/results.ts types), so reports can be built and tested before the simulator
 * exists. Events may be added in any order; they are written sorted by time (stable).
 */
import { TraceWriter, type TraceEntry } from '../../sim/trace.ts';
import type { ExpectationResult, ScenarioRunResult } from '../../scenarios/results.ts';

export type Policy = ScenarioRunResult['policy'];

export interface SyntheticTraceOptions {
  scenario: string;
  seed: string;
  policy: Policy;
  configText?: string;
}

export class SyntheticTrace {
  private readonly entries: TraceEntry[] = [];
  private readonly expectations: ExpectationResult[] = [];

  constructor(readonly options: SyntheticTraceOptions) {}

  event(tMs: number, host: string, kind: string, details?: Record<string, unknown>): this {
    this.entries.push({ t: tMs, host, kind, details });
    return this;
  }

  partition(options: { atMs: number; id: string; sides: string[][]; oneWay?: boolean }): this {
    return this.event(options.atMs, '*', 'fault.partition', { id: options.id, sides: options.sides, oneWay: options.oneWay ?? false });
  }
  heal(options: { atMs: number; id: string }): this {
    return this.event(options.atMs, '*', 'fault.heal', { id: options.id });
  }
  hold(options: { atMs: number; id: string; from: string; to: string }): this {
    return this.event(options.atMs, '*', 'fault.hold', { id: options.id, from: options.from, to: options.to });
  }
  release(options: { atMs: number; id: string }): this {
    return this.event(options.atMs, '*', 'fault.release', { id: options.id });
  }
  host(atMs: number, host: string, what: 'crash' | 'restart' | 'reload' | 'pause' | 'resume'): this {
    return this.event(atMs, host, `host.${what}`);
  }
  resyncWindow(options: { host: string; startMs: number; endMs: number }): this {
    // the host is the event's own host field (a detail may not be named 'host')
    return this.event(options.endMs, options.host, 'resync.window', { startMs: options.startMs, endMs: options.endMs });
  }
  /** values: host → field → number, as `show table` names the fields. */
  sample(atMs: number, table: string, key: string, values: Record<string, Record<string, number>>): this {
    return this.event(atMs, '*', 'table.sample', { table, key, values });
  }
  expect(atMs: number, expectation: ExpectationResult): this {
    this.expectations.push(expectation);
    return this.event(atMs, '*', 'expect.result', {
      name: expectation.name,
      expectKind: expectation.kind,
      passed: expectation.passed,
      message: expectation.message,
    });
  }

  /** The trace text (header + events) and its hash, via the real TraceWriter. */
  build(): { text: string; hash: string; endMs: number } {
    const lines: string[] = [];
    const writer = new TraceWriter(
      {
        sticksimVersion: '0.0.0-synthetic',
        scenario: this.options.scenario,
        seed: this.options.seed,
        streams: [{ name: 'network', seed: `${this.options.seed}/network` }],
        mergePolicy: this.options.policy,
        configText: this.options.configText ?? 'peers mypeers\n    peer hap1 127.0.0.1:10001\n',
      },
      (line) => lines.push(line),
    );
    const sorted = this.entries.map((entry, index) => ({ entry, index }));
    sorted.sort((a, b) => a.entry.t - b.entry.t || a.index - b.index);
    for (const { entry } of sorted) writer.record(entry);
    const endMs = sorted.length === 0 ? 0 : sorted[sorted.length - 1]!.entry.t;
    return { text: lines.join(''), hash: writer.digest(), endMs };
  }

  /** The ScenarioRunResult matching this trace. */
  result(options: { hash: string; endMs: number; tracePath?: string; figures?: Record<string, number>; title?: string; lesson?: string }): ScenarioRunResult {
    const { scenario, seed, policy } = this.options;
    return {
      scenario,
      title: options.title ?? `Synthetic ${scenario}`,
      lesson: options.lesson ?? 'A synthetic run for report tests.',
      seed,
      policy,
      passed: this.expectations.every((expectation) => expectation.passed),
      expectations: [...this.expectations],
      figures: options.figures ?? {},
      simulatedMs: options.endMs,
      wallMs: 120,
      traceHash: options.hash,
      fingerprint: 'fp3:00000000deadbeef',
      tracePath: options.tracePath,
      reproduce: `npx sticksim run ${scenario} --seed ${seed} --policy ${policy}`,
    };
  }
}

export interface TypicalRunOptions {
  scenario?: string;
  seed?: string;
  policy?: Policy;
  /** Makes the `converges-within-15s` expectation fail. */
  failing?: boolean;
  hosts?: string[];
  keys?: string[];
  durationMs?: number;
  sampleEveryMs?: number;
}

/**
 * A small three-node story: traffic raises gpc0 on every node, a partition splits hap3 off (its
 * counter diverges), a hold, hap2 crashes and restarts with a resync window, hap1 reloads, the
 * partition heals and the counters converge (or, when `failing`, hap3 stays behind).
 */
export function typicalRun(options: TypicalRunOptions = {}): { trace: SyntheticTrace; text: string; hash: string; result: ScenarioRunResult } {
  const scenario = options.scenario ?? 'split-brain-three-nodes';
  const seed = options.seed ?? '42';
  const policy = options.policy ?? 'haproxy';
  const hosts = options.hosts ?? ['hap1', 'hap2', 'hap3'];
  const keys = options.keys ?? ['198.51.100.1', '203.0.113.5'];
  const durationMs = options.durationMs ?? 30_000;
  const everyMs = options.sampleEveryMs ?? 500;
  const trace = new SyntheticTrace({ scenario, seed, policy });
  const lastHost = hosts[hosts.length - 1]!;
  const partitionMs = { start: 5_000, end: 15_000 };
  trace.partition({ atMs: partitionMs.start, id: 'p1', sides: [hosts.slice(0, -1), [lastHost]] });
  trace.heal({ atMs: partitionMs.end, id: 'p1' });
  trace.hold({ atMs: 17_000, id: 'h1', from: hosts[0]!, to: lastHost });
  trace.release({ atMs: 18_500, id: 'h1' });
  if (hosts.length > 1) {
    trace.host(8_000, hosts[1]!, 'crash').host(10_000, hosts[1]!, 'restart');
    trace.resyncWindow({ host: hosts[1]!, startMs: 10_000, endMs: 11_500 });
  }
  trace.host(20_000, hosts[0]!, 'reload');
  const policyLag = policy === 'haproxy' ? 1 : policy === 'max' ? 0.5 : 0.25;
  for (let tMs = 0; tMs <= durationMs; tMs += everyMs) {
    keys.forEach((key, keyIndex) => {
      const values: Record<string, Record<string, number>> = {};
      const truth = Math.floor((tMs / 100) * (keyIndex + 1));
      for (const host of hosts) {
        let value = truth;
        const cut = host === lastHost && tMs >= partitionMs.start;
        if (cut && (tMs < partitionMs.end + 3_000 || options.failing === true)) {
          value = Math.floor((partitionMs.start / 100) * (keyIndex + 1) + ((tMs - partitionMs.start) / 400) * policyLag);
        }
        values[host] = { gpc0: value, http_req_rate: Math.floor(value / 10) };
      }
      trace.sample(tMs, 'st', key, values);
    });
  }
  const converged = options.failing !== true;
  trace.expect(durationMs, {
    name: 'converges-within-15s',
    kind: 'eventually',
    passed: converged,
    message: converged ? 'all nodes agree on gpc0 3.0 s after the heal' : `${lastHost} still differs on gpc0 15 s after the heal`,
    atMs: converged ? partitionMs.end + 3_000 : partitionMs.end + 15_000,
  });
  trace.expect(durationMs, {
    name: 'attacker-requests-let-through',
    kind: 'count',
    passed: true,
    message: 'attacker let through 37 requests (limit 50)',
  });
  const built = trace.build();
  const figures: Record<string, number> = { attackerLetThrough: 37, legitDenied: 3 };
  if (converged) figures['convergeMs'] = 3_000 + (Number.parseInt(seed, 10) % 7) * 250;
  const result = trace.result({ hash: built.hash, endMs: built.endMs, figures });
  return { trace, text: built.text, hash: built.hash, result };
}
