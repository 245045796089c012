/** Builds a frontend + tables from config text for request tests. */
import { tickFromMs } from '../../../engine/ticks.ts';
import { parseConfig, type Proxy } from '../../../engine/config/index.ts';
import { handleRequest } from '../../../engine/process/request.ts';
import type { ClientRequest, RequestResult } from '../../../engine/process/request-types.ts';
import { TableSet } from '../../../engine/table/table-set.ts';
import type { StickTable } from '../../../engine/table/table.ts';
import { NO_ENTRY } from '../../../engine/table/table.ts';
import { dataTypeByName } from '../../../engine/table/data-types.ts';
import { parseCliKey } from '../../../engine/table/keys.ts';

export interface World {
  readonly tables: TableSet;
  readonly frontend: Proxy;
  readonly proxies: readonly Proxy[];
  readonly roundRobin: Map<string, number>;
  send(now: number, srcAddress: string, extra?: Omit<ClientRequest, 'srcAddress'>): RequestResult;
  table(name: string): StickTable;
  /** A stored value of `key` (uint / ull / rate read at `now`), or undefined when the entry is absent. */
  value(tableName: string, key: string, type: string, now: number): number | undefined;
}

export function world(text: string, frontendName = 'fe'): World {
  const r = parseConfig(text, { file: 'test.cfg' });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const config = r.config;
  const tables = new TableSet(config.tables);
  const frontend = config.proxies.find((p) => p.name === frontendName);
  if (frontend === undefined) throw new Error(`no proxy ${frontendName}`);
  const roundRobin = new Map<string, number>();
  const table = (name: string): StickTable => {
    const t = tables.get(name);
    if (t === undefined) throw new Error(`no table ${name}`);
    return t;
  };
  return {
    tables,
    frontend,
    proxies: config.proxies,
    roundRobin,
    table,
    send: (now, srcAddress, extra = {}) =>
      handleRequest({ frontend, backends: config.proxies, tables, now: tickFromMs(now), roundRobin }, { srcAddress, ...extra }),
    value: (tableName, key, type, now) => {
      const t = table(tableName);
      const k = parseCliKey(t.spec, key);
      if (!k.ok) throw new Error(`bad key ${key}`);
      const ref = t.lookup(k.key);
      if (ref === NO_ENTRY) return undefined;
      const info = dataTypeByName(type);
      const slot = info === undefined ? undefined : t.slot(info.id);
      if (slot === undefined) throw new Error(`${tableName} does not store ${type}`);
      if (slot.info.std === 'frqp') return t.frqpRead(ref, slot, tickFromMs(now));
      if (slot.info.std === 'ull') return Number(t.getUll(ref, slot));
      if (slot.info.std === 'sint') return t.getSint(ref, slot);
      return t.getUint(ref, slot);
    },
  };
}

/** 'A' allowed, 'D' denied, 'R' rejected, 'T' returned, for compact sequences. */
export function letter(r: RequestResult): string {
  return r.action === 'allowed' ? 'A' : r.action === 'denied' ? 'D' : r.action === 'rejected' ? 'R' : 'T';
}

/** The 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in config`);
  return i + 1;
}
