// The TypeScript mirror of bpf/lib/consts.h and bpf/lib/layout.h: the one
// place userspace knows the maps' key and value layouts. The layout test
// compares every struct, field offset and enum value here with the BTF of
// the compiled object.
import { struct } from './struct.js';

/** enum xr_reason, in order: a reason's index is its value in C. */
export const REASONS = [
  'forwarded',
  'pass-local',
  'pass-no-route',
  'pass-no-neigh',
  'pass-ttl',
  'pass-mtu',
  'pass-options',
  'pass-not-ip',
  'pass-unreachable',
  'drop-blackhole',
  'malformed',
  'pass-link-local',
  'pass-multicast',
  'pass-fragment',
  'pass-other-host',
  'pass-no-iface',
  'pass-martian',
  'drop-rewrite',
  'pass-kernel-route',
  'punted',
  'pass-punt-no-socket',
  'pass-bad-checksum',
  'drop-redirect',
  'pass-policy',
  'pass-netfilter',
  'pass-vrf',
] as const;
export type Reason = (typeof REASONS)[number];

/** The C enumerator for a reason name: 'pass-no-route' -> 'XR_PASS_NO_ROUTE'. */
export function reasonEnumerator(reason: Reason): string {
  return `XR_${reason.toUpperCase().replace(/-/g, '_')}`;
}

export const RouteType = { unicast: 1, blackhole: 2, unreachable: 3, prohibit: 4, kernel: 5, policy: 6, local: 7 } as const;
export type RouteTypeName = keyof typeof RouteType;

export const ROUTE_F_GROUP = 1 << 0;
/** enum xr_iface_flags */
export const IfaceFlag = { up: 1 << 0, policyIn: 1 << 1, netfilterIn: 1 << 2, netfilterOut: 1 << 3, vrf: 1 << 4 } as const;
export const NEIGH_F_VALID = 1 << 0;
export const NEIGH_F_STALE = 1 << 1;
export const NhFamily = { connected: 0, inet: 4, inet6: 6 } as const;
/** enum xr_nh_flags */
export const NH_F_STALE = 1 << 0;

export const MAX_GROUP_MEMBERS = 16;
/** next-hop ids (xr_nexthop_slots) and group ids (xr_groups) run below these */
export const NEXTHOP_MAX = 65536;
export const GROUP_MAX = 16384;
/** XR_NEXTHOP_SLOTS: entries of xr_nexthops, where next hops are written before their id is pointed at them */
export const NEXTHOP_SLOTS = 2 * NEXTHOP_MAX;
/** XR_IFACE_MAX: interfaces, and so interface slots (slot 0 counts frames of devices the fast path does not know) */
export const IFACE_MAX = 1024;
export const IFACE_SLOT_UNKNOWN = 0;
/** XR_INGRESS_DIRECT: devices below this ifindex have an xr_ingress word for their untagged traffic */
export const INGRESS_DIRECT = 4096;
/** XR_LOCAL6_FILTER_BITS: xr_local6_filter's bits, one per 16-bit hash of an IPv6 address, in 32-bit words */
export const LOCAL6_FILTER_BITS = 65536;
/** xr_ingress's word (XR_INGRESS_* of bpf/lib/consts.h): the MAC in bits 0-47, then the slot, the flags, and the top bit set */
export const IngressWord = { slotShift: 48n, slotMask: 0x3ffn, flagsShift: 58n, flagsMask: 0x1fn, valid: 1n << 63n } as const;

/** XR_VLAN_NONE: xr_iface_key.vlan_id of a device's own untagged traffic */
export const VLAN_NONE = 0;

/**
 * enum xr_dir24: the IPv4 FIB the program reads (DIR-24-8 arrays) and how
 * an entry holds a route: type << typeShift | group bit | next-hop or group id.
 */
export const Dir24Layout = { tbl24Entries: 1 << 24, tbl8GroupSize: 256, tbl8Groups: 65536, tbl8Bit: 31, typeShift: 27, typeMask: 7, groupBit: 26 } as const;

/**
 * enum xr_fib6_index, xr_fib6_pointer, xr_fib6_sparse, xr_fib6_bitmap: the
 * IPv6 FIB the program reads: a /24 table (entries encoded as
 * Dir24Layout's), then nodes in lines of lineWords u32 (bpf/lib/consts.h
 * says how a sparse and a bitmap node lie in them). A pointer entry is
 * pointerBit | kind << kindShift | first line; kind trie sends the address
 * to the trie xr_fib6.
 */
export const Dir6Layout = {
  tbl24Entries: 1 << 24,
  tbl24Bytes: 3,
  lines: 1 << 19,
  lineWords: 16,
  maxNodes: 13,
  pointerBit: 31,
  kindShift: 29,
  kindMask: 3,
  kind: { sparse: 1, bitmap: 2, trie: 3 },
  sparse: { runs: 7, keys: 1, entries: 8, defaultWord: 15, runsMask: 0xff, strideShift: 8, strideMask: 3, maxStride: 3 },
  bitmap: { words: 8, defaultWord: 8, entries: 9, keys: 256 },
} as const;

