/**
 * TUI benchmark: writes a synthetic 1,000,000-event trace (three nodes: updates, acks,
 * heartbeats, network deliveries, samples, sessions, partitions and crashes in the usual
 * proportions), then measures opening it (columnar store + index + first frame of the replay
 * screen at 80x24) and stepping the cursor (key press to new frame), mean and max.
 * Prints JSON lines: {"bench":"tui","metric":"open_ms",…}, "step_ms_mean", "step_ms_max",
 * "open_heap_bytes".
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { formatEventLine, formatHeaderLine, type TraceEntry } from '../sim/trace.ts';
import { ReplayRoot } from '../tui/app.tsx';
import { openTrace, replayScreen } from '../tui/screens.ts';
import { TraceStore } from '../tui/trace-store.ts';
import { emit, heapUsedBytes } from './emit.ts';

const EVENTS = Number(process.env.BENCH_TUI_EVENTS ?? 1_000_000);
const STEPS = Number(process.env.BENCH_TUI_STEPS ?? 200);
const HOSTS = ['hap1', 'hap2', 'hap3'] as const;
const WRITE_BATCH_LINES = 10_000;

/** Deterministic synthetic events (a linear congruential generator, no Math.random). */
function* syntheticEvents(count: number): Generator<TraceEntry> {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  let t = 0;
  const partitionEvery = Math.max(10, Math.floor(count / 10));
  for (let i = 0; i < count; i++) {
    t += next() < 0.5 ? 0 : 1;
    const host = HOSTS[i % 3]!;
    const peer = HOSTS[(i + 1) % 3]!;
    const key = `10.0.${(i >> 8) & 255}.${i & 255}`;
    const r = next();
    if (i % partitionEvery === 0 && i > 0) yield { t, host: '*', kind: 'fault.partition', details: { id: i, name: `p${i}`, sides: [['hap1'], ['hap2', 'hap3']], oneWay: false } };
    else if (i % partitionEvery === partitionEvery / 2) yield { t, host: '*', kind: 'fault.heal', details: { id: -1, name: 'all' } };
    else if (r < 0.2) yield { t, host, kind: 'update.tx', details: { key, peer, pid: 1000, section: 'mypeers', session: 1, table: 'st', updateId: i, values: { gpc0: i % 7, http_req_cnt: i % 13 } } };
    else if (r < 0.4) yield { t, host, kind: 'update.rx', details: { key, peer, pid: 1000, section: 'mypeers', session: 1, table: 'st', updateId: i, values: { gpc0: i % 7, http_req_cnt: i % 13 } } };
    else if (r < 0.6) yield { t, host, kind: 'ack.tx', details: { peer, pid: 1000, section: 'mypeers', table: 'st', updateId: i } };
    else if (r < 0.7) yield { t, host, kind: 'heartbeat.tx', details: { peer, pid: 1000, section: 'mypeers' } };
    else if (r < 0.85) yield { t, host, kind: 'net.deliver', details: { conn: i % 50, dir: 'up', size: 40 } };
    else if (r < 0.9) yield { t, host: '*', kind: 'table.sample', details: { table: 'st', key: `10.9.9.${i % 4}`, values: { hap1: { gpc0: i % 3 }, hap2: { gpc0: i % 3 }, hap3: { gpc0: (i >> 3) % 3 } } } };
    else if (r < 0.92) yield { t, host, kind: next() < 0.5 ? 'session.connect' : 'hello.status', details: { peer, pid: 1000, session: i, code: 200, role: 'initiator' } };
    else yield { t, host, kind: 'net.connect', details: { conn: i, from: '10.0.0.1:32768', to: '10.0.0.2:10000' } };
  }
}

function writeTrace(path: string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, `${formatHeaderLine({ sticksimVersion: 'bench', scenario: 'bench-synthetic', seed: 'bench', streams: [], mergePolicy: 'haproxy', configText: '' })}\n`);
  let batch: string[] = [];
  for (const entry of syntheticEvents(EVENTS)) {
    batch.push(formatEventLine(entry));
    if (batch.length >= WRITE_BATCH_LINES) {
      writeSync(fd, `${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  closeSync(fd);
}

async function frameAfter(write: () => void, frame: () => string | undefined): Promise<void> {
  const before = frame();
  write();
  for (let i = 0; i < 1000 && frame() === before; i++) await new Promise((r) => setImmediate(r));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sticksim-tui-bench-'));
  const path = join(dir, 'trace.jsonl');
  try {
    writeTrace(path);
    const heapBefore = heapUsedBytes();
    const started = performance.now();
    const trace = openTrace(TraceStore.openFile(path));
    const screen = replayScreen({ trace, spec: 'synthetic trace', size: { columns: 80, rows: 24 }, color: false, tablesDelayMs: 0 });
    const ui = render(createElement(ReplayRoot, { replay: screen, fork: () => 'no branch in the bench' }));
    const openMs = performance.now() - started;
    const heapBytes = heapUsedBytes() - heapBefore;
    if (trace.store.count !== EVENTS) throw new Error(`bench trace holds ${trace.store.count} events, expected ${EVENTS}`);
    const steps: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const key = i % 10 === 9 ? '\u001b[1;2C' : i % 25 === 24 ? ']' : '\u001b[C';
      const t0 = performance.now();
      await frameAfter(() => ui.stdin.write(key), () => ui.lastFrame());
      steps.push(performance.now() - t0);
    }
    ui.unmount();
    const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
    emit({ bench: 'tui', metric: 'trace_bytes', value: statSync(path).size, unit: 'bytes' });
    emit({ bench: 'tui', metric: 'open_ms', value: Math.round(openMs), unit: 'ms' });
    emit({ bench: 'tui', metric: 'open_heap_bytes', value: heapBytes, unit: 'bytes' });
    emit({ bench: 'tui', metric: 'step_ms_mean', value: Number(mean.toFixed(2)), unit: 'ms' });
    emit({ bench: 'tui', metric: 'step_ms_max', value: Number(Math.max(...steps).toFixed(2)), unit: 'ms' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
