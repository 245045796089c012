import { describe, expect, it } from 'vitest';
import {
  encodeMessage,
  helloLines,
  MessageDecoder,
  parseStatusCode,
  validateHello,
  type HelloValidation,
} from '../../../engine/peers/messages.ts';
import { ProtocolError } from '../../../engine/errors.ts';

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const OPTS = { localName: 'hap1', knownPeers: ['hap1', 'hap2', 'sim1'] };

function statusOf(v: HelloValidation): number | string {
  return v.result === 'rejected' ? v.statusCode : v.result;
}

describe('hello (spec §4.2.1, §4.14)', () => {
  it('encodes the transcript hello byte for byte', () => {
    const lines = helloLines({ minorVersion: 1, calledName: 'hap1', callerName: 'sim1', pid: 4242 });
    const bytes = encodeMessage({ kind: 'hello', lines });
    expect(Buffer.from(bytes).toString('latin1')).toBe('HAProxyS 2.1\nhap1\nsim1 4242 1\n');
  });

  it('a downgraded hello announces 2.0', () => {
    expect(helloLines({ minorVersion: 0, calledName: 'a', callerName: 'b', pid: 1 })[0]).toBe('HAProxyS 2.0');
  });

  it('decodes three lines, tolerating \\r\\n, then switches to messages', () => {
    const d = new MessageDecoder({ expect: 'hello' });
    const msgs = d.feedAll(latin1('HAProxyS 2.1\r\nhap1\nsim1 4242 1\r\n\x00\x04'));
    expect(msgs).toEqual([
      { kind: 'hello', lines: ['HAProxyS 2.1', 'hap1', 'sim1 4242 1'] },
      { kind: 'control', control: 'heartbeat' },
    ]);
    expect(d.expecting).toBe('messages');
  });

  it('keeps a lone \\r inside a line and only drops one before \\n', () => {
    const d = new MessageDecoder({ expect: 'hello' });
    const [msg] = d.feedAll(latin1('a\rb\nx\r\r\ny\n'));
    expect(msg).toEqual({ kind: 'hello', lines: ['a\rb', 'x\r', 'y'] });
  });

  it('exposes the lines read so far for an early reply', () => {
    const d = new MessageDecoder({ expect: 'hello' });
    expect(d.feedAll(latin1('HAProxyS 3.0\nha'))).toEqual([]);
    expect(d.peekHelloLines()).toEqual(['HAProxyS 3.0']);
    expect(statusOf(validateHello(d.peekHelloLines(), OPTS))).toBe(502);
  });

  it('rejects a line with no newline within 16384 bytes with its offset', () => {
    const d = new MessageDecoder({ expect: 'hello' });
    d.push(latin1('HAProxyS 2.1\n'));
    expect(d.next()).toBeUndefined();
    d.push(new Uint8Array(16383).fill(0x41));
    expect(d.next()).toBeUndefined();
    d.push(Uint8Array.of(0x41));
    const err = (() => {
      try {
        d.next();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).offset).toBe(13);
    expect((err as ProtocolError).messageKind).toBe('hello');
    // The decoder stays failed.
    expect(() => d.next()).toThrow(ProtocolError);
  });

  it('a 16384-byte line including its newline is accepted', () => {
    const d = new MessageDecoder({ expect: 'status' });
    const line = new Uint8Array(16384).fill(0x30);
    line[16383] = 0x0a;
    expect(d.feedAll(line)).toEqual([{ kind: 'status', code: 0 }]);
  });
});

describe('validateHello (spec §4.2.2): HAProxy order', () => {
  const cases: [string, string[], number | string][] = [
    ['valid 2.1', ['HAProxyS 2.1', 'hap1', 'hap2 1 1'], 'accepted'],
    ['valid 2.0 (downgrade)', ['HAProxyS 2.0', 'hap1', 'sim1 99 1'], 'accepted'],
    ['the local peer may call (reload)', ['HAProxyS 2.1', 'hap1', 'hap1 7 1'], 'accepted'],
    ['leading zeros are digits', ['HAProxyS 02.01', 'hap1', 'hap2 1 1'], 'accepted'],
    ['bad prefix', ['HAProxyX 2.1', 'hap1', 'hap2 1 1'], 501],
    ['no space after the name', ['HAProxyS2.1', 'hap1', 'hap2 1 1'], 501],
    ['lower-case prefix', ['haproxys 2.1', 'hap1', 'hap2 1 1'], 501],
    ['minor 2', ['HAProxyS 2.2', 'hap1', 'hap2 1 1'], 502],
    ['major 3', ['HAProxyS 3.0', 'hap1', 'hap2 1 1'], 502],
    ['no minor', ['HAProxyS 2', 'hap1', 'hap2 1 1'], 502],
    ['empty minor', ['HAProxyS 2.', 'hap1', 'hap2 1 1'], 502],
    ['trailing space', ['HAProxyS 2.1 ', 'hap1', 'hap2 1 1'], 502],
    ['leading space', ['HAProxyS  2.1', 'hap1', 'hap2 1 1'], 502],
    ['three parts', ['HAProxyS 2.1.0', 'hap1', 'hap2 1 1'], 502],
    ['major wraps modulo 2^32 like read_uint', ['HAProxyS 4294967298.1', 'hap1', 'hap2 1 1'], 'accepted'],
    ['wrong called name', ['HAProxyS 2.1', 'hap2', 'hap2 1 1'], 503],
    ['called name is case-sensitive', ['HAProxyS 2.1', 'HAP1', 'hap2 1 1'], 503],
    ['no space on line 3', ['HAProxyS 2.1', 'hap1', 'hap2'], 501],
    ['unknown caller', ['HAProxyS 2.1', 'hap1', 'hap9 1 1'], 504],
    ['only the name before the first space is checked', ['HAProxyS 2.1', 'hap1', 'hap2 garbage'], 'accepted'],
    ['version checked before the name', ['HAProxyS 9.9', 'nobody', 'x'], 502],
    ['name checked before line 3', ['HAProxyS 2.1', 'nobody', 'x'], 503],
    ['a NUL ends the line as in C', ['HAProxyS 2.1\0junk', 'hap1\0x', 'hap2 1 1'], 'accepted'],
    ['incomplete after a good first line', ['HAProxyS 2.1'], 'incomplete'],
    ['incomplete after two good lines', ['HAProxyS 2.1', 'hap1'], 'incomplete'],
    ['nothing yet', [], 'incomplete'],
    ['a bad first line answers at once', ['nope'], 501],
  ];
  for (const [name, lines, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      expect(statusOf(validateHello(lines, OPTS))).toBe(expected);
    });
  }

  it('reports the caller name and version when accepted', () => {
    expect(validateHello(['HAProxyS 2.0', 'hap1', 'hap2 19696 1'], OPTS)).toEqual({
      result: 'accepted',
      callerName: 'hap2',
      majorVersion: 2,
      minorVersion: 0,
    });
  });
});

