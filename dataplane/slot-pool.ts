// Dense slots of an array the program reads (interface slots, next-hop entry
// slots): handed out from 1 (0 means none), and a slot let go of is handed
// out again only after a grace period, once no program run can still be
// reading what it held.

export class SlotPool {
  private readonly free = new Set<number>();
  private readonly used = new Set<number>();
  private next = 1;

  /** slots run from 1 to limit - 1 */
  constructor(
    private readonly limit: number,
    private readonly retire: (reclaim: () => void) => void,
  ) {}

  /** A free slot, or undefined when every one is in use or waiting for its grace period. */
  take(): number | undefined {
    let slot: number | undefined = this.free.values().next().value;
    if (slot !== undefined) this.free.delete(slot);
    else if (this.next < this.limit) slot = this.next++;
    if (slot !== undefined) this.used.add(slot);
    return slot;
  }

  /** A slot a previous run left in use (adopted maps): not handed out until released. */
  claim(slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot >= this.limit) {
      throw new RangeError(`slot ${slot} is out of range 1..${this.limit - 1}: are the pinned maps of another xdp-router version?`);
    }
    for (; this.next <= slot; this.next++) this.free.add(this.next);
    this.free.delete(slot);
    this.used.add(slot);
  }

  /** Let go of a slot: `reclaim` (clearing what readers must not find again) runs after the grace period, then the slot is free. */
  release(slot: number, reclaim: () => void = () => undefined): void {
    if (!this.used.delete(slot)) return;
    this.retire(() => {
      reclaim();
      this.free.add(slot);
    });
  }
}
