/**
 * Rewrites a peers capture as decoded by the lab (`../shared/lab/capture-peers.txt`,
 * `../shared/lab/v3/out/<line>/capture-peers.txt`: one block per TCP segment, a `hex:` line and a
 * `=> …` line) into the fixture format of `test/fixtures/lab08-peers-capture.txt` (one line per
 * segment that carried bytes, `test/helpers/lab-capture.ts` reads it). Only the layout changes: the
 * bytes and the lab decoder's reading of them are kept; TCP-only segments are left out.
 *
 *   node --import tsx scripts/convert-lab-capture.ts <lab capture> <header file> > fixture.txt
 *
 * The header file (comment lines, written for the fixture) is printed first. A line the converter
 * does not understand stops it with `<file>:<line>: …` on stderr and exit status 1.
 */
import { readFileSync } from 'node:fs';

const SEGMENT_RE = /^\+\s+(\d+\.\d+)s conn (\S+) -> (hap\d)\(\S+\):\d+ \[(initiator->acceptor|acceptor->initiator)\]$/;

interface Segment {
  atS: string;
  stream: string;
  acceptor: string;
  direction: 'i>a' | 'a>i';
  hex?: string;
  decoded?: string;
}

const CONTROL_NAMES = new Map([
  ['RESYNCREQ', 'resync-request'],
  ['RESYNCFINISHED', 'resync-finished'],
  ['RESYNCPARTIAL', 'resync-partial'],
  ['RESYNCCONFIRM', 'resync-confirm'],
  ['HEARTBEAT', 'heartbeat'],
]);

/** The fields of an update's value list: `gpc0=5 … http_req_rate{curr_tick_age=…ms curr_ctr=… prev_ctr=…}`. */
function valueFields(text: string): string {
  return text.replace(/(\w+)\{curr_tick_age=(\d+)ms curr_ctr=(\d+) prev_ctr=(\d+)\}/g, '$1.age_ms=$2 $1.curr=$3 $1.prev=$4');
}

/** The lab decoder's `=> …` reading in the fixture's words; undefined for TCP-only segments. */
function decodedColumn(reading: string, where: string): string | undefined {
  if (reading.startsWith('TCP ')) return undefined;
  let m = /^HELLO line: '(.*)'$/.exec(reading);
  if (m !== null) return `hello-line ${JSON.stringify(m[1]!.replaceAll('\\n', '\n'))}`;
  m = /^STATUS line: '(\d+)\\n'/.exec(reading);
  if (m !== null) return `status ${m[1]}`;
  m = /^CONTROL (\w+)$/.exec(reading);
  if (m !== null && CONTROL_NAMES.has(m[1]!)) return `control ${CONTROL_NAMES.get(m[1]!)}`;
  m = /^STKT DEFINE\(table definition\) len=\d+: table_id=(\d+) name='(\S+)' key_type=(\S+) key_size=(\d+) data=(0x[0-9a-f]+) \[[^\]]*\] expire=(\d+)ms freq: (\w+) period=(\d+)ms$/.exec(reading);
  if (m !== null) return `define table=${m[1]} name=${m[2]} key=${m[3]} key_bytes=${m[4]} types=${m[5]} expire_ms=${m[6]} period.${m[7]}=${m[8]}`;
  m = /^STKT ACK len=\d+: ack table_id=(\d+) update_id=(\d+)$/.exec(reading);
  if (m !== null) return `ack table=${m[1]} id=${m[2]}`;
  m = /^STKT UPDATE len=\d+: update_id=(\d+) (key=.*)$/.exec(reading);
  if (m !== null) return `update id=${m[1]} ${valueFields(m[2]!)}`;
  m = /^STKT UPDATE_TIMED len=\d+: update_id=(\d+) expire_in=(\d+)ms (key=.*)$/.exec(reading);
  if (m !== null) return `update-timed id=${m[1]} expire_ms=${m[2]} ${valueFields(m[3]!)}`;
  m = /^STKT INCUPDATE_TIMED len=\d+: update_id=previous\+1 expire_in=(\d+)ms (key=.*)$/.exec(reading);
  if (m !== null) return `incupdate-timed expire_ms=${m[1]} ${valueFields(m[2]!)}`;
  throw new Error(`${where}: a reading the converter does not know: ${reading}`);
}

function convert(text: string, file: string): string[] {
  const segments: Segment[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const where = `${file}:${i + 1}`;
    if (line === '' || line.startsWith('#')) continue;
    const head = SEGMENT_RE.exec(line);
    if (head !== null) {
      segments.push({ atS: head[1]!, stream: head[2]!, acceptor: head[3]!, direction: head[4] === 'initiator->acceptor' ? 'i>a' : 'a>i' });
      continue;
    }
    const current = segments.at(-1);
    if (current === undefined) throw new Error(`${where}: text before the first segment: ${line}`);
    const hex = /^\s+hex: ([0-9a-f]{2}(?: [0-9a-f]{2})*)$/.exec(line);
    if (hex !== null) {
      current.hex = hex[1]!;
      continue;
    }
    const reading = /^\s+=> (.*)$/.exec(line);
    if (reading !== null) {
      current.decoded = decodedColumn(reading[1]!, where);
      continue;
    }
    throw new Error(`${where}: not a segment, hex or reading line: ${line}`);
  }
  const out: string[] = [];
  for (const s of segments) {
    if (s.hex === undefined || s.decoded === undefined) continue;
    out.push(`${s.atS.padStart(6)} ${s.stream} ${s.acceptor} ${s.direction} | ${s.hex} | ${s.decoded}`);
  }
  return out;
}

function main(argv: readonly string[]): void {
  const [capturePath, headerPath] = argv;
  if (capturePath === undefined || headerPath === undefined) {
    process.stderr.write('usage: node --import tsx scripts/convert-lab-capture.ts <lab capture> <header file>\n');
    process.exit(2);
  }
  try {
    const header = readFileSync(headerPath, 'utf8').trimEnd();
    const body = convert(readFileSync(capturePath, 'utf8'), capturePath);
    process.stdout.write(`${header}\n${body.join('\n')}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

main(process.argv.slice(2));
