import { describe, expect, it } from 'vitest';
import { BindError, SYN_RETRY_DELAYS_MS_LINUX } from '../../../sim/network.ts';
import type { FilterMessage, Framer } from '../../../sim/message-filter.ts';
import { bytes, connected, makeWorld, record, serve } from './world.ts';

const SYN_TIMEOUT_MS = SYN_RETRY_DELAYS_MS_LINUX.reduce((a, b) => a + b, 0);

function kinds(world: ReturnType<typeof makeWorld>): string[] {
  return world.sink.entries.map((e) => e.kind);
}


describe('connect, latency and ordering', () => {
  it('handshake takes one round trip for the client and 1.5 for the server; data follows the latency', () => {
    const world = makeWorld();
    const { accepted } = serve(world);
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    client.stream.write(bytes('hello'));
    world.kernel.runFor(29);
    expect(accepted).toHaveLength(0);
    world.kernel.runFor(1);
    expect(accepted).toHaveLength(1);
    const server = accepted[0]!;
    expect(server.chunks).toEqual([{ t: 30, text: 'hello' }]);
    expect(server.stream.remoteAddress).toBe('10.0.0.1');
    expect(server.stream.remotePort).toBe(client.stream.localPort);
    expect(server.stream.localAddress).toBe('10.0.0.2');
    expect(client.stream.remoteAddress).toBe('10.0.0.2');
    expect(client.stream.localPort).toBeGreaterThanOrEqual(32768);
    server.stream.write(bytes('hi'));
    world.kernel.run();
    expect(client.chunks).toEqual([{ t: 40, text: 'hi' }]);
    expect(kinds(world)).toEqual(expect.arrayContaining(['net.listen', 'net.connect', 'net.connected', 'net.accept', 'net.deliver']));
  });

  it('per-link latency overrides the default', () => {
    const world = makeWorld();
    world.network.setLink({ between: ['hap1', 'hap2'], latencyMs: 50 });
    const { client, server } = (() => {
      const { accepted } = serve(world);
      const c = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
      world.kernel.runFor(150);
      return { client: c, server: accepted[0]! };
    })();
    expect(server).toBeDefined();
    const sentAt = world.kernel.nowMs();
    client.stream.write(bytes('x'));
    world.kernel.run();
    expect(server.chunks[0]?.t).toBe(sentAt + 50);
  });

  it('keeps bytes in order under random latency, and arrival times vary', () => {
    const world = makeWorld({ link: { latencyMs: { kind: 'uniform', minMs: 1, maxMs: 200 } } });
    const { client, server } = (() => {
      const { accepted } = serve(world);
      const c = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
      world.kernel.runFor(1000);
      return { client: c, server: accepted[0]! };
    })();
    const sent: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const chunk = `m${i};`;
      sent.push(chunk);
      client.stream.write(bytes(chunk));
      world.kernel.runFor(i % 3);
    }
    world.kernel.run();
    expect(server.text()).toBe(sent.join(''));
    const times = server.chunks.map((c) => c.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const gaps = new Set(times.slice(1).map((t, i) => t - (times[i] ?? 0)));
    expect(gaps.size).toBeGreaterThan(3);
  });

  it('bandwidth adds serialization time', () => {
    const world = makeWorld();
    world.network.setLink({ between: ['hap1', 'hap2'], latencyMs: 10, bandwidthBytesPerS: 1000 });
    const { client, server } = connected(world);
    const sentAt = world.kernel.nowMs();
    client.stream.write(new Uint8Array(500));
    client.stream.write(new Uint8Array(250));
    world.kernel.run();
    expect(server.chunks.map((c) => c.t - sentAt)).toEqual([510, 760]);
  });

  it('splits large writes into segments of segmentBytesMax', () => {
    const world = makeWorld({ link: { latencyMs: 10, segmentBytesMax: 4 } });
    const { client, server } = connected(world);
    client.stream.write(bytes('abcdefghij'));
    world.kernel.run();
    expect(server.chunks.map((c) => c.text)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('a send buffer: room shrinks with bytes written, grows as they are delivered, and a waiter is called once', () => {
    const world = makeWorld();
    world.network.setLink({ between: ['hap1', 'hap2'], latencyMs: 10, bandwidthBytesPerS: 1_000_000, sendBufferBytes: 40_000 });
    const { client, server } = connected(world);
    const stream = client.stream;
    expect(stream.roomBytes?.()).toBe(40_000);
    stream.write(new Uint8Array(30_000));
    stream.write(new Uint8Array(10_000));
    expect(stream.roomBytes?.()).toBe(0);
    expect(world.network.connections()[0]!.upBytesQueued).toBe(40_000);
    const calls: number[] = [];
    stream.awaitRoom?.(() => calls.push(world.kernel.nowMs()));
    const sentAt = world.kernel.nowMs();
    world.kernel.run();
    // 30,000 bytes at 1 MB/s take 30 ms to send, then 10 ms of latency: the waiter runs at that delivery.
    expect(calls).toEqual([sentAt + 40]);
    expect(stream.roomBytes?.()).toBe(40_000);
    expect(server.chunks.length).toBe(2);
  });

  it('refuses a send buffer smaller than two of the largest messages', () => {
    const world = makeWorld();
    expect(() => world.network.setLink({ between: ['hap1', 'hap2'], sendBufferBytes: 1024 })).toThrow(/sendBufferBytes/);
  });
});

describe('failures: refused, timeout, reset, close', () => {
  it("nothing listening: 'refused' after one round trip", () => {
    const world = makeWorld();
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 9 }));
    world.kernel.run();
    expect(client.closes).toEqual([{ t: 20, reason: 'refused' }]);
    expect(kinds(world)).toContain('net.refused');
  });

  it("an address nobody owns: 'timeout' after the SYN retries (127 s, Linux)", () => {
    const world = makeWorld();
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.9.9.9', port: 80 }));
    world.kernel.run();
    expect(client.closes).toEqual([{ t: SYN_TIMEOUT_MS, reason: 'timeout' }]);
    expect(SYN_TIMEOUT_MS).toBe(127_000);
  });

  it("reset: both ends see 'reset' and queued bytes are dropped", () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    client.stream.write(bytes('lost'));
    const id = world.network.connections()[0]!.id;
    world.network.reset(id);
    world.kernel.run();
    expect(client.closes.map((c) => c.reason)).toEqual(['reset']);
    expect(server.closes.map((c) => c.reason)).toEqual(['reset']);
    expect(server.text()).toBe('');
    expect(world.network.connections()).toEqual([]);
    expect(kinds(world)).toContain('net.reset');
  });

  it("close delivers pending bytes then both ends see 'closed'", () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    const t0 = world.kernel.nowMs();
    client.stream.write(bytes('last words'));
    client.stream.close();
    client.stream.write(bytes('ignored'));
    world.kernel.run();
    expect(server.text()).toBe('last words');
    expect(server.closes).toEqual([{ t: t0 + 10, reason: 'closed' }]);
    expect(client.closes).toEqual([{ t: t0 + 20, reason: 'closed' }]);
    expect(world.network.connections()).toEqual([]);
    expect(kinds(world)).toContain('net.write-after-close');
  });

  it('a listener closed between SYN and ACK makes the client see a reset', () => {
    const world = makeWorld();
    const { listener, accepted } = serve(world);
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    world.kernel.runFor(15);
    listener.close();
    world.kernel.run();
    expect(accepted).toHaveLength(0);
    expect(client.closes.map((c) => c.reason)).toEqual(['reset']);
  });
});

