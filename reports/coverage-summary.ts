/**
 * Coverage marks in the reports: which named engine paths the runs reached (with counts) and which
 * they never did. Counts from several shards add up, so "never hit" is computed over their union.
 */
import { ALL_MARKS } from '../scenarios/fuzz/coverage.ts';
import { markdownCode } from './markdown.ts';
import { xmlText } from './xml.ts';

export type CoverageCounts = Readonly<Record<string, number>>;

export function coverageSplit(coverage: CoverageCounts): { hit: [string, number][]; neverHit: string[] } {
  const hit: [string, number][] = [];
  const neverHit: string[] = [];
  for (const mark of ALL_MARKS) {
    const count = coverage[mark] ?? 0;
    if (count > 0) hit.push([mark, count]);
    else neverHit.push(mark);
  }
  return { hit, neverHit };
}

/** Adds shard counts together (marks outside ALL_MARKS are kept too). */
export function addCoverage(into: Record<string, number>, more: CoverageCounts): void {
  for (const [mark, count] of Object.entries(more)) into[mark] = (into[mark] ?? 0) + count;
}

export function coverageMarkdown(coverage: CoverageCounts): string {
  const { hit, neverHit } = coverageSplit(coverage);
  return [
    '### Coverage marks',
    '',
    `- hit: ${hit.length === 0 ? 'none' : hit.map(([mark, count]) => `${markdownCode(mark)} ×${count}`).join(', ')}`,
    `- never hit: ${neverHit.length === 0 ? 'none' : neverHit.map((mark) => markdownCode(mark)).join(', ')}`,
  ].join('\n');
}

export function coverageHtml(coverage: CoverageCounts): string {
  const { hit, neverHit } = coverageSplit(coverage);
  const list = (items: string[]): string => (items.length === 0 ? 'none' : items.join(', '));
  return (
    '<section id="coverage"><h2>Coverage marks</h2>' +
    `<p>Hit: ${list(hit.map(([mark, count]) => `<code>${xmlText(mark)}</code> ×${count}`))}</p>` +
    `<p>Never hit: ${list(neverHit.map((mark) => `<code>${xmlText(mark)}</code>`))}</p>` +
    '</section>'
  );
}
