/**
 * Pins the generator to a given cluster: the node count from the peers section and the table
 * (size, expire, store) from the first `stick-table type ip` line of a haproxy.cfg.
 */
import type { GeneratorOptions } from './generator.ts';

export class FuzzConfigError extends Error {}

const UNITS_MS: ReadonlyMap<string, number> = new Map([['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000], ['d', 86_400_000], ['', 1]]);
const SIZE_UNITS: ReadonlyMap<string, number> = new Map([['', 1], ['k', 1024], ['m', 1024 * 1024], ['g', 1024 * 1024 * 1024]]);

export function generatorOptionsFromConfig(text: string, file: string): GeneratorOptions {
  const lines = text.split('\n');
  let peers = 0;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (/^peer\s/.test(line)) peers++;
    const m = /^stick-table\s+(.*)$/.exec(line);
    if (m === null) continue;
    const at = `${file}:${i + 1}:${raw.indexOf('stick-table') + 1}`;
    const words = m[1]!.split(/\s+/);
    const arg = (name: string): string | undefined => words[words.indexOf(name) + 1];
    if (arg('type') !== 'ip') throw new FuzzConfigError(`${at}: the fuzzer drives client addresses: the table must be 'type ip'`);
    const size = /^(\d+)([kmg]?)$/i.exec(arg('size') ?? '');
    if (size === null) throw new FuzzConfigError(`${at}: stick-table needs 'size <n>'`);
    const expire = /^(\d+)(ms|s|m|h|d|)$/.exec(arg('expire') ?? '');
    const store = (words.includes('store') ? (arg('store') ?? '') : '').split(',').filter((s) => s !== '');
    for (const needed of ['gpc0', 'http_req_cnt']) if (!store.includes(needed)) store.push(needed);
    return {
      ...(peers >= 2 ? { nodes: Math.min(5, peers) } : {}),
      withPeers: peers > 0,
      table: {
        sizeEntries: Number(size[1]) * (SIZE_UNITS.get(size[2]!.toLowerCase()) ?? 1),
        expireMs: expire === null ? 600_000 : Number(expire[1]) * (UNITS_MS.get(expire[2]!) ?? 1),
        store,
      },
    };
  }
  throw new FuzzConfigError(`${file}: no 'stick-table' line`);
}
