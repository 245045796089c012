/**
 * Reads test/fixtures/lab08-peers-capture.txt: the peers-protocol bytes two real haproxy 2.6.12
 * processes exchanged in lab experiment 08, one segment per line, with the fields the lab's own
 * decoder read in them (the file's header describes the format). A missing fixture or a malformed
 * line throws, naming the line.
 */
import { readFileSync } from 'node:fs';
import { fixture } from './shared.ts';

export const LAB_CAPTURE_FIXTURE = 'lab08-peers-capture.txt';

export type CaptureDirection = 'initiator->acceptor' | 'acceptor->initiator';

export interface CaptureSegment {
  /** Seconds since the capture started. */
  readonly atS: number;
  /** The initiator's address:port: names the TCP connection. */
  readonly stream: string;
  /** Name of the accepting haproxy (hap1 or hap2). */
  readonly acceptor: string;
  readonly direction: CaptureDirection;
  /** Bytes as lowercase hex pairs separated by single spaces. */
  readonly hex: string;
  readonly bytes: Buffer;
  /** First word of the decoded column: hello-line, status, control, define, update, update-timed, incupdate-timed, ack. */
  readonly kind: string;
  /** The decoded column's `name=value` words (for hello-line: `text`; for status: `code`; for control: `name`). */
  readonly fields: ReadonlyMap<string, string>;
}

const LINE_RE = /^\s*(\d+\.\d+) (\S+) (\S+) (i>a|a>i) \| ([0-9a-f]{2}(?: [0-9a-f]{2})*) \| (\S+)(?: (.*))?$/;

function decodedFields(kind: string, rest: string, where: string): Map<string, string> {
  const fields = new Map<string, string>();
  if (kind === 'hello-line') {
    fields.set('text', JSON.parse(rest) as string);
  } else if (kind === 'status') {
    fields.set('code', rest);
  } else if (kind === 'control') {
    fields.set('name', rest);
  } else {
    for (const word of rest.split(' ')) {
      const m = /^([a-z0-9_.]+)=(\S+)$/.exec(word);
      if (m === null) throw new Error(`${where}: expected name=value, got '${word}'`);
      fields.set(m[1]!, m[2]!);
    }
  }
  return fields;
}

/** Parses the fixture's text; `file` names it in errors. */
export function parseLabCapture(text: string, file = LAB_CAPTURE_FIXTURE): CaptureSegment[] {
  const out: CaptureSegment[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const m = LINE_RE.exec(line);
    if (m === null) throw new Error(`${where}: not a capture line: ${line}`);
    const hex = m[5]!;
    out.push({
      atS: Number(m[1]),
      stream: m[2]!,
      acceptor: m[3]!,
      direction: m[4] === 'i>a' ? 'initiator->acceptor' : 'acceptor->initiator',
      hex,
      bytes: Buffer.from(hex.replaceAll(' ', ''), 'hex'),
      kind: m[6]!,
      fields: decodedFields(m[6]!, m[7] ?? '', where),
    });
  });
  return out;
}

/** The fixture's segments; throws if the fixture is missing. */
export function loadLabCapture(): CaptureSegment[] {
  return parseLabCapture(readFileSync(fixture(LAB_CAPTURE_FIXTURE), 'utf8'));
}

/** The capture fixture of a release line: 2.6's lab capture, or `versions/<line>/peers-capture.txt`. */
export function captureFixtureOf(line: '2.6' | '3.0' | '3.2'): string {
  return line === '2.6' ? LAB_CAPTURE_FIXTURE : `versions/${line}/peers-capture.txt`;
}

/** The segments of one release line's capture (same layout for every line). */
export function loadCaptureOf(line: '2.6' | '3.0' | '3.2'): CaptureSegment[] {
  const name = captureFixtureOf(line);
  return parseLabCapture(readFileSync(fixture(name), 'utf8'), name);
}

/** A decoded field as a number; throws naming the segment when it is absent. */
export function numField(segment: CaptureSegment, name: string): number {
  const v = segment.fields.get(name);
  if (v === undefined) throw new Error(`capture segment at ${segment.atS}s (${segment.kind}) has no ${name}`);
  return Number(v);
}
