/**
 * `sticksim run --config haproxy.cfg [--config FILE…] [--hostname H…] [--latency 80ms]
 * [--battery-scenario NAME] [--fail-on-finding] [--haproxy 2.6|3.0|3.2|all]`: the failure battery
 * on the user's own cluster, under each chosen HAProxy line (cli/battery-report.ts shows the lines
 * side by side). The configs are parsed as each line parses them (errors in its wording stop the run, exit 2), linted as `sticksim
 * check` does (its errors stop the run too), the cluster is derived from them (hosts from the
 * peer lines), then every battery scenario runs after a fault-free reference run. Findings are
 * printed in the operator's terms with the command that reproduces each; exit 1 only when a run
 * broke (or, with --fail-on-finding, when a scenario has a finding).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { lintConfigs, type LintInput } from '../../engine/config/lint.ts';
import { parseConfig } from '../../engine/config/parse.ts';
import { parseTimeMs } from '../../engine/config/time-size.ts';
import type { MergePolicyName } from '../../engine/peers/merge.ts';
import type { SuiteResult } from '../../scenarios/results.ts';
import { deriveCluster, DeriveError, type ConfigFile, type DerivedCluster } from '../../scenarios/battery/derive.ts';
import { LATENCY_MS_DEFAULT, runBattery, UnknownBatteryScenarioError, type BatteryOptions, type BatteryResult } from '../../scenarios/battery/index.ts';
import { HAPROXY_VERSION_DEFAULT, type HaproxyVersion } from '../../engine/version/profile.ts';
import { findingsReport, versionsReport } from '../battery-report.ts';
import { writeReports } from '../reports-writer.ts';

const POLICIES: readonly MergePolicyName[] = ['haproxy', 'aggregate', 'max'];
export const LATENCY_MS_MAX = 10_000;

export interface RunConfigCliOptions {
  config?: string[];
  hostname?: string[];
  latency?: string;
  batteryScenario?: string;
  failOnFinding?: boolean;
  seed?: string;
  policy?: string;
  junit?: string;
  report?: string;
  trace?: string;
  /** `--haproxy 2.6|3.0|3.2|all` (parsed by the run command): the lines to run the battery under. */
  haproxy?: HaproxyVersion[];
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').filter((v) => v !== '')];

/** The options `run` takes for the battery (registered on the `run` command). */
export function addRunConfigOptions(run: Command): Command {
  return run
    .option('--config <file>', 'run the failure battery on this haproxy.cfg (repeat: one file per host)', collect)
    .option('--hostname <name>', 'with --config: host names (one per file, in order; or the peers to run from a shared config)', collect)
    .option('--latency <time>', 'with --config: one-way latency between nodes, e.g. 80ms', `${LATENCY_MS_DEFAULT}ms`)
    .option('--battery-scenario <name>', 'with --config: run only this battery scenario (the reproduce commands name it)')
    .option('--fail-on-finding', 'with --config: a scenario with a finding fails (exit 1), for CI');
}

/** A user's mistake: one line, exit 2. */
class UsageError extends Error {}

