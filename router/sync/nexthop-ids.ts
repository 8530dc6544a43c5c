// Next hops and groups are shared by many routes: one id per distinct next
// hop (interface, gateway) and per distinct weighted member list, counted,
// and let go of when the last route does. The ids themselves come from the
// fast path (dataplane/slot-ids.ts), which knows the maps' sizes and when
// an id let go of may be used again.
import type { SlotIds } from '../../dataplane/slot-ids.js';

export class RefCountedIds<K extends string = string> {
  private readonly ids = new Map<K, { id: number; refs: number }>();

  constructor(private readonly slots: Pick<SlotIds, 'take' | 'release'>) {}

  /** The id for key, and whether it is new (its map entry must be written). */
  acquire(key: K): { id: number; created: boolean } {
    const have = this.ids.get(key);
    if (have) {
      have.refs++;
      return { id: have.id, created: false };
    }
    const id = this.slots.take();
    this.ids.set(key, { id, refs: 1 });
    return { id, created: true };
  }

  /** One holder fewer; the last one gives the id back to the fast path. */
  release(key: K): void {
    const have = this.ids.get(key);
    if (!have || --have.refs > 0) return;
    this.ids.delete(key);
    this.slots.release(have.id);
  }
}
