import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/shared.ts';
import { tickFromMs } from '../../../engine/ticks.ts';
import { letter, lineOf, world } from './world.ts';

const T0 = tickFromMs(1_000);

const RATE_LIMIT = `
defaults
  mode http
frontend fe
  bind :80
  stick-table type ip size 1k expire 30s store http_req_rate(10s),http_req_cnt,http_err_cnt,conn_cur,conn_cnt
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;

describe('handleRequest: rate limiting with http-request track-sc0', () => {
  it('denies the 11th request of a period with 429 and counts http_err for each denial', () => {
    const w = world(RATE_LIMIT);
    const results = Array.from({ length: 12 }, (_, k) => w.send(T0 + 100 * k, '192.0.2.1'));
    expect(results.map(letter).join('')).toBe('AAAAAAAAAADD');
    expect(results[10]!.status).toBe(429);
    expect(results[10]!.denyRuleLine).toBe(lineOf(RATE_LIMIT, 'deny deny_status 429'));
    expect(results[0]!.status).toBe(200);
    expect(w.value('fe', '192.0.2.1', 'http_err_cnt', T0)).toBe(2);
    expect(w.value('fe', '192.0.2.1', 'http_req_cnt', T0)).toBe(12);
    // another client is not affected
    expect(letter(w.send(T0 + 1200, '192.0.2.2'))).toBe('A');
    // two periods later the rate has decayed to 0
    expect(letter(w.send(T0 + 25_000, '192.0.2.1'))).toBe('A');
  });

  it('brings conn_cur back to 0 and drops the reference after every request', () => {
    const w = world(RATE_LIMIT);
    for (let k = 0; k < 5; k++) {
      const r = w.send(T0 + k, '192.0.2.9');
      expect(r.trackedKeys).toEqual([{ slot: 0, level: 'stream', table: 'fe', key: '192.0.2.9', ruleLine: lineOf(RATE_LIMIT, 'track-sc0') }]);
      expect(w.value('fe', '192.0.2.9', 'conn_cur', T0)).toBe(0);
      expect(w.value('fe', '192.0.2.9', 'conn_cnt', T0)).toBe(k + 1);
      const t = w.table('fe');
      expect(t.refCount(t.lookup(0xc0000209))).toBe(0);
    }
  });
});

describe('handleRequest: the source address given as a number as well', () => {
  it('gives the same result and the same entry as the text alone', () => {
    const byText = world(RATE_LIMIT);
    const byNumber = world(RATE_LIMIT);
    for (let k = 0; k < 12; k++) {
      const a = byText.send(T0 + 100 * k, '192.0.2.1');
      const b = byNumber.send(T0 + 100 * k, '192.0.2.1', { srcIpv4: 0xc0000201 });
      expect(b).toEqual(a);
    }
    expect(byNumber.value('fe', '192.0.2.1', 'http_req_cnt', T0)).toBe(12);
    expect(byNumber.value('fe', '192.0.2.1', 'http_err_cnt', T0)).toBe(2);
  });

  it('keys the entry by the number (the text is not parsed again)', () => {
    const w = world(RATE_LIMIT);
    w.send(T0, '192.0.2.1', { srcIpv4: 0xc0000202 });
    expect(w.value('fe', '192.0.2.2', 'http_req_cnt', T0)).toBe(1);
    expect(w.value('fe', '192.0.2.1', 'http_req_cnt', T0)).toBeUndefined();
  });

  it('refuses a number that is not a uint32', () => {
    const w = world(RATE_LIMIT);
    expect(() => w.send(T0, '192.0.2.1', { srcIpv4: -1 })).toThrow(/uint32/);
    expect(() => w.send(T0, '192.0.2.1', { srcIpv4: 2 ** 32 })).toThrow(/uint32/);
  });
});

describe('handleRequest: tcp-request connection tracking', () => {
  const CFG = `
