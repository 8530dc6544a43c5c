// Ids of an array map's slots (next hops, groups, next-hop entries,
// interfaces): handed out below the map's size, and taken back only after a
// grace period. A program run that
// read a route naming an id may still follow it; until every such run has
// finished the slot keeps its old entry, and only then is it cleared and
// the id handed out again, so a reader never finds another entry there.

export class SlotIds {
  /** handed out, and not yet back from release() */
  private readonly taken = new Set<number>();
  /** in use by a previous run's maps: never handed out until released */
  private readonly reserved = new Set<number>();
  private readonly free: number[] = [];
  private nextId = 1;

  /**
   * Ids run from 1 to limit - 1: 0 is never handed out (a route's id 0
   * names nothing). clear empties a slot; afterGracePeriod runs a reclaim
   * once no program run that began before the call can still be reading.
   */
  constructor(
    private readonly limit: number,
    private readonly what: string,
    private readonly clear: (id: number) => void,
    private readonly afterGracePeriod: (reclaim: () => void) => void,
  ) {}

  /** An id no one uses, for a new entry. */
  take(): number {
    const id = this.tryTake();
    if (id === undefined) throw new Error(`no free ${this.what}: all ${this.limit - 1} are in use`);
    return id;
  }

  /** An id no one uses, or undefined when every one is in use or waiting for its grace period. */
  tryTake(): number | undefined {
    let id = this.free.pop();
    if (id === undefined) {
      // ids given back by a previous run may lie ahead, already handed out again
      while (this.taken.has(this.nextId) || this.reserved.has(this.nextId)) this.nextId++;
      if (this.nextId >= this.limit) return undefined;
      id = this.nextId++;
    }
    this.taken.add(id);
    return id;
  }

  /** Ids a previous run's maps use (a restart adopts them): out of use until released. */
  reserve(ids: Iterable<number>): void {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 1 || id >= this.limit) {
        throw new RangeError(`${this.what} ${id} is out of range 1..${this.limit - 1}: are the pinned maps of another xdp-router version?`);
      }
      if (!this.taken.has(id)) this.reserved.add(id);
    }
  }

  /**
   * Let go of an id, taken or reserved: its entry stays for the program
   * runs in flight; after a grace period it is cleared and the id is free.
   */
  release(id: number): void {
    this.afterGracePeriod(() => {
      // an id released twice is cleared once: by then it may be another entry's
      if (!this.reserved.delete(id) && !this.taken.delete(id)) return;
      this.clear(id);
      this.free.push(id);
    });
  }
}
