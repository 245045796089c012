import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../engine/config/parse.ts';
import { lintConfigs } from '../../../engine/config/lint.ts';
import type { Config } from '../../../engine/config/types.ts';

function cfg(file: string, text: string): Config {
  const r = parseConfig(text, { file });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.config;
}

const peers = (local: string, hap2Address: string, table = 'type ip size 1k expire 60s store gpc0'): string =>
  `global\n    localpeer ${local}\n\npeers mypeers\n    peer hap1 10.0.0.1:10000\n    peer hap2 ${hap2Address}:10000\n\nbackend st\n    stick-table ${table} peers mypeers\n`;

describe('sticksim check (lintConfigs)', () => {
  it('a clean pair of configs has no error', () => {
    const f = lintConfigs([
      { config: cfg('hap1.cfg', peers('hap1', '10.0.0.2')), hostname: 'hap1' },
      { config: cfg('hap2.cfg', peers('hap2', '10.0.0.2')), hostname: 'hap2' },
    ]);
    expect(f.filter((x) => x.level === 'error')).toEqual([]);
  });

  it('one-way misaddressing names the file and line of the wrong peer line', () => {
    const f = lintConfigs([
      { config: cfg('hap1.cfg', peers('hap1', '10.0.0.3')), hostname: 'hap1' },
      { config: cfg('hap2.cfg', peers('hap2', '10.0.0.2')), hostname: 'hap2' },
    ]);
    const errors = f.filter((x) => x.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'hap1.cfg', line: 6 });
    expect(errors[0]!.message).toMatch(/listed at 10\.0\.0\.3:10000.*listen on 10\.0\.0\.2:10000/);
  });

  it('mismatched key sizes across hosts are an error; no local peer is HAProxy’s warning', () => {
    const f = lintConfigs([
      { config: cfg('hap1.cfg', peers('hap1', '10.0.0.2', 'type string len 32 size 1k expire 1m store gpc0')), hostname: 'hap1' },
      { config: cfg('hap2.cfg', peers('hap2', '10.0.0.2', 'type string size 1k expire 1m store gpc0')), hostname: 'hap2' },
    ]);
    expect(f.some((x) => x.level === 'error' && /string\/32 bytes here but string\/33/.test(x.message))).toBe(true);
    const lone = lintConfigs([{ config: cfg('vm.cfg', peers('hap1', '10.0.0.2').replace('    localpeer hap1\n', '')), hostname: 'vm' }]);
    expect(lone.map((x) => x.message)).toContain("Removing incomplete section 'peers mypeers' (no peer named 'vm').");
  });

  it('two peers sharing an address and a section with only the local peer are reported', () => {
    const shared = lintConfigs([{ config: cfg('a.cfg', peers('hap1', '10.0.0.1')), hostname: 'hap1' }]);
    expect(shared.some((x) => x.level === 'error' && /share the address 10\.0\.0\.1:10000/.test(x.message))).toBe(true);
    const alone = lintConfigs([
      { config: cfg('b.cfg', 'peers p\n    peer me 127.0.0.1:10000\n\nbackend st\n    stick-table type ip size 1k expire 1m peers p\n'), hostname: 'me' },
    ]);
    expect(alone.some((x) => x.level === 'info' && /lists only the local peer/.test(x.message))).toBe(true);
  });
});