export async function runConfigCommand(paths: readonly string[], options: RunConfigCliOptions): Promise<number> {
  try {
    return await runConfig(paths, options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof DeriveError || error instanceof UnknownBatteryScenarioError) {
      process.stderr.write(`sticksim: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function runConfig(paths: readonly string[], options: RunConfigCliOptions): Promise<number> {
  if (paths.length > 0) throw new UsageError(`--config runs the failure battery; scenario files (${paths.join(' ')}) go in a separate \`sticksim run\``);
  const versions: readonly HaproxyVersion[] = options.haproxy ?? [HAPROXY_VERSION_DEFAULT];
  const hostnames = options.hostname ?? [];
  // Each line parses the configs as that HAProxy would: a keyword or data type it does not know is refused in its words.
  const parsed: { haproxy: HaproxyVersion; files: ConfigFile[] }[] = [];
  const warned = new Set<string>();
  for (const haproxy of versions) {
    const files = readConfigs(options.config ?? [], { haproxy, named: versions.length > 1, warned });
    if (files === undefined) return 2;
    parsed.push({ haproxy, files });
  }
  const lintErrors = lint(parsed[0]!.files, hostnames);
  if (lintErrors > 0) {
    process.stderr.write(`sticksim: ${lintErrors} error(s) found by \`sticksim check\`; fix them first\n`);
    return 2;
  }
  const clusters = parsed.map(({ haproxy, files }) => ({ haproxy, cluster: deriveCluster(files, { hostnames }) }));
  const latencyMs = parseLatency(options.latency ?? `${LATENCY_MS_DEFAULT}ms`);
  const policies = policiesOf(options.policy);
  process.stdout.write(describeCluster(clusters[0]!.cluster));
  if (versions.length > 1 || versions[0] !== HAPROXY_VERSION_DEFAULT) process.stdout.write(`  haproxy ${versions.join(', ')}\n`);
  const runs: BatteryResult[] = [];
  const tty = process.stderr.isTTY === true;
  const notes = new Set<string>();
  for (const policy of policies) {
    for (const { haproxy, cluster } of clusters) {
      const battery: BatteryOptions = {
        seed: options.seed ?? '1',
        policy,
        haproxy,
        latencyMs,
        failOnFinding: options.failOnFinding === true,
        ...(options.batteryScenario === undefined ? {} : { scenario: options.batteryScenario }),
      };
      const run = runBattery(cluster, battery, {
        wallMs: () => performance.now(),
        ...(options.trace === undefined ? {} : { tracePathFor: tracePlanner(options.trace) }),
        onScenario: (name, i, count) => {
          if (tty) process.stderr.write(`\r[${i + 1}/${count}] ${name} policy=${policy} haproxy=${haproxy}\x1b[K`);
        },
      });
      if (tty) process.stderr.write('\r\x1b[K');
      for (const note of run.plan.notes) if (!notes.has(note)) process.stdout.write(`note: ${note}\n`);
      for (const note of run.plan.notes) notes.add(note);
      runs.push(...run.results);
    }
  }
  process.stdout.write(versions.length > 1 ? versionsReport(runs, versions) : findingsReport(runs, versions[0] !== HAPROXY_VERSION_DEFAULT));
  const suite: SuiteResult = { rootSeed: options.seed ?? '1', runs: runs.map((r) => r.result) };
  const written = await writeReports(suite, { junitPath: options.junit, reportDir: options.report });
  for (const path of written) process.stdout.write(`written: ${path}\n`);
  const failed = runs.filter((r) => !r.result.passed);
  const findings = runs.reduce((n, r) => n + r.findings.filter((f) => f.notable).length, 0);
  process.stdout.write(`\n${runs.length - failed.length} passed, ${failed.length} failed, ${findings} finding(s)\n`);
  return failed.length === 0 ? 0 : 1;
}

/** A directory of `<scenario>[-<policy>][-<haproxy>].jsonl`, one trace per battery scenario. */
function tracePlanner(dir: string): (name: string, policy: string, haproxy: HaproxyVersion) => string {
  mkdirSync(dir, { recursive: true });
  return (name, policy, haproxy) => join(dir, `${name}${policy === 'haproxy' ? '' : `-${policy}`}${haproxy === HAPROXY_VERSION_DEFAULT ? '' : `-${haproxy}`}.jsonl`);
}

/**
 * The configs parsed as HAProxy `haproxy` parses them; undefined (after printing its alerts) when
 * that line would refuse them. `named` (several lines): each alert says which line refused. Warnings print once.
 */
function readConfigs(paths: readonly string[], options: { haproxy: HaproxyVersion; named: boolean; warned: Set<string> }): ConfigFile[] | undefined {
  const who = `HAProxy ${options.haproxy}`;
  const out: ConfigFile[] = [];
  let errors = 0;
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const parsed = parseConfig(text, { file, version: options.haproxy });
    for (const w of parsed.warnings) if (!options.warned.has(w.message)) process.stderr.write(`[WARNING] ${w.message}\n`);
    for (const w of parsed.warnings) options.warned.add(w.message);
    if (!parsed.ok) {
      for (const e of parsed.errors) process.stderr.write(`[ALERT]${options.named ? ` (haproxy ${options.haproxy})` : ''} ${e.message}\n`);
      errors += parsed.errors.length;
      continue;
    }
    out.push({ file, text, config: parsed.config });
  }
  if (errors > 0) {
    process.stderr.write(`sticksim: ${errors} error(s) in the configuration; ${who} would refuse to start\n`);
    return undefined;
  }
  return out;
}

/** `sticksim check` on the configs; prints its findings and returns the error count. */
function lint(files: readonly ConfigFile[], hostnames: readonly string[]): number {
  const inputs: LintInput[] = files.map((f, i) => {
    const localpeer = f.config.global.localpeerLines.at(-1)?.name;
    const firstPeer = f.config.peersSections[0]?.entries[0]?.name;
    // One shared config runs with -L on every host: lint it as its first node sees it.
    if (files.length === 1 && localpeer === undefined && hostnames.length === 0 && firstPeer !== undefined) return { config: f.config, hostname: firstPeer, cliLocalPeer: firstPeer };
    return { config: f.config, hostname: hostnames[i] ?? localpeer ?? firstPeer ?? 'localhost' };
  });
  const findings = lintConfigs(inputs);
  for (const f of findings) if (f.level !== 'info') process.stderr.write(`${f.file}:${f.line}: ${f.message} [${f.level}]\n`);
  return findings.filter((f) => f.level === 'error').length;
}

function parseLatency(text: string): number {
  const r = parseTimeMs(text);
  if (!r.ok || r.trailingGarbage !== undefined || r.ms > LATENCY_MS_MAX) {
    throw new UsageError(`--latency ${text}: a time such as 80ms or 1s, at most ${LATENCY_MS_MAX} ms`);
  }
  return r.ms;
}

function policiesOf(policy: string | undefined): MergePolicyName[] {
  if (policy === undefined) return ['haproxy'];
  if (policy === 'all') return [...POLICIES];
  if (!POLICIES.includes(policy as MergePolicyName)) throw new UsageError(`unknown policy '${policy}' (haproxy, aggregate, max, all)`);
  return [policy as MergePolicyName];
}

function describeCluster(c: DerivedCluster): string {
  const lines = [`sticksim run --config: ${c.hosts.length} node(s) from ${c.files.join(', ')}${c.section === undefined ? '' : ` (peers ${c.section})`}`];
  for (const h of c.hosts) lines.push(`  node ${h.name} ${h.address}${h.port === 0 ? '' : `:${h.port}`}${c.shape === 'per-host' ? ` (${h.file})` : ''}`);
  for (const t of c.tables) {
    lines.push(`  table ${t.name}: type ${t.keyType} size ${t.sizeEntries} expire ${t.expireMs === 0 ? 'never' : `${t.expireMs} ms`}${t.nopurge ? ' nopurge' : ''}${t.replicated ? ' replicated' : ' not replicated'} store ${t.storeNames.join(',') || '-'}`);
  }
  for (const l of c.limits) lines.push(`  limit ${l.file}:${l.line}: ${l.text} (table ${l.table}, frontend ${l.frontend})`);
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}
