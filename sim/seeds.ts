/**
 * Seeds: one root seed (a number or any string, e.g. a commit hash) from which a named
 * pseudo-random stream is derived per subsystem (`network`, `traffic`, `host:hap1`, ...).
 * A stream's seed depends only on the root seed and its name, never on the order in which
 * streams are asked for, so adding a subsystem does not disturb the others.
 */
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { assert, fail } from '../lib/assert.ts';
import type { Random } from '../engine/env.ts';

const UINT32_RANGE = 0x1_0000_0000;
const REJECTION_TRIES_MAX = 64;

/** The seed of stream `name` under `root`: 16 hex digits of SHA-256 (hashing, not randomness). */
export function deriveSeed(root: string | number, name: string): string {
  assert(name.length > 0, 'a stream has a name');
  const text = `sticksim\u0000${String(root)}\u0000${name}`;
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** A deterministic random stream; implements the engine's `Random`. */
export class SeededRandom implements Random {
  private readonly prng: seedrandom.PRNG;
  private drawsCount = 0;

  constructor(
    readonly name: string,
    readonly seed: string,
  ) {
    this.prng = seedrandom(seed);
  }

  /** Number of values drawn so far (useful when diagnosing divergent runs). */
  draws(): number {
    return this.drawsCount;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.drawsCount += 1;
    return this.prng.int32() >>> 0;
  }

  /** Uniform integer in [0, boundExclusive), exact (rejection sampling, no modulo bias). */
  nextInt(boundExclusive: number): number {
    // The message is built only when the bound is wrong (every traffic arrival draws here).
    if (!Number.isSafeInteger(boundExclusive) || boundExclusive < 1 || boundExclusive > UINT32_RANGE) {
      fail(`nextInt bound is an integer in [1, 2^32] (got ${boundExclusive})`);
    }
    const limit = UINT32_RANGE - (UINT32_RANGE % boundExclusive);
    for (let tries = 0; tries < REJECTION_TRIES_MAX; tries += 1) {
      const value = this.nextUint32();
      if (value < limit) return value % boundExclusive;
    }
    // Each try fails with probability < 1/2: 64 failures in a row is a broken generator.
    fail(`nextInt(${boundExclusive}) found no value in ${REJECTION_TRIES_MAX} tries`);
  }

  /** Uniform integer in [min, max] (both inclusive). */
  nextIntBetween(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) fail(`nextIntBetween(${min}, ${max})`);
    return min + this.nextInt(max - min + 1);
  }

  /** Uniform float in [0, 1) with 53 bits of precision. */
  nextFloat(): number {
    this.drawsCount += 1;
    return this.prng.double();
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    if (Number.isNaN(p) || p < 0 || p > 1) fail(`chance probability in [0, 1] (got ${p})`);
    return this.nextFloat() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from a non-empty array');
    return items[this.nextInt(items.length)] as T;
  }
}

export interface DerivedStream {
  name: string;
  seed: string;
}

/** The root of all randomness in one run. */
export class Seeds {
  private readonly streams = new Map<string, SeededRandom>();

  constructor(readonly root: string | number) {
    assert(String(root).length > 0, 'the root seed is not empty');
    if (typeof root === 'number') assert(Number.isFinite(root), 'a numeric root seed is finite');
  }

  /** The stream for `name`; asking twice gives the same stream (same state). */
  stream(name: string): SeededRandom {
    const known = this.streams.get(name);
    if (known !== undefined) return known;
    const created = new SeededRandom(name, deriveSeed(this.root, name));
    this.streams.set(name, created);
    return created;
  }

  /** A fresh stream for `name`, independent of the shared one (restarts from its seed). */
  fresh(name: string): SeededRandom {
    return new SeededRandom(name, deriveSeed(this.root, name));
  }

  /** Every stream derived so far, sorted by name (for the trace header and printing). */
  list(): DerivedStream[] {
    const infos = [...this.streams.values()].map((s) => ({ name: s.name, seed: s.seed }));
    return infos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
