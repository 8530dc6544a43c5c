// Next hops as the program reads them: each carries what the rewrite needs
// (egress slot, MACs, MTU, VLAN) and whether it is ready, so a packet costs
// one load here instead of lookups of the interface and the neighbour. They
// are rewritten whenever what they copy changes: the gateway's neighbour
// entry, the egress interface.
//
// A rewrite never happens in place (a map update copies a value of this size
// in pieces a reader could see half of): the new entry goes to a free slot of
// xr_nexthops, one aligned store in xr_nexthop_slots points the id at it, and
// the old slot is reused after a grace period.
import { formatAddress } from './addr.js';
import {
  decodeNexthop,
  describeNexthop,
  encodeNexthop,
  nexthopTarget,
  type InterfaceRecord,
  type NeighbourRecord,
  type NexthopSpec,
  type NexthopTarget,
} from './entry-codecs.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';
import { SlotIds } from './slot-ids.js';

export type NexthopMaps = Pick<Record<MapName, NativeMap>, 'xr_nexthop_slots' | 'xr_nexthops'>;

interface NexthopRecord extends NexthopTarget {
  /** neighbour key of the gateway ("ifindex|address"); undefined when connected */
  neighbour: string | undefined;
  slot: number;
}

/** A gateway's neighbour, as the next hops through it are indexed. */
const gatewayKey = (ifindex: number, address: string): string => `${ifindex}|${address}`;

export class NexthopTable {
  private readonly records = new Map<number, NexthopRecord>();
  /** next hops by the neighbour entry of their gateway */
  private readonly byNeighbour = new Map<string, Set<number>>();
  /** next hops by egress interface */
  private readonly byIface = new Map<number, Set<number>>();
  private readonly slots: SlotIds;
  /** the id -> slot table, mapped: one store publishes a next hop */
  private readonly published: Uint32Array;

  constructor(
    private readonly maps: NexthopMaps,
    private readonly ifaceOf: (ifindex: number) => InterfaceRecord | undefined,
    private readonly neighbourOf: (ifindex: number, address: string) => NeighbourRecord | undefined,
    private readonly retire: (reclaim: () => void) => void,
  ) {
    // a slot no id points at is read by no one: nothing to clear
    this.slots = new SlotIds(L.NEXTHOP_SLOTS, 'next-hop entry slot', () => undefined, retire);
    this.published = NexthopTable.slotTable(maps.xr_nexthop_slots);
  }

  private static slotTable(slots: NativeMap): Uint32Array {
    return new Uint32Array(slots.memory(), 0, L.NEXTHOP_MAX);
  }

  /** Take over the next hops a previous run left in the maps. */
  adopt(): void {
    for (let id = 1; id < L.NEXTHOP_MAX; id++) {
      const slot = Atomics.load(this.published, id);
      if (!slot) continue;
      const raw = this.maps.xr_nexthops.lookup(L.u32.encode({ value: slot }));
      if (!raw) continue;
      const e = L.nexthop.decode(raw);
      this.slots.reserve([slot]);
      this.remember(id, { ...NexthopTable.recordOf(e), slot });
    }
  }

  /** The next hop the program finds for an id, read from the maps (another process may write them). */
  static read(maps: NexthopMaps, id: number): NexthopSpec | null {
    if (!Number.isInteger(id) || id < 1 || id >= L.NEXTHOP_MAX) return null;
    const slot = Atomics.load(NexthopTable.slotTable(maps.xr_nexthop_slots), id);
    const raw = slot ? maps.xr_nexthops.lookup(L.u32.encode({ value: slot })) : null;
    return raw ? decodeNexthop(raw) : null;
  }

  /** Every next hop the program can find, by id. */
  static readAll(maps: NexthopMaps): Map<number, NexthopSpec> {
    const table = NexthopTable.slotTable(maps.xr_nexthop_slots);
    const out = new Map<number, NexthopSpec>();
    for (let id = 1; id < L.NEXTHOP_MAX; id++) {
      if (!Atomics.load(table, id)) continue;
      const nh = NexthopTable.read(maps, id);
      if (nh) out.set(id, nh);
    }
    return out;
  }

