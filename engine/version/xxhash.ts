/**
 * XXH32 and XXH64 (Yann Collet's xxHash, the public algorithm), as HAProxy 3.x uses them to
 * place a stick-table key in a bucket: XXH32(key bytes, seed) with seed = low 32 bits of
 * XXH64(table name, 0). Inputs are byte arrays; XXH64 works in bigint (it runs once per table).
 */

const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function read32le(data: Uint8Array, i: number): number {
  return (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
}

function round32(acc: number, input: number): number {
  return Math.imul(rotl32((acc + Math.imul(input, P32_2)) >>> 0, 13), P32_1) >>> 0;
}

/** XXH32 of `data` with a 32-bit seed. */
export function xxh32(data: Uint8Array, seed: number): number {
  const n = data.length;
  let i = 0;
  let h: number;
  if (n >= 16) {
    let v1 = (seed + P32_1 + P32_2) >>> 0;
    let v2 = (seed + P32_2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P32_1) >>> 0;
    for (; i + 16 <= n; i += 16) {
      v1 = round32(v1, read32le(data, i));
      v2 = round32(v2, read32le(data, i + 4));
      v3 = round32(v3, read32le(data, i + 8));
      v4 = round32(v4, read32le(data, i + 12));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) >>> 0;
  } else {
    h = (seed + P32_5) >>> 0;
  }
  h = (h + n) >>> 0;
  for (; i + 4 <= n; i += 4) {
    h = (h + Math.imul(read32le(data, i), P32_3)) >>> 0;
    h = Math.imul(rotl32(h, 17), P32_4) >>> 0;
  }
  for (; i < n; i++) {
    h = (h + Math.imul(data[i]!, P32_5)) >>> 0;
    h = Math.imul(rotl32(h, 11), P32_1) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P32_2) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, P32_3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const M64 = (1n << 64n) - 1n;
const P64_1 = 11400714785074694791n;
const P64_2 = 14029467366897019727n;
const P64_3 = 1609587929392839161n;
const P64_4 = 9650029242287828579n;
const P64_5 = 2870177450012600261n;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function read64le(data: Uint8Array, i: number): bigint {
  return (BigInt(read32le(data, i + 4)) << 32n) | BigInt(read32le(data, i));
}

function round64(acc: bigint, input: bigint): bigint {
  return (rotl64((acc + input * P64_2) & M64, 31n) * P64_1) & M64;
}

function merge64(acc: bigint, val: bigint): bigint {
  return (((acc ^ round64(0n, val)) * P64_1) + P64_4) & M64;
}

/** XXH64 of `data` with a 64-bit seed. */
export function xxh64(data: Uint8Array, seed: bigint): bigint {
  const n = data.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (seed + P64_1 + P64_2) & M64;
    let v2 = (seed + P64_2) & M64;
    let v3 = seed & M64;
    let v4 = (seed - P64_1) & M64;
    for (; i + 32 <= n; i += 32) {
      v1 = round64(v1, read64le(data, i));
      v2 = round64(v2, read64le(data, i + 8));
      v3 = round64(v3, read64le(data, i + 16));
      v4 = round64(v4, read64le(data, i + 24));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & M64;
    h = merge64(h, v1);
    h = merge64(h, v2);
    h = merge64(h, v3);
    h = merge64(h, v4);
  } else {
    h = (seed + P64_5) & M64;
  }
  h = (h + BigInt(n)) & M64;
  for (; i + 8 <= n; i += 8) {
    h ^= round64(0n, read64le(data, i));
    h = ((rotl64(h, 27n) * P64_1) + P64_4) & M64;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(read32le(data, i)) * P64_1) & M64;
    h = ((rotl64(h, 23n) * P64_2) + P64_3) & M64;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(data[i]!) * P64_5) & M64;
    h = (rotl64(h, 11n) * P64_1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P64_2) & M64;
  h ^= h >> 29n;
  h = (h * P64_3) & M64;
  h ^= h >> 32n;
  return h;
}
