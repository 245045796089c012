import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Seeds, deriveSeed } from '../../../sim/seeds.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };

function draw(seeds: Seeds, name: string, count: number): number[] {
  const stream = seeds.stream(name);
  return Array.from({ length: count }, () => stream.nextInt(1_000_000));
}

describe('Seeds', () => {
  it('the same root seed derives the same streams', () => {
    const root = 'a58cdff087e84fd2aa0011';
    expect(draw(new Seeds(root), 'network', 50)).toEqual(draw(new Seeds(root), 'network', 50));
    expect(new Seeds(42).list()).toEqual([]);
  });

  it('different names give different streams; different roots give different streams', () => {
    const seeds = new Seeds('root');
    expect(draw(seeds, 'network', 20)).not.toEqual(draw(seeds, 'traffic', 20));
    expect(draw(new Seeds('root'), 'host:hap1', 20)).not.toEqual(draw(new Seeds('root2'), 'host:hap1', 20));
    expect(deriveSeed('root', 'a')).not.toBe(deriveSeed('root', 'b'));
  });

  it('a stream does not depend on which other streams were derived first', () => {
    const a = new Seeds(7);
    draw(a, 'traffic', 5);
    const b = new Seeds(7);
    expect(draw(a, 'network', 10)).toEqual(draw(b, 'network', 10));
  });

  it('lists every derived stream with its seed, sorted by name; the listed seed reproduces the stream', () => {
    const seeds = new Seeds('commit-abc');
    seeds.stream('traffic');
    seeds.stream('host:hap2');
    seeds.stream('network');
    seeds.stream('traffic');
    const listed = seeds.list();
    expect(listed.map((s) => s.name)).toEqual(['host:hap2', 'network', 'traffic']);
    for (const info of listed) {
      expect(info.seed).toMatch(/^[0-9a-f]{16}$/);
      expect(info.seed).toBe(deriveSeed('commit-abc', info.name));
    }
    const fresh = new Seeds('commit-abc').fresh('network');
    expect(fresh.seed).toBe(listed[1]?.seed);
  });

  it('nextInt stays within [0, bound) and hits every value of a small bound', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 2 ** 32 }), (root, bound) => {
        const stream = new Seeds(root).stream('x');
        for (let i = 0; i < 20; i += 1) {
          const value = stream.nextInt(bound);
          expect(Number.isInteger(value) && value >= 0 && value < bound).toBe(true);
        }
      }),
      { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) },
    );
    const stream = new Seeds('cover').stream('x');
    const seen = new Set<number>();
    for (let i = 0; i < 200; i += 1) seen.add(stream.nextInt(5));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => stream.nextInt(0)).toThrow(/bound/);
    expect(() => stream.nextInt(2.5)).toThrow(/bound/);
  });

  it('nextInt is roughly uniform (chi-square on 6 bins)', () => {
    const stream = new Seeds(FC.seed).stream('uniformity');
    const bins = [0, 0, 0, 0, 0, 0];
    const draws = 60_000;
    for (let i = 0; i < draws; i += 1) {
      const bin = stream.nextInt(6);
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    const expected = draws / 6;
    const chi = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(20.5); // p = 0.001 at 5 degrees of freedom
  });
});
