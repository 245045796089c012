/**
 * How the interop tests find the haproxy binary of each release line (2.6, 3.0, 3.2, 3.4):
 * STICKSIM_HAPROXY_<line>, the cache of scripts/haproxy-bin.sh, and when they skip. Uses tiny fake
 * executables that print a version line, so it needs no real haproxy.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { cachedHaproxyPath, haproxyLineVariable, interopGate, interopGateFor, InteropUnavailableError, locateHaproxyFor } from './haproxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'sticksim-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable at `path` whose `-v` prints the version line of `version`. */
function fakeHaproxy(path: string, version: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho 'HAProxy version ${version} 2026/10/15 - https://haproxy.org/'\n`);
  chmodSync(path, 0o755);
  return path;
}

/** An environment with nothing but what the test gives (no PATH search, an empty cache). */
function envOf(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: '', HOME: join(dir, 'home'), STICKSIM_CACHE: join(dir, 'empty-cache'), ...vars };
}

describe('release-line binaries', () => {
  test('variable names and cache paths follow the line', () => {
    expect(haproxyLineVariable('3.0')).toBe('STICKSIM_HAPROXY_3_0');
    expect(haproxyLineVariable('2.6')).toBe('STICKSIM_HAPROXY_2_6');
    expect(cachedHaproxyPath('3.2', { HOME: '/h' })).toBe('/h/.cache/sticksim/haproxy/3.2/haproxy');
    expect(cachedHaproxyPath('3.2', { HOME: '/h', XDG_CACHE_HOME: '/x' })).toBe('/x/sticksim/haproxy/3.2/haproxy');
    expect(cachedHaproxyPath('3.0', { HOME: '/h', STICKSIM_CACHE: '/c' })).toBe('/c/haproxy/3.0/haproxy');
  });

  test('the variable of a line wins, and its version is checked', () => {
    const good = fakeHaproxy(join(dir, 'v30', 'haproxy'), '3.0.11-1+deb13u4');
    expect(locateHaproxyFor('3.0', envOf({ STICKSIM_HAPROXY_3_0: good }))).toEqual({ path: good, version: '3.0.11-1+deb13u4' });
    expect(() => locateHaproxyFor('3.2', envOf({ STICKSIM_HAPROXY_3_2: good }))).toThrow(/need HAProxy 3\.2\.x, but .* is 3\.0\.11/);
    expect(() => locateHaproxyFor('3.0', envOf({ STICKSIM_HAPROXY_3_0: join(dir, 'absent') }))).toThrow(/STICKSIM_HAPROXY_3_0=.* is not executable/);
  });

  test('the cache of scripts/haproxy-bin.sh is found without a variable', () => {
    const cache = join(dir, 'cache');
    const cached = fakeHaproxy(join(cache, 'haproxy', '3.2', 'haproxy'), '3.2.26-1');
    expect(locateHaproxyFor('3.2', envOf({ STICKSIM_CACHE: cache }))?.path).toBe(cached);
    expect(locateHaproxyFor('3.0', envOf({ STICKSIM_CACHE: cache }))).toBeUndefined();
  });

  test('a missing 3.x binary skips its line with the fetch hint printed; STICKSIM_REQUIRE_3X=1 makes it fail', () => {
    expect(() => interopGateFor('3.0', envOf({ STICKSIM_REQUIRE_3X: '1' }))).toThrow(InteropUnavailableError);
    expect(() => interopGateFor('3.0', envOf({ STICKSIM_REQUIRE_3X: '1' }))).toThrow(/scripts\/haproxy-bin\.sh 3\.0.*STICKSIM_REQUIRE_3X=1/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(interopGateFor('3.2', envOf({}))).toEqual({ skip: true, reason: expect.stringMatching(/no haproxy 3\.2 binary .*scripts\/haproxy-bin\.sh 3\.2/) });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('no haproxy 3.2 binary'));
      const gate = interopGateFor('3.0', envOf({ STICKSIM_SKIP_INTEROP_3X: '1' }));
      expect(gate).toEqual({ skip: true, reason: expect.stringMatching(/STICKSIM_HAPROXY_3_0 unset/) });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('haproxy 3.0 are skipped'));
      // a set variable is used even when 3.x tests may be skipped
      const good = fakeHaproxy(join(dir, 'v30b', 'haproxy'), '3.0.11');
      expect(interopGateFor('3.0', envOf({ STICKSIM_SKIP_INTEROP_3X: '1', STICKSIM_HAPROXY_3_0: good }))).toEqual({ skip: false, binary: { path: good, version: '3.0.11' } });
      expect(interopGateFor('3.2', envOf({ STICKSIM_SKIP_INTEROP: '1' })).skip).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  test('2.6: STICKSIM_HAPROXY_2_6 first, then HAPROXY_BIN; interopGate() unchanged unless asked to measure another line', () => {
    const v26 = fakeHaproxy(join(dir, 'v26', 'haproxy'), '2.6.12-1+deb12u3');
    const v32 = fakeHaproxy(join(dir, 'v32', 'haproxy'), '3.2.26-1');
    expect(interopGateFor('2.6', envOf({ HAPROXY_BIN: v26 }))).toEqual({ skip: false, binary: { path: v26, version: '2.6.12-1+deb12u3' } });
    expect(() => interopGateFor('2.6', envOf({ HAPROXY_BIN: v26, STICKSIM_HAPROXY_2_6: v32 }))).toThrow(/need HAProxy 2\.6\.x/);
    expect(() => interopGate(envOf({ HAPROXY_BIN: v32 }))).toThrow(/need HAProxy 2\.6\.x, but .* is 3\.2\.26/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(interopGate(envOf({ HAPROXY_BIN: v26, STICKSIM_INTEROP_HAPROXY: '3.2', STICKSIM_HAPROXY_3_2: v32 }))).toEqual({ skip: false, binary: { path: v32, version: '3.2.26-1' } });
      expect(() => interopGate(envOf({ STICKSIM_INTEROP_HAPROXY: '3.1' }))).toThrow(/STICKSIM_INTEROP_HAPROXY=3\.1: not a HAProxy release line/);
    } finally {
      warn.mockRestore();
    }
  });
});
