// The kernel's next-hop objects (`ip nexthop`, what FRR's zebra installs),
// and what a route through one forwards to. It also applies what the kernel
// does without telling: a link that goes down, loses its carrier or goes
// away takes the objects on it along (nexthop_flush_dev), and a group that
// loses its last member goes too, with no RTM_DELNEXTHOP for any of them.
import type { KernelNexthop, KernelRoute, NexthopObject } from './model.js';

/** What a route through an object is: its type and next hops. */
export type Resolution = Pick<KernelRoute, 'type' | 'nexthops'>;

/** The objects a change touched: routes through a removed one are gone, through a changed one resolve anew. */
export interface NexthopChange {
  changed: Set<number>;
  removed: Set<number>;
}

/** The model's next-hop weights are RTA_MULTIPATH's, 1 to 256 (and so are the fast path's group weights). */
const MAX_WEIGHT = 256;

/** A unicast route with no next hop the model has: the fast path leaves it to the kernel (desired.ts). */
const LEFT_TO_KERNEL: Resolution = Object.freeze({ type: 'unicast', nexthops: [] });
const BLACKHOLE: Resolution = Object.freeze({ type: 'blackhole', nexthops: [] });

function hop(o: Extract<NexthopObject, { kind: 'single' }>, weight: number): KernelNexthop {
  return o.gateway === undefined ? { ifindex: o.ifindex, weight } : { ifindex: o.ifindex, gateway: o.gateway, weight };
}

export class NexthopObjects {
  private readonly objects = new Map<number, NexthopObject>();

  load(objects: readonly NexthopObject[]): void {
    this.objects.clear();
    for (const o of objects) this.objects.set(o.id, o);
  }

  /**
   * A route through object `id`. An id not (yet) known is left to the
   * kernel: an object made after the dump reaches us as an event, which
   * resolves its routes again.
   */
  resolve(id: number): Resolution {
    const o = this.objects.get(id);
    if (o?.kind === 'blackhole') return BLACKHOLE;
    if (o?.kind === 'single') return { type: 'unicast', nexthops: [hop(o, 1)] };
    if (o?.kind !== 'group' || o.resilient) return LEFT_TO_KERNEL;
    const nexthops: KernelNexthop[] = [];
    for (const m of o.members) {
      const member = this.objects.get(m.id);
      // the kernel takes a blackhole only as a group's sole member
      if (member?.kind === 'blackhole' && o.members.length === 1) return BLACKHOLE;
      if (member?.kind !== 'single' || m.weight > MAX_WEIGHT) return LEFT_TO_KERNEL;
      nexthops.push(hop(member, m.weight));
    }
    return nexthops.length > 0 ? { type: 'unicast', nexthops } : LEFT_TO_KERNEL;
  }

  /** RTM_NEWNEXTHOP: a new object, or one replaced (groups through it change with it). */
  put(o: NexthopObject): NexthopChange {
    const change: NexthopChange = { changed: new Set([o.id]), removed: new Set() };
    this.objects.set(o.id, o);
    for (const g of this.objects.values()) if (g.kind === 'group' && g.members.some((m) => m.id === o.id)) change.changed.add(g.id);
    return change;
  }

  /** RTM_DELNEXTHOP */
  remove(id: number): NexthopChange {
    const change: NexthopChange = { changed: new Set(), removed: new Set() };
    this.drop(id, change);
    return change;
  }

  /** The link went down, lost its carrier or went away: the kernel removed every object on it. */
  flushDevice(ifindex: number): NexthopChange {
    const change: NexthopChange = { changed: new Set(), removed: new Set() };
    for (const o of [...this.objects.values()]) {
      if ((o.kind === 'single' || o.kind === 'unmodelled') && o.ifindex === ifindex) this.drop(o.id, change);
    }
    return change;
  }

  /** As the kernel's remove_nexthop: out of every group, and a group left empty goes too. */
  private drop(id: number, change: NexthopChange): void {
    this.objects.delete(id);
    change.removed.add(id);
    change.changed.delete(id);
    for (const g of [...this.objects.values()]) {
      if (g.kind !== 'group' || !g.members.some((m) => m.id === id)) continue;
      const members = g.members.filter((m) => m.id !== id);
      if (members.length === 0) {
        this.drop(g.id, change);
      } else {
        this.objects.set(g.id, { ...g, members });
        change.changed.add(g.id);
      }
    }
  }
}
