/**
 * The differential test of issue 2: a real haproxy 2.6 and sticksim's engine are driven with the
 * same generated sessions of `set table` / `clear table` / `show table` commands (fast-check,
 * fixed seeds, over ip, ipv6, integer, string and binary tables storing 20 data types) and must
 * answer with identical text: entry pointers masked, `exp=` within a tolerance, rates compared
 * (the engine's clock is driven to the instants haproxy received each command, with a rate
 * tolerance of what a few milliseconds of skew can change).
 *
 * The recorded fixture (test/fixtures/haproxy-session-seed1.txt, made by the real binary) is replayed without
 * haproxy too, so the comparison runs on every machine.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../engine/config/parse.ts';
import { OfflineSession } from '../../engine/runtime-api/offline-session.ts';
import { utf8ToLatin1 } from '../../engine/table/keys.ts';
import { fixture } from '../helpers/shared.ts';
import { generateSession, INTEROP_LOCAL_PEER, interopConfig } from './commands.ts';
import { compareSessions, formatMismatches, type SessionRecord } from './compare.ts';
import { HaproxyProcess, interopGate } from './haproxy.ts';
import { parseFixture, runSession } from './session.ts';

const gate = interopGate();
const FIXTURE_PATH = fixture('haproxy-session-seed1.txt');
const SEEDS = [11, 12];
const COMMANDS_PER_SEED = 320;
/**
 * haproxy reads its clock a little after we stamp the send time (measured: usually within 1 ms, up to ~10 ms when the machine is loaded). A
 * mismatching answer is accepted if the engine gives exactly haproxy's text at an instant at most
 * this far from the stamp (the session is replayed from the start with that one instant moved),
 * so rates are still compared exactly.
 */
const INSTANT_SKEW_MS_MAX = 12;

/**
 * Replays recorded commands into a fresh engine whose clock follows the recorded send times.
 * `commandBytes` turns a command into the bytes haproxy received (latin1 byte string): live
 * commands are JS strings sent as UTF-8; fixture commands are already bytes.
 */
function replayIntoEngine(
  configText: string,
  records: readonly SessionRecord[],
  commandBytes: (command: string) => string = (c) => c,
): string[] {
  const parsed = parseConfig(configText, { file: 'interop.cfg' });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const session = new OfflineSession({ tables: parsed.config.tables });
  let atMs = 0;
  return records.map((r) => {
    session.advance(r.atMs - atMs);
    atMs = r.atMs;
    return session.execute(commandBytes(r.command)).join('');
  });
}

/** Mismatches left after trying each mismatching command at instants within the skew. */
function mismatchesAfterSkew(
  configText: string,
  records: readonly SessionRecord[],
  commandBytes: (command: string) => string = (c) => c,
): ReturnType<typeof compareSessions> {
  const actual = replayIntoEngine(configText, records, commandBytes);
  const first = compareSessions(records, actual);
  return first.filter((m) => {
    const at = records.findIndex((r) => r.index === m.index);
    for (let skewMs = -INSTANT_SKEW_MS_MAX; skewMs <= INSTANT_SKEW_MS_MAX; skewMs++) {
      if (skewMs === 0) continue;
      const shifted = records.slice(0, at + 1).map((r, i) => (i === at ? { ...r, atMs: r.atMs + skewMs } : r));
      const answer = replayIntoEngine(configText, shifted, commandBytes)[at]!;
      if (compareSessions([records[at]!], [answer]).length === 0) return false;
    }
    return true;
  });
}

describe('differential: recorded haproxy answers replayed into the engine', () => {
  test('seed-1 fixture (320 commands recorded from haproxy 2.6.12) agrees line for line', () => {
    const fixture = parseFixture(readFileSync(FIXTURE_PATH, 'latin1'));
    expect(fixture.records.length).toBeGreaterThanOrEqual(300);
    const mismatches = mismatchesAfterSkew(fixture.configText, fixture.records);
    expect(mismatches, formatMismatches(mismatches)).toEqual([]);
  });

  test('the comparison can fail: a broken engine answer is reported with its command', () => {
    const fixture = parseFixture(readFileSync(FIXTURE_PATH, 'latin1'));
    const actual = replayIntoEngine(fixture.configText, fixture.records);
    const i = fixture.records.findIndex((r) => /key=/.test(r.output));
    expect(i).toBeGreaterThanOrEqual(0);
    actual[i] = actual[i]!.replace(/key=\S+/, 'key=BROKEN');
    const mismatches = compareSessions(fixture.records, actual);
    expect(mismatches.map((m) => m.index)).toEqual([fixture.records[i]!.index]);
    expect(formatMismatches(mismatches)).toContain(fixture.records[i]!.command);
  });
});

describe.skipIf(gate.skip)('differential: live haproxy 2.6 vs the engine', () => {
  let hap: HaproxyProcess | undefined;
  beforeAll(async () => {
    if (gate.skip) return;
    hap = await HaproxyProcess.start({ binary: gate.binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
  });
  afterAll(async () => {
    await hap?.stop();
  });

  for (const seed of SEEDS) {
    test(`seed ${seed}: ${COMMANDS_PER_SEED} generated commands answer identically`, async () => {
      if (gate.skip || hap === undefined) return;
      // A fresh haproxy per seed so both sides start from empty tables.
      const fresh = await HaproxyProcess.start({ binary: gate.binary, config: interopConfig, localPeer: INTEROP_LOCAL_PEER });
      let records: SessionRecord[];
      try {
        records = await runSession(generateSession(seed, COMMANDS_PER_SEED), (cmd) => fresh.cli(cmd));
      } finally {
        await fresh.stop();
      }
      const mismatches = mismatchesAfterSkew(fresh.configText, records, utf8ToLatin1);
      expect(mismatches, formatMismatches(mismatches)).toEqual([]);
    });
  }
});
