/**
 * The reject model (REJECT --reject-with tcp-reset on the peer ports) and link-only heals:
 * connecting across a reject is refused at once; a live connection dies only when an end next
 * sends; the other end stays open until it sends. Negative controls: the same sends under a DROP
 * partition reset nothing, and a reject in the other direction leaves these connections alone.
 */
import { describe, expect, it } from 'vitest';
import { bytes, connected, makeWorld, record, serve } from './world.ts';

describe('reject (REJECT with tcp-reset)', () => {
  it('a live connection is untouched until an end sends; that end is reset at once, the other stays open', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.reject({ from: ['hap1'], to: ['hap2'], bothWays: true });
    world.kernel.run({ untilMs: 1_000 });
    expect(client.closes).toEqual([]);
    expect(server.closes).toEqual([]);
    client.stream.write(bytes('heartbeat'));
    world.kernel.run({ untilMs: 1_001 });
    expect(client.closes).toEqual([{ t: 1_000, reason: 'reset' }]);
    expect(server.closes).toEqual([]);
    expect(server.text()).toBe('');
    world.kernel.run({ untilMs: 2_000 });
    server.stream.write(bytes('late'));
    world.kernel.run({ untilMs: 3_000 });
    expect(server.closes).toEqual([{ t: 2_000, reason: 'reset' }]);
    expect(world.network.connections()).toEqual([]);
  });

  it('connecting across it is refused at once (no round trip), either way', () => {
    const world = makeWorld();
    serve(world);
    serve(world, 'hap1', '10.0.0.1');
    world.network.reject({ from: ['hap1'], to: ['hap2'], bothWays: true });
    const a = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    const b = record(world.kernel, world.network.netFor('hap2').connect({ address: '10.0.0.1', port: 10000 }));
    world.kernel.run({ untilMs: 5_000 });
    expect(a.closes).toEqual([{ t: 0, reason: 'refused' }]);
    expect(b.closes).toEqual([{ t: 0, reason: 'refused' }]);
  });

  it('after a heal, the end that survived learns of the dead one from its RST, one latency after its segment arrives', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.reject({ from: ['hap1'], to: ['hap2'], bothWays: true });
    client.stream.write(bytes('x'));
    world.kernel.run({ untilMs: 100 });
    world.network.unrejectAll();
    const t0 = world.kernel.nowMs();
    server.stream.write(bytes('y'));
    world.kernel.run({ untilMs: 1_000 });
    expect(server.closes).toEqual([{ t: t0 + 20, reason: 'reset' }]);
    expect(world.sink.entries.map((e) => e.kind)).toContain('net.rst');
  });

  it('control: the same sends across a DROP partition reset nothing (the bytes wait)', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.partition({ sides: [['hap1'], ['hap2']] });
    client.stream.write(bytes('heartbeat'));
    server.stream.write(bytes('late'));
    world.kernel.run({ untilMs: 5_000 });
    expect(client.closes).toEqual([]);
    expect(server.closes).toEqual([]);
  });

  it('one way: rejecting the connections hap2 opens to hap1 leaves a connection hap1 opened alone (control)', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    world.network.reject({ from: ['hap2'], to: ['hap1'] });
    client.stream.write(bytes('a'));
    server.stream.write(bytes('b'));
    world.kernel.run({ untilMs: 1_000 });
    expect(client.closes).toEqual([]);
    expect(server.text()).toBe('a');
    expect(client.text()).toBe('b');
  });
});

describe('healLink: one link or one direction', () => {
  it('heals the hap1-hap2 link of a three-way partition and leaves hap3 cut off', () => {
    const world = makeWorld();
    world.network.partition({ sides: [['hap1'], ['hap2'], ['hap3']] });
    expect(world.network.healLink({ from: 'hap1', to: 'hap2' })).toBe(1);
    expect(world.network.isBlocked('hap1', 'hap2')).toBe(false);
    expect(world.network.isBlocked('hap2', 'hap1')).toBe(false);
    expect(world.network.isBlocked('hap1', 'hap3')).toBe(true);
    expect(world.network.isBlocked('hap3', 'hap2')).toBe(true);
  });

  it('one direction of a reject: hap1 may connect to hap2 again, hap2 to hap1 is still refused', () => {
    const world = makeWorld();
    serve(world);
    serve(world, 'hap1', '10.0.0.1');
    world.network.reject({ from: ['hap1'], to: ['hap2'], bothWays: true });
    world.network.healLink({ from: 'hap1', to: 'hap2', oneWay: true });
    const a = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    const b = record(world.kernel, world.network.netFor('hap2').connect({ address: '10.0.0.1', port: 10000 }));
    world.kernel.run({ untilMs: 5_000 });
    expect(a.closes).toEqual([]);
    expect(b.closes).toEqual([{ t: 0, reason: 'refused' }]);
  });

  it('one direction of a partition: packets hap1 -> hap2 flow, hap2 -> hap1 still stall', () => {
    const world = makeWorld();
    world.network.partition({ sides: [['hap1'], ['hap2']] });
    world.network.healLink({ from: 'hap1', to: 'hap2', oneWay: true });
    expect(world.network.isBlocked('hap1', 'hap2')).toBe(false);
    expect(world.network.isBlocked('hap2', 'hap1')).toBe(true);
  });
});

describe('reject with the RST lost (the lab-04 rules on both peer ports)', () => {
  it('resets nothing: bytes stall like a DROP, a SYN is lost and retried, and lifting hap1 -> hap2 lets only those connections through', () => {
    const world = makeWorld();
    const { client, server } = connected(world);
    serve(world, 'hap1', '10.0.0.1');
    world.network.reject({ from: ['hap1'], to: ['hap2'], bothWays: true, rstLost: true });
    client.stream.write(bytes('hb'));
    const b = record(world.kernel, world.network.netFor('hap2').connect({ address: '10.0.0.1', port: 10000 }));
    world.kernel.run({ untilMs: 5_000 });
    expect(client.closes).toEqual([]);
    expect(server.closes).toEqual([]);
    expect(server.text()).toBe('');
    expect(b.closes).toEqual([]);
    expect(world.sink.entries.filter((e) => e.kind === 'net.syn-lost').length).toBeGreaterThan(0);
    world.network.healLink({ from: 'hap1', to: 'hap2', oneWay: true });
    world.kernel.run({ untilMs: 6_000 });
    expect(server.text()).toBe('hb');
    const c = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
    world.kernel.run({ untilMs: 7_000 });
    expect(c.closes).toEqual([]);
    expect(world.network.connections().find((x) => x.clientHost === 'hap2')?.state).toBe('syn');
  });
});