export const XdpAction = { aborted: 0, drop: 1, pass: 2, tx: 3, redirect: 4 } as const;

const in6 = { bytes: 16 } as const;
const be32 = { bytes: 4, align: 4 } as const;
const mac = { bytes: 6 } as const;

export const fib4Key = struct('xr_fib4_key', { prefixlen: 'u32', addr: be32 });
export const fib6Key = struct('xr_fib6_key', { prefixlen: 'u32', addr: in6 });
/** the one element of a flat array (bpf/lib/maps.h XR_FLAT_ARRAY): all its 4-byte entries, which the mapping reads as a Uint32Array */
export const flatEntries = (entries: number): { size: number } => ({ size: 4 * entries });
/** a line of the IPv6 index's nodes */
export const fib6Line = struct('xr_fib6_line', { w: { bytes: 4 * Dir6Layout.lineWords, align: 4 } });
export const route = struct('xr_route', { type: 'u32', flags: 'u32', nexthop: 'u32', reserved: 'u32' });
export const nexthop = struct('xr_nexthop', {
  dst_mac: mac,
  src_mac: mac,
  vlan_id: 'u16',
  reserved: 'u16',
  mtu: 'u32',
  tx_slot: 'u32',
  ifindex: 'u32',
  family: 'u32',
  state: 'u32',
  flags: 'u32',
  gateway: in6,
});
export const groupMember = struct('xr_group_member', { nexthop: 'u32', upper: 'u32' });
export const group = struct('xr_group', {
  count: 'u32',
  total_weight: 'u32',
  members: { array: groupMember, count: MAX_GROUP_MEMBERS },
});
export const neigh4Key = struct('xr_neigh4_key', { ifindex: 'u32', addr: be32 });
export const neigh6Key = struct('xr_neigh6_key', { ifindex: 'u32', addr: in6 });
export const neigh = struct('xr_neigh', { mac, flags: 'u16', used: 'u32' });
export const ifaceKey = struct('xr_iface_key', { ifindex: 'u32', vlan_id: 'u32' });
export const iface = struct('xr_iface', {
  mac,
  vlan_id: 'u16',
  mtu: 'u32',
  ifindex: 'u32',
  slot: 'u32',
  tx_ifindex: 'u32',
  flags: 'u32',
});
export const punt = struct('xr_punt', { rule_id: 'u32', protocol: 'u8', reserved: 'u8', port: { bytes: 2, align: 2 } });
export const xskKey = struct('xr_xsk_key', { ifindex: 'u32', queue: 'u32' });
export const counter = struct('xr_counter', { packets: 'u64', bytes: 'u64' });
export const u32 = struct('__u32', { value: 'u32' });
export const u64 = struct('__u64', { value: 'u64' });
export const localKey4 = struct('__be32', { addr: be32 });
export const localKey6 = struct('in6_addr', { addr: in6 });

/** Every map of bpf/lib/maps.h with its key and value layouts. */
export const MAPS = {
  xr_fib4: { key: fib4Key, value: route },
  xr_fib4_tbl24: { key: u32, value: flatEntries(Dir24Layout.tbl24Entries) },
  xr_fib4_tbl8: { key: u32, value: flatEntries(Dir24Layout.tbl8Groups * Dir24Layout.tbl8GroupSize) },
  xr_fib6: { key: fib6Key, value: route },
  xr_fib6_tbl24: { key: u32, value: flatEntries(Dir6Layout.tbl24Entries) },
  xr_fib6_lines: { key: u32, value: fib6Line },
  xr_nexthop_slots: { key: u32, value: flatEntries(NEXTHOP_MAX) },
  xr_nexthops: { key: u32, value: nexthop },
  xr_groups: { key: u32, value: group },
  xr_neigh4: { key: neigh4Key, value: neigh },
  xr_neigh6: { key: neigh6Key, value: neigh },
  xr_ifaces: { key: ifaceKey, value: iface },
  xr_ingress: { key: u32, value: u64 },
  xr_tx_ports: { key: u32, value: u32 },
  xr_local4: { key: localKey4, value: u32 },
  xr_local6: { key: localKey6, value: u32 },
  xr_local6_filter: { key: u32, value: flatEntries(LOCAL6_FILTER_BITS / 32) },
  xr_counters: { key: u32, value: counter },
  xr_punt4: { key: fib4Key, value: punt },
  xr_punt6: { key: fib6Key, value: punt },
  xr_punt_stats: { key: u32, value: counter },
  xr_xsk_slots: { key: xskKey, value: u32 },
  xr_xsks: { key: u32, value: u32 },
} as const;

export const MAX_PUNT_RULES = 1024;
/** XR_XSK_MAX: slots of xr_xsks, so AF_XDP sockets (one per receive queue) the slow path can bind */
export const XSK_MAX = 64;
export type MapName = keyof typeof MAPS;
