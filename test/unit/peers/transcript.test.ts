/** Spec §4.14: the example transcript between TS node `sim1` and HAProxy `hap1`, both directions. */
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
  validateHello,
} from '../../../engine/peers/messages.ts';
import { fromHex, hex, SPEC_ST } from './table-specs.ts';

const SIM1_TO_HAP1 = [
  '48 41 50 72 6f 78 79 53 20 32 2e 31 0a 68 61 70 31 0a 73 69 6d 31 20 34 32 34 32 20 31 0a', // hello
  '0a 82 0f 01 02 73 74 04 04 f4 35 f0 c4 0d 0a f0 e2 03', // DEFINE, sim1's table id 1
  '0a 85 12 00 00 00 07 00 00 61 a8 c0 a8 00 01 05 02 f2 3e 07 03', // timed update id 7
  '00 01', // FINISHED
].join(' ');
const HAP1_TO_SIM1 = '32 30 30 0a 00 00 0a 84 05 01 00 00 00 07 00 03';

describe('spec §4.14 transcript', () => {
  it('sim1 produces its side byte for byte', () => {
    const update = { updateId: 7, expireMs: 25000, key: 0xc0a80001, values: [5, 2, { ageMs: 1234, curr: 7, prev: 3 }] };
    const bytes = [
      encodeMessage({ kind: 'hello', lines: helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'sim1', pid: 4242 }) }),
      encodeMessage({ kind: 'define', def: definitionFromSpec(SPEC_ST, 1) }),
      encodeUpdateMessage(update, layoutFromSpec(SPEC_ST)),
      encodeMessage({ kind: 'control', control: 'resyncFinished' }),
    ];
    expect(bytes.map(hex).join(' ')).toBe(SIM1_TO_HAP1);
  });

  it('hap1 (acceptor) reads sim1 side: hello accepted, definition accepted, update decoded', () => {
    const msgs = new MessageDecoder({ expect: 'hello' }).feedAll(fromHex(SIM1_TO_HAP1));
    expect(msgs.map((m) => m.kind)).toEqual(['hello', 'define', 'update', 'control']);
    const [hello, define, update] = msgs;
    if (hello?.kind !== 'hello' || define?.kind !== 'define' || update?.kind !== 'update') throw new Error('shape');
    expect(validateHello(hello.lines, { localName: 'hap1', knownPeers: ['hap1', 'sim1'] })).toMatchObject({
      result: 'accepted',
      callerName: 'sim1',
      minorVersion: 1,
    });
    const match = matchDefinition(define.def, SPEC_ST);
    if (match.result !== 'accepted') throw new Error(match.reason);
    expect(decodeUpdateBody(update, match.layout)).toEqual({
      updateId: 7,
      expireMs: 25000,
      key: 0xc0a80001,
      values: [5, 2, { ageMs: 1234, curr: 7, prev: 3 }],
    });
  });

  it('sim1 (initiator) reads hap1 side', () => {
    const msgs = new MessageDecoder({ expect: 'status' }).feedAll(fromHex(HAP1_TO_SIM1));
    expect(msgs).toEqual([
      { kind: 'status', code: 200 },
      { kind: 'control', control: 'resyncRequest' },
      { kind: 'ack', tableId: 1, updateId: 7 },
      { kind: 'control', control: 'resyncConfirm' },
    ]);
  });
});