frontend fe
  mode http
  bind :80
  stick-table type ip size 1k expire 30s store conn_rate(10s),conn_cnt,conn_cur,sess_cnt,http_req_cnt
  tcp-request connection track-sc1 src
  tcp-request connection reject if { sc1_conn_rate gt 5 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
  it('rejects the 6th connection, counts sessions only for accepted ones and requests on the session tracker', () => {
    const w = world(CFG);
    const results = Array.from({ length: 7 }, (_, k) => w.send(T0 + k * 10, '198.51.100.7'));
    expect(results.map(letter).join('')).toBe('AAAAARR');
    expect(results[5]!).toMatchObject({ status: 0, stage: 'tcp-request connection', denyRuleLine: lineOf(CFG, 'reject if') });
    expect(results[0]!.trackedKeys[0]).toMatchObject({ slot: 1, level: 'session' });
    expect(w.value('fe', '198.51.100.7', 'conn_cnt', T0)).toBe(7);
    expect(w.value('fe', '198.51.100.7', 'sess_cnt', T0)).toBe(5);
    expect(w.value('fe', '198.51.100.7', 'http_req_cnt', T0)).toBe(5);
    expect(w.value('fe', '198.51.100.7', 'conn_cur', T0)).toBe(0);
  });
});

describe('handleRequest: general purpose counters', () => {
  it('sc-inc-gpc0 flags a client that a later deny on sc0_get_gpc0 blocks, even after its rate decays', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 1k expire 10m store gpc0,http_req_rate(10s)
  http-request track-sc0 src
  http-request deny if { sc0_get_gpc0 gt 0 }
  http-request sc-inc-gpc0(0) if { sc_http_req_rate(0) gt 3 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    const seq = Array.from({ length: 6 }, (_, k) => w.send(T0 + k, '203.0.113.5'));
    // 4th request: rate 4 > 3 → gpc0 = 1 but it already passed the deny; 5th and 6th are denied before the inc.
    expect(seq.map(letter).join('')).toBe('AAAADD');
    expect(seq[4]!.status).toBe(403);
    expect(w.value('fe', '203.0.113.5', 'gpc0', T0)).toBe(1);
    expect(letter(w.send(T0 + 60_000, '203.0.113.5'))).toBe('D');
  });

  it('the scN_inc_gpc0 fetch increments on every evaluation and compares the new value', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 1k expire 10m store gpc0
  http-request track-sc0 src
  http-request deny if { sc0_inc_gpc0 gt 2 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    expect([1, 2, 3, 4].map((k) => letter(w.send(T0 + k, '203.0.113.6'))).join('')).toBe('AADD');
    expect(w.value('fe', '203.0.113.6', 'gpc0', T0)).toBe(4);
  });

  it('sc-set-gpt0 writes the tag; an untracked slot makes actions no-ops and fetches fail', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 1k expire 10m store gpt0,gpc0
  http-request track-sc0 src if { src 10.0.0.0/8 }
  http-request sc-set-gpt0(0) 7
  http-request sc-inc-gpc0(0)
  http-request deny deny_status 401 if !{ sc0_get_gpt0 eq 7 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    expect(w.send(T0, '10.1.2.3').action).toBe('allowed');
    expect(w.value('fe', '10.1.2.3', 'gpt0', T0)).toBe(7);
    // not tracked: the fetch fails, the term is false, `!` makes it true → denied
    const r = w.send(T0, '192.0.2.44');
    expect([r.action, r.status, r.trackedKeys.length]).toEqual(['denied', 401, 0]);
    expect(w.table('fe').used).toBe(1);
  });
});

