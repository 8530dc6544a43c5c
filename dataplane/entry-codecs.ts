// The fast path's map entries as TypeScript values and back: prefix keys,
// next hops, groups, neighbours, interfaces and per-CPU counters. A route's
// target has its own module (route-target.ts), shared with the IPv4 index.
import { formatAddress, formatMac, maskAddress, parseMac, requireAddress } from './addr.js';
import type { Prefix } from './addr.js';
import * as L from './layout.js';
import type { Reason } from './layout.js';

export interface NexthopSpec {
  ifindex: number;
  /** absent: a connected route, the destination itself is the neighbour */
  gateway?: string;
}

export interface GroupMemberSpec {
  nexthop: number;
  weight: number;
}

/** How the program treats a neighbour entry: as the kernel's NUD state says. */
export interface NeighbourFlags {
  /** false: pass traffic up (INCOMPLETE, FAILED); default true */
  valid?: boolean;
  /** STALE: mark the entry when forwarding through it; default false */
  stale?: boolean;
}

export interface NeighbourEntry {
  mac: string;
  valid: boolean;
  stale: boolean;
}

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

/** A group member's weight: the program spreads flows over 256ths at the finest. */
const MAX_MEMBER_WEIGHT = 256;

/** The key of a prefix in a trie (xr_fib4/6, xr_punt4/6), by its family: a new buffer, or written at `at` of `into`. */
export function prefixKey(p: Prefix, into?: Buffer, at = 0): Buffer {
  return p.family === 4
    ? L.fib4Key.encode({ prefixlen: p.length, addr: p.addr }, into, at)
    : L.fib6Key.encode({ prefixlen: p.length, addr: p.addr }, into, at);
}

/** A trie key back as "address/length". */
export function formatPrefixKey(key: { prefixlen: number; addr: Buffer }): string {
  return `${formatAddress(maskAddress(key.addr, key.prefixlen))}/${key.prefixlen}`;
}

// Groups live in an array: a slot of zeros (no members) is an absent
// entry, as the program reads it. A next hop's entry carries the rewrite:
// what its egress interface and its gateway's neighbour entry say of it.

export const isGroup = (v: Buffer): boolean => L.group.decode(v).count !== 0;

/** An interface as the maps hold it: what next hops out of it copy. */
export interface InterfaceRecord {
  slot: number;
  mac: Buffer;
  mtu: number;
  vlanId: number;
  /** enum xr_iface_flags */
  flags: number;
}

/** A neighbour entry as the next hops through it need it. */
export interface NeighbourRecord {
  mac: Buffer;
  /** enum xr_neigh_flags */
  flags: number;
}

/** What a next hop is apart from what it copies: its interface, family and gateway (16 bytes, IPv4 in the first four). */
export interface NexthopTarget {
  ifindex: number;
  family: number;
  gateway: Buffer;
}

/** A next hop's target from its spec. */
export function nexthopTarget(spec: NexthopSpec): NexthopTarget {
  const gateway = Buffer.alloc(16);
  if (spec.gateway === undefined) return { ifindex: spec.ifindex, family: L.NhFamily.connected, gateway };
  const gw = requireAddress(spec.gateway, 'gateway');
  gw.addr.copy(gateway);
  return { ifindex: spec.ifindex, family: gw.family === 4 ? L.NhFamily.inet : L.NhFamily.inet6, gateway };
}

const reasonIndex = (r: Reason): number => L.REASONS.indexOf(r);

/**
 * The entry of a next hop: ready (forwarded) or why its frames go up, in the
 * order the program once found them out per packet: the egress interface
 * unknown or down, kept apart, then the gateway's neighbour unresolved.
 */
export function encodeNexthop(nh: NexthopTarget, out: InterfaceRecord | undefined, neigh: NeighbourRecord | undefined): Buffer {
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
    state: reasonIndex(state),
    gateway: nh.gateway,
  });
}

export function decodeNexthop(v: Buffer): NexthopSpec {
  const nh = L.nexthop.decode(v);
  const gateway =
    nh.family === L.NhFamily.inet ? formatAddress(nh.gateway.subarray(0, 4)) : nh.family === L.NhFamily.inet6 ? formatAddress(nh.gateway) : undefined;
  return { ifindex: nh.ifindex, ...(gateway ? { gateway } : {}) };
}

/** An entry as verify reports it: its state and what the rewrite would write. */
export function describeNexthop(v: Buffer): string {
  const e = L.nexthop.decode(v);
  const state = L.REASONS[e.state] ?? `state ${e.state}`;
  return `${state} dst ${formatMac(e.dst_mac)} src ${formatMac(e.src_mac)} vlan ${e.vlan_id} mtu ${e.mtu} slot ${e.tx_slot}${e.flags & L.NH_F_STALE ? ' stale' : ''}`;
}

/** A multipath group: each member gets its weight's share of the flows. */
export function encodeGroup(id: number, members: GroupMemberSpec[]): Buffer {
  if (members.length < 1 || members.length > L.MAX_GROUP_MEMBERS) {
    throw new RangeError(`next-hop group ${id}: ${members.length} members, must be 1 to ${L.MAX_GROUP_MEMBERS}`);
  }
  let upper = 0;
  const encoded = members.map((m) => {
    if (!Number.isInteger(m.weight) || m.weight < 1 || m.weight > MAX_MEMBER_WEIGHT) {
      throw new RangeError(`next-hop group ${id}: weight ${m.weight} of next hop ${m.nexthop} must be 1 to ${MAX_MEMBER_WEIGHT}`);
    }
    upper += m.weight;
    return { nexthop: m.nexthop, upper };
  });
  return L.group.encode({ count: members.length, total_weight: upper, members: encoded });
}

