/**
 * The details of `net.deliver` (bytes of one segment reaching a host), the most frequent event of
 * a busy run, handed to the trace unbuilt (engine/env.ts DeferredDetails): a run that only
 * fingerprints them folds the connection, the direction and the bytes, without the object.
 * `render()` is the plain object the trace has always had: conn, dir, size, bytes.
 */
import type { DetailFold, EventDetails } from '../engine/env.ts';
import { TaggedDetails, TAG_FLAGS_NEXT } from '../engine/tagged-details.ts';
import type { PipeDirection } from './tcp.ts';

/** This producer's layout (DetailFold.layout; engine/peers/update-events.ts has 1 to 4). */
const LAYOUT_DELIVER = 16;

/** Flags above the tags': the direction 'down', or a direction folded as text (none the types allow). */
const F_DOWN = TAG_FLAGS_NEXT;
const F_DIR_TEXT = TAG_FLAGS_NEXT << 1;

/** A world event: no process tags it (its tags stay unset unless a receiver sets them). */
export class DeliverDetails extends TaggedDetails {
  constructor(
    readonly conn: number,
    readonly dir: PipeDirection,
    readonly bytes: Uint8Array,
  ) {
    super();
  }

  render(): EventDetails {
    return this.withTags({ conn: this.conn, dir: this.dir, size: this.bytes.length, bytes: this.bytes });
  }

  foldInto(fold: DetailFold): void {
    fold.layout(LAYOUT_DELIVER);
    const dirFlag = this.dir === 'up' ? 0 : this.dir === 'down' ? F_DOWN : F_DIR_TEXT;
    fold.int(this.tagFlags() | dirFlag);
    if (dirFlag === F_DIR_TEXT) fold.text(this.dir);
    fold.number(this.conn);
    fold.bytes(this.bytes);
    this.foldTags(fold);
  }
}
