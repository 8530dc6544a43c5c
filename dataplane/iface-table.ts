// The fast path's interfaces: xr_ifaces keyed by what a frame arrives with
// (device and VLAN tag), each with a dense slot that indexes its counters
// and its devmap entry. A slot stays an interface's while it exists, and
// is handed to another only after a grace period, its counters cleared.
import { formatMac, parseMac } from './addr.js';
import * as L from './layout.js';
import type { NativeMap } from './native.js';
import { SlotPool } from './slot-pool.js';

export interface InterfaceSpec {
  mac: string;
  mtu: number;
  up: boolean;
  /** for a VLAN interface: its tag and the device it sends through */
  vlan?: { id: number; lowerIfindex: number };
  /** traffic the kernel treats apart on this interface, which the program passes up; absent: none */
  passes?: InterfacePasses;
}

/** Which of an interface's traffic goes to the kernel, by why: the flags of xr_iface. */
export interface InterfacePasses {
  /** arriving on it: a policy rule names it as iif, or could select any packet */
  policyIn?: true;
  /** arriving on it: a netfilter rule matches its iifname, or any packet */
  netfilterIn?: true;
  /** leaving by it: a netfilter rule matches its oifname */
  netfilterOut?: true;
  /** both ways: it is enslaved to a VRF, whose table the fast path does not hold */
  vrf?: true;
}

const PASS_FLAGS = ['policyIn', 'netfilterIn', 'netfilterOut', 'vrf'] as const;

/** An interface as the maps hold it: what next hops out of it copy. */
export interface InterfaceRecord {
  slot: number;
  mac: Buffer;
  mtu: number;
  vlanId: number;
  /** enum xr_iface_flags */
  flags: number;
}

function ifaceFlags(spec: InterfaceSpec): number {
  let flags = spec.up ? L.IfaceFlag.up : 0;
  for (const name of PASS_FLAGS) if (spec.passes?.[name]) flags |= L.IfaceFlag[name];
  return flags;
}

function ifacePasses(flags: number): InterfacePasses | undefined {
  const passes: InterfacePasses = {};
  for (const name of PASS_FLAGS) if (flags & L.IfaceFlag[name]) passes[name] = true;
  return Object.keys(passes).length > 0 ? passes : undefined;
}

function decodeIface(v: ReturnType<typeof L.iface.decode>): InterfaceSpec {
  const passes = ifacePasses(v.flags);
  return {
    mac: formatMac(v.mac),
    mtu: v.mtu,
    up: (v.flags & L.IfaceFlag.up) !== 0,
    ...(v.vlan_id ? { vlan: { id: v.vlan_id, lowerIfindex: v.tx_ifindex } } : {}),
    ...(passes ? { passes } : {}),
  };
}

const u32 = (value: number): Buffer => L.u32.encode({ value });

const recordOf = (v: ReturnType<typeof L.iface.decode>): InterfaceRecord => ({ slot: v.slot, mac: v.mac, mtu: v.mtu, vlanId: v.vlan_id, flags: v.flags });

export class InterfaceTable {
  /** own ifindex -> its key in xr_ifaces and its value */
  private readonly byIfindex = new Map<number, { key: Buffer; value: ReturnType<typeof L.iface.decode> }>();
  private readonly slots: SlotPool;

  constructor(
    private readonly maps: { ifaces: NativeMap; txPorts: NativeMap; counters: NativeMap },
    retire: (reclaim: () => void) => void,
    /** bytes of one per-CPU counter value, all CPUs */
    private readonly perCpuCounterSize: number,
  ) {
    this.slots = new SlotPool(L.IFACE_MAX, retire);
  }

  /** Take over what a previous run left in the maps. */
  async adopt(): Promise<void> {
    for (const [key, raw] of await this.maps.ifaces.dump()) {
      const value = L.iface.decode(raw);
      this.slots.claim(value.slot);
      this.byIfindex.set(value.ifindex, { key, value });
    }
  }

