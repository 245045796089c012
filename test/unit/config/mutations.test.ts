/**
 * Property: parsing MUTATED configs never throws, every error names an existing line and a
 * column inside it, and when errors appear at least one is on the line the mutation touched
 * (unless the mutation only renamed something, in which case only references fail).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../engine/config/index.ts';
import { labNodeConfig } from '../../helpers/lab-config.ts';
import { fixture } from '../../helpers/shared.ts';

const RICH = `global
    localpeer hap1
    nbthread 2
defaults
    mode http
    timeout client 5s
peers mesh
    peer hap1 127.0.0.11:10000
    peer hap2 127.0.0.12:10000
    table shared type string len 40 size 2m expire 1h store gpc(2),gpc_rate(2,30s),server_id
frontend fe
    bind 127.0.0.11:8080
    stick-table type ipv6 size 10k expire 10m nopurge store conn_cur,conn_rate(3s),http_req_rate(10s),gpt0
    tcp-request connection track-sc1 src
    http-request track-sc0 src table mesh/shared
    acl abuse sc_http_req_rate(1) gt 10
    acl flagged sc0_get_gpt0 ge 1
    http-request sc-inc-gpc(1,0) if abuse
    http-request sc-set-gpt0(1) 1 if abuse !flagged
    http-request deny deny_status 429 if { sc_conn_rate(1) gt 20 } || flagged
    use_backend be if { src_conn_rate(be) gt 5 }
    default_backend be
backend be
    stick-table type integer size 100 store server_id srvkey addr peers mesh
    stick on src
    server s1 10.0.0.1:80 id 4
    server s2 10.0.0.2:80
`;

/** RICH, the lab's node config and the valid configs of test/fixtures/configs/ (all in the repository). */
function baseConfigs(): string[] {
  const dir = fixture('configs');
  const own = readdirSync(dir)
    .filter((n) => n.endsWith('.cfg'))
    .sort()
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .filter((t) => parseConfig(t, { file: 'fixture.cfg' }).ok);
  return [RICH, labNodeConfig(1), ...own];
}

const BASES = baseConfigs();

const SECTION_WORDS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'peers']);

type Kind = 'delete' | 'duplicate' | 'corrupt-number' | 'huge-number' | 'misspell' | 'drop-size' | 'unbalance-brace';
const KINDS: readonly Kind[] = ['delete', 'duplicate', 'corrupt-number', 'huge-number', 'misspell', 'drop-size', 'unbalance-brace'];

/** Applies a mutation to one line (indent kept, words re-joined by one space); undefined if it does not apply. */
function mutateLine(line: string, kind: Kind, pick: number): string | undefined {
  const indent = /^\s*/.exec(line)![0];
  const words = line.trim().split(/\s+/);
  const at = pick % words.length;
  const join = (w: string[]): string => indent + w.join(' ');
  switch (kind) {
    case 'delete':
      return words.length < 2 ? undefined : join(words.filter((_, k) => k !== at));
    case 'duplicate':
      return join([...words.slice(0, at + 1), ...words.slice(at)]);
    case 'corrupt-number':
    case 'huge-number': {
      const digits = [...line.matchAll(/[0-9]+/g)];
      const m = digits[pick % Math.max(1, digits.length)];
      if (m === undefined) return undefined;
      const repl = kind === 'huge-number' ? '99999999999' : `x${m[0].slice(1)}`;
      return line.slice(0, m.index) + repl + line.slice(m.index + m[0].length);
    }
    case 'misspell': {
      const w = words[0]!;
      const cut = 1 + (pick % Math.max(1, w.length - 1));
      return join([`${w.slice(0, cut)}q${w.slice(cut)}`, ...words.slice(1)]);
    }
    case 'drop-size': {
      const i = words.indexOf('size');
      return i < 0 ? undefined : join(words.filter((_, k) => k !== i && k !== i + 1));
    }
    case 'unbalance-brace': {
      const braces = words.map((w, k) => (w === '{' || w === '}' ? k : -1)).filter((k) => k >= 0);
      const b = braces[pick % Math.max(1, braces.length)];
      return b === undefined ? undefined : join(words.filter((_, k) => k !== b));
    }
  }
}

