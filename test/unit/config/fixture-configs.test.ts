/**
 * The configs of test/fixtures/configs/ (written for this suite, one feature each) parse as a 2.6
 * binary takes them and yield the tables, rules and peers they declare. A file whose first line is
 * `# expect-error: <regular expression>` must be refused with that error; every other one must parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, resolveLocalPeer, type Config } from '../../../engine/config/index.ts';
import { storeOf, table } from '../../helpers/config-tables.ts';
import { fixture } from '../../helpers/shared.ts';

const CONFIGS_DIR = 'configs';

const text = (name: string): string => readFileSync(fixture(join(CONFIGS_DIR, name)), 'utf8');

function parsed(name: string): Config {
  const r = parseConfig(text(name), { file: name });
  if (!r.ok) throw new Error(`unexpected errors:\n${r.errors.map((e) => e.message).join('\n')}`);
  return r.config;
}


describe('fixture configs', () => {
  it('every file parses, or is refused with the error its first line names', () => {
    const names = readdirSync(fixture(CONFIGS_DIR)).filter((n) => n.endsWith('.cfg')).sort();
    expect(names.length).toBeGreaterThanOrEqual(13);
    let refused = 0;
    for (const name of names) {
      const body = text(name);
      const want = /^# expect-error: (.*)$/m.exec(body.split('\n')[0]!)?.[1];
      const r = parseConfig(body, { file: name });
      if (want === undefined) {
        expect(r.ok, `${name}\n${r.ok ? '' : r.errors.map((e) => e.message).join('\n')}`).toBe(true);
      } else {
        refused++;
        expect(r.ok, `${name} should be refused`).toBe(false);
        if (!r.ok) expect(r.errors.map((e) => e.detail).join('\n')).toMatch(new RegExp(want));
      }
    }
    expect(refused).toBe(3);
  });

  it('localpeer names the process; a frontend table replicates through the section', () => {
    const c = parsed('localpeer-frontend-table.cfg');
    const t = table(c, 'shop');
    expect(t).toMatchObject({ wireName: 'shop', keyType: 'ip', keySizeBytes: 4, sizeEntries: 512 * 1024, expireMs: 45 * 60_000 });
    expect(storeOf(t)).toEqual(['http_req_rate(1,30000)']);
    const local = resolveLocalPeer(c, { hostname: 'some-other-host' });
    expect([local.localName, local.source, local.sections[0]!.status]).toEqual(['edge-b', 'localpeer', 'active']);
    expect(local.sections[0]!.remotes.map((e) => e.name)).toEqual(['edge-a']);
    expect(local.tables[0]!.peersSection).toBe('edge');
  });

  it('a lone peer without address is the host of that name; another host removes the section', () => {
    const c = parsed('lone-peer.cfg');
    expect(c.peersSections[0]!.entries.map((e) => [e.kind, e.name, e.address])).toEqual([['peer', 'lb-main', undefined]]);
    expect(resolveLocalPeer(c, { hostname: 'lb-main' }).sections[0]!.status).toBe('active');
    const other = resolveLocalPeer(c, { hostname: 'lb-spare' });
    expect(other.sections[0]!.status).toBe('removed');
    expect(other.warnings.map((w) => w.detail)).toContain("Removing incomplete section 'peers solo' (no peer named 'lb-spare').");
    expect(other.tables[0]!.peersSection).toBeUndefined();
  });

  it('a backend table tracked by name from a frontend', () => {
    const c = parsed('backend-table-tracked.cfg');
    const t = table(c, 'rates');
    expect(t).toMatchObject({ keyType: 'ip', sizeEntries: 64 * 1024, expireMs: 20 * 60_000, peersSection: undefined });
    expect(storeOf(t)).toEqual(['conn_rate(1,5000)', 'http_req_rate(1,5000)']);
    const fe = c.proxies.find((p) => p.name === 'public')!;
    const rule = fe.rules[0]!;
    expect(rule.action).toBe('track-sc');
    if (rule.action === 'track-sc') expect([rule.slot, rule.sample.fetch, rule.tableName]).toEqual([2, 'src', 'rates']);
    expect(fe.defaultBackend).toBe('app');
  });

  it('gpc0 bumped under two inline conditions; a named ACL on its rate', () => {
    const c = parsed('gpc-with-inline-conditions.cfg');
    expect(storeOf(table(c, 'portal'))).toEqual(['gpc0(1,0)', 'gpc0_rate(1,1800000)']);
    const fe = c.proxies.find((p) => p.name === 'portal')!;
    const inc = fe.rules[1]!;
    expect(inc.action).toBe('sc-inc-gpc0');
    if (inc.action === 'sc-inc-gpc0') {
      expect([inc.slot, inc.gpcIndex]).toEqual([0, 0]);
      expect(inc.cond!.anyOf).toHaveLength(1);
      expect(inc.cond!.anyOf[0]!.map((t) => (t.target.kind === 'inline' ? t.target.expr.sample.fetch : t.target.name))).toEqual(['path_beg', 'method']);
    }
    const acl = fe.acls[0]!;
    expect([acl.name, acl.expr.sample.fetch, acl.expr.operator, acl.expr.values]).toEqual(['hammering', 'sc_gpc0_rate', 'ge', ['15']]);
    expect(acl.expr.sample.stickCounter).toMatchObject({ family: 'sc', slot: 0, what: 'gpc0_rate' });
    const deny = fe.rules[2]!;
    expect(deny.action === 'deny' && deny.reply.status).toBe(429);
  });

  it('stick on src adds server_id and server_key; servers are numbered 1..3', () => {
    const c = parsed('stick-on-src.cfg');
    const t = table(c, 'sticky');
    expect(t).toMatchObject({ keyType: 'ip', sizeEntries: 20 * 1024, expireMs: 15 * 60_000 });
    expect(storeOf(t)).toEqual(['server_id(1,0)', 'server_key(1,0)']);
    const be = c.proxies[0]!;
    expect(be.servers.map((s) => [s.name, s.id])).toEqual([['n1', 1], ['n2', 2], ['n3', 3]]);
    expect(be.stickRules[0]).toMatchObject({ kind: 'on', tableName: 'sticky' });
  });

  it('deny_status with inline sc_* conditions, in rule order', () => {
    const c = parsed('inline-rate-denies.cfg');
    expect(storeOf(table(c, 'api'))).toEqual(['conn_rate(1,5000)', 'http_req_rate(1,5000)', 'http_err_rate(1,5000)']);
    const denies = c.proxies.find((p) => p.name === 'api')!.rules.filter((r) => r.action === 'deny');
    expect(denies.map((r) => (r.action === 'deny' ? r.reply.status : 0))).toEqual([429, 403, 503]);
    const first = denies[0]!.cond!.anyOf[0]![0]!;
    expect(first.target.kind === 'inline' && [first.target.expr.sample.fetch, first.target.expr.operator, first.target.expr.values]).toEqual(['sc_http_req_rate', 'gt', ['80']]);
  });

  it('a table inside a peers section is <section>/<name> in the config and /<name> on the wire', () => {
    const c = parsed('peers-section-table.cfg');
    const t = table(c, 'grid/hits');
    expect(t).toMatchObject({ wireName: '/hits', peersSection: 'grid', sizeEntries: 256 * 1024, expireMs: 15_000 });
    const track = c.proxies[0]!.rules[0]!;
    expect(track.action === 'track-sc' && track.tableName).toBe('grid/hits');
    const term = c.proxies[0]!.rules[1]!.cond!.anyOf[0]![0]!;
    expect(term.target.kind === 'inline' && term.target.expr.sample.stickCounter).toMatchObject({ slot: 0, table: 'grid/hits' });
  });

  it('the bind form: default-server options, the local peer is the server line without address', () => {
    const c = parsed('peers-bind-and-servers.cfg');
    const s = c.peersSections[0]!;
    expect(s.bind).toMatchObject({ address: { host: '', port: 7200 } });
    expect(s.defaultServerOptions).toEqual(['ssl', 'verify', 'none']);
    const r = resolveLocalPeer(c, { hostname: 'lb-east' });
    expect(r.sections[0]!.status).toBe('active');
    expect(r.sections[0]!.local!.name).toBe('lb-east');
    expect(r.sections[0]!.remotes).toEqual([]);
    expect(r.warnings.map((w) => w.detail)).toContain("'server lb-west' has no address: HAProxy 2.6 never connects to this peer.");
  });

  it('TLS peers: bind plus server lines, the local one without address', () => {
    const c = parsed('peers-tls.cfg');
    expect(c.peersSections[0]!.entries.map((e) => [e.name, e.address?.host, e.address?.port])).toEqual([
      ['east', undefined, undefined],
      ['west', '198.51.100.2', 7300],
      ['north', '198.51.100.3', 7300],
    ]);
    const r = resolveLocalPeer(c, { hostname: 'east' });
    expect(r.sections[0]!.status).toBe('active');
    expect(r.sections[0]!.remotes.map((e) => e.name)).toEqual(['west', 'north']);
  });
});
