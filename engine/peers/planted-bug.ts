/**
 * PLANTED BUGS — a testing aid (the fuzzer's and the suite's self-test): a deliberately wrong
 * behaviour handed to a peers section through its options (`PeersSectionOptions.plantedBug`, from
 * the process, host, world and run options; `sticksim run|fuzz --plant-bug NAME`). Never a global:
 * a run without the option runs the correct engine. Each bug is one clearly marked branch
 * (`PLANTED BUG '<name>'`) elsewhere:
 *   - 'merge-max'          (merge.ts, HaproxyMerge.apply): a received update keeps the larger value
 *                          instead of overwriting;
 *   - 'forget-ack'         (section.ts, initCursors): on a reconnect the ACK resume point jumps to the
 *                          newest local update, as if everything had been acknowledged;
 *   - 'ack-rewind'         (section.ts, initCursors): on a reconnect the resume point goes back to the
 *                          first update, so updates the peer already acknowledged are pushed again;
 *   - 'push-before-read'   (session.ts, waitMessages): a wake-up pushes the pending local updates
 *                          BEFORE it treats the messages that arrived (HAProxy treats input first,
 *                          spec §4.8 and §5.2: after a heal the acceptor's values would not win, the
 *                          two sides swap them);
 *   - 'relay-learned'      (session-receive.ts, treatUpdate): an update learned from a peer that
 *                          changed the entry gets a local update id, so it is pushed on to the
 *                          other peers (HAProxy never relays: a learned update keeps a remote id);
 *   - 'remote-touch-local' (session-receive.ts, treatUpdate): a received update is applied as a local
 *                          touch (new local update id, the local expiry), so it is pushed to every
 *                          peer, its sender included.
 */
export type PlantedBug = 'merge-max' | 'forget-ack' | 'ack-rewind' | 'push-before-read' | 'relay-learned' | 'remote-touch-local';
export const PLANTED_BUGS: readonly PlantedBug[] = ['merge-max', 'forget-ack', 'ack-rewind', 'push-before-read', 'relay-learned', 'remote-touch-local'];

export function isPlantedBug(text: string): text is PlantedBug {
  return (PLANTED_BUGS as readonly string[]).includes(text);
}
