import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/kernel.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { parseIpv4Strict } from '../../../engine/table/keys.ts';
import { addressesFromCidr, Traffic, type ClientClassSpec, type TrafficEvent } from '../../../sim/traffic.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 30) };

function run(root: string, classes: ClientClassSpec[], durationMs: number, options: { queueLengthMax?: number; arrivalsPerTickMax?: number } = {}) {
  const kernel = new Kernel();
  const events: TrafficEvent[] = [];
  const traffic = new Traffic({
    kernel,
    random: new Seeds(root).stream('traffic'),
    classes,
    send: (e) => {
      events.push(e);
      return { action: e.clientClass === 'attacker' && events.filter((x) => x.clientClass === 'attacker').length > 37 ? 'denied' : 'allowed' };
    },
    ...options,
  });
  traffic.start();
  kernel.run({ untilMs: durationMs - 1 }); // the window [0, durationMs)
  traffic.stop();
  return { events, traffic, kernel };
}

const legit: ClientClassSpec = {
  name: 'legit',
  addresses: { cidr: '10.1.0.0/16', count: 500 },
  arrival: { kind: 'poisson', ratePerSec: 50 },
  targetHost: 'shop.example',
};

describe('traffic', () => {
  it('addressesFromCidr gives consecutive host addresses inside the block and refuses what does not fit', () => {
    expect(addressesFromCidr('192.0.2.0/24', 3)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(addressesFromCidr('192.0.2.77/24', 1)).toEqual(['192.0.2.1']);
    expect(() => addressesFromCidr('192.0.2.0/30', 4)).toThrow(/do not fit/);
    expect(() => addressesFromCidr('nope', 1)).toThrow(/not an IPv4 CIDR/);
  });

  it('every event carries its IPv4 address as the number it parses to (none for IPv6)', () => {
    const listed: ClientClassSpec = { name: 'listed', addresses: { list: ['203.0.113.66', '2001:db8::1'] }, arrival: { kind: 'constant', ratePerSec: 100 }, targetHost: 'h' };
    const { events } = run('numbers', [legit, listed], 2_000);
    expect(events.length).toBeGreaterThan(200);
    for (const e of events) expect(e.srcIpv4).toBe(parseIpv4Strict(e.srcAddress));
    expect(events.filter((e) => e.srcIpv4 === undefined).map((e) => e.srcAddress)).toContain('2001:db8::1');
    expect(events.filter((e) => e.clientClass === 'legit').every((e) => e.srcIpv4 !== undefined)).toBe(true);
  });

  it('the same seed gives the same arrival sequence; another seed another one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (root) => {
        const a = run(root, [legit], 5_000).events;
        const b = run(root, [legit], 5_000).events;
        expect(b).toEqual(a);
        expect(a.length).toBeGreaterThan(0);
        expect(run(`${root}x`, [legit], 5_000).events).not.toEqual(a);
      }),
      FC,
    );
  });

  it('adding a class does not change another class’s arrivals', () => {
    const alone = run('seed-1', [legit], 10_000).events;
    const attacker: ClientClassSpec = { name: 'attacker', addresses: { list: ['203.0.113.66'] }, arrival: { kind: 'constant', ratePerSec: 200 }, targetHost: 'shop.example' };
    const both = run('seed-1', [legit, attacker], 10_000).events.filter((e) => e.clientClass === 'legit');
    expect(both).toEqual(alone);
  });

  it('rates hold over a long run: constant exact, Poisson within 3 %, bursts only in on phases', () => {
    const constant: ClientClassSpec = { name: 'c', addresses: { list: ['192.0.2.1'] }, arrival: { kind: 'constant', ratePerSec: 40 }, targetHost: 'h' };
    const burst: ClientClassSpec = {
      name: 'b',
      addresses: { cidr: '198.51.100.0/24', count: 10 },
      arrival: { kind: 'burst', ratePerSec: 100, onMs: 1_000, offMs: 4_000 },
      targetHost: 'h',
    };
    const { events, traffic } = run('rates', [legit, constant, burst], 600_000);
    const count = (name: string): number => events.filter((e) => e.clientClass === name).length;
    expect(count('c')).toBe(40 * 600);
    expect(Math.abs(count('legit') - 50 * 600) / (50 * 600)).toBeLessThan(0.03);
    // 120 on phases of 1 s at 100/s → 12000 expected
    expect(Math.abs(count('b') - 12_000) / 12_000).toBeLessThan(0.05);
    expect(events.filter((e) => e.clientClass === 'b').every((e) => e.atMs % 5_000 < 1_000)).toBe(true);
    // addresses come from the population, and most of it is used
    const used = new Set(events.filter((e) => e.clientClass === 'legit').map((e) => e.srcAddress));
    expect(used.size).toBeGreaterThan(450);
    expect([...used].every((a) => a.startsWith('10.1.'))).toBe(true);
    expect(traffic.stats('legit').sent).toBe(count('legit'));
  });

  it('counts per class what the send callback answered', () => {
    const attacker: ClientClassSpec = { name: 'attacker', addresses: { list: ['203.0.113.66'] }, arrival: { kind: 'constant', ratePerSec: 100 }, targetHost: 'h' };
    const { traffic } = run('count', [attacker], 1_000);
    expect(traffic.stats('attacker')).toEqual({ sent: 100, allowed: 37, denied: 63, rejected: 0, returned: 0, dropped: 0 });
  });

  it('queues stay bounded: arrivals beyond the queue are dropped and counted, the kernel never holds more than one event per class', () => {
    const flood: ClientClassSpec = { name: 'flood', addresses: { list: ['203.0.113.1'] }, arrival: { kind: 'constant', ratePerSec: 100_000 }, targetHost: 'h' };
    const kernel = new Kernel();
    let maxKernelQueue = 0;
    const traffic = new Traffic({
      kernel,
      random: new Seeds('q').stream('traffic'),
      classes: [flood, legit],
      queueLengthMax: 8,
      arrivalsPerTickMax: 20,
      send: () => {
        maxKernelQueue = Math.max(maxKernelQueue, kernel.queueLength());
        return { action: 'allowed' };
      },
    });
    traffic.start();
    kernel.run({ untilMs: 99 });
    const s = traffic.stats('flood');
    expect(traffic.queueLengthHigh).toBeLessThanOrEqual(8);
    expect(s.sent + s.dropped).toBe(100 * 100);
    expect(s.dropped).toBeGreaterThan(0);
    expect(maxKernelQueue).toBeLessThanOrEqual(2);
  });

  it('stopMs ends a class; startMs delays it', () => {
    const late: ClientClassSpec = { ...legit, name: 'late', startMs: 2_000, stopMs: 3_000, arrival: { kind: 'constant', ratePerSec: 10 } };
    const { events } = run('window', [late], 10_000);
    expect(events.map((e) => e.atMs)).toEqual([2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900]);
  });
});
