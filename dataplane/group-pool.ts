// The groups of an index the XDP program reads (dir6.ts): which are free,
// and the rule that a group let go of is handed out again only after a
// grace period, since a program run that read the pointer to it just
// before may still be loading from it.

export class GroupPool {
  private free: number[] = [];
  private retiring = 0;
  /** bumped by reset(): a reclaim from before it has nothing left to give back */
  private generation = 0;

  /**
   * retire: runs a reclaim once no program run that began before can still
   * read the group (an RCU grace period). reclaimed: told of a group the
   * moment it is free again, to clear it before anyone takes it, and to
   * give it to whoever waits for one.
   */
  constructor(
    readonly total: number,
    private readonly retire: (reclaim: () => void) => void,
    private readonly reclaimed: (group: number) => void,
  ) {
    this.reset();
  }

  get available(): number {
    return this.free.length;
  }

  /** groups in use, those waiting for their grace period included */
  get used(): number {
    return this.total - this.free.length;
  }

  get retiringCount(): number {
    return this.retiring;
  }

  /** a free group (the caller checked `available`) */
  take(): number {
    const group = this.free.pop();
    if (group === undefined) throw new Error(`GroupPool: all ${this.total} groups are in use`);
    return group;
  }

  /** Let go of a group: free again after a grace period. */
  release(group: number): void {
    this.retiring++;
    const generation = this.generation;
    this.retire(() => {
      if (generation !== this.generation) return;
      this.retiring--;
      this.free.push(group);
      this.reclaimed(group);
    });
  }

  /** Every group free, and what waits for a grace period forgotten. */
  reset(): void {
    this.retiring = 0;
    this.generation++;
    // popped from the end: hand out group 0 first, which keeps dumps readable
    this.free = Array.from({ length: this.total }, (_, k) => this.total - 1 - k);
  }

  /** None free: a restart hands each group back through release() or keeps it. */
  claimAll(): void {
    this.free = [];
  }
}
