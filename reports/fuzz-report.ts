/**
 * The reports of a fuzz campaign (one `sticksim fuzz` run, or shards merged): JUnit with one test
 * case per property, a Markdown summary for a CI job summary, and a self-contained HTML page.
 * Each failure carries the command that finds it again and, when one was written, the regression
 * file and its replay command. Pure functions of the campaign and its coverage counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCampaignResult, FuzzFailureRecord } from '../scenarios/fuzz/campaign-result.ts';
import { coverageHtml, coverageMarkdown, type CoverageCounts } from './coverage-summary.ts';
import { REPORT_CSS } from './html/style.ts';
import { junitFromProperties, type PropertyResult } from './junit.ts';
import { markdownCell, markdownCode, markdownCodeBlock } from './markdown.ts';
import type { WrittenReports } from './write-reports.ts';
import { xmlText } from './xml.ts';

/** The first (lowest-index) failure of each property. */
function firstFailureByProperty(campaign: FuzzCampaignResult): Map<string, FuzzFailureRecord> {
  const first = new Map<string, FuzzFailureRecord>();
  for (const failure of campaign.failures) {
    const known = first.get(failure.property);
    if (known === undefined || failure.index < known.index) first.set(failure.property, failure);
  }
  return first;
}

/** One result per property (and per failing property the campaign does not list, if any). */
export function fuzzPropertyResults(campaign: FuzzCampaignResult): PropertyResult[] {
  const first = firstFailureByProperty(campaign);
  const names = [...campaign.properties, ...[...first.keys()].filter((name) => !campaign.properties.includes(name))];
  return names.map((name) => {
    const failure = first.get(name);
    if (failure === undefined) return { name, passed: true, message: `held in ${campaign.runsDone} run(s)${plantedNote(campaign)}`, seed: campaign.rootSeed, runs: campaign.runsDone };
    return {
      name,
      passed: false,
      message: `${failure.shrunkMessage} (run ${failure.index}, seed ${failure.seed}${plantedNote(campaign)})`,
      seed: campaign.rootSeed,
      runs: campaign.runsDone,
      reproduce: failure.reproduce,
    };
  });
}

export function junitFromCampaign(campaign: FuzzCampaignResult): string {
  const name = campaign.plantedBug === undefined ? 'sticksim fuzz' : `sticksim fuzz --plant-bug ${campaign.plantedBug}`;
  return junitFromProperties(fuzzPropertyResults(campaign), { name, suiteName: 'fuzz properties' });
}

/** "indices 0–299 (300 seeds)" or, for gaps, the runs listed (at most a few). */
export function describeIndices(campaign: FuzzCampaignResult): string {
  const runs = campaign.indexRuns;
  if (runs.length === 0) return 'no seeds';
  const stride = campaign.indexStride;
  const part = ([first, count]: readonly [number, number]): string =>
    count === 1 ? String(first) : `${first}–${first + (count - 1) * stride}${stride === 1 ? '' : ` step ${stride}`}`;
  const shown = runs.slice(0, 4).map(part).join(', ');
  return `indices ${shown}${runs.length > 4 ? `, … (${runs.length} ranges)` : ''} (${campaign.runsDone} seed${campaign.runsDone === 1 ? '' : 's'} \`${campaign.rootSeed}-<index>\`)`;
}

function timeNote(campaign: FuzzCampaignResult): string {
  return campaign.timeBound ? 'The campaign ran for a fixed time: which seeds ran depended on the machine’s speed (each seed is still deterministic).' : '';
}

function headline(campaign: FuzzCampaignResult): string {
  const failed = firstFailureByProperty(campaign).size;
  const root = `root seed ${markdownCode(campaign.rootSeed)}`;
  if (campaign.runsDone === 0) return `## ⚠️ sticksim fuzz: no runs (${root})`;
  if (failed === 0) return `## ✅ sticksim fuzz: every property held in ${campaign.runsDone} run(s) (${root})`;
  return `## ❌ sticksim fuzz: ${failed} propert${failed === 1 ? 'y' : 'ies'} violated in ${campaign.runsDone} run(s) (${root})`;
}

function failureMarkdown(f: FuzzFailureRecord): string {
  const lines = [`### ❌ ${markdownCell(f.property)} — run ${f.index}, seed ${markdownCode(f.seed)}`, '', `- first seen: ${markdownCell(f.message)}`, `- shrunk: ${markdownCell(f.shrunkMessage)}`];
  lines.push(`- fault schedule: ${f.faults.length === 0 ? '(none)' : f.faults.map((fault) => markdownCode(fault)).join('; ')}`);
  lines.push('', 'Reproduce:', '', markdownCodeBlock(f.reproduce, 'sh'));
  if (f.replay !== undefined) lines.push('', `Regression ${markdownCode(f.regressionPath ?? '')}, replay:`, '', markdownCodeBlock(f.replay, 'sh'));
  return lines.join('\n');
}