  /**
   * Next hops whose published entry is not what their interface and
   * neighbour records make of it now: the program would forward (or pass)
   * them by stale copies. Empty when every entry is current.
   */
  static stale(
    maps: NexthopMaps,
    ifaceOf: (ifindex: number) => InterfaceRecord | undefined,
    neighbourOf: (ifindex: number, address: string) => NeighbourRecord | undefined,
  ): Array<{ id: number; have: string; want: string }> {
    const table = NexthopTable.slotTable(maps.xr_nexthop_slots);
    const out: Array<{ id: number; have: string; want: string }> = [];
    for (let id = 1; id < L.NEXTHOP_MAX; id++) {
      const slot = Atomics.load(table, id);
      const raw = slot ? maps.xr_nexthops.lookup(L.u32.encode({ value: slot })) : null;
      if (!raw) continue;
      const e = L.nexthop.decode(raw);
      const gateway = decodeNexthop(raw).gateway;
      const want = encodeNexthop(e, ifaceOf(e.ifindex), gateway === undefined ? undefined : neighbourOf(e.ifindex, gateway));
      if (!want.equals(raw)) out.push({ id, have: describeNexthop(raw), want: describeNexthop(want) });
    }
    return out;
  }

  private static recordOf(target: NexthopTarget): Omit<NexthopRecord, 'slot'> {
    const neighbour = target.family === L.NhFamily.connected ? undefined : gatewayKey(target.ifindex, formatAddress(target.family === L.NhFamily.inet ? target.gateway.subarray(0, 4) : target.gateway));
    return { ifindex: target.ifindex, family: target.family, gateway: target.gateway, neighbour };
  }

  set(id: number, spec: NexthopSpec): void {
    if (!Number.isInteger(id) || id < 1 || id >= L.NEXTHOP_MAX) throw new RangeError(`next-hop id ${id} must be 1 to ${L.NEXTHOP_MAX - 1}`);
    const record = NexthopTable.recordOf(nexthopTarget(spec));
    // publish() points the id at a new slot and lets the one it had go
    const had = this.records.get(id);
    this.forget(id);
    this.remember(id, { ...record, slot: had?.slot ?? 0 });
    this.publish(id);
  }

  delete(id: number): boolean {
    const had = this.records.get(id);
    if (!had) return false;
    this.forget(id);
    Atomics.store(this.published, id, 0);
    this.slots.release(had.slot);
    return true;
  }

  /** The gateway's neighbour entry changed: every next hop through it is rewritten. */
  neighbourChanged(ifindex: number, address: string): void {
    for (const id of this.byNeighbour.get(gatewayKey(ifindex, address)) ?? []) this.publish(id);
  }

  /** The interface changed (or went): every next hop out of it is rewritten. */
  interfaceChanged(ifindex: number): void {
    for (const id of this.byIface.get(ifindex) ?? []) this.publish(id);
  }

  /**
   * Write the id's entry as things are now to a free slot, point the id at
   * it, and free the slot it had after a grace period. With every slot
   * taken (more rewrites within one grace period than there are next hops),
   * it waits for the next grace period, which frees some.
   */
  private publish(id: number): void {
    const nh = this.records.get(id);
    if (!nh) return;
    const slot = this.slots.tryTake();
    if (slot === undefined) {
      this.retire(() => this.publish(id));
      return;
    }
    const neigh = nh.neighbour === undefined ? undefined : this.neighbourOf(nh.ifindex, nh.neighbour.slice(nh.neighbour.indexOf('|') + 1));
    this.maps.xr_nexthops.update(L.u32.encode({ value: slot }), encodeNexthop(nh, this.ifaceOf(nh.ifindex), neigh));
    Atomics.store(this.published, id, slot);
    if (nh.slot) this.slots.release(nh.slot);
    nh.slot = slot;
  }

  private remember(id: number, nh: NexthopRecord): void {
    this.records.set(id, nh);
    if (nh.neighbour !== undefined) addTo(this.byNeighbour, nh.neighbour, id);
    addTo(this.byIface, nh.ifindex, id);
  }

  /** Drop the id's record; its slot stays published until the caller replaces or clears it. */
  private forget(id: number): void {
    const nh = this.records.get(id);
    if (!nh) return;
    if (nh.neighbour !== undefined) removeFrom(this.byNeighbour, nh.neighbour, id);
    removeFrom(this.byIface, nh.ifindex, id);
    this.records.delete(id);
  }
}

function addTo<K>(index: Map<K, Set<number>>, key: K, id: number): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom<K>(index: Map<K, Set<number>>, key: K, id: number): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
