import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, ReplayRoot } from '../../../tui/app.tsx';
import { ExploreSession } from '../../../tui/explore-session.ts';
import { exploreScreen, forkScreen, openTrace, replayScreen } from '../../../tui/screens.ts';
import { SPEEDS, type Trace } from '../../../tui/state.ts';
import { TraceStore } from '../../../tui/trace-store.ts';
import type { ScenarioSpec } from '../../../scenarios/dsl.ts';
import { KEYS, openSplitBrain, wait } from './fixtures.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let trace: Trace;
let spec: ScenarioSpec;
beforeAll(async () => {
  ({ spec, trace } = await openSplitBrain());
});

const base = { size: { columns: 80, rows: 24 }, color: false, tablesDelayMs: 0 };

/** Renders the replay screen; `press` writes keys one by one and waits for Ink. */
function replay(initialCursor = 0) {
  const ui = render(
    <ReplayRoot
      replay={replayScreen({ ...base, trace, spec, initialCursor })}
      fork={(cursor) => forkScreen({ ...base, trace, spec, cursor, savePath: join(mkdtempSync(join(tmpdir(), 'sticksim-fork-')), 'b.jsonl') })}
    />,
  );
  const press = async (...keys: string[]): Promise<string> => {
    for (const k of keys) {
      ui.stdin.write(k);
      await wait(15);
    }
    return ui.lastFrame() ?? '';
  };
  return { ui, press };
}

/** Status bar fields. */
function status(frame: string): { ms: number; ev: number; speed: number; playing: boolean } {
  const m = /(⏸|▶) (\d+\.\d+)s\/[\d.]+s ev (\d+)\/\d+ ([\d.]+)x/.exec(frame.split('\n')[0]!);
  expect(m, frame.split('\n')[0]).not.toBeNull();
  return { playing: m![1] === '▶', ms: Math.round(Number(m![2]) * 1000), ev: Number(m![3]), speed: Number(m![4]) };
}

describe('replay keys', () => {
  it('→ and ← step one event', async () => {
    const { ui, press } = replay(10);
    await wait(20);
    expect(status(ui.lastFrame()!).ev).toBe(11);
    expect(status(await press(KEYS.right, KEYS.right)).ev).toBe(13);
    expect(status(await press(KEYS.left)).ev).toBe(12);
    ui.unmount();
  });

  it('shift+→ / shift+← jump a second of simulated time', async () => {
    const { ui, press } = replay(trace.store.lastAtOrBefore(10_000));
    await wait(20);
    const t0 = status(ui.lastFrame()!).ms;
    expect(status(await press(KEYS.shiftRight)).ms).toBe(t0 + 1000);
    expect(status(await press(KEYS.shiftLeft, KEYS.shiftLeft)).ms).toBe(t0 - 1000);
    ui.unmount();
  });

  it('] and [ go to the next and previous fault or divergence', async () => {
    const { ui, press } = replay(trace.store.lastAtOrBefore(9_000));
    await wait(20);
    const next = await press(']');
    expect(status(next).ms).toBe(10_000);
    expect(next).toContain('partition partition-1');
    const further = await press(']', ']');
    expect(status(further).ms).toBe(11_000);
    expect(further).toContain('diverged st 10.9.9.9');
    expect(status(await press('[')).ms).toBe(10_000);
    ui.unmount();
  });

  it('space plays (time moves on its own) and pauses', async () => {
    const { ui, press } = replay(0);
    await press('+', '+'); // 5x: a few ticks move seconds, far from the end
    const playing = await press(' ');
    expect(status(playing).playing).toBe(true);
    await wait(350);
    const moved = status(ui.lastFrame()!);
    expect(moved.ms).toBeGreaterThan(0);
    const paused = status(await press(' '));
    expect(paused.playing).toBe(false);
    await wait(250);
    expect(status(ui.lastFrame()!).ms).toBe(paused.ms);
    ui.unmount();
  });

  it('+ and - change the speed within its bounds', async () => {
    const { ui, press } = replay(0);
    await wait(20);
    const s0 = status(ui.lastFrame()!).speed;
    const up = status(await press('+')).speed;
    expect(up).toBeGreaterThan(s0);
    const down = status(await press('-', '-')).speed;
    expect(down).toBeLessThan(s0);
    const floor = status(await press(...Array.from({ length: 20 }, () => '-'))).speed;
    expect(floor).toBe(SPEEDS[0]);
    ui.unmount();
  });

  it('/ searches a key: the cursor goes to the first event naming it and the log filters on it', async () => {
    const { ui, press } = replay(0);
    await press('/', ...'10.9.9.9'.split(''));
    expect(ui.lastFrame()).toContain('/10.9.9.9');
    const frame = await press(KEYS.enter);
    const first = trace.store.findText('10.9.9.9', { from: -1, direction: 1 });
    expect(status(frame).ev).toBe(first + 1);
    expect(frame).toContain('key=10.9.9.9');
    const again = await press('n');
    expect(status(again).ev).toBeGreaterThan(first + 1);
    ui.unmount();
  });

  it('esc cancels a search without moving', async () => {
    const { ui, press } = replay(5);
    await press('/', 'x');
    const frame = await press(KEYS.escape);
    await wait(60); // a lone escape is recognised after a pause
    expect(status(ui.lastFrame()!).ev).toBe(6);
    expect(ui.lastFrame()).toContain('key=*');
    void frame;
    ui.unmount();
  });

  it('h, k and x set and clear the log filters', async () => {
    const { ui, press } = replay(trace.store.count - 1);
    const host = await press('h');
    expect(host).toContain('host=hap1');
    const kind = await press('k');
    expect(kind).toContain('kind=faults');
    const cleared = await press('x');
    expect(cleared).toContain('host=* kind=all key=*');
    ui.unmount();
  });

  it('f picks the field shown in the tables view', async () => {
    const { ui, press } = replay(trace.store.lastAtOrBefore(15_000));
    await wait(30);
    expect(ui.lastFrame()).toMatch(/table st @ 15\.000s \(replay\) gpc0/);
    await press('f');
    const f2 = await press('f');
    expect(f2).toMatch(/\(replay\) conn_cnt/);
    ui.unmount();
  });

  it('? shows help and any key closes it; q quits', async () => {
    const { ui, press } = replay(0);
    expect(await press('?')).toContain('keys (replay)');
    expect(await press('x')).not.toContain('keys (replay)');
    await press('q');
    // after quitting, keys change nothing
    const frame = ui.lastFrame();
    await press(KEYS.right);
    expect(ui.lastFrame()).toBe(frame);
    ui.unmount();
  });

  it('b branches at the cursor into explore, with the same tables at that moment', async () => {
    const { ui, press } = replay(trace.store.lastAtOrBefore(15_000));
    await wait(30);
    const frame = await press('b');
    await wait(50);
    const now = ui.lastFrame()!;
    expect(now.split('\n')[0]).toMatch(/^explore split-brain/);
    expect(now).toMatch(/15\.000s\/15\.000s/);
    // gpc0 during the partition: hap1 flagged the client (5), hap2 still holds the 1 from before
    expect(now.split('\n').find((l) => l.includes('10.9.9.9'))).toMatch(/≠ 10\.9\.9\.9\s+5\s+1\s/);
    void frame;
    ui.unmount();
  });
});

