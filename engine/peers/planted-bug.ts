/**
 * PLANTED BUGS — for the fuzzer's self-test only (issue 5). Off unless a test harness plants one
 * with `plantBug`; the engine never reads the environment (scenarios/fuzz/planted-bug.ts maps
 * STICKSIM_PLANT_BUG onto this switch). Each bug is one clearly marked line elsewhere:
 *   - 'merge-max'  (merge.ts, HaproxyMerge.apply): a received update keeps the larger value instead
 *                  of overwriting;
 *   - 'forget-ack' (section.ts, initCursors): on a reconnect the ACK resume point jumps to the newest
 *                  local update, as if everything had been acknowledged (unacked updates are lost);
 *   - 'ack-rewind' (section.ts, initCursors): on a reconnect the resume point goes back to the first
 *                  update, so updates the peer already acknowledged are pushed and applied again.
 */
export type PlantedBug = 'merge-max' | 'forget-ack' | 'ack-rewind';
export const PLANTED_BUGS: readonly PlantedBug[] = ['merge-max', 'forget-ack', 'ack-rewind'];

let planted: PlantedBug | undefined;

export function plantBug(bug: PlantedBug | undefined): void {
  planted = bug;
}

export function plantedBug(): PlantedBug | undefined {
  return planted;
}