  /** Every interface of the maps now, by its own ifindex (another process may write them). */
  static async read(ifaces: NativeMap): Promise<Map<number, { spec: InterfaceSpec; slot: number; record: InterfaceRecord }>> {
    const out = new Map<number, { spec: InterfaceSpec; slot: number; record: InterfaceRecord }>();
    for (const [, raw] of await ifaces.dump()) {
      const v = L.iface.decode(raw);
      out.set(v.ifindex, { spec: decodeIface(v), slot: v.slot, record: recordOf(v) });
    }
    return out;
  }

  record(ifindex: number): InterfaceRecord | undefined {
    const v = this.byIfindex.get(ifindex)?.value;
    return v && recordOf(v);
  }

  /**
   * The interface as the maps hold it now: a read-only open follows what
   * the daemon writes. Found by its key when this instance wrote it or it
   * is untagged, else (a VLAN interface another process wrote) by a scan.
   */
  get(ifindex: number): InterfaceSpec | null {
    const keys = [this.byIfindex.get(ifindex)?.key, L.ifaceKey.encode({ ifindex, vlan_id: L.VLAN_NONE })];
    for (const key of keys) {
      const raw = key && this.maps.ifaces.lookup(key);
      const v = raw && L.iface.decode(raw);
      if (v && v.ifindex === ifindex) return decodeIface(v);
    }
    for (const key of this.maps.ifaces.keys()) {
      const raw = this.maps.ifaces.lookup(key);
      const v = raw && L.iface.decode(raw);
      if (v && v.ifindex === ifindex) return decodeIface(v);
    }
    return null;
  }

  set(ifindex: number, spec: InterfaceSpec): void {
    if (spec.vlan && (spec.vlan.id < 1 || spec.vlan.id > 4094)) {
      throw new RangeError(`interface ${ifindex}: VLAN id ${spec.vlan.id} must be 1 to 4094`);
    }
    const had = this.byIfindex.get(ifindex);
    const slot = had?.value.slot ?? this.slots.take();
    if (slot === undefined) throw new Error(`interface ${ifindex}: all ${L.IFACE_MAX - 1} interface slots are in use; remove interfaces from the fast path's config`);
    const tx = spec.vlan ? spec.vlan.lowerIfindex : ifindex;
    // the devmap first: a next hop is marked ready only once its interface
    // can be redirected to. Rewriting an unchanged entry is skipped (a
    // restart re-applies every interface): nothing changes for frames in flight.
    if (!this.maps.txPorts.lookup(u32(slot))?.equals(u32(tx))) this.maps.txPorts.update(u32(slot), u32(tx));
    const key = L.ifaceKey.encode({ ifindex: spec.vlan ? spec.vlan.lowerIfindex : ifindex, vlan_id: spec.vlan?.id ?? L.VLAN_NONE });
    const value = { mac: parseMac(spec.mac), vlan_id: spec.vlan?.id ?? 0, mtu: spec.mtu, ifindex, slot, tx_ifindex: tx, flags: ifaceFlags(spec) };
    this.maps.ifaces.update(key, L.iface.encode(value));
    if (had && !had.key.equals(key)) this.maps.ifaces.delete(had.key);
    this.byIfindex.set(ifindex, { key, value });
  }

  /**
   * Take an interface out: its frames stop being its at once; its devmap
   * entry and counters go, and its slot is reused, after a grace period
   * (next hops out of it must have been rewritten by then).
   */
  delete(ifindex: number): boolean {
    const had = this.byIfindex.get(ifindex);
    if (!had) return false;
    this.maps.ifaces.delete(had.key);
    this.byIfindex.delete(ifindex);
    const slot = had.value.slot;
    this.slots.release(slot, () => {
      this.maps.txPorts.delete(u32(slot));
      const zero = Buffer.alloc(this.perCpuCounterSize);
      for (let reason = 0; reason < L.REASONS.length; reason++) this.maps.counters.update(u32(slot * L.REASONS.length + reason), zero);
    });
    return true;
  }
}