describe('partitions', () => {
  it('two-way: bytes stall (in flight too), the connection stays open, heal delivers them in order', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    client.stream.write(bytes('a'));
    world.kernel.runFor(5); // 'a' in flight
    const id = world.network.partition({ sides: [['hap1'], ['hap2', 'hap3']] });
    client.stream.write(bytes('b'));
    server.stream.write(bytes('B'));
    world.kernel.runFor(600_000);
    expect(server.text()).toBe('');
    expect(client.text()).toBe('');
    expect(client.closes).toEqual([]);
    expect(server.closes).toEqual([]);
    const healedAt = world.kernel.nowMs();
    world.network.heal(id);
    world.kernel.run();
    expect(server.text()).toBe('ab');
    expect(client.text()).toBe('B');
    expect(server.chunks[0]?.t).toBe(healedAt + 10);
    expect(kinds(world)).toEqual(expect.arrayContaining(['net.partition', 'net.stall', 'net.heal', 'net.resume']));
  });

  it("one-way hap1->hap2: hap1's bytes stall while hap2's bytes reach hap1", () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.partitionOneWay({ from: ['hap1'], to: ['hap2'] });
    client.stream.write(bytes('up'));
    server.stream.write(bytes('down'));
    world.kernel.runFor(10_000);
    expect(client.text()).toBe('down');
    expect(server.text()).toBe('');
    world.network.heal();
    world.kernel.run();
    expect(server.text()).toBe('up');
  });

  it("connecting across a partition retransmits SYNs and times out; across a one-way partition either way too", () => {
    for (const cut of ['two-way', 'forward', 'backward'] as const) {
      const world = makeWorld();
      serve(world);
      if (cut === 'two-way') world.network.partition({ sides: [['hap1'], ['hap2']] });
      if (cut === 'forward') world.network.partitionOneWay({ from: ['hap1'], to: ['hap2'] });
      if (cut === 'backward') world.network.partitionOneWay({ from: ['hap2'], to: ['hap1'] });
      const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
      world.kernel.run();
      expect(client.closes).toEqual([{ t: 127_000, reason: 'timeout' }]);
      expect(kinds(world).filter((k) => k === 'net.syn-lost')).toHaveLength(SYN_RETRY_DELAYS_MS_LINUX.length);
    }
  });

  it('a heal during SYN retries connects at the next retransmission', () => {
    const world = makeWorld();
    const { accepted } = serve(world);
    world.network.partition({ sides: [['hap1'], ['hap2']] });
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    world.kernel.runFor(5000);
    world.network.heal();
    world.kernel.run();
    expect(client.closes).toEqual([]);
    expect(accepted).toHaveLength(1);
    expect(world.sink.entries.find((e) => e.kind === 'net.connected')?.t).toBe(7000 + 20);
  });

  it('a partition between other hosts does not touch this link', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.partition({ sides: [['hap1'], ['hap3']] });
    client.stream.write(bytes('ok'));
    world.kernel.run();
    expect(server.text()).toBe('ok');
  });
});

