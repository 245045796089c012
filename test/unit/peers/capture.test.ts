/**
 * Byte-exactness against real HAProxy 2.6.12 bytes: test/fixtures/lab08-peers-capture.txt (lab
 * experiment 08, decoded by the lab's own decoder), and against 3.0.11's and 3.2.26's run of the same
 * experiment (test/fixtures/versions/<line>/peers-capture.txt) for decoding and re-encoding. Every stream of the capture must decode; the
 * decoded fields must agree with the lab decoder's; and the codec must encode the same logical
 * messages to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeUpdateBody,
  definitionFromSpec,
  encodeMessage,
  encodeUpdateMessage,
  helloLines,
  layoutFromSpec,
  matchDefinition,
  MessageDecoder,
  type PeerMessage,
  type UpdateLayout,
} from '../../../engine/peers/messages.ts';
import { parseIpv4Strict } from '../../../engine/table/keys.ts';
import { loadCaptureOf, loadLabCapture, numField, type CaptureSegment } from '../../helpers/lab-capture.ts';
import { fromHex, hex, LAB_ST } from './table-specs.ts';

const elements = loadLabCapture();

/** The segments of each direction of each TCP connection, in capture order. */
function streamsOf(segments: readonly CaptureSegment[]): Map<string, CaptureSegment[]> {
  const out = new Map<string, CaptureSegment[]>();
  for (const e of segments) {
    const key = `${e.stream} ${e.direction}`;
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  }
  return out;
}

