import { describe, expect, it } from 'vitest';
import { humanTime, registerShowPeers } from '../../../engine/peers/show-peers.ts';
import { RuntimeApi } from '../../../engine/runtime-api/runtime-api.ts';
import { Cluster, setField } from './helpers-peers.ts';

describe('show peers', () => {
  it('human_time keeps two units at seconds resolution', () => {
    expect(humanTime(0)).toBe('0s');
    expect(humanTime(4999)).toBe('4s');
    expect(humanTime(65000)).toBe('1m5s');
    expect(humanTime(3600000 + 180000 + 5000)).toBe('1h3m');
    expect(humanTime(120000)).toBe('2m');
  });

  it('prints the 2.6.12 layout for an established pair, the local peer, and rejects an unknown section', () => {
    const c = new Cluster({ hosts: ['hap1', 'hap2', 'hap3'], link: { latencyMs: 1 } });
    const a = c.start('hap1');
    c.start('hap2');
    c.run(12000);
    setField(a, '127.0.0.50', 'gpc0', 3);
    c.run(100);
    const api = new RuntimeApi({ tables: a.tables, now: () => a.env.clock.nowTick() });
    registerShowPeers(api, { sections: [a.section] });
    const text = api.executeOne('show peers');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^0x[0-9a-f]+: \[01\/Jan\/2026:00:00:00\] id=mypeers disabled=0 flags=0x[0-9a-f]+ resync_timeout=<PAST> task_calls=\d+$/);
    // peers in HAProxy's list order: the last configured first
    const ids = lines.filter((l) => /^ {2}0x/.test(l)).map((l) => /id=(\w+)\((\w+),(\w+)\)/.exec(l)!.slice(1).join(','));
    expect(ids).toEqual(['hap3,remote,active', 'hap2,remote,active', 'hap1,local,inactive']);
    expect(text).toContain('id=hap2(remote,active) addr=10.0.0.2:10000 last_status=ESTA last_hdshk=');
    expect(text).toMatch(/id=hap3\(remote,active\) addr=10\.0\.0\.3:10000 last_status=CONN last_hdshk=\d+s\n.*\n {8}flags=0x0 appctx:0x[0-9a-f]+ st0=6 st1=0 task_calls=1 state=(TAR|CON)\n/);
    expect(text).toMatch(/\n {8}reconnect=\d+s heartbeat=\d+s confirm=0 tx_hbt=\d+ rx_hbt=\d+ no_hbt=0 new_conn=\d+ proto_err=0 coll=\d+\n/);
    expect(text).toMatch(/\n {8}flags=0x20000200 appctx:0x[0-9a-f]+ st0=7 st1=0 task_calls=\d+ state=EST/);
    expect(text).toMatch(/\n {10}0x[0-9a-f]+ local_id=1 remote_id=1 flags=0x0 remote_data=0x[0-9a-f]+\n {14}last_acked=\d+ last_pushed=1 last_get=\d+ teaching_origin=\d+ update=1\n {14}table:0x[0-9a-f]+ id=st update=1 localupdate=1 commitupdate=1 refcnt=1\n {8}Dictionary cache not dumped \(use "show peers dict"\)/);
    expect(text).toContain('id=hap1(local,inactive) addr=10.0.0.1:10000 last_status=NONE last_hdshk=<NEVER>\n        reconnect=<NEVER> heartbeat=<NEVER> confirm=0');
    expect(text.endsWith('\n\n')).toBe(true);
    expect(api.executeOne('show peers nosuch')).toBe('No such peers\n\n');
    expect(api.executeOne('show peers mypeers')).toBe(text);
    const withDict = api.executeOne('show peers dict mypeers');
    expect(withDict).toContain('RX dictionary cache:\n            0 -> -    1 -> -    2 -> -    3 -> -\n');
  });
});
