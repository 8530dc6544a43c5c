// The prefixes that events changed, by their slots in the prefix table: an
// event names its prefix once, by the slot the state found for it, and the
// reconciler writes and its listeners read by that slot, with no
// "family|prefix" text made per event. Each slot is held (HOLDER.CHANGED)
// until the change is done with, so it names its prefix even when the
// kernel's state lets go of it meanwhile (a route added and deleted within
// one batch): a listener waiting on that prefix still hears of it.
import { HOLDER, type PrefixTable } from './prefix-table.js';

export class ChangedSlots implements Iterable<string> {
  private readonly members = new Set<number>();

  constructor(private readonly prefixes: PrefixTable) {}

  get size(): number {
    return this.members.size;
  }

  /** The slot's prefix changed; the slot is held until release(). */
  add(slot: number): void {
    if (this.members.has(slot)) return;
    this.prefixes.holdSlot(slot, HOLDER.CHANGED);
    this.members.add(slot);
  }

  /** Everything `other` holds, moved here: `other` is empty after, and its slots are released with these. */
  take(other: ChangedSlots): void {
    for (const slot of other.members) {
      this.members.add(slot);
      // still held: the hold is one bit, now this set's to release
      this.prefixes.holdSlot(slot, HOLDER.CHANGED);
    }
    other.members.clear();
  }

  /** The changed slots, each once. */
  list(): number[] {
    return [...this.members];
  }

  /** Whether the change has "family|prefix": the key is read into its slot, no text made. */
  has(familyPrefix: string): boolean {
    const slot = this.prefixes.findKey(familyPrefix);
    return slot >= 0 && this.members.has(slot);
  }

  /** The changed prefixes as "family|prefix", each made as it is read. */
  *[Symbol.iterator](): Iterator<string> {
    for (const slot of this.members) yield this.prefixes.keyOf(slot);
  }

  /** Done with: every slot let go of (the last holder frees it). */
  release(): void {
    for (const slot of this.members) this.prefixes.release(slot, HOLDER.CHANGED);
    this.members.clear();
  }
}
