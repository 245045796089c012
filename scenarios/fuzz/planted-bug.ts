/**
 * The planted-bug switch, read from the environment here (never in engine/): STICKSIM_PLANT_BUG=
 * merge-max, forget-ack or ack-rewind plants that bug in the engine (engine/peers/planted-bug.ts) so the
 * fuzzer can prove it finds it. Unset or empty: no bug.
 */
import { plantBug, PLANTED_BUGS, type PlantedBug } from '../../engine/peers/planted-bug.ts';

export const PLANT_BUG_ENV = 'STICKSIM_PLANT_BUG';

export class PlantedBugNameError extends Error {}

/** Parses a bug name ('' or undefined: none). */
export function parsePlantedBug(text: string | undefined): PlantedBug | undefined {
  if (text === undefined || text === '' || text === 'none') return undefined;
  if (!(PLANTED_BUGS as readonly string[]).includes(text)) {
    throw new PlantedBugNameError(`${PLANT_BUG_ENV}=${text}: unknown planted bug (${PLANTED_BUGS.join(', ')})`);
  }
  return text as PlantedBug;
}

/** Plants the bug named by STICKSIM_PLANT_BUG (or none); returns it. */
export function plantBugFromEnvironment(): PlantedBug | undefined {
  const bug = parsePlantedBug(process.env[PLANT_BUG_ENV]);
  plantBug(bug);
  return bug;
}

export { plantBug, type PlantedBug };
