import { describe, expect, it } from 'vitest';
import { specOf } from '../../helpers/spec.ts';
import { OfflineTables } from '../../helpers/offline.ts';

const LAB_STORE = 'http_req_cnt,http_req_rate(10000),gpc0,conn_cnt';

function lab(): OfflineTables {
  return new OfflineTables([
    specOf({ name: 'st', size: 1024, expireMs: 60000, store: LAB_STORE }),
    specOf({ name: 'st_str', keyType: 'string', len: 32, size: 100, expireMs: 30000, store: 'gpc0,http_req_rate(1000)' }),
  ]);
}

describe('runtime API texts (lab experiment 1)', () => {
  it('summary lists tables most recently declared first', () => {
    const t = lab();
    expect(t.cmd('show table')).toBe(
      '# table: st_str, type: string, size:100, used:0\n# table: st, type: ip, size:1024, used:0\n',
    );
  });

  it('set prints nothing, fields come in data-type id order, rates with their period', () => {
    const t = lab();
    expect(t.cmd('set table st key 127.0.0.50 data.gpc0 3 data.http_req_cnt 100')).toBe('');
    expect(t.cmd('show table st')).toBe(
      '# table: st, type: ip, size:1024, used:1\n' +
        'PTR: key=127.0.0.50 use=0 exp=60000 gpc0=3 conn_cnt=0 http_req_cnt=100 http_req_rate(10000)=0\n',
    );
  });

  it('errors are verbatim', () => {
    const t = lab();
    expect(t.cmd('show table nosuch')).toBe('No such table\n');
    expect(t.cmd('set table nosuch key 127.0.0.1 data.gpc0 1')).toBe('No such table\n');
    expect(t.cmd('show table st data.nosuch gt 1')).toBe('Filter entry #1: Unknown data type\n');
    expect(t.cmd('set table st key 127.0.0.64 data.gpt0 1')).toBe('Data type not stored in this table\n');
    expect(t.cmd('show table st data.gpc0 xx 1')).toBe(
      'Filter entry #1: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n',
    );
    expect(t.cmd('show table st data.gpc0 eq x')).toBe(
      'Filter entry #1: Require a valid integer value to compare against\n',
    );
    expect(t.cmd('set table st key 1.2.3.4 data.gpc0 1x')).toBe('Require a valid integer value to store\n');
  });

  it('a failed assignment keeps the earlier ones and still creates and refreshes the entry', () => {
    const t = lab();
    expect(t.cmd('set table st key 10.0.0.1 data.gpc0 9 data.gpt0 1')).toBe('Data type not stored in this table\n');
    expect(t.cmd('show table st key 10.0.0.1')).toContain('gpc0=9');
  });

  it('a missing key prints nothing at all; notanip becomes 0.0.0.0', () => {
    const t = lab();
    expect(t.cmd('show table st key 127.0.0.99')).toBe('');
    t.cmd('set table st key notanip data.gpc0 1');
    expect(t.cmd('show table st')).toContain('key=0.0.0.0 use=0 exp=60000 gpc0=1');
  });

  it('filters are ANDed; the header is always printed', () => {
    const t = lab();
    t.cmd('set table st key 127.0.0.50 data.http_req_cnt 3');
    t.cmd('set table st key 127.0.0.51 data.http_req_cnt 1');
    t.cmd('set table st key 127.0.0.52 data.http_req_cnt 5');
    const out = t.cmd('show table st data.http_req_cnt gt 2 data.http_req_cnt lt 5');
    expect(out.split('\n').filter((l) => l.startsWith('PTR')).map((l) => /key=(\S+)/.exec(l)![1])).toEqual([
      '127.0.0.50',
    ]);
    expect(t.cmd('show table st data.gpc0 gt 100')).toBe('# table: st, type: ip, size:1024, used:3\n');
  });

  it('clear is local and prints nothing; clear with a filter removes the matching entries', () => {
    const t = lab();
    for (let i = 1; i <= 4; i++) t.cmd(`set table st key 10.0.0.${i} data.gpc0 ${i}`);
    expect(t.cmd('clear table st data.gpc0 gt 2')).toBe('');
    expect(t.cmd('show table st')).toMatch(/used:2\n/);
    expect(t.cmd('clear table st key 10.0.0.1')).toBe('');
    expect(t.cmd('clear table st')).toBe('');
    expect(t.cmd('show table st')).toBe('# table: st, type: ip, size:1024, used:0\n');
  });

  it('rates set from the CLI read V for one period then fade (lab exp. 7)', () => {
    const t = lab();
    t.cmd('set table st key 127.0.0.61 data.http_req_rate 5');
    t.advance(5000);
    expect(t.cmd('show table st key 127.0.0.61')).toContain('http_req_rate(10000)=5');
    t.advance(10000);
    expect(t.cmd('show table st key 127.0.0.61')).toContain('http_req_rate(10000)=2');
  });

  it('string keys are escaped and truncated to len; integer keys accept strtoul forms', () => {
    const t = new OfflineTables([
      specOf({ name: 's', keyType: 'string', len: 4, store: 'gpc0' }),
      specOf({ name: 'i', keyType: 'integer', store: 'gpc0' }),
    ]);
    t.cmd('set table s key a\\ b=cdef data.gpc0 1');
    expect(t.cmd('show table s')).toContain('key=a\\ b\\= use=0');
    expect(t.cmd('set table i key 4294967296 data.gpc0 1')).toBe('Invalid key\n');
    expect(t.cmd('set table i key 42 data.gpc0 1')).toBe('');
    expect(t.cmd('show table i key 42')).toContain('key=42 ');
  });

  it('integer keys are dumped in little-endian byte order (1, 256, 2 -> 256, 1, 2)', () => {
    const t = new OfflineTables([specOf({ name: 'i', keyType: 'integer', store: 'gpc0' })]);
    for (const k of [1, 256, 2]) t.cmd(`set table i key ${k}`);
    const keys = [...t.cmd('show table i').matchAll(/key=(\d+)/g)].map((m) => m[1]);
    expect(keys).toEqual(['256', '1', '2']);
  });

  it('several commands on one line separated by ; get one answer each', () => {
    const t = lab();
    const answers = t.api.execute('set table st key 1.1.1.1;show table nosuch\n');
    expect(answers).toEqual(['\n', 'No such table\n\n']);
  });
});

