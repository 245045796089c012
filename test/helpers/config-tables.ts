/** Test helpers over a parsed config: a table by name, and a table's stored data types as text. */
import type { Config } from '../../engine/config/index.ts';
import { dataTypeById } from '../../engine/table/data-types.ts';
import type { TableSpec } from '../../engine/table/table-spec.ts';

export const storeOf = (t: TableSpec): string[] => t.store.map((s) => `${dataTypeById(s.typeId)!.name}(${s.count},${s.periodMs})`);

export const table = (c: Config, name: string): TableSpec => {
  const t = c.tables.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no table ${name}; have ${c.tables.map((x) => x.name).join(',')}`);
  return t;
};