describe('status line (spec §4.2.3–4)', () => {
  it('round-trips every documented status code', () => {
    for (const code of [200, 300, 501, 502, 503, 504]) {
      const bytes = encodeMessage({ kind: 'status', code });
      expect(Buffer.from(bytes).toString('latin1')).toBe(`${code}\n`);
      const d = new MessageDecoder({ expect: 'status' });
      expect(d.feedAll(bytes)).toEqual([{ kind: 'status', code }]);
      expect(d.expecting).toBe('messages');
    }
  });

  it('reads the code with atoi semantics', () => {
    expect(parseStatusCode('200')).toBe(200);
    expect(parseStatusCode('  200 OK')).toBe(200);
    expect(parseStatusCode('+42')).toBe(42);
    expect(parseStatusCode('-7x')).toBe(-7);
    expect(parseStatusCode('abc')).toBe(0);
    expect(parseStatusCode('')).toBe(0);
    expect(parseStatusCode('-0')).toBe(0);
    expect(parseStatusCode('4294967496')).toBe(200); // low 32 bits of the long
    expect(parseStatusCode('99999999999999999999')).toBe(-1); // LONG_MAX, low 32 bits
  });

  it('messages may follow the status in the same segment', () => {
    const d = new MessageDecoder({ expect: 'status' });
    expect(d.feedAll(latin1('200\n\x00\x00'))).toEqual([
      { kind: 'status', code: 200 },
      { kind: 'control', control: 'resyncRequest' },
    ]);
  });
});
