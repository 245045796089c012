/**
 * `no-expired-entry-pushed`: an entry may be pushed until its table's expire task has had its
 * chance to run (its purge tick plus the host's timer lateness), never later. Fuzz seed 7-958
 * (scenarios/regressions/fuzz-no-expired-entry-pushed-7-958.ts) was a push 1 ms past expiry,
 * while the expire task, a timer like any other, was still due to fire 1-2 ms late: the property,
 * not the engine, was wrong.
 */
import { describe, expect, it } from 'vitest';
import { tickAdd, tickFromMs, tickFromWord } from '../../engine/ticks.ts';
import { pushedPastPurge } from '../../scenarios/fuzz/properties.ts';

const LATENESS_MS_MAX = 2;

describe('pushedPastPurge', () => {
  const expire = tickFromMs(10_000);
  it('allows a push until the purge tick plus the timer lateness, and flags one later', () => {
    const at = (deltaMs: number) => pushedPastPurge({ expire, treeKey: expire, now: tickAdd(expire, deltaMs), latenessMsMax: LATENESS_MS_MAX });
    expect([-1, 0, 1, 2].map(at)).toEqual([false, false, false, false]);
    expect([3, 50, 5_000].map(at)).toEqual([true, true, true]);
  });

  it('a shortened expire lives until its original tree key (2.6 lazy purge)', () => {
    const treeKey = tickAdd(expire, 1_000);
    expect(pushedPastPurge({ expire, treeKey, now: tickAdd(expire, 500), latenessMsMax: LATENESS_MS_MAX })).toBe(false);
    expect(pushedPastPurge({ expire, treeKey, now: tickAdd(treeKey, LATENESS_MS_MAX + 1), latenessMsMax: LATENESS_MS_MAX })).toBe(true);
  });

  it('never flags an entry without expiry, and counts across the tick wrap', () => {
    expect(pushedPastPurge({ expire: tickFromWord(0), treeKey: tickFromWord(0), now: tickFromMs(99_999), latenessMsMax: 0 })).toBe(false);
    const nearWrap = tickFromWord(0xffff_ffff); // +1 would be 0, which a tick never is (HAProxy skips it): +2 lands on 1
    expect(pushedPastPurge({ expire: nearWrap, treeKey: nearWrap, now: tickFromWord(1), latenessMsMax: LATENESS_MS_MAX })).toBe(false);
    expect(pushedPastPurge({ expire: nearWrap, treeKey: nearWrap, now: tickFromWord(3), latenessMsMax: LATENESS_MS_MAX })).toBe(true);
  });
});
