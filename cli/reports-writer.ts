/**
 * Writes a suite's results for `sticksim run`: JUnit alone with --junit, and with --report DIR the
 * full set from reports/ (results.json, junit.xml, summary.md, report.html). Returns the paths.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SuiteResult } from '../scenarios/results.ts';
import { junitFromSuite } from '../reports/junit.ts';
import { writeSuiteReports } from '../reports/write-reports.ts';
import type { ResultsProvenance } from '../reports/results-file.ts';

export async function writeReports(
  suite: SuiteResult,
  options: { junitPath: string | undefined; reportDir: string | undefined; provenance?: ResultsProvenance },
): Promise<string[]> {
  const written: string[] = [];
  if (options.junitPath !== undefined) {
    mkdirSync(dirname(options.junitPath), { recursive: true });
    writeFileSync(options.junitPath, junitFromSuite(suite));
    written.push(options.junitPath);
  }
  if (options.reportDir !== undefined) {
    const r = writeSuiteReports({ suite, outDir: options.reportDir, ...(options.provenance === undefined ? {} : { provenance: options.provenance }) });
    written.push(r.resultsPath, r.junitPath, r.markdownPath, r.htmlPath);
  }
  return written;
}
