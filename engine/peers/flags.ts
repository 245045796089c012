/** A uint32 flag word (HAProxy's `peer->flags`, `peers->flags`) with its three operations. */
export class FlagWord {
  flags = 0;

  hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  setFlag(flag: number): void {
    this.flags = (this.flags | flag) >>> 0;
  }

  clearFlag(flag: number): void {
    this.flags = (this.flags & ~flag) >>> 0;
  }
}
