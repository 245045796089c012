/**
 * The suite's fixtures that came from the team's lab still say what the lab measured: where
 * ../shared is beside the repository, the capture fixture carries the very bytes and decoded
 * fields of ../shared/lab/capture-peers.txt, and lab-common.cfg is the common config of
 * ../shared/lab/RESULTS.md. Skipped, with a printed reason, where ../shared is absent (a clone).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureFixtureOf, loadCaptureOf } from '../helpers/lab-capture.ts';
import { labCommonTemplate } from '../helpers/lab-config.ts';
import { sharedGate } from '../helpers/shared.ts';

/** Each line's capture fixture and the lab capture it was made from (2.6: lab 08; 3.x: the version study). */
const CAPTURES = (['2.6', '3.0', '3.2'] as const).map((line) => ({
  line,
  gate: sharedGate(line === '2.6' ? 'lab/capture-peers.txt' : `lab/v3/out/${line}/capture-peers.txt`, `the check of test/fixtures/${captureFixtureOf(line)} against the lab capture`),
}));
const results = sharedGate('lab/RESULTS.md', 'the check of test/fixtures/lab-common.cfg against the lab write-up');

interface LabSegment {
  stream: string;
  direction: string;
  hex: string;
  note: string;
}

/** The segments with bytes of the lab's decoded capture, in its order. */
function labSegments(text: string): LabSegment[] {
  const lines = text.split('\n');
  const out: LabSegment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^\+\s+[\d.]+s conn (\S+) -> \S+ \[(initiator->acceptor|acceptor->initiator)\]$/.exec(lines[i]!);
    const hexLine = /^\s+hex: ([0-9a-f ]+)$/.exec(lines[i + 1] ?? '');
    if (head === null || hexLine === null) continue;
    out.push({ stream: head[1]!, direction: head[2]!, hex: hexLine[1]!.trim(), note: /^\s+=> (.*)$/.exec(lines[i + 2] ?? '')?.[1] ?? '' });
  }
  return out;
}

/** The fixture's field names as the lab decoder spells them. */
const LAB_NAMES: Record<string, string> = {
  id: 'update_id',
  table: 'table_id',
  key_bytes: 'key_size',
  types: 'data',
  expire_ms: 'expire_in',
  'http_req_rate.age_ms': 'curr_tick_age',
  'http_req_rate.curr': 'curr_ctr',
  'http_req_rate.prev': 'prev_ctr',
};

const DEFINE_LAB_NAMES: Record<string, string> = { key: 'key_type', expire_ms: 'expire' };

for (const { line, gate: capture } of CAPTURES) describe.skipIf(capture.skip)(`test/fixtures/${captureFixtureOf(line)} = the lab capture of haproxy ${line}`, () => {
  it('the same segments with the same bytes, in the same order', () => {
    if (capture.skip) return;
    const lab = labSegments(readFileSync(capture.path, 'utf8'));
    const mine = loadCaptureOf(line);
    expect(mine.map((s) => `${s.stream} ${s.direction} ${s.hex}`)).toEqual(lab.map((s) => `${s.stream} ${s.direction} ${s.hex}`));
  });

  it('every decoded field is the lab decoder\'s', () => {
    if (capture.skip) return;
    const lab = labSegments(readFileSync(capture.path, 'utf8'));
    const mine = loadCaptureOf(line);
    let fieldsChecked = 0;
    mine.forEach((segment, i) => {
      const note = lab[i]!.note;
      if (segment.kind === 'hello-line') expect(note).toBe(`HELLO line: ${JSON.stringify(segment.fields.get('text')).replaceAll('"', "'")}`);
      if (segment.kind === 'status') expect(note).toMatch(new RegExp(`^STATUS line: '${segment.fields.get('code')}\\\\n'`));
      if (segment.kind === 'control') expect(note.replace(/^CONTROL /, '').toLowerCase()).toBe(segment.fields.get('name')!.replace('-', '').replace('request', 'req'));
      if (['hello-line', 'status', 'control'].includes(segment.kind)) return;
      for (const [name, value] of segment.fields) {
        if (name.startsWith('period.')) continue;
        const labName = (segment.kind === 'define' ? DEFINE_LAB_NAMES[name] : undefined) ?? LAB_NAMES[name] ?? name;
        const quoted = name === 'name' ? `'${value}'` : value;
        const labValue = new RegExp(`(?:^| |\\{)${labName.replace('.', '\\.')}=([^ }]*)`).exec(note)?.[1]?.replace(/ms$/, '');
        expect(labValue, `${segment.kind} at ${segment.atS}s: ${name}`).toBe(quoted);
        fieldsChecked++;
      }
      if (segment.kind === 'incupdate-timed') expect(note).toContain('update_id=previous+1');
    });
    expect(fieldsChecked).toBeGreaterThan(80);
  });
});

describe.skipIf(results.skip)('test/fixtures/lab-common.cfg = the common config of ../shared/lab/RESULTS.md', () => {
  it('is the config block, line for line', () => {
    const m = /Common config[^\n]*\n\n```\n([\s\S]*?)```/.exec(readFileSync(results.path, 'utf8'));
    expect(m, 'a "Common config" block in RESULTS.md').not.toBeNull();
    expect(labCommonTemplate()).toBe(m![1]);
  });
});
