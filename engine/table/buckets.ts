/**
 * The hash bucket of a stick-table key in HAProxy 3.x (`stktable_calc_shard_num`, 1a088da7c):
 * XXH32 of the stored key bytes (a string key up to its end, other keys their full key size;
 * integers in the host's little-endian order, addresses in network order) with the table's
 * `hash_seed` = XXH64(table id, 0), reduced modulo the build's bucket count.
 */
import { assert } from '../../lib/assert.ts';
import { xxh32, xxh64 } from '../version/xxhash.ts';
import { latin1ToBytes, type StoredKey } from './keys.ts';
import type { TableSpec } from './table-spec.ts';

export interface KeyBucketer {
  readonly buckets: number;
  bucketOf(key: StoredKey): number;
}

export function keyBucketer(spec: Pick<TableSpec, 'name' | 'keyType'>, buckets: number): KeyBucketer {
  assert(Number.isInteger(buckets) && buckets > 0, 'bucket count is a positive integer');
  // t->id is `<section>/<name>` for a peers-section table, the proxy name otherwise: spec.name.
  const seed = Number(xxh64(latin1ToBytes(spec.name), 0n) & 0xffff_ffffn);
  const scratch4 = new Uint8Array(4);
  const bytesOf = (key: StoredKey): Uint8Array => {
    switch (spec.keyType) {
      case 'ip': {
        const v = key as number;
        scratch4[0] = v >>> 24;
        scratch4[1] = (v >>> 16) & 0xff;
        scratch4[2] = (v >>> 8) & 0xff;
        scratch4[3] = v & 0xff;
        return scratch4;
      }
      case 'integer': {
        const v = key as number;
        scratch4[0] = v & 0xff;
        scratch4[1] = (v >>> 8) & 0xff;
        scratch4[2] = (v >>> 16) & 0xff;
        scratch4[3] = v >>> 24;
        return scratch4;
      }
      case 'ipv6':
      case 'binary':
      case 'string':
        return latin1ToBytes(key as string);
    }
  };
  return { buckets, bucketOf: (key) => xxh32(bytesOf(key), seed) % buckets };
}
