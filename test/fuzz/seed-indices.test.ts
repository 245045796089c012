/** The fuzzer's seed indices (firstIndex + k × indexStride, for shards and --seed-offset) and its caller-owned stop. */
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../scenarios/fuzz/fuzzer.ts';

describe('fuzz seed indices', () => {
  it('runs firstIndex, firstIndex + stride, … and says which', async () => {
    const result = await fuzz({ runs: 3, rootSeed: '5', workers: 1, firstIndex: 10, indexStride: 3 });
    expect(result.indices).toEqual([10, 13, 16]);
    expect(result.runsDone).toBe(3);
    expect(result.stoppedEarly).toBe(false);
  }, 60_000);

  it('stops handing out runs once shouldStop says so, and says it stopped early', async () => {
    let asked = 0;
    const result = await fuzz({ runs: 100, rootSeed: '5', workers: 1, shouldStop: () => ++asked > 2 });
    expect(result.indices).toEqual([0, 1]);
    expect(result.stoppedEarly).toBe(true);
  }, 60_000);

  it('the same in worker processes: chunks stop, every started run finishes', async () => {
    let asked = 0;
    const result = await fuzz({ runs: 100, rootSeed: '5', workers: 2, firstIndex: 1, indexStride: 2, shouldStop: () => ++asked > 1 });
    expect(result.stoppedEarly).toBe(true);
    expect(result.indices.length).toBeGreaterThan(0);
    expect(result.indices.length).toBeLessThan(100);
    expect(result.indices.every((index) => index % 2 === 1)).toBe(true);
    expect(result.indices).toEqual(Array.from({ length: result.indices.length }, (_, k) => 1 + 2 * k));
  }, 120_000);
});