describe('explore keys', () => {
  function explore() {
    const session = ExploreSession.start(spec, { seed: '1', policy: 'haproxy' });
    session.advanceTo(9_000);
    const savePath = join(mkdtempSync(join(tmpdir(), 'sticksim-explore-')), 's.jsonl');
    const ui = render(<App {...exploreScreen({ ...base, session, spec, savePath })} />);
    const press = async (...keys: string[]): Promise<string> => {
      for (const k of keys) {
        ui.stdin.write(k);
        await wait(15);
      }
      return ui.lastFrame() ?? '';
    };
    return { ui, press, session, savePath };
  }

  it('. g G run 100 ms, 1 s, 10 s', async () => {
    const { ui, press, session } = explore();
    await press('.');
    expect(session.nowMs()).toBe(9_100);
    await press('g');
    expect(session.nowMs()).toBe(10_100);
    await press('G');
    expect(session.nowMs()).toBe(20_100);
    expect(status(ui.lastFrame()!).ms).toBeLessThanOrEqual(20_100);
    expect(status(ui.lastFrame()!).ms).toBeGreaterThan(19_000);
    ui.unmount();
  });

  it('2 p partitions node 2, the links show it, H heals', async () => {
    const { ui, press, session } = explore();
    await press('2', 'p', 'g');
    expect(ui.lastFrame()).toContain('part');
    expect(session.index.bands.some((b) => b.kind === 'partition' && b.endIndex === undefined)).toBe(true);
    await press('H', 'g');
    expect(ui.lastFrame()).not.toContain('part');
    ui.unmount();
  });

  it('c crashes, r restarts and l reloads the selected node (each in the trace)', async () => {
    const { ui, press, session } = explore();
    await press('1', 'c', 'g');
    expect(session.run.world.host('hap1').process).toBeUndefined();
    expect(ui.lastFrame()!.split('\n').find((l) => l.startsWith('hap1'))).toContain('X');
    await press('r', 'g', 'l', 'g');
    expect(session.run.world.host('hap1').process).toBeDefined();
    const kinds = Array.from({ length: session.store.count }, (_, i) => session.store.kind(i));
    expect(kinds).toEqual(expect.arrayContaining(['host.crash', 'host.restart', 'host.reload']));
    expect(kinds.filter((k) => k === 'explore.action')).toHaveLength(3);
    ui.unmount();
  });

  it('a starts and stops an attack: the attacker entry appears on that node only', async () => {
    const { press, session, ui } = explore();
    await press('2', 'a', 'g', 'a', 'g');
    const answer = session.run.world.host('hap2').cli('show table st');
    expect(answer).toContain('key=203.0.113.66');
    const count = Number(/http_req_cnt=(\d+)/.exec(answer.split('\n').find((l) => l.includes('203.0.113.66'))!)![1]);
    expect(count).toBeGreaterThanOrEqual(45);
    expect(count).toBeLessThanOrEqual(55);
    await press('g');
    const later = session.run.world.host('hap2').cli('show table st');
    expect(Number(/http_req_cnt=(\d+)/.exec(later.split('\n').find((l) => l.includes('203.0.113.66'))!)![1])).toBe(count);
    ui.unmount();
  });

  it('w writes a trace that replays to the same tables', async () => {
    const { press, session, savePath, ui } = explore();
    await press('2', 'p', 'g', 'w');
    expect(ui.lastFrame()).toContain(`written ${session.store.count} events`);
    const saved = openTrace(TraceStore.openFile(savePath));
    expect(saved.store.count).toBe(session.store.count);
    const { Replayer } = await import('../../../tui/replayer.ts');
    const replayed = new Replayer(spec, saved.store, saved.index).tablesAt('st', saved.store.count - 1);
    const live = session.tablesNow('st');
    expect([...replayed.rows.entries()].map(([k, r]) => [k, [...r.entries()].map(([h, v]) => [h, v.get('gpc0')])])).toEqual(
      [...live.rows.entries()].map(([k, r]) => [k, [...r.entries()].map(([h, v]) => [h, v.get('gpc0')])]),
    );
    ui.unmount();
  });
});
