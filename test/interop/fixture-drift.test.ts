/** fixtureDrift: timing differences pass, anything else is drift. */
import { describe, expect, test } from 'vitest';
import type { SessionRecord } from './compare.ts';
import { DRIFT_SLACK_MS, fixtureDrift } from './fixture-drift.ts';

const EXPIRES = new Map([
  ['t', 60_000],
  ['short', 4_000],
]);

const rec = (index: number, atMs: number, command: string, output: string): SessionRecord => ({ index, atMs, command, output });
const show = (used: number, ...entries: string[]): string => `# table: t, type: ip, size:8, used:${used}\n${entries.map((e) => `0x55d0c0ffee00: ${e}\n`).join('')}\n`;

/** A two-command session: a set at 0 ms, then a show at `showAtMs` answered `output`. */
const session = (showAtMs: number, output: string, setCommand = 'set table t key 10.0.0.1 data.gpc0 3'): SessionRecord[] => [
  rec(0, 0, setCommand, '\n'),
  rec(1, showAtMs, 'show table t', output),
];

describe('fixtureDrift', () => {
  const entry = (exp: number, gpc0 = 3): string => `key=10.0.0.1 use=0 exp=${exp} gpc0=${gpc0}`;

  test('the same answers, entry pointers aside, are no drift', () => {
    const saved = session(1_000, show(1, entry(59_000)));
    const now = session(1_000, show(1, entry(59_000)).replace('0x55d0c0ffee00', '0x7f0000000010'));
    expect(fixtureDrift(saved, now, EXPIRES)).toEqual([]);
  });

  test('exp may move by twice the send-time difference plus the slack, not more', () => {
    const saved = session(1_000, show(1, entry(59_000)));
    const sendLateMs = 100;
    const boundMs = 2 * sendLateMs + DRIFT_SLACK_MS;
    expect(fixtureDrift(saved, session(1_000 + sendLateMs, show(1, entry(59_000 - boundMs))), EXPIRES)).toEqual([]);
    const drift = fixtureDrift(saved, session(1_000 + sendLateMs, show(1, entry(59_000 - boundMs - 1))), EXPIRES);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(/#1 .*show table t\n.*exp differs by 226 ms \(timing explains 225 ms\)/);
  });

  test('a counter, a message or a header that differs is drift', () => {
    const saved = session(1_000, show(1, entry(59_000)));
    expect(fixtureDrift(saved, session(1_000, show(1, entry(59_000, 4))), EXPIRES)[0]).toMatch(/an entry differs/);
    expect(fixtureDrift(saved, session(1_000, 'No such table\n\n'), EXPIRES)[0]).toMatch(/the text differs/);
    expect(fixtureDrift(saved, session(1_000, show(1, entry(59_000)).replace('size:8', 'size:9')), EXPIRES)[0]).toMatch(/a table header differs/);
  });

  test('another command list is drift', () => {
    const saved = session(1_000, show(1, entry(59_000)));
    const now = session(1_000, show(1, entry(59_000)), 'set table t key 10.0.0.1 data.gpc0 4');
    expect(fixtureDrift(saved, now, EXPIRES)).toEqual([expect.stringMatching(/another command session .* first difference at #0/)]);
  });

  test('a rate never set must read the same; one set to V may move by V·bound/period', () => {
    const rate = (value: number): string => `key=10.0.0.1 use=0 exp=59000 http_req_rate(1000)=${value}`;
    expect(fixtureDrift(session(1_000, show(1, rate(0))), session(1_000, show(1, rate(1))), EXPIRES)[0]).toMatch(/http_req_rate\(1000\) differs by 1 \(timing explains 0\)/);
    const setRate = 'set table t key 10.0.0.1 data.http_req_rate 1000';
    // no send-time difference: bound = slack = 25 ms, so 1000 · 25 / 1000 + 1 = 26
    expect(fixtureDrift(session(1_000, show(1, rate(900)), setRate), session(1_000, show(1, rate(926)), setRate), EXPIRES)).toEqual([]);
    expect(fixtureDrift(session(1_000, show(1, rate(900)), setRate), session(1_000, show(1, rate(927)), setRate), EXPIRES)[0]).toMatch(/differs by 27 \(timing explains 26\)/);
  });

  test('an entry may be gone in one run only if its expiry is within the bound', () => {
    const shortShow = (used: number, ...entries: string[]): string => show(used, ...entries).replace('# table: t,', '# table: short,');
    const setShort = 'set table short key 10.0.0.1 data.gpc0 3';
    const expiring = session(4_000, shortShow(1, entry(10)), setShort);
    expect(fixtureDrift(expiring, session(4_020, shortShow(0), setShort), EXPIRES)).toEqual([]);
    const farFromExpiry = session(2_000, shortShow(1, entry(2_000)), setShort);
    expect(fixtureDrift(farFromExpiry, session(2_020, shortShow(0), setShort), EXPIRES)[0]).toMatch(/used:1 in the fixture, used:0 now \(0 entries near their expiry\)/);
  });
});