describe('table full (lab experiment 6)', () => {
  it('purge: each insert into a full size-10 table evicts the soonest-to-expire entry', () => {
    const t = new OfflineTables([specOf({ name: 'st', size: 10, store: LAB_STORE })]);
    const keys = (): number[] => [...t.cmd('show table st').matchAll(/key=127\.0\.0\.(\d+)/g)].map((m) => Number(m[1]));
    for (let i = 1; i <= 15; i++) {
      t.cmd(`set table st key 127.0.0.${i} data.gpc0 ${i}`);
      t.advance(20);
    }
    expect(keys()).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    t.cmd('set table st key 127.0.0.6 data.gpc0 100');
    for (const i of [16, 17, 18]) {
      t.advance(20);
      t.cmd(`set table st key 127.0.0.${i} data.gpc0 ${i}`);
    }
    expect(keys()).toEqual([6, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });

  it('nopurge refuses new keys with HAProxy’s text and keeps the old ones', () => {
    const t = new OfflineTables([specOf({ name: 'st', size: 10, nopurge: true, store: LAB_STORE })]);
    for (let i = 1; i <= 10; i++) expect(t.cmd(`set table st key 127.0.0.${i} data.gpc0 ${i}`)).toBe('');
    expect(t.cmd('set table st key 127.0.0.11 data.gpc0 11')).toBe('Unable to allocate a new entry\n');
    expect(t.cmd('show table st')).toMatch(/used:10\n/);
  });

  it('the purge batch is (size >> 8) + 1: 512 -> 510, 1024 -> 1020 after one more insert', () => {
    for (const [size, after] of [[512, 510], [1024, 1020]] as const) {
      const t = new OfflineTables([specOf({ name: 'st', size, store: 'gpc0' })]);
      for (let i = 0; i < size; i++) t.cmd(`set table st key 10.0.${i >> 8}.${i & 255}`);
      t.cmd('set table st key 10.9.9.9');
      expect(t.cmd('show table')).toBe(`# table: st, type: ip, size:${size}, used:${after}\n`);
    }
  });
});

describe('expiry', () => {
  it('entries disappear when their expire passes; show table shows exp counting down', () => {
    const t = new OfflineTables([specOf({ name: 'st', expireMs: 1000, store: 'gpc0' })]);
    t.cmd('set table st key 1.2.3.4 data.gpc0 1');
    t.advance(400);
    expect(t.cmd('show table st')).toContain('exp=600');
    t.advance(599);
    expect(t.cmd('show table st')).toContain('exp=1');
    t.advance(1);
    expect(t.cmd('show table st')).toBe('# table: st, type: ip, size:1024, used:0\n');
  });

  it('a table without expire shows exp=0 and never purges by time', () => {
    const t = new OfflineTables([specOf({ name: 'st', expireMs: 0, store: 'gpc0' })]);
    t.cmd('set table st key 1.2.3.4 data.gpc0 1');
    t.advance(10_000_000);
    expect(t.cmd('show table st')).toContain('key=1.2.3.4 use=0 exp=0 gpc0=1');
  });
});