describe('link hold (clog)', () => {
  it('queues bytes and delivers them in order on release; the other direction passes', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    const id = world.network.holdLink({ from: ['hap1'], to: ['hap2'] });
    for (const part of ['1', '2', '3']) {
      client.stream.write(bytes(part));
      world.kernel.runFor(3);
    }
    server.stream.write(bytes('back'));
    world.kernel.runFor(1000);
    expect(server.text()).toBe('');
    expect(client.text()).toBe('back');
    const releasedAt = world.kernel.nowMs();
    world.network.releaseLink(id);
    world.kernel.run();
    expect(server.chunks.map((c) => c.text)).toEqual(['1', '2', '3']);
    expect(server.chunks.every((c) => c.t === releasedAt + 10)).toBe(true);
    expect(kinds(world)).toEqual(expect.arrayContaining(['net.link-hold', 'net.link-release']));
  });
});

describe('NAT', () => {
  it('source NAT: the server sees the NAT address; the client keeps its own', () => {
    const world = makeWorld();
    world.network.addSourceNat({ host: 'hap1', asAddress: '192.168.7.7' });
    const { client, server } = connected(world);
    expect(server.stream.remoteAddress).toBe('192.168.7.7');
    expect(client.stream.localAddress).toBe('10.0.0.1');
    expect(world.sink.entries.find((e) => e.kind === 'net.accept')?.details?.['from']).toMatch(/^192\.168\.7\.7:/);
  });

  it('source NAT limited to some destinations leaves the others alone', () => {
    const world = makeWorld();
    world.network.addSourceNat({ host: 'hap1', asAddress: '192.168.7.7', toHosts: ['hap3'] });
    const { server } = connected(world);
    expect(server.stream.remoteAddress).toBe('10.0.0.1');
  });

  it('destination mapping: connecting to X reaches host Y', () => {
    const world = makeWorld();
    world.network.addDestinationNat({ address: '203.0.113.5', port: 80, toHost: 'hap3', toPort: 10000 });
    const accepted = serve(world, 'hap3', '10.0.0.3', 10000).accepted;
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '203.0.113.5', port: 80 }));
    client.stream.write(bytes('via vip'));
    world.kernel.run();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.text()).toBe('via vip');
    expect(accepted[0]!.stream.localAddress).toBe('10.0.0.3');
    expect(accepted[0]!.stream.localPort).toBe(10000);
    expect(client.stream.remoteAddress).toBe('203.0.113.5');
    expect(client.stream.remotePort).toBe(80);
  });

  it('a destination mapping follows partitions of the real host', () => {
    const world = makeWorld();
    world.network.addDestinationNat({ address: '203.0.113.5', toHost: 'hap3' });
    serve(world, 'hap3', '10.0.0.3', 10000);
    world.network.partition({ sides: [['hap1'], ['hap3']] });
    const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '203.0.113.5', port: 10000 }));
    world.kernel.run();
    expect(client.closes.map((c) => c.reason)).toEqual(['timeout']);
  });
});