/** Decodes one stream's bytes; hello lines are one capture element each but one message. */
function decodeStream(list: CaptureSegment[]): PeerMessage[] {
  const expect0 = list[0]!.direction === 'initiator->acceptor' ? 'hello' : 'status';
  const decoder = new MessageDecoder({ expect: expect0 });
  const out: PeerMessage[] = [];
  for (const e of list) for (const m of decoder.feed(fromHex(e.hex))) out.push(m);
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

const CONTROL_NAMES = { resyncRequest: 'resync-request', resyncFinished: 'resync-finished', resyncPartial: 'resync-partial', resyncConfirm: 'resync-confirm', heartbeat: 'heartbeat' };
/** The one segment whose decoded fields include every `name=value` given. */
const segmentWith = (kind: string, wanted: Record<string, string>): CaptureSegment => {
  const found = elements.filter((e) => e.kind === kind && Object.entries(wanted).every(([k, v]) => e.fields.get(k) === v));
  if (found.length !== 1) throw new Error(`${found.length} ${kind} segments with ${JSON.stringify(wanted)}`);
  return found[0]!;
};


/** Every line's capture (2.6: lab 08; 3.0, 3.2: the version study's run of it) through the same codec. */
describe.each(['2.6', '3.0', '3.2'] as const)('capture of haproxy %s: the codec reads and rewrites every byte', (line) => {
  const elements = loadCaptureOf(line);
  const streams = streamsOf(elements);
  it('every stream decodes without error and agrees with the annotations', () => {
    let updates = 0;
    let acks = 0;
    for (const [name, list] of streams) {
      const msgs = decodeStream(list);
      // the hello's three lines decode as one message: its first line stands for it
      const decoded = list.filter((e) => e.kind !== 'hello-line' || e.fields.get('text')!.startsWith('HAProxyS'));
      expect(msgs.length, name).toBe(decoded.length);
      let layout: UpdateLayout | undefined;
      msgs.forEach((msg, i) => {
        const seg = decoded[i]!;
        switch (msg.kind) {
          case 'hello':
            expect(seg.kind).toBe('hello-line');
            break;
          case 'status':
            expect([seg.kind, seg.fields.get('code')]).toEqual(['status', String(msg.code)]);
            break;
          case 'control':
            expect([seg.kind, seg.fields.get('name')]).toEqual(['control', CONTROL_NAMES[msg.control]]);
            break;
          case 'define': {
            expect(seg.kind).toBe('define');
            expect(msg.def.tableId).toBe(numField(seg, 'table'));
            expect(msg.def.wireName).toBe(seg.fields.get('name'));
            expect(msg.def.keySizeBytes).toBe(numField(seg, 'key_bytes'));
            expect(msg.def.dataTypes).toBe(BigInt(seg.fields.get('types') ?? 'x'));
            expect(msg.def.expireMs).toBe(numField(seg, 'expire_ms'));
            const match = matchDefinition(msg.def, LAB_ST);
            expect(match.result).toBe('accepted');
            layout = match.result === 'accepted' ? match.layout : undefined;
            break;
          }
          case 'update': {
            updates++;
            expect(['update', 'update-timed', 'incupdate-timed']).toContain(seg.kind);
            expect(layout, 'an update follows a DEFINE').toBeDefined();
            const u = decodeUpdateBody(msg, layout!);
            if (seg.kind === 'incupdate-timed') expect(u.updateId).toBeUndefined();
            else expect(u.updateId).toBe(numField(seg, 'id'));
            expect(msg.timed).toBe(seg.kind !== 'update');
            if (msg.timed) expect(u.expireMs).toBe(numField(seg, 'expire_ms'));
            else expect(u.expireMs).toBeUndefined();
            expect(u.key).toBe(parseIpv4Strict(seg.fields.get('key') ?? ''));
            expect(u.values).toEqual([
              numField(seg, 'gpc0'),
              numField(seg, 'conn_cnt'),
              numField(seg, 'http_req_cnt'),
              { ageMs: numField(seg, 'http_req_rate.age_ms'), curr: numField(seg, 'http_req_rate.curr'), prev: numField(seg, 'http_req_rate.prev') },
            ]);
            break;
          }
          case 'ack':
            acks++;
            expect(seg.kind).toBe('ack');
            expect(msg.tableId).toBe(numField(seg, 'table'));
            expect(msg.updateId).toBe(numField(seg, 'id'));
            break;
          default:
            throw new Error(`unexpected ${msg.kind} in ${name}`);
        }
      });
    }
    expect(updates).toBe(elements.filter((e) => ['update', 'update-timed', 'incupdate-timed'].includes(e.kind)).length);
    expect(acks).toBe(elements.filter((e) => e.kind === 'ack').length);
    if (line === '2.6') expect([updates, acks]).toEqual([7, 5]);
    else expect(updates).toBeGreaterThanOrEqual(7);
  });

  it('re-encodes every decoded message to the captured bytes', () => {
    for (const list of streams.values()) {
      const captured = list.map((e) => e.hex).join(' ');
      const encoded = decodeStream(list).map((m) => hex(encodeMessage(m as Parameters<typeof encodeMessage>[0])));
      expect(encoded.join(' ')).toBe(captured);
    }
  });

});

describe('lab capture (experiment 08, haproxy 2.6.12)', () => {
  it('has the expected shape', () => {
    expect(elements.length).toBeGreaterThan(50);
    expect(streamsOf(elements).size).toBeGreaterThanOrEqual(8);
  });

  it('encodes the hello from its logical fields', () => {
    const lines = helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 19696 });
    const captured = elements.filter((e) => e.stream === '127.0.0.1:38698' && e.kind === 'hello-line').map((e) => e.hex);
    expect(hex(encodeMessage({ kind: 'hello', lines }))).toBe(captured.join(' '));
    expect(hex(encodeMessage({ kind: 'status', code: 200 }))).toBe('32 30 30 0a');
  });

  it('encodes the table definition from the TableSpec (local id 1)', () => {
    const captured = elements.find((e) => e.kind === 'define')!.hex;
    expect(hex(encodeMessage({ kind: 'define', def: definitionFromSpec(LAB_ST, 1) }))).toBe(captured);
  });

  it('encodes updates of every variant from their logical fields', () => {
    const layout = layoutFromSpec(LAB_ST);
    const rate = (ageMs: number, curr: number, prev: number): { ageMs: number; curr: number; prev: number } => ({ ageMs, curr, prev });
    const ip = (d: number): number => (127 << 24) + d;
    const cases: [CaptureSegment, Parameters<typeof encodeUpdateMessage>[0]][] = [
      [segmentWith('update', { id: '1', key: '127.0.0.50' }), { updateId: 1, expireMs: undefined, key: ip(50), values: [5, 0, 0, rate(4259437447, 0, 0)] }],
      [segmentWith('update', { id: '5', key: '127.0.0.51' }), { updateId: 5, expireMs: undefined, key: ip(51), values: [0, 2, 2, rate(10, 2, 0)] }],
      [segmentWith('update', { id: '3', key: '127.0.0.52', gpc0: '300' }), { updateId: 3, expireMs: undefined, key: ip(52), values: [300, 0, 1000, rate(4259438499, 0, 0)] }],
      [segmentWith('update-timed', { id: '2147483649', expire_ms: '51389' }), { updateId: 2 ** 31 + 1, expireMs: 51389, key: ip(50), values: [5, 0, 0, rate(4259446058, 0, 0)] }],
      [segmentWith('incupdate-timed', {}), { updateId: undefined, expireMs: 51931, key: ip(51), values: [0, 2, 2, rate(8080, 2, 0)] }],
    ];
    for (const [captured, update] of cases) {
      expect(hex(encodeUpdateMessage(update, layout)), `${captured.kind} at ${captured.atS}s`).toBe(captured.hex);
    }
  });

  it('encodes ACKs from their logical fields', () => {
    expect(hex(encodeMessage({ kind: 'ack', tableId: 1, updateId: 1 }))).toBe(
      segmentWith('ack', { table: '1', id: '1' }).hex,
    );
    expect(hex(encodeMessage({ kind: 'ack', tableId: 1, updateId: 0x80000002 }))).toBe(
      segmentWith('ack', { id: '2147483650' }).hex,
    );
  });
});
