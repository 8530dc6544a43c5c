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

  /** Whether nodes of these sizes (count per size) can all be had now. */
  canTake(counts: ArrayLike<number>): boolean {
    let fromFresh = 0;
    for (let size = 1; size < counts.length; size++) fromFresh += Math.max(0, counts[size]! - this.free[size]!.length) * size;
    return fromFresh <= this.total - this.fresh;
  }

  /** the first of `size` free lines (the caller checked canTake) */
  take(size: number): number {
    const line = this.free[size]!.pop();
    if (line !== undefined) {
      this.freeLines -= size;
      return line;
    }
    if (this.fresh + size > this.total) throw new Error(`LinePool: no ${size} free lines of ${this.total}`);
    this.fresh += size;
    return this.fresh - size;
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
   * None free until a grace period is over, then every line: a restart
   * does not know which lines the previous run's program may still be in.
   */
  releaseAll(): void {
    this.reset();
    this.fresh = this.total;
    this.retiring = this.total;
    const generation = this.generation;
    this.retire(() => {
      if (generation !== this.generation) return;
      this.reset();
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
