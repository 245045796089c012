/**
 * `sticksim replay` in a real terminal: tmux runs it in a 100x30 pane, keys are sent with
 * send-keys, and the screen is read with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/runner.ts';
import { loadScenarios } from '../../scenarios/suite.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `sticksim-tui-${process.pid}`;
const root = join(import.meta.dirname, '..', '..');
let tracePath = '';

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const capture = (): string => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(predicate: (screen: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const start = Date.now();
  let screen = '';
  while (Date.now() - start < timeoutMs) {
    screen = capture();
    if (predicate(screen)) return screen;
    await sleep(100);
  }
  throw new Error(`screen never matched; last screen:\n${screen}`);
}

// A person's terminal is not CI: Ink draws only the last frame when it believes it runs in CI,
// so the child runs without the CI variables.
if (!hasTmux) console.warn('[tui-tmux] tmux is not installed: the terminal end-to-end test is skipped (apt-get install -y tmux)');

describe.skipIf(!hasTmux)('sticksim replay under tmux', () => {
  beforeAll(async () => {
    const [loaded] = await loadScenarios(['split-brain-acceptor-wins']);
    tracePath = join(mkdtempSync(join(tmpdir(), 'sticksim-tmux-')), 'sb.jsonl');
    runScenario(loaded!.spec, { seed: '1', policy: 'haproxy', tracePath });
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', root, `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 node bin/sticksim.js replay ${tracePath}`);
  });

  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('draws the screen, jumps to the partition with ], shows the split tables and links', async () => {
    await until((s) => s.includes('replay split-brain-acceptor-wins') && s.includes('events'));
    await sleep(300); // Ink listens for keys once the first frame is committed
    for (let i = 0; i < 5; i++) {
      tmux('send-keys', '-t', session, '-l', ']');
      await sleep(50);
    }
    // the 5th mark is the divergence at 11 s (diverged, converged, partition, reset, diverged)
    const screen = await until((s) => s.includes('11.000s/40.000s') && /≠ 10\.9\.9\.9\s+5\s+1\s/.test(s));
    const lines = screen.split('\n');
    expect(lines.find((l) => l.startsWith('net'))).toContain('#');
    expect(lines.find((l) => l.startsWith('table st @ 11.000s'))).toBeDefined();
    expect(screen).toMatch(/hap1\s+·\s+\w+ part/);
    expect(screen).toContain('diverged st 10.9.9.9');
  });

  it('steps with shift+→ and quits with q', async () => {
    tmux('send-keys', '-t', session, 'S-Right');
    await until((s) => s.includes('12.000s/40.000s'));
    tmux('send-keys', '-t', session, '-l', 'q');
    // the pane's command ends with the program: tmux closes the session
    const start = Date.now();
    while (spawnSync('tmux', ['has-session', '-t', session]).status === 0 && Date.now() - start < 5000) await sleep(100);
    expect(spawnSync('tmux', ['has-session', '-t', session]).status).not.toBe(0);
  });
});