describe('handleRequest: conditions', () => {
  const CFG = `
frontend fe
  mode http
  stick-table type ip size 1k expire 10m store http_req_rate(10s)
  acl vip src 10.9.0.0/16
  acl fast sc0_http_req_rate gt 3
  acl blocked src 192.0.2.66
  acl blocked src 198.51.100.0/24
  http-request track-sc0 src
  http-request deny deny_status 418 if blocked or { sc0_http_req_rate gt 1000 }
  http-request deny deny_status 429 unless vip or !fast
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
  it('named ACLs (same name ORed), unless, OR and negation', () => {
    const w = world(CFG);
    const plain = [0, 1, 2, 3, 4].map((k) => w.send(T0 + k, '10.1.0.1'));
    expect(plain.map(letter).join('')).toBe('AAADD');
    expect(plain[3]!.status).toBe(429);
    const vip = [0, 1, 2, 3, 4].map((k) => w.send(T0 + k, '10.9.4.4'));
    expect(vip.map(letter).join('')).toBe('AAAAA');
    expect(w.send(T0, '192.0.2.66').status).toBe(418);
    expect(w.send(T0, '198.51.100.200').status).toBe(418);
    expect(w.send(T0, '192.0.2.67').status).toBe(200);
  });
});

describe('handleRequest: src_* fetches on another table', () => {
  const CFG = `
backend abusers
  stick-table type ip size 1k expire 1h store gpc0
frontend fe
  mode http
  http-request deny deny_status 451 if { src_get_gpc0(abusers) eq 0 }
  http-request deny deny_status 403 if { src_get_gpc0(abusers) gt 2 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
  it('look the source up without creating it; a missing entry reads as 0 (HAProxy), not as a failure', () => {
    const w = world(CFG);
    const abusers = w.table('abusers');
    const set = (key: number, gpc0: number): void => {
      const ref = abusers.getEntry(key, T0);
      abusers.setUint32(ref, abusers.slot(2)!, gpc0);
    };
    set(0xcb007101, 5); // 203.0.113.1
    set(0xcb007102, 1); // 203.0.113.2
    expect(w.send(T0, '203.0.113.1').status).toBe(403);
    expect(w.send(T0, '203.0.113.2').status).toBe(200);
    expect(w.send(T0, '203.0.113.3').status).toBe(451);
    expect(abusers.used).toBe(2);
  });

  it('src_inc_gpc0 creates the entry and returns the incremented value', () => {
    const cfg = `
backend abusers
  stick-table type ip size 1k expire 1h store gpc0
frontend fe
  mode http
  http-request deny if { src_inc_gpc0(abusers) gt 2 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    expect([0, 1, 2].map((k) => letter(w.send(T0 + k, '203.0.113.9'))).join('')).toBe('AAD');
    expect(w.value('abusers', '203.0.113.9', 'gpc0', T0)).toBe(3);
  });
});

describe('handleRequest: stickiness', () => {
  const CFG = `
frontend fe
  mode http
  default_backend app
backend app
  balance roundrobin
  stick-table type ip size 200k expire 30m
  stick on src
  server app1 10.0.1.10:8080
  server app2 10.0.1.11:8080
  server app3 10.0.1.12:8080
`;
  it('stick on src stores server_id/server_key and sends the client back to the same server', () => {
    const w = world(CFG);
    const a1 = w.send(T0, '192.0.2.10');
    const b1 = w.send(T0 + 1, '192.0.2.11');
    const a2 = w.send(T0 + 2, '192.0.2.10');
    expect([a1.server?.name, b1.server?.name, a2.server?.name]).toEqual(['app1', 'app2', 'app1']);
    expect([a1.stuck, a2.stuck]).toEqual([false, true]);
    expect(w.value('app', '192.0.2.10', 'server_id', T0)).toBe(1);
    const t = w.table('app');
    expect(t.getDict(t.lookup(0xc000020a), t.slot(19)!)).toBe('app1');
    // the round robin went on to app3 for a new client
    expect(w.send(T0 + 3, '192.0.2.12').server?.name).toBe('app3');
  });
});

describe('handleRequest: full nopurge table', () => {
  it('leaves the request untracked but served', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 2 nopurge expire 1m store http_req_rate(10s)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 1 }
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    w.send(T0, '192.0.2.1');
    w.send(T0, '192.0.2.2');
    const third = [0, 1, 2].map((k) => w.send(T0 + k, '192.0.2.3'));
    expect(third.map((r) => [r.action, r.status, r.trackedKeys.length])).toEqual([
      ['allowed', 200, 0],
      ['allowed', 200, 0],
      ['allowed', 200, 0],
    ]);
    expect(w.table('fe').used).toBe(2);
    expect(letter(w.send(T0 + 5, '192.0.2.1'))).toBe('D');
  });
});

describe('handleRequest: response counters', () => {
  it('server 4xx counts http_err; 5xx counts http_fail except 501 and 505', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 1k expire 1m store http_err_cnt,http_fail_cnt,http_fail_rate(10s),bytes_in_cnt,bytes_out_cnt
  http-request track-sc0 src
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    const ip = '192.0.2.50';
    for (const status of [503, 501, 505, 500, 404, 200]) {
      const r = w.send(T0, ip, { serverStatus: status, bytesIn: 100, bytesOut: 1000 });
      expect(r.status).toBe(status);
    }
    expect(w.value('fe', ip, 'http_fail_cnt', T0)).toBe(2);
    expect(w.value('fe', ip, 'http_fail_rate', T0)).toBe(2);
    expect(w.value('fe', ip, 'http_err_cnt', T0)).toBe(1);
    expect(w.value('fe', ip, 'bytes_in_cnt', T0)).toBe(600);
    expect(w.value('fe', ip, 'bytes_out_cnt', T0)).toBe(6000);
  });

  it('http-response track-sc counts the request and the response status on the new tracker', () => {
    const cfg = `
frontend fe
  mode http
  stick-table type ip size 1k expire 1m store http_req_cnt,http_err_cnt,http_fail_cnt
  http-response track-sc2 src
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
    const w = world(cfg);
    w.send(T0, '192.0.2.60', { serverStatus: 403 });
    w.send(T0, '192.0.2.60', { serverStatus: 502 });
    expect(['http_req_cnt', 'http_err_cnt', 'http_fail_cnt'].map((t) => w.value('fe', '192.0.2.60', t, T0))).toEqual([2, 1, 1]);
  });
});

describe('handleRequest: rate limiting and abuse detection (test/fixtures/configs)', () => {
  const config = (name: string): string => readFileSync(fixture(`configs/${name}`), 'utf8');
  const rateLimit = config('request-rate-limit.cfg');
  const multi = config('inline-rate-denies.cfg');

  it('without `mode http` (so tcp mode) HAProxy ignores the http-request rules: nothing is tracked', () => {
    const w = world(rateLimit, 'edge');
    const results = Array.from({ length: 150 }, (_, k) => w.send(T0 + k, '203.0.113.66'));
    expect(results.every((r) => r.action === 'allowed' && r.status === 0)).toBe(true);
    expect(w.table('edge').used).toBe(0);
  });

  it('rate limiting in mode http: the 71st request within 5 s gets 429, a normal client is never denied', () => {
    const w = world(`defaults\n    mode http\n${rateLimit}`, 'edge');
    const attacker = Array.from({ length: 75 }, (_, k) => w.send(T0 + k * 50, '203.0.113.66'));
    expect(attacker.filter((r) => r.action === 'allowed').length).toBe(70);
    expect(attacker[70]!.status).toBe(429);
    const legit = Array.from({ length: 5 }, (_, k) => w.send(T0 + k * 1000, '192.0.2.7'));
    expect(legit.map(letter).join('')).toBe('AAAAA');
  });

  it('three limits: the connection-rate rule (40), checked last, fires before the request-rate rule (80)', () => {
    const text = `defaults\n    mode http\n${multi}`;
    const w = world(text, 'api');
    const flood = Array.from({ length: 42 }, (_, k) => w.send(T0 + k * 20, '203.0.113.77'));
    expect(flood.filter((r) => r.action === 'allowed').length).toBe(40);
    expect(flood[40]!).toMatchObject({ status: 503, denyRuleLine: lineOf(text, 'sc_conn_rate(0) gt 40') });
  });

  it('three limits: 16 server errors within 5 s make the 17th request a 403 (credential stuffing)', () => {
    const text = `defaults\n    mode http\n${multi}`;
    const w = world(text, 'api');
    const tries = Array.from({ length: 18 }, (_, k) => w.send(T0 + k * 100, '203.0.113.88', { serverStatus: 401 }));
    expect(tries.map(letter).join('')).toBe('A'.repeat(16) + 'DD');
    expect(tries[16]!).toMatchObject({ status: 403, denyRuleLine: lineOf(text, 'sc_http_err_rate(0) gt 15') });
    expect(w.value('api', '203.0.113.88', 'http_err_rate', T0 + 1700)).toBe(18);
  });
});

describe('handleRequest: deny default statuses (2.6 parse_http_deny)', () => {
  const cfg = (rule: string): string => `
frontend fe
  mode http
  ${rule}
  default_backend be
backend be
  server s1 10.0.0.1:80
`;
  it('http-request deny answers 403, http-response deny 502, deny_status overrides either', () => {
    expect(world(cfg('http-request deny')).send(T0, '192.0.2.1').status).toBe(403);
    const response = world(cfg('http-response deny')).send(T0, '192.0.2.1');
    expect([response.action, response.status, response.stage]).toEqual(['denied', 502, 'http-response']);
    expect(world(cfg('http-response deny deny_status 418')).send(T0, '192.0.2.1').status).toBe(418);
  });
});
