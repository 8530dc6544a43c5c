// Next hops and groups are shared by many routes: one id per distinct next
// hop (interface, gateway) and per distinct weighted member list, counted,
// and let go of when the last route does. Ids index array maps, so they stay
// below a limit and are used again, but only once recycled: after the grace
// period that guarantees no program run still holds one. A restart that
// adopts the maps of a previous run keeps that run's ids out of use until
// its full sync has replaced them, then takes them back.

export class RefCountedIds<K extends string = string> {
  private readonly ids = new Map<K, { id: number; refs: number }>();
  private readonly live = new Set<number>();
  private readonly reserved = new Set<number>();
  /** released, waiting for recycle() */
  private readonly retiring = new Set<number>();
  private readonly free: number[] = [];
  private nextId = 1;

  /** ids run from 1 to limit - 1 (0 is never handed out) */
  constructor(
    private readonly limit: number,
    private readonly what = 'id',
  ) {}

  /** The id for key, and whether it is new (its map entry must be written). */
  acquire(key: K): { id: number; created: boolean } {
    const have = this.ids.get(key);
    if (have) {
      have.refs++;
      return { id: have.id, created: false };
    }
    const id = this.take();
    this.ids.set(key, { id, refs: 1 });
    this.live.add(id);
    return { id, created: true };
  }

  /**
   * The id released, or undefined while others still hold it. A released
   * id is not handed out again until recycle(id).
   */
  release(key: K): number | undefined {
    const have = this.ids.get(key);
    if (!have) return undefined;
    if (--have.refs > 0) return undefined;
    this.ids.delete(key);
    this.live.delete(have.id);
    this.retiring.add(have.id);
    return have.id;
  }

  /** A released id whose grace period is over: free for use. */
  recycle(id: number): void {
    if (this.retiring.delete(id)) this.free.push(id);
  }

  /** Ids a previous run's maps use: not handed out until unreserve(). */
  reserve(ids: Iterable<number>): void {
    for (const id of ids) this.reserved.add(id);
  }

  /** A reserved id whose entry is gone: free for use. */
  unreserve(id: number): void {
    if (this.reserved.delete(id) && !this.live.has(id)) this.free.push(id);
  }

  holds(id: number): boolean {
    return this.live.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  private take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    while (this.reserved.has(this.nextId) || this.retiring.has(this.nextId)) this.nextId++;
    if (this.nextId >= this.limit) throw new Error(`no free ${this.what}: all ${this.limit - 1} are in use`);
    return this.nextId++;
  }
}
