// The lines of the IPv6 index's nodes (dir6.ts): a node takes 1 to
// MAX_NODE_LINES consecutive lines, so free lines are kept in one list per
// size, beside the lines never used yet. A node let go of is handed out
// again only after a grace period, since a program run that read the
// pointer to it just before may still be loading from it.

/** a bitmap node of 256 runs: 9 header words and 256 entries in lines of 16 words */
export const MAX_NODE_LINES = 17;

export class LinePool {
  /** free[size]: first lines of free runs of `size` lines */
  private readonly free: number[][] = Array.from({ length: MAX_NODE_LINES + 1 }, () => []);
  private freeLines = 0;
  /** lines from here on were never handed out */
  private fresh = 0;
  private retiring = 0;
  /** bumped by reset(): a reclaim from before it has nothing left to give back */
  private generation = 0;

  /**
   * retire: runs a reclaim once no program run that began before can still
   * read the lines (an RCU grace period). reclaimed: told once lines are
   * free again, to give them to whoever waits for some.
   */
  constructor(
    readonly total: number,
    private readonly retire: (reclaim: () => void) => void,
    private readonly reclaimed: () => void,
  ) {}

  /** lines in use, those waiting for their grace period included */
  get used(): number {
    return this.fresh - this.freeLines;
  }

  get retiringCount(): number {
    return this.retiring;
  }

  /** Whether nodes of these sizes (count per size) can all be had now, as take() would hand them out. */
  canTake(counts: ArrayLike<number>): boolean {
    const free = this.free.map((list) => list.length);
    let fresh = this.fresh;
    for (let size = counts.length - 1; size >= 1; size--) {
      for (let n = counts[size]!; n > 0; n--) {
        if (free[size]! > 0) free[size]!--;
        else if (fresh + size <= this.total) fresh += size;
        else {
          const larger = free.findIndex((count, s) => s > size && count > 0);
          if (larger < 0) return false;
          free[larger]!--;
          free[larger - size]!++;
        }
      }
    }
    return true;
  }

  /** the first of `size` free lines (the caller checked canTake): a free node's, else never used ones, else part of a larger free node's */
  take(size: number): number {
    const line = this.free[size]!.pop();
    if (line !== undefined) {
      this.freeLines -= size;
      return line;
    }
    if (this.fresh + size <= this.total) {
      this.fresh += size;
      return this.fresh - size;
    }
    const larger = this.free.findIndex((list, s) => s > size && list.length > 0);
    if (larger < 0) throw new Error(`LinePool: no ${size} free lines of ${this.total}`);
    const first = this.free[larger]!.pop()!;
    this.free[larger - size]!.push(first + size);
    this.freeLines -= size;
    return first;
  }

  /** Let go of a node's lines: free again after a grace period. */
  release(line: number, size: number): void {
    this.retiring += size;
    const generation = this.generation;
    this.retire(() => {
      if (generation !== this.generation) return;
      this.retiring -= size;
      this.free[size]!.push(line);
      this.freeLines += size;
      this.reclaimed();
    });
  }

  /**
   * A restart: none free until a grace period is over (the previous run's
   * program may be in any line), then every line but those `held` (which
   * the previous run's nodes still answer from, each let go of by
   * release() once replaced).
   */
  adopt(held: Uint8Array): void {
    this.reset();
    this.fresh = this.total;
    this.retiring = this.total;
    const generation = this.generation;
    this.retire(() => {
      if (generation !== this.generation) return;
      // held lines let go of meanwhile come free by their own reclaims, after this one
      this.retiring -= this.total;
      let end = this.total;
      while (end > 0 && !held[end - 1]) end--;
      this.fresh = end;
      for (let line = 0; line < end; ) {
        if (held[line]) {
          line++;
          continue;
        }
        let size = 0;
        while (line + size < end && !held[line + size] && size < MAX_NODE_LINES) size++;
        this.free[size]!.push(line);
        this.freeLines += size;
        line += size;
      }
      this.reclaimed();
    });
  }

  /** Every line free, and what waits for a grace period forgotten. */
  reset(): void {
    this.generation++;
    for (const list of this.free) list.length = 0;
    this.freeLines = 0;
    this.fresh = 0;
    this.retiring = 0;
  }
}
