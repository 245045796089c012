/**
 * Byte-exactness against real HAProxy 2.6.12 bytes: lab/capture-peers.txt (experiment 8, decoded
 * by the lab's independent peers_decode.py). Every stream of the capture must decode; the
 * decoded fields must agree with the capture's own annotations; and the codec must encode the
 * same logical messages to the same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { fromHex, hex, LAB_ST } from './table-specs.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const CAPTURE = path.resolve(repoRoot, '../shared/lab/capture-peers.txt');

interface Element {
  stream: string;
  direction: 'initiator->acceptor' | 'acceptor->initiator';
  hex: string;
  note: string;
}

function loadCapture(): Element[] {
  if (!existsSync(CAPTURE)) {
    throw new Error(`lab capture missing: ${CAPTURE} (expected /work/shared/lab/capture-peers.txt from experiment 8)`);
  }
  const lines = readFileSync(CAPTURE, 'utf8').split('\n');
  const out: Element[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^\+\s+[\d.]+s conn (\S+) -> \S+ \[(initiator->acceptor|acceptor->initiator)\]$/.exec(lines[i]!);
    if (head === null) continue;
    const hexLine = /^\s+hex: ([0-9a-f ]+)$/.exec(lines[i + 1] ?? '');
    if (hexLine === null) continue; // TCP flags only
    const note = /^\s+=> (.*)$/.exec(lines[i + 2] ?? '')?.[1] ?? '';
    out.push({ stream: head[1]!, direction: head[2] as Element['direction'], hex: hexLine[1]!.trim(), note });
  }
  return out;
}

const elements = loadCapture();
const streams = new Map<string, Element[]>();
for (const e of elements) {
  const key = `${e.stream} ${e.direction}`;
  const list = streams.get(key) ?? [];
  list.push(e);
  streams.set(key, list);
}

/** Decodes one stream's bytes; hello lines are one capture element each but one message. */
function decodeStream(list: Element[]): PeerMessage[] {
  const expect0 = list[0]!.direction === 'initiator->acceptor' ? 'hello' : 'status';
  const decoder = new MessageDecoder({ expect: expect0 });
  const out: PeerMessage[] = [];
  for (const e of list) for (const m of decoder.feed(fromHex(e.hex))) out.push(m);
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

const num = (note: string, name: string): number => {
  const m = new RegExp(`${name}=(\\d+)`).exec(note);
  if (m === null) throw new Error(`no ${name} in '${note}'`);
  return Number(m[1]);
};

describe('lab capture (RESULTS.md experiment 8)', () => {
  it('has the expected shape', () => {
    expect(elements.length).toBeGreaterThan(50);
    expect(streams.size).toBeGreaterThanOrEqual(8);
  });

  it('every stream decodes without error and agrees with the annotations', () => {
    let updates = 0;
    let acks = 0;
    for (const [name, list] of streams) {
      const msgs = decodeStream(list);
      const notes = list.filter((e) => !e.note.startsWith('HELLO line') || e.note.includes("'HAProxyS"));
      expect(msgs.length, name).toBe(notes.length);
      let layout: UpdateLayout | undefined;
      msgs.forEach((msg, i) => {
        const note = notes[i]!.note;
        switch (msg.kind) {
          case 'hello':
            expect(note).toContain('HELLO line');
            break;
          case 'status':
            expect(note).toContain(`'${msg.code}\\n'`);
            break;
          case 'control':
            expect(note).toBe(
              `CONTROL ${{ resyncRequest: 'RESYNCREQ', resyncFinished: 'RESYNCFINISHED', resyncPartial: 'RESYNCPARTIAL', resyncConfirm: 'RESYNCCONFIRM', heartbeat: 'HEARTBEAT' }[msg.control]}`,
            );
            break;
          case 'define': {
            expect(note).toContain('DEFINE');
            expect(msg.def.tableId).toBe(num(note, 'table_id'));
            expect(msg.def.wireName).toBe(/name='([^']*)'/.exec(note)?.[1]);
            expect(msg.def.keySizeBytes).toBe(num(note, 'key_size'));
            expect(msg.def.dataTypes).toBe(BigInt(/data=(0x[0-9a-f]+)/.exec(note)?.[1] ?? 'x'));
            expect(msg.def.expireMs).toBe(num(note, 'expire'));
            const match = matchDefinition(msg.def, LAB_ST);
            expect(match.result).toBe('accepted');
            layout = match.result === 'accepted' ? match.layout : undefined;
            break;
          }
          case 'update': {
            updates++;
            expect(layout, 'an update follows a DEFINE').toBeDefined();
            const u = decodeUpdateBody(msg, layout!);
            if (note.includes('update_id=previous+1')) expect(u.updateId).toBeUndefined();
            else expect(u.updateId).toBe(num(note, 'update_id'));
            if (msg.timed) expect(u.expireMs).toBe(num(note, 'expire_in'));
            else expect(u.expireMs).toBeUndefined();
            expect(u.key).toBe(parseIpv4Strict(/key=([\d.]+)/.exec(note)?.[1] ?? ''));
            expect(u.values).toEqual([
              num(note, 'gpc0'),
              num(note, 'conn_cnt'),
              num(note, 'http_req_cnt'),
              { ageMs: num(note, 'curr_tick_age'), curr: num(note, 'curr_ctr'), prev: num(note, 'prev_ctr') },
            ]);
            break;
          }
          case 'ack':
            acks++;
            expect(note).toContain('ACK');
            expect(msg.tableId).toBe(num(note, 'table_id'));
            expect(msg.updateId).toBe(num(note, 'update_id'));
            break;
          default:
            throw new Error(`unexpected ${msg.kind} in ${name}`);
        }
      });
    }
    expect(updates).toBe(7);
    expect(acks).toBe(5);
  });

  it('re-encodes every decoded message to the captured bytes', () => {
    for (const list of streams.values()) {
      const captured = list.map((e) => e.hex).join(' ');
      const encoded = decodeStream(list).map((m) => hex(encodeMessage(m as Parameters<typeof encodeMessage>[0])));
      expect(encoded.join(' ')).toBe(captured);
    }
  });

  it('encodes the hello from its logical fields', () => {
    const lines = helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'hap2', pid: 19696 });
    const captured = elements.filter((e) => e.stream === '127.0.0.1:38698' && e.note.startsWith('HELLO')).map((e) => e.hex);
    expect(hex(encodeMessage({ kind: 'hello', lines }))).toBe(captured.join(' '));
    expect(hex(encodeMessage({ kind: 'status', code: 200 }))).toBe('32 30 30 0a');
  });

  it('encodes the table definition from the TableSpec (local id 1)', () => {
    const captured = elements.find((e) => e.note.startsWith('STKT DEFINE'))!.hex;
    expect(hex(encodeMessage({ kind: 'define', def: definitionFromSpec(LAB_ST, 1) }))).toBe(captured);
  });

  it('encodes updates of every variant from their logical fields', () => {
    const layout = layoutFromSpec(LAB_ST);
    const rate = (ageMs: number, curr: number, prev: number): { ageMs: number; curr: number; prev: number } => ({ ageMs, curr, prev });
    const ip = (d: number): number => (127 << 24) + d;
    const cases: [string, Parameters<typeof encodeUpdateMessage>[0]][] = [
      ['update_id=1 key=127.0.0.50', { updateId: 1, expireMs: undefined, key: ip(50), values: [5, 0, 0, rate(4259437447, 0, 0)] }],
      ['update_id=5 key=127.0.0.51', { updateId: 5, expireMs: undefined, key: ip(51), values: [0, 2, 2, rate(10, 2, 0)] }],
      ['update_id=3 key=127.0.0.52 gpc0=300', { updateId: 3, expireMs: undefined, key: ip(52), values: [300, 0, 1000, rate(4259438499, 0, 0)] }],
      ['update_id=2147483649 expire_in=51389ms', { updateId: 2 ** 31 + 1, expireMs: 51389, key: ip(50), values: [5, 0, 0, rate(4259446058, 0, 0)] }],
      ['INCUPDATE_TIMED', { updateId: undefined, expireMs: 51931, key: ip(51), values: [0, 2, 2, rate(8080, 2, 0)] }],
    ];
    for (const [needle, update] of cases) {
      const captured = elements.find((e) => e.note.includes(needle))!.hex;
      expect(hex(encodeUpdateMessage(update, layout)), needle).toBe(captured);
    }
  });

  it('encodes ACKs from their logical fields', () => {
    expect(hex(encodeMessage({ kind: 'ack', tableId: 1, updateId: 1 }))).toBe(
      elements.find((e) => e.note.includes('ACK len=5: ack table_id=1 update_id=1'))!.hex,
    );
    expect(hex(encodeMessage({ kind: 'ack', tableId: 1, updateId: 0x80000002 }))).toBe(
      elements.find((e) => e.note.includes('update_id=2147483650'))!.hex,
    );
  });
});
