/**
 * SHA-256 of the trace of every built-in scenario under seeds 1-3 (its first policy, 2.6 profile,
 * traceLevel full through a trace file): the full hash, the hash without the header line, and the
 * fingerprint (LINES=2.6,3.0,3.2 for every release line). Used to show that a change leaves runs byte-identical:
 *   ROOT=<checkout> node --import tsx scripts/trace-hashes.ts > hashes.txt   (in each checkout, then diff)
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const root = process.env['ROOT'] ?? process.cwd();
const { loadScenarios, BUILTIN_DIR } = await import(`${root}/scenarios/suite.ts`);
const { runScenario } = await import(`${root}/scenarios/runner.ts`);
const { readdirSync } = await import('node:fs');
/** LINES=2.6,3.0,3.2 runs every line (default: 2.6 only). */
const LINES = (process.env['LINES'] ?? '2.6').split(',');
const files = readdirSync(BUILTIN_DIR).filter((f: string) => f.endsWith('.ts') && f !== 'cluster.ts').map((f: string) => `${BUILTIN_DIR}/${f}`);
const loaded = await loadScenarios(files);
for (const s of loaded) {
  const spec = s.spec;
  for (const seed of ['1', '2', '3']) for (const haproxy of LINES) {
    const path = join(tmpdir(), `sticksim-trace-hashes-${process.pid}.jsonl`);
    const out = runScenario(spec, { seed, haproxy, policy: (spec.policies?.[0] ?? 'haproxy'), tracePath: path, traceLevel: 'full' });
    const text = readFileSync(path, 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    rmSync(path);
    console.log(`${spec.name} haproxy=${haproxy} seed=${seed} passed=${out.result.passed} full=${out.result.traceHash.slice(0, 16)} body=${createHash('sha256').update(body).digest('hex').slice(0, 16)} fp=${out.result.fingerprint.slice(0, 16)}`);
  }
}
