/**
 * The base of every deferred details class (engine/env.ts DeferredDetails): the receiver's tags
 * (section, local, pid, set after construction, as a receiver adds them to a plain object) and
 * the three things each producer does with them: say in its flags word which are set, fold them,
 * and add them to its plain object, in one order.
 */
import type { DeferredDetails, DetailFold, EventDetails } from './env.ts';

/** Bits 0-2 of a producer's flags word: which tags are set. A producer's own flags start at TAG_FLAGS_NEXT. */
const TAG_SECTION = 1;
const TAG_LOCAL = 2;
const TAG_PID = 4;
export const TAG_FLAGS_NEXT = 8;

export abstract class TaggedDetails implements DeferredDetails {
  section: string | undefined = undefined;
  local: string | undefined = undefined;
  pid: number | undefined = undefined;

  abstract render(): EventDetails;
  abstract foldInto(fold: DetailFold): void;

  /** The flag bits of the tags that are set (below TAG_FLAGS_NEXT). */
  protected tagFlags(): number {
    return (this.section === undefined ? 0 : TAG_SECTION) | (this.local === undefined ? 0 : TAG_LOCAL) | (this.pid === undefined ? 0 : TAG_PID);
  }

  /** Folds the tags that are set, in the order `withTags` adds them. */
  protected foldTags(fold: DetailFold): void {
    if (this.section !== undefined) fold.name(this.section);
    if (this.local !== undefined) fold.name(this.local);
    if (this.pid !== undefined) fold.number(this.pid);
  }

  /** `plain` with the tags that are set, in the order a receiver adds them to a plain object. */
  protected withTags(plain: EventDetails): EventDetails {
    if (this.section !== undefined) plain['section'] = this.section;
    if (this.local !== undefined) plain['local'] = this.local;
    if (this.pid !== undefined) plain['pid'] = this.pid;
    return plain;
  }
}
