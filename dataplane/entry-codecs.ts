// The fast path's map entries as TypeScript values and back: prefix keys,
// next hops, groups, neighbours, interfaces and per-CPU counters. A route's
// target has its own module (route-target.ts), shared with the IPv4 index.
import { formatAddress, formatMac, maskAddress, parseMac, requireAddress } from './addr.js';
import type { Prefix } from './addr.js';
import * as L from './layout.js';

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

/** The key of a prefix in a trie (xr_fib4/6, xr_punt4/6), by its family. */
export function prefixKey(p: Prefix): Buffer {
  return p.family === 4
    ? L.fib4Key.encode({ prefixlen: p.length, addr: p.addr })
    : L.fib6Key.encode({ prefixlen: p.length, addr: p.addr });
}

/** A trie key back as "address/length". */
export function formatPrefixKey(key: { prefixlen: number; addr: Buffer }): string {
  return `${formatAddress(maskAddress(key.addr, key.prefixlen))}/${key.prefixlen}`;
}

// Next hops and groups live in arrays: a slot of zeros (no interface, no
// members) is an absent entry, as the program reads it.

export const isNexthop = (v: Buffer): boolean => L.nexthop.decode(v).ifindex !== 0;
export const isGroup = (v: Buffer): boolean => L.group.decode(v).count !== 0;

export function encodeNexthop(spec: NexthopSpec): Buffer {
  if (spec.gateway === undefined) return L.nexthop.encode({ ifindex: spec.ifindex, family: L.NhFamily.connected, gateway: Buffer.alloc(16) });
  const gw = requireAddress(spec.gateway, 'gateway');
  return L.nexthop.encode({ ifindex: spec.ifindex, family: gw.family === 4 ? L.NhFamily.inet : L.NhFamily.inet6, gateway: gw.addr });
}

export function decodeNexthop(v: Buffer): NexthopSpec {
  const nh = L.nexthop.decode(v);
  const gateway =
    nh.family === L.NhFamily.inet ? formatAddress(nh.gateway.subarray(0, 4)) : nh.family === L.NhFamily.inet6 ? formatAddress(nh.gateway) : undefined;
  return { ifindex: nh.ifindex, ...(gateway ? { gateway } : {}) };
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

/** The interface the program sends through for ifindex: a VLAN's lower device, else itself. */
export function txIfindex(ifindex: number, spec: InterfaceSpec): number {
  return spec.vlan ? spec.vlan.lowerIfindex : ifindex;
}

export function encodeIface(ifindex: number, spec: InterfaceSpec): Buffer {
  if (spec.vlan && (spec.vlan.id < 1 || spec.vlan.id > 4094)) {
    throw new RangeError(`interface ${ifindex}: VLAN id ${spec.vlan.id} must be 1 to 4094`);
  }
  let flags = spec.up ? L.IfaceFlag.up : 0;
  for (const name of PASS_FLAGS) if (spec.passes?.[name]) flags |= L.IfaceFlag[name];
  return L.iface.encode({ mac: parseMac(spec.mac), vlan_id: spec.vlan?.id ?? 0, mtu: spec.mtu, tx_ifindex: txIfindex(ifindex, spec), flags });
}

export function decodeIface(v: Buffer): InterfaceSpec {
  const i = L.iface.decode(v);
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
