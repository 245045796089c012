/**
 * Prints the negative controls as a Markdown table: each built-in scenario, each control, the
 * expectations it breaks, and on how many of the scenario's seeds it fails exactly those.
 * `npx tsx test/scenarios/controls-table.ts` (exit status 1 when some row is not on every seed).
 */
import { scenarioSeeds } from '../../scenarios/dsl.ts';
import { loadScenarios } from '../../scenarios/suite.ts';
import { CONTROLS, failingCounted } from './controls.ts';

const suite = await loadScenarios([]);
const byName = new Map(suite.map((s) => [s.spec.name, s.spec]));
const lines = ['| scenario | seeds | control (fails when …) | expectations broken | seeds where exactly those fail |', '|---|---|---|---|---|'];
let short = 0;
for (const { spec } of suite) {
  const seeds = scenarioSeeds(spec);
  for (const control of CONTROLS.filter((c) => c.scenario === spec.name)) {
    const want = [...control.breaks].sort().join(',');
    const exact = seeds.filter((seed) => failingCounted(control, spec, seed).join(',') === want).length;
    if (exact !== seeds.length) short++;
    const how = control.haproxy === undefined ? control.how : `${control.how} (under ${control.haproxy})`;
    lines.push(`| ${spec.name} | ${seeds.join(' ')} | ${how} | ${control.breaks.join(', ')} | ${exact}/${seeds.length} |`);
  }
}
for (const c of CONTROLS) if (!byName.has(c.scenario)) lines.push(`| ${c.scenario} (no such scenario) | | ${c.how} | | 0/0 |`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = short === 0 ? 0 : 1;
