// The kernel's state as the sync sees it: links, addresses, routes and
// neighbours, already decoded from rtnetlink. The netlink source produces
// these; the reconciler turns them into fast-path entries. Addresses are
// canonical text (formatAddress), prefixes canonical CIDR (formatPrefix).
import type { Family } from '../../dataplane/addr.js';

export interface KernelLink {
  ifindex: number;
  name: string;
  /** null for links without an Ethernet address (lo, tun) */
  mac: string | null;
  mtu: number;
  /** administratively up (IFF_UP) */
  adminUp: boolean;
  /** carrier present (IFF_LOWER_UP) */
  carrier: boolean;
  /** for 802.1Q links: the tag and the device it rides on */
  vlan?: { id: number; lowerIfindex: number };
  /** IFLA_INFO_KIND: veth, vlan, bridge, vrf, ... ('' when none) */
  kind: string;
  /** IFLA_MASTER: the bridge, bond or VRF it is enslaved to */
  master?: number;
}

export interface KernelAddress {
  ifindex: number;
  family: Family;
  address: string;
  prefixLength: number;
  /** IPv4 subnet broadcast, when set */
  broadcast?: string;
}

/** rtm_type, by iproute2's names */
export type KernelRouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'other';

export interface KernelNexthop {
  ifindex: number;
  /** absent on a connected (on-link) route */
  gateway?: string;
  /** 1 to 256, as `ip route ... nexthop ... weight N` */
  weight: number;
}

export interface KernelRoute {
  family: Family;
  /** the real table id, from RTA_TABLE (rtm_table is 8 bits) */
  table: number;
  prefix: string;
  /** RTA_PRIORITY, 0 when absent */
  metric: number;
  /** rtm_protocol: kernel 2, boot 3, static 4, bird 12, ... */
  protocol: number;
  type: KernelRouteType;
  /** empty for blackhole/unreachable/prohibit */
  nexthops: KernelNexthop[];
  /** rtm_tos / IPv6 traffic class selector; routes with one are left to the kernel */
  tos: number;
  /** RTA_SRC: the source prefix of a source-specific route (`ip -6 route ... from`), part of its identity */
  source?: string;
  /**
   * What the fast path cannot model about this route (its source prefix,
   * an encapsulation, its own MTU...): while it exists, its destination
   * prefix is the kernel's. A next-hop object the model cannot carry is
   * not one: it resolves to no next hop (nexthop-objects.ts).
   */
  kernelOnly?: string;
  /**
   * RTA_NH_ID: the route goes through this next-hop object, and type and
   * nexthops are what the object resolves to (kernel-state.ts keeps them so
   * when the object changes; the kernel sends no route event for that)
   */
  nhid?: number;
}

/**
 * A next-hop object (`ip nexthop`, RTM_NEWNEXTHOP), as routes with RTA_NH_ID
 * use it. What the fast path cannot carry is `unmodelled`: the routes
 * through it are left to the kernel.
 */
export type NexthopObject =
  | { id: number; kind: 'single'; ifindex: number; gateway?: string }
  | { id: number; kind: 'blackhole' }
  /**
   * weights 1 to 65536, as `ip nexthop add id G group N1,W1/N2,W2`; a
   * resilient group (type resilient) is not modelled, but its members are
   * kept: the kernel removes it with its last one
   */
  | { id: number; kind: 'group'; members: Array<{ id: number; weight: number }>; resilient: boolean }
  /** why it is not modelled (an FDB next hop, an encapsulation); ifindex: the device it goes away with */
  | { id: number; kind: 'unmodelled'; why: string; ifindex?: number };

/** NUD_* bits of ndm_state */
export const NUD = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const;

/** The neighbour's MAC can be used: the kernel would send to it as well. */
export const NUD_USABLE = NUD.REACHABLE | NUD.STALE | NUD.DELAY | NUD.PROBE | NUD.PERMANENT | NUD.NOARP;

export interface KernelNeighbour {
  ifindex: number;
  family: Family;
  address: string;
  /** null when the kernel has no link-layer address (INCOMPLETE, FAILED) */
  mac: string | null;
  /** ndm_state bits */
  state: number;
}

/** FR_ACT_*: what a rule that matches does */
export type KernelRuleAction = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit' | 'other';

/** A policy routing rule (`ip rule`), one family's. */
export interface KernelRule {
  family: Family;
  /** FRA_PRIORITY: rules are tried from the lowest up (0 when absent) */
  priority: number;
  action: KernelRuleAction;
  /** the table a `lookup` rule reads (FRA_TABLE, the real id) */
  table: number;
  /** `from PREFIX`, `to PREFIX` (canonical CIDR) */
  from?: string;
  to?: string;
  /** `iif NAME`, `oif NAME` */
  iif?: string;
  oif?: string;
  /** `not`: the rule matches what its selectors do not */
  invert: boolean;
  /**
   * Every other selector or modifier it carries, by iproute2's keyword
   * (fwmark, uidrange, l3mdev, tos, ipproto, sport, dport,
   * suppress_prefixlength, ...): none of them is modelled.
   */
  other: string[];
}

export interface KernelSnapshot {
  links: KernelLink[];
  addresses: KernelAddress[];
  /**
   * may be read more than once; a dump's decodes its bytes on each read
   * (rtnl-decode.ts's DumpedRoutes), and KernelState loads those bytes
   * straight into its packed routes (dump-loader.ts)
   */
  routes: Iterable<KernelRoute>;
  neighbours: KernelNeighbour[];
  /** both families' policy rules */
  rules: KernelRule[];
  /** next-hop objects; absent: none */
  nexthopObjects?: NexthopObject[];
}

export type KernelEvent =
  | { kind: 'link'; op: 'add' | 'del'; link: KernelLink }
  | { kind: 'address'; op: 'add' | 'del'; address: KernelAddress }
  /** 'add' carries NLM_F_REPLACE/APPEND semantics in `replace`: true replaces every route of (table, prefix, metric) */
  | { kind: 'route'; op: 'add' | 'del'; route: KernelRoute; replace: boolean }
  | { kind: 'neighbour'; op: 'add' | 'del'; neighbour: KernelNeighbour }
  | { kind: 'rule'; op: 'add' | 'del'; rule: KernelRule }
  /** 'add' creates or replaces the object */
  | { kind: 'nexthop'; op: 'add' | 'del'; nexthop: NexthopObject };

/**
 * Where the sync reads the kernel from. The netlink implementation is the
 * real one; the reconciler's unit tests give it a scripted one.
 */
export interface KernelSource {
  /**
   * Subscribe to link, address, route, neighbour, rule and next-hop object events, then dump. Events
   * that arrive during the dump are held and delivered, in order, after the
   * snapshot is returned.
   */
  start(onEvent: (e: KernelEvent) => void, onLost: (reason: string) => void): Promise<KernelSnapshot>;
  /** A fresh dump, for a resync after lost events. */
  dump(): Promise<KernelSnapshot>;
  close(): void;
}