describe('listen', () => {
  it('binding an address the host does not own fails clearly', () => {
    const world = makeWorld();
    const listen = () => world.network.netFor('hap1').listen({ address: '10.0.0.2', port: 10000 }, () => {});
    expect(listen).toThrow(BindError);
    expect(listen).toThrow(/hap1: cannot listen on 10\.0\.0\.2:10000: the host does not own this address \(EADDRNOTAVAIL\)/);
  });

  it('EADDRINUSE without reusePort; with it (default) the newest listener gets new connections', () => {
    const strict = makeWorld({ reusePort: false });
    serve(strict);
    expect(() => serve(strict)).toThrow(/EADDRINUSE/);

    const world = makeWorld();
    const old = serve(world);
    const fresh = serve(world);
    world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 });
    world.kernel.run();
    expect(old.accepted).toHaveLength(0);
    expect(fresh.accepted).toHaveLength(1);
  });

  it('a wildcard listener accepts on every address of its host', () => {
    const world = makeWorld();
    const { accepted } = serve(world, 'hap2', '0.0.0.0', 10000);
    world.network.netFor('hap1').connect({ address: '10.0.1.2', port: 10000 });
    world.kernel.run();
    expect(accepted[0]?.stream.localAddress).toBe('10.0.1.2');
  });
});

describe('message filter', () => {
  /** Newline-terminated messages. */
  const lineFramer = (): Framer => (pending) => {
    const lengths: number[] = [];
    let start = 0;
    for (let i = 0; i < pending.length; i += 1) {
      if (pending[i] === 0x0a) {
        lengths.push(i + 1 - start);
        start = i + 1;
      }
    }
    return lengths;
  };

  function filtered(decide: (m: FilterMessage) => 'deliver' | 'drop' | 'hold') {
    const world = makeWorld();
    const seen: FilterMessage[] = [];
    world.network.setMessageFilter({
      createFramer: lineFramer,
      decide: (m) => {
        seen.push(m);
        return decide(m);
      },
    });
    return { world, seen, ...connected(world) };
  }

  it('frames messages across writes and drops those the filter drops', () => {
    const verdict = (m: FilterMessage) => (new TextDecoder().decode(m.bytes).startsWith('DROP') ? 'drop' : 'deliver');
    const { world, seen, client, server } = filtered(verdict);
    client.stream.write(bytes('one\nDR'));
    client.stream.write(bytes('OP two\nthree\n'));
    world.kernel.run();
    expect(server.text()).toBe('one\nthree\n');
    expect(seen.map((m) => [m.index, new TextDecoder().decode(m.bytes), m.fromHost, m.toHost])).toEqual([
      [0, 'one\n', 'hap1', 'hap2'],
      [1, 'DROP two\n', 'hap1', 'hap2'],
      [2, 'three\n', 'hap1', 'hap2'],
    ]);
    const drop = world.sink.entries.find((e) => e.kind === 'net.drop');
    expect(drop?.host).toBe('hap1');
  });

  it('a held message stops its direction from there on; earlier bytes arrive; release delivers the rest in order', () => {
    const verdict = (m: FilterMessage) => (new TextDecoder().decode(m.bytes).startsWith('FINISHED') ? 'hold' : 'deliver');
    const { world, client, server } = filtered(verdict);
    client.stream.write(bytes('u1\nFINISHED\nu2\n'));
    server.stream.write(bytes('reply\n'));
    world.kernel.runFor(10_000);
    expect(server.text()).toBe('u1\n');
    expect(client.text()).toBe('reply\n');
    expect(world.network.releaseFiltered()).toBe(1);
    world.kernel.run();
    expect(server.text()).toBe('u1\nFINISHED\nu2\n');
    expect(server.closes).toEqual([]);
    expect(world.sink.entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['net.hold', 'net.release']));
  });

  it('without a framer each write is one message; clearing the filter stops it for new connections', () => {
    const world = makeWorld();
    const seen: string[] = [];
    world.network.setMessageFilter({ decide: (m) => (seen.push(new TextDecoder().decode(m.bytes)), 'deliver') });
    const first = connected(world);
    first.client.stream.write(bytes('ab'));
    first.client.stream.write(bytes('c'));
    world.kernel.run();
    expect(seen).toEqual(['ab', 'c']);
    world.network.setMessageFilter(undefined);
    const second = record(world.kernel, world.network.netFor('hap3').connect({ address: '10.0.0.2', port: 10000 }));
    second.stream.write(bytes('free'));
    world.kernel.run();
    expect(seen).toEqual(['ab', 'c']);
  });
});

describe('determinism', () => {
  it('the same seed and actions give the same event list', () => {
    const run = () => {
      const world = makeWorld({ link: { latencyMs: { kind: 'exponential', baseMs: 1, meanExtraMs: 20, maxMs: 500 } } });
      const { client, server } = connected(world);
      for (let i = 0; i < 50; i += 1) {
        client.stream.write(bytes(`c${i}`));
        server.stream.write(bytes(`s${i}`));
        if (i === 20) world.network.partition({ sides: [['hap1'], ['hap2']] });
        if (i === 30) world.network.heal();
        world.kernel.runFor(7);
      }
      world.kernel.run();
      return JSON.stringify(world.sink.entries, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
    };
    const a = run();
    expect(a).toBe(run());
    expect(a.length).toBeGreaterThan(1000);
  });
});
