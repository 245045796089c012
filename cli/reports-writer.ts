/**
 * Writes a suite's results: results.json always goes with the reports; JUnit, Markdown and HTML
 * come from reports/. Returns the paths written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SuiteResult } from '../scenarios/results.ts';
import { junitFromSuite } from '../reports/junit.ts';

export async function writeReports(
  suite: SuiteResult,
  options: { junitPath: string | undefined; reportDir: string | undefined },
): Promise<string[]> {
  const written: string[] = [];
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  };
  if (options.junitPath !== undefined) put(options.junitPath, junitFromSuite(suite));
  if (options.reportDir !== undefined) {
    put(join(options.reportDir, 'results.json'), JSON.stringify(suite, null, 2) + '\n');
    put(join(options.reportDir, 'junit.xml'), junitFromSuite(suite));
  }
  return written;
}