export function decodeGroup(v: Buffer): GroupMemberSpec[] {
  const g = L.group.decode(v);
  let lower = 0;
  return g.members.slice(0, g.count).map((m) => {
    const weight = m.upper - lower;
    lower = m.upper;
    return { nexthop: m.nexthop, weight };
  });
}

/** A neighbour's key in xr_neigh4 or xr_neigh6, by the address's family. */
export function neighbourKey(ifindex: number, address: string): { family: 4 | 6; key: Buffer } {
  const a = requireAddress(address, 'neighbour');
  return a.family === 4
    ? { family: 4, key: L.neigh4Key.encode({ ifindex, addr: a.addr }) }
    : { family: 6, key: L.neigh6Key.encode({ ifindex, addr: a.addr }) };
}

/** Written unmarked: the program marks a STALE entry when it forwards through it. */
export function encodeNeighbour(mac: string, { valid = true, stale = false }: NeighbourFlags): Buffer {
  const flags = (valid ? L.NEIGH_F_VALID : 0) | (stale ? L.NEIGH_F_STALE : 0);
  return L.neigh.encode({ mac: parseMac(mac), flags, used: 0 });
}

export function decodeNeighbour(v: Buffer): NeighbourEntry {
  const n = L.neigh.decode(v);
  return { mac: formatMac(n.mac), valid: (n.flags & L.NEIGH_F_VALID) !== 0, stale: (n.flags & L.NEIGH_F_STALE) !== 0 };
}

const PASS_FLAGS = ['policyIn', 'netfilterIn', 'netfilterOut', 'vrf'] as const;

/** An interface's xr_iface value: slot is its dense index (counters, devmap). */
export function ifaceValue(ifindex: number, slot: number, spec: InterfaceSpec): ReturnType<typeof L.iface.decode> {
  if (spec.vlan && (spec.vlan.id < 1 || spec.vlan.id > 4094)) {
    throw new RangeError(`interface ${ifindex}: VLAN id ${spec.vlan.id} must be 1 to 4094`);
  }
  let flags = spec.up ? L.IfaceFlag.up : 0;
  for (const name of PASS_FLAGS) if (spec.passes?.[name]) flags |= L.IfaceFlag[name];
  const tx = spec.vlan ? spec.vlan.lowerIfindex : ifindex;
  return { mac: parseMac(spec.mac), vlan_id: spec.vlan?.id ?? 0, mtu: spec.mtu, ifindex, slot, tx_ifindex: tx, flags };
}

/** The xr_ifaces key a frame of this interface arrives with: its device and VLAN tag. */
export function ifaceKey(ifindex: number, spec: InterfaceSpec): Buffer {
  return L.ifaceKey.encode({ ifindex: spec.vlan ? spec.vlan.lowerIfindex : ifindex, vlan_id: spec.vlan?.id ?? L.VLAN_NONE });
}

export function decodeIface(i: ReturnType<typeof L.iface.decode>): InterfaceSpec {
  const passes: InterfacePasses = {};
  for (const name of PASS_FLAGS) if (i.flags & L.IfaceFlag[name]) passes[name] = true;
  return {
    mac: formatMac(i.mac),
    mtu: i.mtu,
    up: (i.flags & L.IfaceFlag.up) !== 0,
    ...(i.vlan_id ? { vlan: { id: i.vlan_id, lowerIfindex: i.tx_ifindex } } : {}),
    ...(Object.keys(passes).length > 0 ? { passes } : {}),
  };
}

/** An untagged interface's xr_ingress word (bpf/lib/consts.h XR_INGRESS_*): its MAC, slot and flags, and the valid bit. */
export function ingressWord(v: ReturnType<typeof L.iface.decode>): bigint {
  const W = L.IngressWord;
  let word = W.valid | (BigInt(v.slot) << W.slotShift) | (BigInt(v.flags) << W.flagsShift);
  for (let i = 0; i < 6; i++) word |= BigInt(v.mac[i]!) << BigInt(8 * i);
  return word;
}

/** An xr_ingress word as verify prints it. */
export function describeIngressWord(word: bigint): string {
  const W = L.IngressWord;
  if (!(word & W.valid)) return word === 0n ? 'none' : `0x${word.toString(16)}`;
  const mac = Buffer.alloc(8);
  mac.writeBigUInt64LE(word);
  return `slot ${(word >> W.slotShift) & W.slotMask} ${formatMac(mac.subarray(0, 6))} flags 0x${((word >> W.flagsShift) & W.flagsMask).toString(16)}`;
}

export const ifaceRecord = (v: ReturnType<typeof L.iface.decode>): InterfaceRecord => ({ slot: v.slot, mac: v.mac, mtu: v.mtu, vlanId: v.vlan_id, flags: v.flags });

/** A per-CPU value's slot: the kernel rounds each CPU's copy up to 8 bytes. */
const perCpuStride = (valueSize: number): number => Math.ceil(valueSize / 8) * 8;

/** The size of a per-CPU map's value as userspace reads and writes it, over cpus CPUs. */
export const perCpuSize = (valueSize: number, cpus: number): number => perCpuStride(valueSize) * cpus;

/** Sum a per-CPU xr_counter value over the CPUs. */
export function sumCounters(perCpu: Buffer): { packets: bigint; bytes: bigint } {
  const stride = perCpuStride(L.counter.size);
  let packets = 0n;
  let bytes = 0n;
  for (let off = 0; off + L.counter.size <= perCpu.length; off += stride) {
    const c = L.counter.decode(perCpu, off);
    packets += c.packets;
    bytes += c.bytes;
  }
  return { packets, bytes };
}
