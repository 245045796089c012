/**
 * The details of `net.deliver` (bytes of one segment reaching a host), the most frequent event of
 * a busy run, handed to the trace unbuilt (engine/env.ts DeferredDetails): a run that only
 * fingerprints them folds the connection, the direction and the bytes, without the object.
 * `render()` is the plain object the trace has always had: conn, dir, size, bytes.
 */
import { FOLD_RESERVE_WORDS, putBytes, putDeferredTags, putInt, putLayout, putNumber, putText } from '../engine/trace-words.ts';
import { deferredTagFlags, renderDeferredTags, TraceName, type DeferredDetails, type DetailFold, type EventDetails } from '../engine/env.ts';
import type { PipeDirection } from './tcp.ts';

/** This producer's layout (DetailFold.layout; engine/peers/update-events.ts has 1 to 4). */
const LAYOUT_DELIVER = 16;

/** The kind of these events, as handed to `emitDeferred`. */
export const DELIVER_KIND = new TraceName('net.deliver');

/**
 * Its own class with its own tag fields, not a subclass of the update events' base: sharing that
 * base made a fifth shape reach the tag loads of every deferred event, and the default run of
 * `bench/sim.ts` fell from 54-56x to 35-37x (measured, reverted).
 */
export class DeliverDetails implements DeferredDetails {
  // A world event: no process tags it.
  section: TraceName | undefined = undefined;
  local: TraceName | undefined = undefined;
  pid: number | undefined = undefined;

  constructor(
    readonly conn: number,
    readonly dir: PipeDirection,
    readonly bytes: Uint8Array,
  ) {}

  render(): EventDetails {
    return renderDeferredTags(this, { conn: this.conn, dir: this.dir, size: this.bytes.length, bytes: this.bytes });
  }

  foldInto(fold: DetailFold): void {
    const words = fold.words;
    let at = fold.reserve(FOLD_RESERVE_WORDS);
    at = putLayout(words, at, LAYOUT_DELIVER);
    // 'up' or 'down' as a flag above the tags'; any other text (none the types allow) folded whole.
    const dirFlag = this.dir === 'up' ? 0 : this.dir === 'down' ? 8 : 16;
    at = putInt(words, at, deferredTagFlags(this) | dirFlag);
    if (dirFlag === 16) at = putText(fold, at, this.dir);
    at = putNumber(fold, words, at, this.conn);
    at = putBytes(fold, words, at, this.bytes);
    fold.wordCount = putDeferredTags(fold, words, at, this);
  }
}