describe('mutated configs', () => {
  it('has valid bases', () => {
    expect(BASES.length).toBeGreaterThan(10);
    for (const b of BASES.slice(0, 2)) expect(parseConfig(b, { file: 'base.cfg' }).ok).toBe(true);
  });

  it('never throw; errors are located on real lines, one of them on the mutated line', () => {
    let mutatedWithErrors = 0;
    const prop = fc.property(
      fc.nat({ max: BASES.length - 1 }),
      fc.nat(),
      fc.constantFrom(...KINDS),
      fc.nat(),
      (baseIndex, linePick, kind, pick) => {
        const lines = BASES[baseIndex]!.split('\n');
        const candidates = lines.map((l, k) => (l.trim() === '' || l.trim().startsWith('#') ? -1 : k)).filter((k) => k >= 0);
        const target = candidates[linePick % candidates.length]!;
        const mutated = mutateLine(lines[target]!, kind, pick);
        fc.pre(mutated !== undefined && mutated !== lines[target]);
        // A mutation that turns a line into a section header (e.g. `log global` → `global`) is
        // valid there; the errors it causes belong to the lines that follow.
        const first = (l: string): string => l.trim().split(/\s+/)[0] ?? '';
        fc.pre(!SECTION_WORDS.has(first(mutated!)) || first(mutated!) === first(lines[target]!));
        lines[target] = mutated!;
        const text = lines.join('\n');
        let r: ReturnType<typeof parseConfig> | undefined;
        expect(() => {
          r = parseConfig(text, { file: 'm.cfg' });
        }).not.toThrow();
        if (r === undefined || r.ok) return;
        mutatedWithErrors++;
        for (const e of r.errors) {
          expect(e.detail).not.toMatch(/internal error/);
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(lines.length);
          const lineText = lines[e.line - 1]!;
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeLessThanOrEqual(Math.max(1, lineText.length));
          expect(e.message).toBe(`m.cfg:${e.line}:${e.column}: ${e.detail}${e.token === '' ? '' : ` (at '${e.token}')`}`);
        }
        // Either an error is on the mutated line, or the mutation renamed something (a table, an
        // ACL, a peers section) and only the references to the old name fail elsewhere.
        const onTarget = r.errors.some((e) => e.line === target + 1);
        const onlyReferences = r.errors.every((e) => /unable to find|no such ACL/.test(e.detail));
        expect(onTarget || onlyReferences, `mutation ${kind} of line ${target + 1}: ${mutated}\n${r.errors.map((e) => e.message).join('\n')}`).toBe(true);
      },
    );
    fc.assert(prop, { seed: Number(process.env.FC_SEED ?? 42), numRuns: Number(process.env.FC_NUM_RUNS ?? 300) });
    expect(mutatedWithErrors).toBeGreaterThan(0);
  });

  it('arbitrary text of config-ish characters never throws and locates its errors', () => {
    const alphabet = fc.constantFrom(...'ab01 \t\n#"\'\\${}()[],:.-!|sizetypeexpire'.split(''), 'peers ', 'peer ', 'table ', 'stick-table ', 'backend ', 'http-request ', 'track-sc0 ', 'if ', '{ ', ' }');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (parts) => {
        const text = parts.join('');
        const r = parseConfig(text, { file: 'f.cfg' });
        const lines = text.split('\n');
        if (r.ok) return;
        for (const e of r.errors) {
          expect(e.detail).not.toMatch(/internal error/);
          expect(e.line).toBeLessThanOrEqual(lines.length);
          expect(e.column).toBeLessThanOrEqual(Math.max(1, lines[e.line - 1]!.length));
        }
      }),
      { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 300) },
    );
  });
});
