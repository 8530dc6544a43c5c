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
import { formatAddress, formatMac, requireAddress } from './addr.js';
import type { InterfaceRecord } from './iface-table.js';
import * as L from './layout.js';
import type { Reason } from './layout.js';
import type { NativeMap } from './native.js';
import { SlotPool } from './slot-pool.js';

export interface NexthopSpec {
  ifindex: number;
  /** absent: a connected route, the destination itself is the neighbour */
  gateway?: string;
}

interface NexthopRecord {
  ifindex: number;
  family: number;
  /** 16 bytes, IPv4 in the first four */
  gateway: Buffer;
  /** neighbour key of the gateway ("ifindex|address"); undefined when connected */
  neighbour: string | undefined;
  slot: number;
}

/** A neighbour entry as the next hops through it need it. */
export interface NeighbourRecord {
  mac: Buffer;
  /** enum xr_neigh_flags */
  flags: number;
}

const reason = (r: Reason): number => L.REASONS.indexOf(r);

/**
 * The entry of a next hop: ready (forwarded) or why its frames go up, in the
 * order the program once found them out per packet: the egress interface
 * unknown or down, kept apart, then the gateway's neighbour unresolved.
 */
export function nexthopEntry(nh: Omit<NexthopRecord, 'slot' | 'neighbour'>, out: InterfaceRecord | undefined, neigh: NeighbourRecord | undefined): Buffer {
  let state: Reason = 'forwarded';
  let flags = 0;
  let dstMac: Buffer = Buffer.alloc(6);
  if (!out || !(out.flags & L.IfaceFlag.up)) state = 'pass-no-iface';
  else if (out.flags & L.IfaceFlag.vrf) state = 'pass-vrf';
  else if (out.flags & L.IfaceFlag.netfilterOut) state = 'pass-netfilter';
  else if (nh.family !== L.NhFamily.connected) {
    if (!neigh || !(neigh.flags & L.NEIGH_F_VALID)) state = 'pass-no-neigh';
    else {
      dstMac = neigh.mac;
      if (neigh.flags & L.NEIGH_F_STALE) flags |= L.NH_F_STALE;
    }
  }
  return L.nexthop.encode({
    dst_mac: dstMac,
    src_mac: out?.mac ?? Buffer.alloc(6),
    vlan_id: out?.vlanId ?? 0,
    flags,
    mtu: out?.mtu ?? 0,
    tx_slot: out?.slot ?? 0,
    ifindex: nh.ifindex,
    family: nh.family,
    state: reason(state),
    gateway: nh.gateway,
  });
}

/** An entry as verify reports it: its state and what the rewrite would write. */
function describeEntry(raw: Buffer): string {
  const e = L.nexthop.decode(raw);
  const state = L.REASONS[e.state] ?? `state ${e.state}`;
  return `${state} dst ${formatMac(e.dst_mac)} src ${formatMac(e.src_mac)} vlan ${e.vlan_id} mtu ${e.mtu} slot ${e.tx_slot}${e.flags & L.NH_F_STALE ? ' stale' : ''}`;
}

export const neighbourKey = (ifindex: number, address: string): string => `${ifindex}|${address}`;

export class NexthopTable {
  private readonly records = new Map<number, NexthopRecord>();
  /** next hops by the neighbour entry of their gateway */
  private readonly byNeighbour = new Map<string, Set<number>>();
  /** next hops by egress interface */
  private readonly byIface = new Map<number, Set<number>>();
  private readonly slots: SlotPool;
  /** the id -> slot table, mapped: one store publishes a next hop */
  private readonly published: Uint32Array;

  constructor(
    private readonly maps: { slots: NativeMap; entries: NativeMap },
    private readonly ifaceOf: (ifindex: number) => InterfaceRecord | undefined,
    private readonly neighbourOf: (ifindex: number, address: string) => NeighbourRecord | undefined,
    private readonly retire: (reclaim: () => void) => void,
  ) {
    this.slots = new SlotPool(L.NEXTHOP_SLOTS, retire);
    this.published = NexthopTable.slotTable(maps.slots);
  }

  private static slotTable(slots: NativeMap): Uint32Array {
    return new Uint32Array(slots.memory(), 0, L.NEXTHOP_MAX);
  }

