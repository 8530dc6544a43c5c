// Next hops and groups are shared by many routes: one id per distinct next
// hop (interface, gateway) and per distinct weighted member list, counted,
// and freed when the last route lets go.

export class RefCountedIds<K extends string = string> {
  private readonly ids = new Map<K, { id: number; refs: number }>();
  private readonly live = new Set<number>();
  private nextId: number;

  constructor(firstId = 1) {
    this.nextId = firstId;
  }

  /** The id for key, and whether it is new (its map entry must be written). */
  acquire(key: K): { id: number; created: boolean } {
    const have = this.ids.get(key);
    if (have) {
      have.refs++;
      return { id: have.id, created: false };
    }
    const id = this.nextId++;
    this.ids.set(key, { id, refs: 1 });
    this.live.add(id);
    return { id, created: true };
  }

  /** The id released, or undefined while others still hold it. */
  release(key: K): number | undefined {
    const have = this.ids.get(key);
    if (!have) return undefined;
    if (--have.refs > 0) return undefined;
    this.ids.delete(key);
    this.live.delete(have.id);
    return have.id;
  }

  /** Continue numbering above ids already in use (adopted maps). */
  skipTo(id: number): void {
    this.nextId = Math.max(this.nextId, id + 1);
  }

  holds(id: number): boolean {
    return this.live.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
