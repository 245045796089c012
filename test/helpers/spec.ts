/** Builds TableSpecs for tests without going through the config parser. */
import { dataTypeByName } from '../../engine/table/data-types.ts';
import { keySizeFor } from '../../engine/table/keys.ts';
import type { KeyTypeName, StoredTypeSpec, TableSpec } from '../../engine/table/table-spec.ts';

export interface SpecInput {
  name?: string;
  keyType?: KeyTypeName;
  len?: number;
  size?: number;
  expireMs?: number;
  nopurge?: boolean;
  /** e.g. `gpc0,http_req_rate(10000),gpc(3),gpc_rate(2,1000)` (periods in ms). */
  store?: string;
}

export function specOf(input: SpecInput = {}): TableSpec {
  const keyType = input.keyType ?? 'ip';
  const store: StoredTypeSpec[] = [];
  for (const item of (input.store ?? '').split(/,(?![^(]*\))/).filter((s) => s !== '')) {
    const m = /^([a-z0-9_]+)(?:\(([^)]*)\))?$/.exec(item);
    if (!m) throw new Error(`bad store item ${item}`);
    const info = dataTypeByName(m[1]!);
    if (!info) throw new Error(`unknown type ${m[1]}`);
    const args = (m[2] ?? '').split(',').filter((s) => s !== '').map(Number);
    let count = 1;
    let periodMs = 0;
    if (info.arg === 'period') periodMs = args[0] ?? 0;
    if (info.arg === 'count') count = args[0] ?? 1;
    if (info.arg === 'count_period') {
      count = args[0] ?? 1;
      periodMs = args[1] ?? 0;
    }
    store.push({ typeId: info.id, count, periodMs });
  }
  store.sort((a, b) => a.typeId - b.typeId);
  const name = input.name ?? 'st';
  return {
    name,
    wireName: name,
    keyType,
    keySizeBytes: keySizeFor(keyType, input.len),
    sizeEntries: input.size ?? 1024,
    expireMs: input.expireMs ?? 60000,
    nopurge: input.nopurge ?? false,
    peersSection: undefined,
    srvkey: 'name',
    store,
    version: '2.6',
  };
}