  /** Take over the next hops a previous run left in the maps. */
  adopt(): void {
    for (let id = 1; id < L.NEXTHOP_MAX; id++) {
      const slot = Atomics.load(this.published, id);
      if (!slot) continue;
      const raw = this.maps.entries.lookup(L.u32.encode({ value: slot }));
      if (!raw) continue;
      const e = L.nexthop.decode(raw);
      this.slots.claim(slot);
      this.remember(id, { ...NexthopTable.specOf(e), slot });
    }
  }

  /** The next hop the program finds for an id, read from the maps (another process may write them). */
  static read(maps: { slots: NativeMap; entries: NativeMap }, id: number): NexthopSpec | null {
    if (!Number.isInteger(id) || id < 1 || id >= L.NEXTHOP_MAX) return null;
    const slot = Atomics.load(NexthopTable.slotTable(maps.slots), id);
    const raw = slot ? maps.entries.lookup(L.u32.encode({ value: slot })) : null;
    return raw ? NexthopTable.spec(L.nexthop.decode(raw)) : null;
  }

  /** Every next hop the program can find, by id. */
  static readAll(maps: { slots: NativeMap; entries: NativeMap }): Map<number, NexthopSpec> {
    const table = NexthopTable.slotTable(maps.slots);
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
    maps: { slots: NativeMap; entries: NativeMap },
    ifaceOf: (ifindex: number) => InterfaceRecord | undefined,
    neighbourOf: (ifindex: number, address: string) => NeighbourRecord | undefined,
  ): Array<{ id: number; have: string; want: string }> {
    const table = NexthopTable.slotTable(maps.slots);
    const out: Array<{ id: number; have: string; want: string }> = [];
    for (let id = 1; id < L.NEXTHOP_MAX; id++) {
      const slot = Atomics.load(table, id);
      const raw = slot ? maps.entries.lookup(L.u32.encode({ value: slot })) : null;
      if (!raw) continue;
      const e = L.nexthop.decode(raw);
      const gateway = NexthopTable.spec(e).gateway;
      const want = nexthopEntry(e, ifaceOf(e.ifindex), gateway === undefined ? undefined : neighbourOf(e.ifindex, gateway));
      if (!want.equals(raw)) out.push({ id, have: describeEntry(raw), want: describeEntry(want) });
    }
    return out;
  }

  private static specOf(e: ReturnType<typeof L.nexthop.decode>): Omit<NexthopRecord, 'slot'> {
    const gateway = NexthopTable.spec(e).gateway;
    return { ifindex: e.ifindex, family: e.family, gateway: e.gateway, neighbour: gateway === undefined ? undefined : neighbourKey(e.ifindex, gateway) };
  }

  private static spec(e: ReturnType<typeof L.nexthop.decode>): NexthopSpec {
    const gateway = e.family === L.NhFamily.inet ? formatAddress(e.gateway.subarray(0, 4)) : e.family === L.NhFamily.inet6 ? formatAddress(e.gateway) : undefined;
    return { ifindex: e.ifindex, ...(gateway ? { gateway } : {}) };
  }

  set(id: number, spec: NexthopSpec): void {
    if (!Number.isInteger(id) || id < 1 || id >= L.NEXTHOP_MAX) throw new RangeError(`next-hop id ${id} must be 1 to ${L.NEXTHOP_MAX - 1}`);
    let family: number = L.NhFamily.connected;
    const gateway = Buffer.alloc(16);
    let neighbour: string | undefined;
    if (spec.gateway !== undefined) {
      const gw = requireAddress(spec.gateway, 'gateway');
      family = gw.family === 4 ? L.NhFamily.inet : L.NhFamily.inet6;
      gw.addr.copy(gateway);
      neighbour = neighbourKey(spec.ifindex, formatAddress(gw.addr));
    }
    // publish() points the id at a new slot and lets the one it had go
    const had = this.records.get(id);
    this.forget(id);
    this.remember(id, { ifindex: spec.ifindex, family, gateway, neighbour, slot: had?.slot ?? 0 });
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
    for (const id of this.byNeighbour.get(neighbourKey(ifindex, address)) ?? []) this.publish(id);
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
    const slot = this.slots.take();
    if (slot === undefined) {
      this.retire(() => this.publish(id));
      return;
    }
    const neigh = nh.neighbour === undefined ? undefined : this.neighbourOf(nh.ifindex, nh.neighbour.slice(nh.neighbour.indexOf('|') + 1));
    this.maps.entries.update(L.u32.encode({ value: slot }), nexthopEntry(nh, this.ifaceOf(nh.ifindex), neigh));
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
