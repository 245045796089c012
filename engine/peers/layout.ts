/**
 * The shape of an UPDATE body (spec §4.6.3): key type and size, then one value field per data
 * type of the *sender's* definition in ascending id. A sender builds it from its TableSpec
 * (`layoutFromSpec`); a receiver gets it from `matchDefinition` (the sender's types and array
 * counts with the local key type and size).
 */
import { assert } from '../../lib/assert.ts';
import { dataTypeById, type StdType } from '../table/data-types.ts';
import type { KeyTypeName, TableSpec } from '../table/table-spec.ts';

export interface LayoutField {
  readonly typeId: number;
  readonly std: StdType;
  readonly isArray: boolean;
  /** Elements on the wire: the array count, 1 for scalars. */
  readonly count: number;
}

export interface UpdateLayout {
  readonly keyType: KeyTypeName;
  readonly keySizeBytes: number;
  /** Ascending by typeId. */
  readonly fields: readonly LayoutField[];
}

export function layoutField(typeId: number, count: number): LayoutField {
  const info = dataTypeById(typeId);
  assert(info !== undefined, `data type ${typeId} is known`);
  return { typeId, std: info.std, isArray: info.isArray, count: info.isArray ? count : 1 };
}

/** What this table sends: every stored type with its local element count. */
export function layoutFromSpec(spec: TableSpec): UpdateLayout {
  const fields = spec.store.map((s) => layoutField(s.typeId, s.count));
  for (let i = 1; i < fields.length; i++) {
    assert(fields[i - 1]!.typeId < fields[i]!.typeId, 'stored types ascend by id');
  }
  return { keyType: spec.keyType, keySizeBytes: spec.keySizeBytes, fields };
}
