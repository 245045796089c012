/**
 * The lab's common config (test/fixtures/lab-common.cfg) parses as haproxy 2.6.12 took it, and the
 * local peer resolves as lab experiment 09 (d), (e), (f) measured.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, resolveLocalPeer, type Config } from '../../../engine/config/index.ts';
import { storeOf, table } from '../../helpers/config-tables.ts';
import { labNodeConfig } from '../../helpers/lab-config.ts';

function parseOk(text: string, file: string): Config {
  const r = parseConfig(text, { file });
  if (!r.ok) throw new Error(`unexpected errors:\n${r.errors.map((e) => e.message).join('\n')}`);
  return r.config;
}


describe('lab common config (fixture)', () => {
  it('parses with its table, rules and peers', () => {
    const c = parseOk(labNodeConfig(1), 'hap1.cfg');
    expect(c.tables).toHaveLength(1);
    const t = table(c, 'st');
    expect(t).toMatchObject({ wireName: 'st', keyType: 'ip', sizeEntries: 1024, expireMs: 60_000, peersSection: 'mypeers', version: '2.6' });
    expect(storeOf(t)).toEqual(['gpc0(1,0)', 'conn_cnt(1,0)', 'http_req_cnt(1,0)', 'http_req_rate(1,10000)']);
    expect(c.proxies.find((p) => p.name === 'fe')!.mode).toBe('http');
    expect(c.global.localpeerLines.map((l) => l.name)).toEqual(['hap1']);
  });

  it('resolves the local peer as in lab experiment 09 (d), (e), (f)', () => {
    const c = parseOk(labNodeConfig(2), 'hap2.cfg');
    const viaLocalpeer = resolveLocalPeer(c, { hostname: 'vm' });
    expect([viaLocalpeer.localName, viaLocalpeer.sections[0]!.status]).toEqual(['hap2', 'active']);
    expect(viaLocalpeer.sections[0]!.remotes.map((r) => r.address)).toEqual([
      { host: '127.0.0.11', port: 10000 },
      { host: '127.0.0.13', port: 10000 },
    ]);
    const viaCli = resolveLocalPeer(c, { hostname: 'vm', cliLocalPeer: 'hapX' });
    expect(viaCli.localName).toBe('hapX');
    // the lines haproxy 2.6.12 named for this config: localpeer on line 3, the peers section on 17
    expect(viaCli.warnings.map((w) => w.message)).toEqual([
      "hap2.cfg:3:5: 'localpeer' ignored since it is already set by using the '-L' command line argument.",
      "hap2.cfg:17:1: Removing incomplete section 'peers mypeers' (no peer named 'hapX').",
    ]);
    expect(viaCli.tables[0]!.peersSection).toBeUndefined();
    const noLocalpeer = parseOk(labNodeConfig(1).replace('    localpeer hap1\n', ''), 'hap1.cfg');
    const byHost = resolveLocalPeer(noLocalpeer, { hostname: 'vm' });
    expect([byHost.source, byHost.sections[0]!.status]).toEqual(['hostname', 'removed']);
  });

  it('the second table of experiment 01: string len 32 is a 33-byte key', () => {
    const c = parseOk(`${labNodeConfig(1)}\nbackend st_str\n    stick-table type string len 32 size 100 expire 30s store gpc0,http_req_rate(1s)\n`, 'hap1.cfg');
    expect(table(c, 'st_str')).toMatchObject({ keyType: 'string', keySizeBytes: 33, sizeEntries: 100, expireMs: 30_000, peersSection: undefined });
  });
});
