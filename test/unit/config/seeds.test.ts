/**
 * The haproxy.cfg fragments of the seed articles (../shared/seeds, beside the repository, not in
 * it) parse as a 2.6 binary would take them, and yield the tables they declare. Skipped, with a
 * printed reason, where ../shared is absent (a clone): the same features are covered from the
 * suite's own configs by fixture-configs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, resolveLocalPeer, type Config } from '../../../engine/config/index.ts';
import { storeOf, table } from '../../helpers/config-tables.ts';
import { sharedGate } from '../../helpers/shared.ts';
import { loadSeedFragments, type SeedFragment } from './seed-fragments.ts';

const seeds = sharedGate('seeds', 'the seed-article config tests (test/unit/config/seeds.test.ts)');
const fragments = seeds.skip ? [] : loadSeedFragments(seeds.path);

/** Store as "name(count,periodMs)" strings, e.g. "http_req_rate(1,10000)". */
function parseOk(text: string, file = 'frag.cfg'): Config {
  const r = parseConfig(text, { file });
  if (!r.ok) throw new Error(`unexpected errors:\n${r.errors.map((e) => e.message).join('\n')}`);
  return r.config;
}

const find = (needle: string): SeedFragment => {
  const f = fragments.find((x) => x.raw.includes(needle));
  if (f === undefined) throw new Error(`no seed fragment contains ${JSON.stringify(needle)}`);
  return f;
};


