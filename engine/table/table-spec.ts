/**
 * The declaration of one stick table, as `stick-table` (proxy form) or `table` (peers-section
 * form) gives it (spec §1.1). The config parser produces these; the table is built from one.
 */
import type { HaproxyVersion } from './data-types.ts';

export type KeyTypeName = 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';

export interface StoredTypeSpec {
  /** Data type id (wire bit number). */
  readonly typeId: number;
  /** Element count for array types (1..100); 1 for scalar types. */
  readonly count: number;
  /** Period in ms for freq counters; 0 for other types. */
  readonly periodMs: number;
}

export interface TableSpec {
  /** Internal name: the proxy name, or `<section>/<name>` for peers-section tables. */
  readonly name: string;
  /** Name on the wire: the proxy name, or `/<name>` for peers-section tables. */
  readonly wireName: string;
  readonly keyType: KeyTypeName;
  /** Key size in bytes (spec §1.2): string `len N` gives N+1, default string 32, binary 32. */
  readonly keySizeBytes: number;
  readonly sizeEntries: number;
  /** 0 = entries never expire by time. */
  readonly expireMs: number;
  readonly nopurge: boolean;
  /** Name of the peers section the table is shared through, if any. */
  readonly peersSection: string | undefined;
  readonly srvkey: 'name' | 'addr';
  /** Stored types, ascending by id, each at most once. */
  readonly store: readonly StoredTypeSpec[];
  /** The HAProxy version whose data types this table may use. */
  readonly version: HaproxyVersion;
}
