/**
 * What `sticksim run --config` prints after the battery: the summary table (one row per scenario
 * and policy; with several HAProxy lines, one column per line side by side) and, for each scenario
 * with a finding or a broken run, its findings in the operator's terms and the commands that
 * reproduce them. A finding whose sentence is not the same under every line is said to differ,
 * with each line's sentence.
 */
import type { HaproxyVersion } from '../engine/version/profile.ts';
import type { BatteryResult } from '../scenarios/battery/index.ts';
import type { ScenarioRunResult } from '../scenarios/results.ts';

const versionOf = (r: ScenarioRunResult): HaproxyVersion => r.haproxy ?? '2.6';
const notableCount = (b: BatteryResult): number => b.findings.filter((f) => f.notable).length;
const verdict = (b: BatteryResult): string => (!b.result.passed ? 'FAIL' : notableCount(b) > 0 ? `finding${notableCount(b) === 1 ? '' : 's'} ${notableCount(b)}` : 'pass');

/** Expectations that failed and are not findings (a broken run): said with ✗. */
function broken(b: BatteryResult): string[] {
  return b.result.expectations.filter((e) => !e.passed && !b.findings.some((f) => f.name === e.name)).map((e) => e.message);
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('').trimEnd());
}

/** One HAProxy line: `result scenario policy [haproxy] findings`, then each scenario's findings. */
export function findingsReport(runs: readonly BatteryResult[], withHaproxy: boolean): string {
  const head = ['result', 'scenario', 'policy', ...(withHaproxy ? ['haproxy'] : []), 'findings'];
  const rows = runs.map((b) => [b.result.passed ? (notableCount(b) > 0 ? 'finding' : 'pass') : 'FAIL', b.result.scenario, b.result.policy, ...(withHaproxy ? [versionOf(b.result)] : []), String(notableCount(b))]);
  const out: string[] = ['', ...table(head, rows)];
  for (const b of runs) {
    const r = b.result;
    const notable = b.findings.filter((f) => f.notable);
    if (broken(b).length === 0 && notable.length === 0) continue;
    out.push('', `${r.passed ? '' : 'FAILED '}${r.scenario} (seed ${r.seed}, policy ${r.policy}${withHaproxy ? `, haproxy ${versionOf(r)}` : ''}): ${r.title}`);
    for (const m of broken(b)) out.push(`  ✗ ${m}`);
    for (const f of notable) out.push(`  • ${f.message}`);
    out.push(`  reproduce: ${r.reproduce}`);
  }
  return out.join('\n') + '\n';
}

/** The runs of one scenario under one policy, one per HAProxy line, in the lines' order. */
export interface Group {
  readonly scenario: string;
  readonly policy: string;
  readonly byVersion: ReadonlyMap<HaproxyVersion, BatteryResult>;
}

function groups(runs: readonly BatteryResult[]): Group[] {
  const out = new Map<string, { scenario: string; policy: string; byVersion: Map<HaproxyVersion, BatteryResult> }>();
  for (const b of runs) {
    const key = `${b.result.scenario}\n${b.result.policy}`;
    let g = out.get(key);
    if (g === undefined) out.set(key, (g = { scenario: b.result.scenario, policy: b.result.policy, byVersion: new Map() }));
    g.byVersion.set(versionOf(b.result), b);
  }
  return [...out.values()];
}

export interface VersionDifference {
  /** The finding's name, or `run` when the run passed under some lines and broke under others. */
  readonly name: string;
  /** Each distinct sentence with the lines that said it. */
  readonly said: readonly { readonly versions: readonly HaproxyVersion[]; readonly message: string }[];
}

/**
 * The findings of one scenario whose sentence is not the same under every line (only findings
 * notable under at least one line): "reload of a lone node keeps its table on 3.x, not on 2.6".
 */
export function versionDifferences(group: Group, versions: readonly HaproxyVersion[]): VersionDifference[] {
  const out: VersionDifference[] = [];
  const sentence = (v: HaproxyVersion, name: string): string => {
    const b = group.byVersion.get(v);
    if (b === undefined) return '(not run)';
    return b.findings.find((f) => f.name === name)?.message ?? (b.result.passed ? '(no such finding)' : `(the run broke: ${broken(b).join('; ')})`);
  };
  const names: string[] = [];
  for (const v of versions) for (const f of group.byVersion.get(v)?.findings ?? []) if (f.notable && !names.includes(f.name)) names.push(f.name);
  const passes = versions.map((v) => group.byVersion.get(v)?.result.passed ?? false);
  if (passes.some((p) => p !== passes[0])) names.unshift('run');
  for (const name of names) {
    const said: { versions: HaproxyVersion[]; message: string }[] = [];
    for (const v of versions) {
      const message = name === 'run' ? (group.byVersion.get(v)?.result.passed ? 'the run completes' : sentence(v, name)) : sentence(v, name);
      const same = said.find((x) => x.message === message);
      if (same === undefined) said.push({ versions: [v], message });
      else same.versions.push(v);
    }
    if (said.length > 1) out.push({ name, said });
  }
  return out;
}

/** Several HAProxy lines: one row per scenario and policy, a column per line, and what differs. */
export function versionsReport(runs: readonly BatteryResult[], versions: readonly HaproxyVersion[]): string {
  const all = groups(runs);
  const diffs = new Map(all.map((g) => [g, versionDifferences(g, versions)]));
  const head = ['scenario', 'policy', ...versions.map((v) => `haproxy ${v}`), 'versions'];
  const rows = all.map((g) => [g.scenario, g.policy, ...versions.map((v) => { const b = g.byVersion.get(v); return b === undefined ? '-' : verdict(b); }), diffs.get(g)!.length > 0 ? 'differ' : 'same']);
  const out: string[] = ['', ...table(head, rows)];
  for (const g of all) {
    const present = versions.flatMap((v) => { const b = g.byVersion.get(v); return b === undefined ? [] : [b]; });
    const differing = diffs.get(g)!;
    const notableSame = new Map<string, string>();
    for (const b of present) for (const f of b.findings) if (f.notable && !differing.some((d) => d.name === f.name)) notableSame.set(f.name, f.message);
    const brokenLines = present.flatMap((b) => broken(b).map((m) => `  ✗ haproxy ${versionOf(b.result)}: ${m}`));
    if (differing.length === 0 && notableSame.size === 0 && brokenLines.length === 0) continue;
    const first = present[0]!.result;
    out.push('', `${present.every((b) => b.result.passed) ? '' : 'FAILED '}${g.scenario} (seed ${first.seed}, policy ${g.policy}): ${first.title}`);
    out.push(...brokenLines);
    for (const d of differing) {
      out.push(`  • differs between HAProxy versions (${d.name}):`);
      for (const x of d.said) out.push(`      ${x.versions.join(', ')}: ${x.message}`);
    }
    for (const message of notableSame.values()) out.push(`  • ${message}`);
    for (const b of present) out.push(`  reproduce: ${b.result.reproduce}`);
  }
  const differ = all.filter((g) => diffs.get(g)!.length > 0);
  out.push('', `HAProxy ${versions.join(', ')}: ${differ.length} scenario(s) whose findings differ between versions${differ.length === 0 ? '' : ` (${differ.map((g) => g.scenario).join(', ')})`}`);
  return out.join('\n') + '\n';
}
