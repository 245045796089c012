/**
 * TableSpecs for codec tests, written out by hand from the configurations of the spec examples
 * and the lab capture (the config parser is not needed to test the codec).
 */
import { dataTypeByName } from '../../../engine/table/data-types.ts';
import type { KeyTypeName, StoredTypeSpec, TableSpec } from '../../../engine/table/table-spec.ts';

/** `store` entries by name: 'gpc0', ['http_req_rate', 10000], ['gpc', 3], ['gpc_rate', 2, 1000]. */
export type StoreItem = string | [name: string, periodOrCount: number] | [name: string, count: number, periodMs: number];

export function storeOf(items: readonly StoreItem[]): StoredTypeSpec[] {
  const out: StoredTypeSpec[] = [];
  for (const item of items) {
    const [name, a, b] = typeof item === 'string' ? [item, undefined, undefined] : item;
    const info = dataTypeByName(name);
    if (info === undefined) throw new Error(`unknown data type ${name}`);
    let count = 1;
    let periodMs = 0;
    if (info.arg === 'period') periodMs = a ?? 0;
    else if (info.arg === 'count') count = a ?? 1;
    else if (info.arg === 'count_period') {
      count = a ?? 1;
      periodMs = b ?? 0;
    }
    out.push({ typeId: info.id, count, periodMs });
  }
  return out.sort((x, y) => x.typeId - y.typeId);
}

export function tableSpec(options: {
  wireName: string;
  keyType: KeyTypeName;
  keySizeBytes: number;
  expireMs?: number;
  store: readonly StoreItem[];
  version?: '2.6' | '3.0';
}): TableSpec {
  return {
    name: options.wireName.startsWith('/') ? `mesh${options.wireName}` : options.wireName,
    wireName: options.wireName,
    keyType: options.keyType,
    keySizeBytes: options.keySizeBytes,
    sizeEntries: 1000,
    expireMs: options.expireMs ?? 0,
    nopurge: false,
    peersSection: 'mesh',
    srvkey: 'name',
    store: storeOf(options.store),
    version: options.version ?? '2.6',
  };
}

/** Spec §4.6.1 example: proxy table `st`, type ip, store gpc0,conn_cur,http_req_rate(10s), expire 30s. */
export const SPEC_ST = tableSpec({
  wireName: 'st',
  keyType: 'ip',
  keySizeBytes: 4,
  expireMs: 30000,
  store: ['gpc0', 'conn_cur', ['http_req_rate', 10000]],
});

/** Spec §4.6.1 example: peers-section table `t1`, type string len 32, store gpc0, no expire. */
export const SPEC_T1 = tableSpec({ wireName: '/t1', keyType: 'string', keySizeBytes: 33, store: ['gpc0'] });

/** The lab capture's table (lab/08-capture.sh): type ip, expire 60s, store gpc0,conn_cnt,http_req_cnt,http_req_rate(10s). */
export const LAB_ST = tableSpec({
  wireName: 'st',
  keyType: 'ip',
  keySizeBytes: 4,
  expireMs: 60000,
  store: ['gpc0', 'conn_cnt', 'http_req_cnt', ['http_req_rate', 10000]],
});

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
