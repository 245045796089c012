/**
 * `--plant-bug NAME` of `sticksim run` and `sticksim fuzz`: a testing aid that runs the engine with
 * one deliberately wrong peers behaviour (engine/peers/planted-bug.ts), so anyone can check that
 * the suite and the fuzzer catch it. The former STICKSIM_PLANT_BUG variable is no longer read: when
 * it is set the command refuses to run and names the flag.
 */
import { isPlantedBug, PLANTED_BUGS, type PlantedBug } from '../engine/peers/planted-bug.ts';

export const PLANT_BUG_FLAG = '--plant-bug';
export const RETIRED_PLANT_BUG_ENV = 'STICKSIM_PLANT_BUG';

export const PLANT_BUG_HELP = `testing aid: run the engine with one deliberately wrong behaviour, to check that the suite or the fuzz catches it (${PLANTED_BUGS.join(', ')})`;

/** The bug named by `--plant-bug` (undefined: none), or a one-line usage error. */
export function plantedBugOption(text: string | undefined, env: NodeJS.ProcessEnv): { bug: PlantedBug | undefined } | { error: string } {
  const retired = env[RETIRED_PLANT_BUG_ENV];
  if (retired !== undefined && retired !== '') {
    return { error: `${RETIRED_PLANT_BUG_ENV} is no longer read: use ${PLANT_BUG_FLAG} ${retired} (and unset the variable)` };
  }
  if (text === undefined) return { bug: undefined };
  if (!isPlantedBug(text)) return { error: `${PLANT_BUG_FLAG} ${text}: unknown planted bug (valid: ${PLANTED_BUGS.join(', ')})` };
  return { bug: text };
}
