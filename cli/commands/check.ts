/**
 * `sticksim check haproxy.cfg… [--hostname H]`: lints configurations for peer mistakes. With one
 * file, the mistakes visible in it; with several (one per host, in the order of --hostname
 * values or named by their local peer), the mistakes between them. Exit 1 when an error is found.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseConfig } from '../../engine/config/parse.ts';
import { lintConfigs, type LintInput } from '../../engine/config/lint.ts';
import { HAPROXY_OPTION_HELP, haproxyOption } from '../options.ts';
import type { HaproxyVersion } from '../../engine/version/profile.ts';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('lint haproxy.cfg files for peers mistakes (misaddressing, missing local peer, table mismatches)')
    .argument('<configs...>', 'one haproxy.cfg, or one per host to cross-check them')
    .option('--haproxy <version>', HAPROXY_OPTION_HELP, haproxyOption)
    .option('--hostname <names>', 'host name(s) the configs run on, comma-separated in the order of the files (default: each file’s localpeer)')
    .action((files: string[], options: { hostname?: string; haproxy?: HaproxyVersion }) => {
      const hostnames = options.hostname?.split(',') ?? [];
      const inputs: LintInput[] = [];
      let parseErrors = 0;
      for (const [i, file] of files.entries()) {
        let text: string;
        try {
          text = readFileSync(file, 'latin1');
        } catch (error) {
          process.stderr.write(`sticksim check: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
          process.exitCode = 2;
          return;
        }
        const parsed = parseConfig(text, { file, version: options.haproxy ?? '2.6' });
        for (const w of parsed.warnings) process.stdout.write(`${w.message} [warning]\n`);
        if (!parsed.ok) {
          for (const e of parsed.errors) process.stdout.write(`${e.message} [error]\n`);
          parseErrors += parsed.errors.length;
          continue;
        }
        const localpeer = parsed.config.global.localpeerLines.at(-1)?.name;
        inputs.push({ config: parsed.config, hostname: hostnames[i] ?? localpeer ?? 'localhost' });
      }
      const findings = lintConfigs(inputs);
      for (const f of findings) process.stdout.write(`${f.file}:${f.line}: ${f.message} [${f.level}]\n`);
      const errors = parseErrors + findings.filter((f) => f.level === 'error').length;
      process.stdout.write(`${files.length} file(s): ${errors} error(s), ${findings.filter((f) => f.level === 'warning').length} warning(s)\n`);
      process.exitCode = errors > 0 ? 1 : 0;
    });
}
