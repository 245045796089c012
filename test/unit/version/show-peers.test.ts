/**
 * `show peers` per HAProxy line against the recorded answers of each real binary
 * (test/fixtures/versions/<line>/show-peers.txt: a local peer and a remote that nobody listens
 * on, 0.3 s and 6.3 s after start): section flags, the peer line's state fields and peer flags.
 * Pointers, addresses, dates and timers are not compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runScenario } from '../../../scenarios/runner.ts';
import { mesh } from '../../../scenarios/builtin/cluster.ts';
import type { HaproxyVersion } from '../../../engine/version/profile.ts';
import { fixture } from '../../helpers/shared.ts';

/** The compared shape of one `show peers` answer. */
function shape(answer: string): string[] {
  const out: string[] = [];
  for (const line of answer.split('\n')) {
    const section = /^0x[0-9a-f]+: \[[^\]]*\] id=\S+ disabled=0 (flags=0x[0-9a-f]+)/.exec(line);
    if (section) out.push(`section ${section[1]}`);
    const peer = /^ {2}0x[0-9a-f]+: id=(\w+)\((local|remote),(?:in)?active\) addr=\S+ (.*?)last_hdshk=/.exec(line);
    if (peer) out.push(`peer ${peer[2]} ${peer[3]!.trim()}`);
    const flags = /^ {8}(flags=0x[0-9a-f]+)/.exec(line);
    if (flags) out.push(`  ${flags[1]}`);
  }
  return out;
}

function recorded(line: HaproxyVersion): string[][] {
  const text = readFileSync(fixture(`versions/${line}/show-peers.txt`), 'latin1');
  const blocks = text.split(/^=== /m).filter((b) => b.startsWith('show peers'));
  return blocks.map((b) => shape(b));
}

function simulatedAnswers(line: HaproxyVersion): string[] {
  const answers: string[] = [];
  const hosts = mesh(['hap1', 'hap2']).map((h) => (h.name === 'hap2' ? { ...h, startAtZero: false } : h));
  runScenario(
    {
      name: 'show-peers-lone',
      title: '',
      lesson: '',
      hosts,
      durationMs: 6_400,
      script: (s) => {
        s.at(300, () => answers.push(s.cli('hap1', 'show peers')));
        s.at(310, () => s.cli('hap1', 'set table st key 127.0.0.50 data.gpc0 5'));
        s.at(6_300, () => answers.push(s.cli('hap1', 'show peers')));
      },
    },
    { seed: '1', policy: 'haproxy', haproxy: line, traceLevel: 'off' },
  );
  return answers;
}

function simulated(line: HaproxyVersion): string[][] {
  return simulatedAnswers(line).map(shape);
}

/** The date in brackets on the section line. */
function sectionDate(answer: string): string {
  const m = /^0x[0-9a-f]+: \[([^\]]*)\] id=/m.exec(answer);
  if (m === null) throw new Error(`no section line in ${answer.slice(0, 200)}`);
  return m[1]!;
}

describe.each(['2.6', '3.0', '3.2'] as const)('show peers under %s', (line) => {
  test('section flags, peer state fields and peer flags as the real binary', () => {
    const want = recorded(line);
    expect(want).toHaveLength(2);
    expect(simulated(line)).toEqual(want);
  });
});

test('the 3.x shape is not the 2.6 one (the comparison can fail)', () => {
  expect(simulated('2.6')).not.toEqual(recorded('3.0'));
});

test('the compared shape holds the section, both peers and their flags', () => {
  const [first] = recorded('3.0');
  expect(first).toEqual([
    'section flags=0x100001',
    'peer remote app_state=STOPPED learn_state=NOTASSIGNED last_status=CONN',
    '  flags=0x0',
    'peer local app_state=STOPPED learn_state=NOTASSIGNED last_status=NONE',
    '  flags=0x0',
  ]);
});

describe('the peers interop harness reads every line', () => {
  test.each(['2.6', '3.0', '3.2'] as const)('%s: show peers resync state and show table rows', async (line) => {
    const { parseShowPeers, parseShowTable } = await import('../../interop/peer-harness.ts');
    const text = readFileSync(fixture(`versions/${line}/show-peers.txt`), 'latin1');
    const [atStart, later] = text.split(/^=== show peers[^\n]*\n/m).slice(1);
    const first = parseShowPeers(atStart!);
    const second = parseShowPeers(later!.split(/^=== /m)[0]!);
    expect(first.format3x).toBe(line !== '2.6');
    expect(first.resync).toEqual({ localFinished: true, remoteFinished: false, taughtByLocal: false });
    expect(second.resync).toEqual({ localFinished: true, remoteFinished: true, taughtByLocal: false });
    const dump = parseShowTable(text.split(/^=== show table st\n/m)[1]!);
    expect([...dump.rows]).toEqual([['127.0.0.50', 'gpc0=5 conn_cnt=0 http_req_cnt=0 http_req_rate(10000)=0']]);
  });
});

// R12 (not modelled): 3.2 prints a date near the epoch on the section line (its recorded answer
// says 1970); sticksim prints the process start date in every line.
test('R12: the section date is the start date under every profile; the recorded 3.2 answer is near the epoch', () => {
  const text = readFileSync(fixture('versions/3.2/show-peers.txt'), 'latin1');
  expect(sectionDate(text)).toMatch(/\/1970:/);
  for (const line of ['2.6', '3.0', '3.2'] as const) expect(sectionDate(simulatedAnswers(line)[0]!)).not.toMatch(/\/1970:/);
});
