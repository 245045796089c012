import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { InputOverflowError, ProtocolError } from '../../../engine/errors.ts';
import { encodeMessage, MessageDecoder, SizeLimitError, type PeerMessage } from '../../../engine/peers/messages.ts';
import { encodeVarint } from '../../../engine/peers/varint.ts';
import { updateBodyBytes } from '../../../engine/peers/message-types.ts';
import { fromHex, hex } from './table-specs.ts';

function decodeHex(text: string, expect: 'hello' | 'status' | 'messages' = 'messages'): PeerMessage[] {
  return new MessageDecoder({ expect }).feedAll(fromHex(text));
}

function errorOf(run: () => unknown): ProtocolError {
  return thrown(run, ProtocolError);
}

describe('framing (spec §4.3)', () => {
  it('decodes the five control messages (§4.4)', () => {
    expect(decodeHex('00 00 00 01 00 02 00 03 00 04')).toEqual([
      { kind: 'control', control: 'resyncRequest' },
      { kind: 'control', control: 'resyncFinished' },
      { kind: 'control', control: 'resyncPartial' },
      { kind: 'control', control: 'resyncConfirm' },
      { kind: 'control', control: 'heartbeat' },
    ]);
  });

  it('encodes control and error messages as two bytes', () => {
    expect(hex(encodeMessage({ kind: 'control', control: 'heartbeat' }))).toBe('00 04');
    expect(hex(encodeMessage({ kind: 'control', control: 'resyncConfirm' }))).toBe('00 03');
    expect(hex(encodeMessage({ kind: 'error', error: 'protocol' }))).toBe('01 00');
    expect(hex(encodeMessage({ kind: 'error', error: 'sizeLimit' }))).toBe('01 01');
  });

  it('decodes error messages (§4.5)', () => {
    expect(decodeHex('01 00 01 01')).toEqual([
      { kind: 'error', error: 'protocol' },
      { kind: 'error', error: 'sizeLimit' },
    ]);
  });

  it('skips unknown classes and types by length, reporting them as ignored', () => {
    expect(decodeHex('00 05 00 7f 01 02 0a 10 07 01 0a 87 02 aa bb 00 81 01 cc 02 90 00 00 04')).toEqual([
      { kind: 'ignored', classId: 0, typeId: 5, body: undefined },
      { kind: 'ignored', classId: 0, typeId: 0x7f, body: undefined },
      { kind: 'ignored', classId: 1, typeId: 2, body: undefined },
      { kind: 'ignored', classId: 10, typeId: 0x10, body: undefined },
      { kind: 'ignored', classId: 7, typeId: 1, body: undefined },
      { kind: 'ignored', classId: 10, typeId: 0x87, body: fromHex('aa bb') },
      { kind: 'ignored', classId: 0, typeId: 0x81, body: fromHex('cc') },
      { kind: 'ignored', classId: 2, typeId: 0x90, body: new Uint8Array(0) },
      { kind: 'control', control: 'heartbeat' },
    ]);
  });

  it('class 255 is a protocol error at the message start', () => {
    const d = new MessageDecoder({ expect: 'messages' });
    d.push(fromHex('00 04 ff 00'));
    expect(d.next()).toEqual({ kind: 'control', control: 'heartbeat' });
    const err = errorOf(() => d.next());
    expect(err.offset).toBe(2);
    expect(err.messageKind).toContain('255');
  });

  it('class 255 with a body fails once the whole message is there', () => {
    const d = new MessageDecoder({ expect: 'messages' });
    d.push(fromHex('ff 80 03 01'));
    expect(d.next()).toBeUndefined();
    d.push(fromHex('02 03'));
    expect(errorOf(() => d.next()).offset).toBe(0);
  });

  it('a length varint may use up to 5 bytes; a 6th is a protocol error', () => {
    // 5-byte length = 0 would be odd but legal? f0 80 80 80 00 = 33818864 > 16384: size limit instead.
    const d = new MessageDecoder({ expect: 'messages' });
    d.push(fromHex('00 04 0a 80 f0 80 80 80'));
    expect(d.next()).toEqual({ kind: 'control', control: 'heartbeat' });
    expect(d.next()).toBeUndefined(); // 4 length bytes so far, all continuing: wait
    d.push(fromHex('80'));
    const err = errorOf(() => d.next());
    expect(err).not.toBeInstanceOf(SizeLimitError);
    expect(err.offset).toBe(4);
    expect(err.messageKind).toBe('update');
  });

  it('a body over 16384 bytes is a size-limit error, raised as soon as the length is read', () => {
    const tooBig = new MessageDecoder({ expect: 'messages' });
    const header = Uint8Array.from([0x0a, 0x82, ...encodeVarint(16385)]);
    const err = errorOf(() => tooBig.feedAll(header));
    expect(err).toBeInstanceOf(SizeLimitError);
    expect(err.offset).toBe(0);
    expect(err.messageKind).toBe('define');
  });

  it('16384 is the largest accepted body; maxBodyBytes lowers the limit', () => {
    const body = new Uint8Array(16384);
    const framed = encodeMessage({ kind: 'ignored', classId: 10, typeId: 0x90, body });
    const msgs = new MessageDecoder({ expect: 'messages' }).feedAll(framed);
    expect(msgs).toHaveLength(1);
    const small = new MessageDecoder({ expect: 'messages', maxBodyBytes: 100 });
    expect(errorOf(() => small.feedAll(framed))).toBeInstanceOf(SizeLimitError);
  });

  it('the 5-byte length is kept modulo 2^32 as HAProxy does', () => {
    // Raw sum f0 + (80 << 4) + (80 << 11) + (ff << 18) + (7e << 25) = 2^32 + 2288.
    const bytes = [0xf0, 0x80, 0x80, 0xff, 0x7e];
    let sum = 0;
    bytes.forEach((b, i) => (sum += b * (i === 0 ? 1 : 2 ** (4 + 7 * (i - 1)))));
    const low = sum % 2 ** 32;
    expect(sum).toBeGreaterThan(2 ** 32);
    expect(low).toBe(2288);
    const framed = Uint8Array.from([0x0a, 0x87, ...bytes, ...new Array<number>(low).fill(0)]);
    const msgs = new MessageDecoder({ expect: 'messages' }).feedAll(framed);
    expect(msgs).toEqual([{ kind: 'ignored', classId: 10, typeId: 0x87, body: new Uint8Array(low) }]);
  });

  it('waits for the whole body, across any split', () => {
    const framed = fromHex('0a 84 05 01 00 00 00 2a 00 04');
    for (let cut = 0; cut <= framed.length; cut++) {
      const d = new MessageDecoder({ expect: 'messages' });
      const msgs = [...d.feed(framed.subarray(0, cut)), ...d.feed(framed.subarray(cut))];
      expect(msgs).toEqual([
        { kind: 'ack', tableId: 1, updateId: 42 },
        { kind: 'control', control: 'heartbeat' },
      ]);
      expect(d.bufferedBytes).toBe(0);
      expect(d.streamOffset).toBe(framed.length);
    }
  });

  it('reports update bodies raw with their stream offset', () => {
    const msgs = decodeHex('00 04 0a 81 0a c0 a8 00 02 05 02 f2 3e 07 03');
    expect(msgs[1]).toEqual({
      kind: 'update',
      withId: false,
      timed: false,
      body: fromHex('c0 a8 00 02 05 02 f2 3e 07 03'),
      bodyOffset: 5,
    });
  });

  it('maps the four update types to withId/timed', () => {
    const kinds = decodeHex('0a 80 00 0a 81 00 0a 85 00 0a 86 00').map((m) =>
      m.kind === 'update' ? [m.withId, m.timed] : m.kind,
    );
    expect(kinds).toEqual([
      [true, false],
      [false, false],
      [true, true],
      [false, true],
    ]);
  });

  it('bodies stay intact after later pushes reuse the internal buffer', () => {
    const d = new MessageDecoder({ expect: 'messages' });
    const first = [...d.feed(fromHex('0a 80 02 aa'))];
    expect(first).toEqual([]);
    const got = [...d.feed(fromHex('bb 0a 80 02 cc'))];
    [...d.feed(fromHex('dd 0a 80 02 ee ff'))].forEach((m) => got.push(m));
    expect(got.map((m) => (m.kind === 'update' ? hex(m.body) : m.kind))).toEqual(['aa bb', 'cc dd', 'ee ff']);
  });

  it('inPlaceUpdates: an update is a range of the buffer, same bytes and stream offsets as a copy, across any split', () => {
    const framed = fromHex('00 04 0a 81 0a c0 a8 00 02 05 02 f2 3e 07 03 0a 80 02 aa bb');
    for (let cut = 0; cut <= framed.length; cut++) {
      const d = new MessageDecoder({ expect: 'messages', inPlaceUpdates: true });
      const bodies: string[] = [];
      const offsets: number[] = [];
      // Each message is read before the next push (the decoder's contract in this mode).
      for (const part of [framed.subarray(0, cut), framed.subarray(cut)]) {
        for (const m of d.feed(part)) {
          if (m.kind !== 'update') continue;
          expect(m.bodyStart).toBeTypeOf('number');
          bodies.push(hex(updateBodyBytes(m)));
          offsets.push(m.bodyOffset + (m.bodyStart ?? 0));
        }
      }
      expect(bodies).toEqual(['c0 a8 00 02 05 02 f2 3e 07 03', 'aa bb']);
      expect(offsets).toEqual([5, 18]);
    }
    // Negative control: the default decoder hands a body of its own, without a range.
    const copy = decodeHex('0a 80 02 aa bb')[0]!;
    expect(copy.kind === 'update' && copy.bodyStart === undefined && hex(copy.body) === 'aa bb').toBe(true);
  });

  it('decoded bodies are copies: later changes to a fed chunk do not reach them', () => {
    const chunk = fromHex('0a 80 02 aa bb');
    const [msg] = new MessageDecoder({ expect: 'messages' }).feedAll(chunk);
    chunk.fill(0);
    expect(msg?.kind === 'update' && hex(msg.body)).toBe('aa bb');
  });

  it('SWITCH decodes its table id; an empty SWITCH is a protocol error', () => {
    expect(decodeHex('0a 83 01 05')).toEqual([{ kind: 'switch', tableId: 5 }]);
    expect(hex(encodeMessage({ kind: 'switch', tableId: 300 }))).toBe('0a 83 02 fc 03');
    const err = errorOf(() => decodeHex('00 04 0a 83 00'));
    expect(err.messageKind).toBe('switch');
    expect(err.offset).toBe(5);
  });

  it('ACK: spec example, and a truncated ACK is reported as malformedAck', () => {
    expect(hex(encodeMessage({ kind: 'ack', tableId: 1, updateId: 42 }))).toBe('0a 84 05 01 00 00 00 2a');
    const [msg] = decodeHex('0a 84 03 01 00 00');
    expect(msg?.kind).toBe('malformedAck');
    if (msg?.kind === 'malformedAck') {
      expect(msg.error.offset).toBe(4);
      expect(msg.error.messageKind).toBe('ack');
    }
    // Further into the stream (an ACK is read where it lies in the buffer): the offset is the stream's.
    const [, later] = decodeHex('0a 83 02 03 99 0a 84 03 01 00 00');
    expect(later?.kind === 'malformedAck' ? later.error.offset : undefined).toBe(9);
  });

  it('ignores trailing bytes inside known bodies', () => {
    expect(decodeHex('0a 84 07 01 00 00 00 2a ee ee 0a 83 02 03 99')).toEqual([
      { kind: 'ack', tableId: 1, updateId: 42 },
      { kind: 'switch', tableId: 3 },
    ]);
  });
});

describe('unread-input bound', () => {
  it('a push past bufferedBytesMax throws InputOverflowError and keeps what was pending', () => {
    const d = new MessageDecoder({ expect: 'messages', bufferedBytesMax: 8 });
    d.push(fromHex('00 04 00 04 0a'));
    const err = thrown(() => d.push(fromHex('84 05 01 00')), InputOverflowError);
    expect([err.pendingBytes, err.chunkBytes, err.bufferedBytesMax]).toEqual([5, 4, 8]);
    expect(err).not.toBeInstanceOf(ProtocolError);
    expect(d.bufferedBytes).toBe(5);
    // Up to the bound is taken: the decoder goes on where it was.
    d.push(fromHex('84 05 01'));
    expect(d.bufferedBytes).toBe(8);
    expect([d.next(), d.next()]).toEqual([
      { kind: 'control', control: 'heartbeat' },
      { kind: 'control', control: 'heartbeat' },
    ]);
  });
});