export function markdownFuzzSummary(campaign: FuzzCampaignResult, coverage: CoverageCounts): string {
  const results = fuzzPropertyResults(campaign);
  const parts = [headline(campaign), '', `Seeds: ${describeIndices(campaign)}.`];
  const note = timeNote(campaign);
  if (note !== '') parts.push('', note);
  parts.push('', '| property | result | note |', '| --- | --- | --- |');
  for (const r of results) parts.push(`| ${markdownCell(r.name)} | ${r.passed ? '✅ held' : '❌ violated'} | ${markdownCell(r.message)} |`);
  parts.push('', coverageMarkdown(coverage), '');
  for (const failure of campaign.failures) parts.push(failureMarkdown(failure), '');
  return `${parts.join('\n').trimEnd()}\n`;
}

function esc(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;');
}

function failureHtml(f: FuzzFailureRecord): string {
  const faults = f.faults.length === 0 ? '<li>(none)</li>' : f.faults.map((fault) => `<li><code>${esc(fault)}</code></li>`).join('');
  const replay = f.replay === undefined ? '' : `<p>Regression <code>${esc(f.regressionPath ?? '')}</code>, replay:</p><pre>${esc(f.replay)}</pre>`;
  return (
    `<section class="failure"><h3><span class="fail">✘</span> ${esc(f.property)} — run ${f.index}, seed <code>${esc(f.seed)}</code></h3>` +
    `<p>First seen: ${esc(f.message)}</p><p>Shrunk: ${esc(f.shrunkMessage)}</p><p>Fault schedule:</p><ul>${faults}</ul>` +
    `<p>Reproduce:</p><pre>${esc(f.reproduce)}</pre>${replay}</section>`
  );
}

export function htmlFuzzReport(campaign: FuzzCampaignResult, coverage: CoverageCounts): string {
  const results = fuzzPropertyResults(campaign);
  const failed = results.filter((r) => !r.passed).length;
  const title = `sticksim fuzz — root seed ${campaign.rootSeed}`;
  const verdict =
    campaign.runsDone === 0
      ? '<p class="verdict fail">No runs.</p>'
      : failed === 0
        ? `<p class="verdict pass">Every property held in ${campaign.runsDone} runs.</p>`
        : `<p class="verdict fail">${failed} of ${results.length} properties violated in ${campaign.runsDone} runs.</p>`;
  const note = timeNote(campaign);
  const rows = results
    .map((r) => `<tr><td>${esc(r.name)}</td><td>${r.passed ? '<span class="pass">✔ held</span>' : '<span class="fail">✘ violated</span>'}</td><td>${esc(r.message)}</td></tr>`)
    .join('');
  const body =
    `<header><h1>${esc(title)}</h1>${verdict}<p>Seeds: ${esc(describeIndices(campaign))}.</p>${note === '' ? '' : `<p>${esc(note)}</p>`}</header>` +
    `<section id="properties"><h2>Properties</h2><table><thead><tr><th>property</th><th>result</th><th>note</th></tr></thead><tbody>${rows}</tbody></table></section>` +
    coverageHtml(coverage) +
    (campaign.failures.length === 0 ? '' : `<section id="failures"><h2>Failures</h2>${campaign.failures.map(failureHtml).join('')}</section>`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body>${body}</body></html>\n`;
}

export function writeFuzzReports(options: { campaign: FuzzCampaignResult; coverage: CoverageCounts; outDir: string }): WrittenReports {
  mkdirSync(options.outDir, { recursive: true });
  const written: WrittenReports = {
    junitPath: join(options.outDir, 'junit.xml'),
    markdownPath: join(options.outDir, 'summary.md'),
    htmlPath: join(options.outDir, 'report.html'),
  };
  writeFileSync(written.junitPath, junitFromCampaign(options.campaign));
  writeFileSync(written.markdownPath, markdownFuzzSummary(options.campaign, options.coverage));
  writeFileSync(written.htmlPath, htmlFuzzReport(options.campaign, options.coverage));
  return written;
}

/** `, planted bug NAME` after a message of a campaign run with one, or nothing. */
function plantedNote(campaign: FuzzCampaignResult): string {
  return campaign.plantedBug === undefined ? '' : `, planted bug ${campaign.plantedBug}`;
}
