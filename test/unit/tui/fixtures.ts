/** A real trace for the TUI tests: split-brain-acceptor-wins, seed 1, haproxy policy. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../../scenarios/runner.ts';
import { loadScenarios } from '../../../scenarios/suite.ts';
import type { ScenarioSpec } from '../../../scenarios/dsl.ts';
import { openTrace } from '../../../tui/screens.ts';
import type { Trace } from '../../../tui/state.ts';
import { TraceStore } from '../../../tui/trace-store.ts';

export async function splitBrainTrace(): Promise<{ path: string; spec: ScenarioSpec }> {
  const [loaded] = await loadScenarios(['split-brain-acceptor-wins']);
  const spec = loaded!.spec;
  const path = join(mkdtempSync(join(tmpdir(), 'sticksim-tui-')), 'sb.jsonl');
  runScenario(spec, { seed: '1', policy: 'haproxy', tracePath: path });
  return { path, spec };
}

/** That trace written and opened as the TUI opens a file. */
export async function openSplitBrain(): Promise<{ path: string; spec: ScenarioSpec; trace: Trace }> {
  const made = await splitBrainTrace();
  return { ...made, trace: openTrace(TraceStore.openFile(made.path)) };
}

export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const KEYS = {
  right: '\u001b[C',
  left: '\u001b[D',
  shiftRight: '\u001b[1;2C',
  shiftLeft: '\u001b[1;2D',
  enter: '\r',
  escape: '\u001b',
} as const;
