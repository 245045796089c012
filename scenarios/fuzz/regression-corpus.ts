/**
 * The regression corpus (scenarios/regressions/): every file with the seed it was found with and
 * its planted bug, if any, read from the `regression` record the file exports (regression-writer.ts).
 * A file without the record is an error: a regression replayed at another seed proves nothing.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPlantedBug, type PlantedBug } from '../../engine/peers/planted-bug.ts';
import type { ScenarioSpec } from '../dsl.ts';
import { ScenarioLoadError } from '../suite.ts';

export interface CorpusEntry {
  file: string;
  spec: ScenarioSpec;
  seed: string;
  plantedBug: PlantedBug | undefined;
}

export async function loadRegressionCorpus(dir: string): Promise<CorpusEntry[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(dir, f));
  const out: CorpusEntry[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: ScenarioSpec; regression?: { seed?: unknown; plantedBug?: unknown } };
    const spec = module.default;
    if (spec === undefined || typeof spec.script !== 'function') throw new ScenarioLoadError(`${file}: no scenario: the file must \`export default scenario({...})\``);
    const seed = module.regression?.seed;
    if (typeof seed !== 'string' || seed === '') throw new ScenarioLoadError(`${file}: no \`export const regression = { seed: '…' }\`: the seed it was found with`);
    const bug = module.regression?.plantedBug;
    if (bug !== undefined && (typeof bug !== 'string' || !isPlantedBug(bug))) throw new ScenarioLoadError(`${file}: regression.plantedBug '${String(bug)}' is not a planted bug`);
    out.push({ file, spec, seed, plantedBug: bug });
  }
  return out;
}
