import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../../tui/event-log.tsx';
import { HelpPanel } from '../../../tui/help-view.tsx';
import { LinksPanel } from '../../../tui/links-view.tsx';
import { Replayer } from '../../../tui/replayer.ts';
import { initialState, type Trace } from '../../../tui/state.ts';
import { StatusBar } from '../../../tui/status-bar.tsx';
import { tablesFromSamples } from '../../../tui/tables.ts';
import { TablesPanel } from '../../../tui/tables-view.tsx';
import { Timeline, timelineRows } from '../../../tui/timeline.tsx';
import type { ScenarioSpec } from '../../../scenarios/dsl.ts';
import { openSplitBrain } from './fixtures.ts';

let trace: Trace;
let spec: ScenarioSpec;
beforeAll(async () => {
  ({ spec, trace } = await openSplitBrain());
});

const lines = (frame: string | undefined): string[] => (frame ?? '').split('\n');

describe('timeline view', () => {
  it('draws the partition band over 10s..20s and the cursor where it is', () => {
    const model = timelineRows({ index: trace.index, hosts: ['hap1', 'hap2'], endMs: 40_000, width: 40, cursorMs: 15_000, timeAt: (i) => trace.store.time(i) });
    const net = model.rows[0]!.cells;
    expect(net.indexOf('#')).toBe(10);
    expect(net.lastIndexOf('#')).toBe(20);
    expect(model.cursorColumn).toBe(15);
    expect(model.axis[15]).toBe('▼');
    expect(model.rows[1]!.cells.startsWith('~')).toBe(true); // resync window from 0
    const ui = render(<Timeline index={trace.index} hosts={['hap1', 'hap2']} endMs={40_000} cursorMs={15_000} width={80} color={false} timeAt={(i) => trace.store.time(i)} />);
    const frame = lines(ui.lastFrame());
    expect(frame.find((l) => l.startsWith('net'))).toContain('#');
    expect(frame[0]).toContain('40.000s');
    ui.unmount();
  });
});

describe('tables view', () => {
  it('shows each node side by side and marks the key whose values differ', () => {
    const replayer = new Replayer(spec, trace.store, trace.index);
    const view = replayer.tablesAt('st', trace.store.lastAtOrBefore(15_000));
    const ui = render(<TablesPanel view={view} field={undefined} width={60} height={6} color={false} pending={false} />);
    const frame = lines(ui.lastFrame());
    expect(frame[0]).toContain('table st @ 15.000s (replay) gpc0');
    expect(frame[1]).toMatch(/key\s+hap1\s+hap2/);
    const row = frame.find((l) => l.includes('10.9.9.9'))!;
    expect(row.startsWith('≠')).toBe(true);
    // gpc0: hap1 flagged the client during the partition, hap2 still holds the 1 from before
    expect(row).toMatch(/5\s+1$/);
    ui.unmount();
    // the field hap2 wrote differs too: 2 requests counted on hap1, 7 on hap2
    const counts = render(<TablesPanel view={view} field="http_req_cnt" width={60} height={6} color={false} pending={false} />);
    expect(lines(counts.lastFrame()).find((l) => l.includes('10.9.9.9'))).toMatch(/^≠ 10\.9\.9\.9\s+4\s+9$/);
    counts.unmount();
  });

  it('marks nothing once the nodes agree (after the heal)', () => {
    const view = tablesFromSamples({ store: trace.store, index: trace.index, table: 'st', cursor: trace.store.count - 1 });
    const ui = render(<TablesPanel view={view} field="gpc0" width={60} height={6} color={false} pending={false} />);
    const row = lines(ui.lastFrame()).find((l) => l.includes('10.9.9.9'))!;
    expect(row.startsWith(' ')).toBe(true);
    expect(lines(ui.lastFrame())[0]).toContain('(samples)');
    ui.unmount();
  });
});

describe('links view', () => {
  it('shows ESTA both ways before the cut and "part" during it', () => {
    const before = render(<LinksPanel index={trace.index} hosts={['hap1', 'hap2']} cursor={trace.store.lastAtOrBefore(9_000)} width={40} color={false} />);
    expect(lines(before.lastFrame()).find((l) => l.startsWith('hap1'))).toMatch(/·\s+ESTA/);
    before.unmount();
    const during = render(<LinksPanel index={trace.index} hosts={['hap1', 'hap2']} cursor={trace.store.lastAtOrBefore(15_000)} width={40} color={false} />);
    expect(lines(during.lastFrame()).find((l) => l.startsWith('hap2'))).toContain('part');
    during.unmount();
  });
});

describe('event log view', () => {
  it('lists the events up to the cursor, the cursor event last and marked', () => {
    const state = { ...initialState(trace), cursor: trace.store.lastAtOrBefore(10_000) };
    const ui = render(<EventLog trace={trace} state={state} width={80} height={6} color={false} />);
    const frame = lines(ui.lastFrame());
    expect(frame).toHaveLength(6);
    expect(frame[5]!.startsWith('>')).toBe(true);
    expect(frame[5]).toContain(trace.store.kind(state.cursor).slice(0, 12));
    ui.unmount();
  });

  it('filters by host and by key', () => {
    const state = { ...initialState(trace), cursor: trace.store.count - 1, hostFilter: 'hap2', keyFilter: '10.9.9.9' };
    const ui = render(<EventLog trace={trace} state={state} width={100} height={8} color={false} />);
    const rows = lines(ui.lastFrame()).slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r).toMatch(/ hap2 /);
      expect(r).toContain('10.9.9.9');
    }
    ui.unmount();
  });
});

describe('help and status bar', () => {
  it('help lists replay keys (b) but not explore keys in replay', () => {
    const ui = render(<HelpPanel mode="replay" width={80} />);
    const frame = ui.lastFrame() ?? '';
    expect(frame).toContain('branch here');
    expect(frame).not.toContain('partition selected');
    ui.unmount();
    const ex = render(<HelpPanel mode="explore" width={80} />);
    expect(ex.lastFrame()).toContain('partition selected');
    ex.unmount();
  });

  it('status bar names scenario, seed, time and event', () => {
    const state = { ...initialState(trace), cursor: 9, timeMs: trace.store.time(9) };
    const ui = render(<StatusBar trace={trace} state={state} mode="replay" width={120} />);
    expect(ui.lastFrame()).toContain('split-brain-acceptor-wins seed=1 haproxy');
    expect(ui.lastFrame()).toContain(`ev 10/${trace.store.count}`);
    ui.unmount();
  });
});