describe.skipIf(seeds.skip)('seed article fragments', () => {
  it('finds the fragments of every article', () => {
    const files = new Set(fragments.map((f) => f.seedFile));
    expect(files.size).toBe(5);
    expect(fragments.length).toBeGreaterThanOrEqual(20);
  });

  it('parses every valid fragment without errors, and rejects exactly the invalid ones', () => {
    const expectedInvalid = (f: SeedFragment): RegExp | undefined => {
      // A syntax template, not a config line.
      if (f.raw.includes('type <T>')) return /stick-table: unknown type '<T>'\./;
      // resync-timeout exists in no HAProxy version (the article is wrong).
      if (f.raw.includes('resync-timeout')) return /unknown keyword 'resync-timeout' in 'peers' section/;
      // Fragments quoted without the peers section their table references.
      const orphanPeers = /peers ([\w-]+)\s*$/m.exec(f.raw.split('\n').find((l) => l.includes('stick-table')) ?? '');
      if (orphanPeers !== null && !new RegExp(`^peers ${orphanPeers[1]}\\s*$`, 'm').test(f.raw)) {
        return new RegExp(`unable to find sync peers '${orphanPeers[1]}'`);
      }
      return undefined;
    };
    let invalidCount = 0;
    for (const f of fragments) {
      const r = parseConfig(f.text, { file: f.seedFile });
      const want = expectedInvalid(f);
      if (want === undefined) {
        expect(r.ok, `${f.seedFile}:${f.startLine}\n${f.text}\n${r.ok ? '' : r.errors.map((e) => e.message).join('\n')}`).toBe(true);
      } else {
        invalidCount++;
        expect(r.ok, `${f.seedFile}:${f.startLine} should be rejected`).toBe(false);
        if (!r.ok) expect(r.errors.map((e) => e.detail).join('\n')).toMatch(want);
      }
    }
    expect(invalidCount).toBe(5);
  });

  it('000: localpeer + peers + the frontend table, put together, is valid and replicated', () => {
    const peers = find('localpeer odie').text;
    const fe = find('frontend mysite').text;
    const c = parseOk(peers + fe);
    const t = table(c, 'mysite');
    expect(t).toMatchObject({ wireName: 'mysite', keyType: 'ip', keySizeBytes: 4, sizeEntries: 1024 * 1024, expireMs: 3_600_000 });
    expect(storeOf(t)).toEqual(['http_req_rate(1,10000)']);
    const local = resolveLocalPeer(c, { hostname: 'garfield' });
    expect(local.localName).toBe('odie');
    expect(local.source).toBe('localpeer');
    expect(local.sections[0]!.status).toBe('active');
    expect(local.tables[0]!.peersSection).toBe('mypeers');
  });

  it('000: a one-peer section named after the host keeps tables replicated; another host removes it', () => {
    const c = parseOk(find('peer garfield').text);
    expect(c.peersSections[0]!.entries.map((e) => [e.kind, e.name, e.address])).toEqual([['peer', 'garfield', undefined]]);
    expect(resolveLocalPeer(c, { hostname: 'garfield' }).sections[0]!.status).toBe('active');
    const other = resolveLocalPeer(c, { hostname: 'vm' });
    expect(other.sections[0]!.status).toBe('removed');
    expect(other.warnings.map((w) => w.detail)).toContain("Removing incomplete section 'peers mypeers' (no peer named 'vm').");
  });

  it('001: a shared table in a backend tracked from a frontend', () => {
    const c = parseOk(find('backend st_global').text);
    const t = table(c, 'st_global');
    expect(t).toMatchObject({ keyType: 'ip', sizeEntries: 200 * 1024, expireMs: 3_600_000, peersSection: undefined });
    expect(storeOf(t)).toEqual(['conn_rate(1,10000)', 'http_req_rate(1,10000)']);
    const fe = c.proxies.find((p) => p.name === 'fe_http')!;
    const rule = fe.rules[0]!;
    expect(rule.action).toBe('track-sc');
    if (rule.action === 'track-sc') expect([rule.slot, rule.sample.fetch, rule.tableName]).toEqual([0, 'src', 'st_global']);
    expect(fe.defaultBackend).toBe('be_app');
  });

  it('001: gpc0 counters, sc-inc-gpc0 with inline ACLs, and a named ACL on a rate', () => {
    const c = parseOk(find('gpc0,gpc0_rate(1h)').text);
    expect(storeOf(table(c, 'fe_http'))).toEqual(['gpc0(1,0)', 'gpc0_rate(1,3600000)']);
    const fe = c.proxies[0]!;
    const inc = fe.rules[1]!;
    expect(inc.action).toBe('sc-inc-gpc0');
    if (inc.action === 'sc-inc-gpc0') {
      expect([inc.slot, inc.gpcIndex]).toEqual([0, 0]);
      expect(inc.cond!.anyOf).toHaveLength(1);
      expect(inc.cond!.anyOf[0]!.map((t) => (t.target.kind === 'inline' ? t.target.expr.sample.fetch : t.target.name))).toEqual(['path', 'method']);
    }
    const acl = fe.acls[0]!;
    expect([acl.name, acl.expr.sample.fetch, acl.expr.operator, acl.expr.values]).toEqual(['too_many_logins', 'sc_gpc0_rate', 'gt', ['20']]);
    expect(acl.expr.sample.stickCounter).toMatchObject({ family: 'sc', slot: 0, what: 'gpc0_rate' });
    const deny = fe.rules[2]!;
    expect(deny.action === 'deny' && deny.reply.status).toBe(429);
  });

  it('002: stick on src adds server_id and server_key; servers get ids 1..3', () => {
    const c = parseOk(find('stick on src\n\n').text);
    const t = table(c, 'app_servers');
    expect(t).toMatchObject({ keyType: 'ip', sizeEntries: 200 * 1024, expireMs: 1_800_000 });
    expect(storeOf(t)).toEqual(['server_id(1,0)', 'server_key(1,0)']);
    const be = c.proxies[0]!;
    expect(be.servers.map((s) => [s.name, s.id])).toEqual([['app1', 1], ['app2', 2], ['app3', 3]]);
    expect(be.stickRules[0]).toMatchObject({ kind: 'on', tableName: 'app_servers' });
  });

  it('002: deny_status with inline sc_* conditions', () => {
    const c = parseOk(find('http_err_rate(10s),conn_rate(10s)').text);
    expect(storeOf(table(c, 'http_front'))).toEqual(['conn_rate(1,10000)', 'http_req_rate(1,10000)', 'http_err_rate(1,10000)']);
    const denies = c.proxies[0]!.rules.filter((r) => r.action === 'deny');
    expect(denies.map((r) => (r.action === 'deny' ? r.reply.status : 0))).toEqual([429, 403, 429]);
    const first = denies[0]!.cond!.anyOf[0]![0]!;
    expect(first.target.kind === 'inline' && [first.target.expr.sample.fetch, first.target.expr.operator, first.target.expr.values]).toEqual([
      'sc_http_req_rate',
      'gt',
      ['100'],
    ]);
  });

  it('003: a table inside a peers section is <section>/<name> inside and /<name> on the wire', () => {
    const c = parseOk(find('table sticktable1').text);
    const t = table(c, 'mycluster/sticktable1');
    expect(t).toMatchObject({ wireName: '/sticktable1', peersSection: 'mycluster', sizeEntries: 1024 * 1024, expireMs: 10_000 });
    const track = c.proxies[0]!.rules[0]!;
    expect(track.action === 'track-sc' && track.tableName).toBe('mycluster/sticktable1');
    const deny = c.proxies[0]!.rules[1]!;
    const term = deny.cond!.anyOf[0]![0]!;
    expect(term.target.kind === 'inline' && term.target.expr.sample.stickCounter).toMatchObject({ slot: 0, table: 'mycluster/sticktable1' });
  });

  it('003: the bind form: the local peer is a server without address', () => {
    const c = parseOk(find('default-server ssl').text);
    const s = c.peersSections[0]!;
    expect(s.bind).toMatchObject({ address: { host: '', port: 10000 } });
    expect(s.defaultServerOptions).toEqual(['ssl']);
    const r = resolveLocalPeer(c, { hostname: 'loadbalancer1' });
    expect(r.sections[0]!.status).toBe('active');
    expect(r.sections[0]!.local!.name).toBe('loadbalancer1');
    expect(r.sections[0]!.remotes).toEqual([]);
    expect(r.warnings.map((w) => w.detail)).toContain("'server loadbalancer2' has no address: HAProxy 2.6 never connects to this peer.");
  });

  it('004: TLS peers with bind + server lines', () => {
    const c = parseOk(find('sni str(hap2)').text);
    const s = c.peersSections[0]!;
    expect(s.entries.map((e) => [e.name, e.address?.host, e.address?.port])).toEqual([
      ['hap1', undefined, undefined],
      ['hap2', '10.0.10.6', 1024],
      ['hap3', '10.0.10.7', 1024],
    ]);
    const r = resolveLocalPeer(c, { hostname: 'hap1' });
    expect(r.sections[0]!.remotes.map((e) => e.name)).toEqual(['hap2', 'hap3']);
  });
});
