// rtnetlink messages -> the sync's model (model.ts).
import { formatAddress, formatMac, maskAddress, type Family } from '../../dataplane/addr.js';
import type {
  KernelAddress,
  KernelEvent,
  KernelLink,
  KernelNeighbour,
  KernelNexthop,
  KernelRoute,
  KernelRouteType,
  KernelRule,
  NexthopObject,
} from './model.js';
import { ABSENT, MODELLED_ATTRS, NO_NEXTHOP, RouteFields, SCAN, scanRoute, type RouteFilter } from './route-scan.js';
import {
  AF_UNSPEC,
  ARPHRD_ETHER,
  FIB_RULE_INVERT,
  FRA,
  HEADER,
  IFA,
  IFF_LOWER_UP,
  IFF_UP,
  IFLA,
  IFLA_INFO,
  IFLA_VLAN_ID,
  NDA,
  NEXTHOP_GRP_SIZE,
  NEXTHOP_GRP_TYPE,
  NHA,
  NLM_F,
  NTF_PROXY,
  ROUTE_TYPES,
  RULE_ACTIONS,
  RTA,
  RTAX_MTU,
  RTM,
  RTM_F_CLONED,
  RTNH_F_DEAD,
  RtnlDecodeError,
  align4,
  type RtnlMessage,
  familyOf,
  readAttrs,
  readI32,
  readMessages,
  readU16,
  readU32,
} from './rtnl-wire.js';

export type { RouteFilter } from './route-scan.js';

export interface DecodedRoute {
  /** next hops whose device is down (RTNH_F_DEAD) are in `dead`, not in route.nexthops */
  route: KernelRoute;
  dead: KernelNexthop[];
  /** the message listed its next hops in RTA_MULTIPATH */
  multipath: boolean;
}

function need(data: Buffer, size: number, what: string): void {
  if (data.length < size) {
    throw new RtnlDecodeError(`${what} message of ${data.length} bytes, shorter than its ${size}-byte header`);
  }
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

function address(b: Buffer, family: Family, what: string): string {
  if (b.length !== (family === 4 ? 4 : 16)) {
    throw new RtnlDecodeError(`${what} is ${b.length} bytes, not an IPv${family} address`);
  }
  return formatAddress(b);
}

function u32Attr(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 4 ? readU32(b, 0) : undefined;
}

/** RTM_NEWLINK/DELLINK; null for other families (AF_BRIDGE port messages share the group) */
export function decodeLink(data: Buffer): KernelLink | null {
  need(data, HEADER.ifinfomsg, 'link');
  if (data[0] !== AF_UNSPEC) return null;
  const type = readU16(data, 2);
  const ifindex = readI32(data, 4);
  const flags = readU32(data, 8);
  const attrs = readAttrs(data, HEADER.ifinfomsg);
  const name = attrs.get(IFLA.IFNAME);
  if (!name) throw new RtnlDecodeError(`link ${ifindex} has no IFLA_IFNAME`);
  const lladdr = attrs.get(IFLA.ADDRESS);
  const info = attrs.get(IFLA.LINKINFO);
  const infoAttrs = info ? readAttrs(info) : new Map<number, Buffer>();
  const kindAttr = infoAttrs.get(IFLA_INFO.KIND);
  const kind = kindAttr ? cString(kindAttr) : '';
  const link: KernelLink = {
    ifindex,
    name: cString(name),
    mac: type === ARPHRD_ETHER && lladdr?.length === 6 ? formatMac(lladdr) : null,
    mtu: u32Attr(attrs, IFLA.MTU) ?? 0,
    adminUp: (flags & IFF_UP) !== 0,
    carrier: (flags & IFF_LOWER_UP) !== 0,
    kind,
  };
  const infoData = infoAttrs.get(IFLA_INFO.DATA);
  if (kind === 'vlan' && infoData) {
    const id = readAttrs(infoData).get(IFLA_VLAN_ID);
    const lower = u32Attr(attrs, IFLA.LINK);
    if (id && id.length >= 2 && lower !== undefined) link.vlan = { id: readU16(id, 0), lowerIfindex: lower };
  }
  const master = u32Attr(attrs, IFLA.MASTER);
  if (master) link.master = master;
  return link;
}

/** RTM_NEWADDR/DELADDR; null for families other than IPv4/IPv6 */
export function decodeAddress(data: Buffer): KernelAddress | null {
  need(data, HEADER.ifaddrmsg, 'address');
  const family = familyOf(data[0]!);
  if (!family) return null;
  const ifindex = readU32(data, 4);
  const attrs = readAttrs(data, HEADER.ifaddrmsg);
  // IFA_LOCAL is the local end on IPv4 and on point-to-point links, where
  // IFA_ADDRESS is the peer; elsewhere IFA_ADDRESS is the only one
  const local = attrs.get(IFA.LOCAL) ?? attrs.get(IFA.ADDRESS);
  if (!local) throw new RtnlDecodeError(`address on ifindex ${ifindex} has neither IFA_LOCAL nor IFA_ADDRESS`);
  const result: KernelAddress = {
    ifindex,
    family,
    address: address(local, family, 'IFA_LOCAL'),
    prefixLength: data[1]!,
  };
  const broadcast = attrs.get(IFA.BROADCAST);
  if (broadcast && family === 4) result.broadcast = address(broadcast, 4, 'IFA_BROADCAST');
  return result;
}

/** RTM_NEWNEIGH/DELNEIGH; null for bridge FDB entries, proxy entries and other families */
export function decodeNeighbour(data: Buffer): KernelNeighbour | null {
  need(data, HEADER.ndmsg, 'neighbour');
  const family = familyOf(data[0]!);
  if (!family || (data[10]! & NTF_PROXY) !== 0) return null;
  const ifindex = readI32(data, 4);
  const attrs = readAttrs(data, HEADER.ndmsg);
  const dst = attrs.get(NDA.DST);
  if (!dst) throw new RtnlDecodeError(`neighbour on ifindex ${ifindex} has no NDA_DST`);
  const lladdr = attrs.get(NDA.LLADDR);
  return {
    ifindex,
    family,
    address: address(dst, family, 'NDA_DST'),
    mac: lladdr?.length === 6 ? formatMac(lladdr) : null,
    state: readU16(data, 8),
  };
}

/**
 * A rule's prefix selector: its address attribute and the header's length.
 * The kernel keeps the address as given (`to 203.0.113.5/24`) and masks it
 * when it matches: so does this.
 */
function rulePrefix(attrs: Map<number, Buffer>, type: number, length: number, family: Family, what: string): string | undefined {
  const addr = attrs.get(type);
  if (!addr || length === 0) return undefined;
  address(addr, family, what);
  return `${formatAddress(maskAddress(addr, length))}/${length}`;
}

/**
 * Selectors and modifiers the sync does not model, by iproute2's keyword,
 * with the value the kernel reports when they are unset (the suppressors
 * come with every rule, as -1).
 */
const UNMODELLED: ReadonlyArray<{ type: number; keyword: string; unset?: number }> = [
  { type: FRA.FWMARK, keyword: 'fwmark', unset: 0 },
  { type: FRA.FLOW, keyword: 'realms' },
  { type: FRA.TUN_ID, keyword: 'tun_id' },
  { type: FRA.SUPPRESS_IFGROUP, keyword: 'suppress_ifgroup', unset: 0xffffffff },
  { type: FRA.SUPPRESS_PREFIXLEN, keyword: 'suppress_prefixlength', unset: 0xffffffff },
  { type: FRA.L3MDEV, keyword: 'l3mdev', unset: 0 },
  { type: FRA.UID_RANGE, keyword: 'uidrange' },
  { type: FRA.IP_PROTO, keyword: 'ipproto', unset: 0 },
  { type: FRA.SPORT_RANGE, keyword: 'sport' },
  { type: FRA.DPORT_RANGE, keyword: 'dport' },
  { type: FRA.DSCP, keyword: 'dscp' },
  { type: FRA.FLOWLABEL, keyword: 'flowlabel' },
];

/** RTM_NEWRULE/DELRULE; null for families other than IPv4/IPv6 */
export function decodeRule(data: Buffer): KernelRule | null {
  need(data, HEADER.fib_rule_hdr, 'rule');
  const family = familyOf(data[0]!);
  if (!family) return null;
  const attrs = readAttrs(data, HEADER.fib_rule_hdr);
  const other: string[] = [];
  if (data[3]! !== 0) other.push('tos');
  for (const u of UNMODELLED) {
    const value = attrs.get(u.type);
    if (!value) continue;
    // the single-byte ones (l3mdev, ipproto) read as u8
    const n = value.length >= 4 ? readU32(value, 0) : value.length === 1 ? value[0]! : undefined;
    if (u.unset === undefined || n !== u.unset) other.push(u.keyword);
  }
  const rule: KernelRule = {
    family,
    priority: u32Attr(attrs, FRA.PRIORITY) ?? 0,
    action: RULE_ACTIONS[data[7]!] ?? 'other',
    table: u32Attr(attrs, FRA.TABLE) ?? data[4]!,
    invert: (readU32(data, 8) & FIB_RULE_INVERT) !== 0,
    other,
  };
  const from = rulePrefix(attrs, FRA.SRC, data[2]!, family, 'FRA_SRC');
  const to = rulePrefix(attrs, FRA.DST, data[1]!, family, 'FRA_DST');
  const iif = attrs.get(FRA.IIFNAME);
  const oif = attrs.get(FRA.OIFNAME);
  if (from) rule.from = from;
  if (to) rule.to = to;
  if (iif) rule.iif = cString(iif);
  if (oif) rule.oif = cString(oif);
  return rule;
}

/**
 * RTM_NEWNEXTHOP/DELNEXTHOP: struct nhmsg {u8 family, scope, protocol,
 * reserved; u32 flags} and NHA_* attributes.
 */
export function decodeNexthopObject(data: Buffer): NexthopObject {
  need(data, HEADER.nhmsg, 'next-hop object');
  const attrs = readAttrs(data, HEADER.nhmsg);
  const id = u32Attr(attrs, NHA.ID);
  if (id === undefined) throw new RtnlDecodeError('next-hop object without NHA_ID');
  const ifindex = u32Attr(attrs, NHA.OIF);
  // FDB next hops serve VXLAN's bridge, never a route
  if (attrs.has(NHA.FDB)) return { id, kind: 'unmodelled', why: 'an FDB next hop' };
  if (attrs.has(NHA.ENCAP)) {
    return { id, kind: 'unmodelled', why: 'a lightweight-tunnel encapsulation', ...(ifindex !== undefined ? { ifindex } : {}) };
  }
  const group = attrs.get(NHA.GROUP);
  if (group) {
    const type = attrs.get(NHA.GROUP_TYPE);
    const resilient = type !== undefined && type.length >= 2 && readU16(type, 0) === NEXTHOP_GRP_TYPE.RES;
    if (group.length % NEXTHOP_GRP_SIZE !== 0) {
      throw new RtnlDecodeError(`NHA_GROUP of next-hop object ${id} is ${group.length} bytes, not a whole number of ${NEXTHOP_GRP_SIZE}-byte entries`);
    }
    const members: Array<{ id: number; weight: number }> = [];
    for (let at = 0; at < group.length; at += NEXTHOP_GRP_SIZE) {
      // weight - 1 in two bytes: the low one, and since Linux 6.12 the high one (the old reserved byte, 0 before)
      members.push({ id: readU32(group, at), weight: ((group[at + 5]! << 8) | group[at + 4]!) + 1 });
    }
    return { id, kind: 'group', members, resilient };
  }
  if (attrs.has(NHA.BLACKHOLE)) return { id, kind: 'blackhole' };
  if (ifindex === undefined) throw new RtnlDecodeError(`next-hop object ${id} has neither NHA_GROUP, NHA_BLACKHOLE nor NHA_OIF`);
  const gateway = attrs.get(NHA.GATEWAY);
  if (!gateway) return { id, kind: 'single', ifindex };
  const family = familyOf(data[0]!);
  if (!family) throw new RtnlDecodeError(`next-hop object ${id} has a gateway of address family ${data[0]}`);
  return { id, kind: 'single', ifindex, gateway: address(gateway, family, 'NHA_GATEWAY') };
}

/** RTA_GATEWAY (same family as the route) or RTA_VIA (struct rtvia: u16 family, address) */
function gatewayOf(attrs: Map<number, Buffer>, family: Family): string | undefined {
  const gateway = attrs.get(RTA.GATEWAY);
  if (gateway) return address(gateway, family, 'RTA_GATEWAY');
  const via = attrs.get(RTA.VIA);
  if (!via) return undefined;
  if (via.length < 2) throw new RtnlDecodeError(`RTA_VIA of ${via.length} bytes`);
  const viaFamily = familyOf(readU16(via, 0));
  if (!viaFamily) throw new RtnlDecodeError(`RTA_VIA of address family ${readU16(via, 0)}`);
  return address(via.subarray(2), viaFamily, 'RTA_VIA');
}

export function nexthop(ifindex: number, gateway: string | undefined, weight: number): KernelNexthop {
  return gateway === undefined ? { ifindex, weight } : { ifindex, gateway, weight };
}

interface Hop {
  nexthop: KernelNexthop;
  /** RTNH_F_DEAD: its device is down */
  dead: boolean;
  /** an attribute of its own that the model has no field for */
  unmodelled?: number;
}

/** the same within one RTA_MULTIPATH entry */
const MODELLED_HOP_ATTRS: ReadonlySet<number> = new Set([RTA.GATEWAY, RTA.VIA, RTA.FLOW]);

const unmodelledAttr = (attrs: Map<number, Buffer>, modelled: ReadonlySet<number>): number | undefined =>
  [...attrs.keys()].find((type) => !modelled.has(type));

/**
 * RTA_MULTIPATH: struct rtnexthop {u16 len; u8 flags; u8 hops (weight - 1);
 * i32 ifindex} followed by its own attributes, each entry padded to 4.
 */
function multipathOf(mp: Buffer, family: Family): Hop[] {
  const out: Hop[] = [];
  let at = 0;
  while (at + HEADER.rtnexthop <= mp.length) {
    const len = readU16(mp, at);
    if (len < HEADER.rtnexthop || at + len > mp.length) {
      throw new RtnlDecodeError(`RTA_MULTIPATH entry at byte ${at} has length ${len}, beyond the ${mp.length}-byte attribute`);
    }
    const attrs = readAttrs(mp.subarray(at, at + len), HEADER.rtnexthop);
    const unmodelled = unmodelledAttr(attrs, MODELLED_HOP_ATTRS);
    out.push({
      nexthop: nexthop(readI32(mp, at + 4), gatewayOf(attrs, family), mp[at + 3]! + 1),
      dead: (mp[at + 2]! & RTNH_F_DEAD) !== 0,
      ...(unmodelled === undefined ? {} : { unmodelled }),
    });
    at += align4(len);
  }
  return out;
}

/** A route's next hops: RTA_MULTIPATH, else the single path of RTA_OIF and RTA_GATEWAY or RTA_VIA. */
function hopsOf(attrs: Map<number, Buffer>, family: Family, rtmFlags: number): Hop[] {
  const mp = attrs.get(RTA.MULTIPATH);
  if (mp) return multipathOf(mp, family);
  if (!attrs.has(RTA.OIF) && !attrs.has(RTA.GATEWAY) && !attrs.has(RTA.VIA)) return [];
  // a single path keeps its next hop's flags in rtm_flags
  return [{ nexthop: nexthop(u32Attr(attrs, RTA.OIF) ?? 0, gatewayOf(attrs, family), 1), dead: (rtmFlags & RTNH_F_DEAD) !== 0 }];
}

/** RTA_DST or RTA_SRC and its length as CIDR; no attribute: the all-zero address (a default route) */
const prefixOf = (b: Buffer | undefined, family: Family, length: number, what: string): string =>
  `${b ? address(b, family, what) : family === 4 ? '0.0.0.0' : '::'}/${length}`;

/** RTA_METRICS sets the route's own path MTU, which the fast path (it checks the egress link's) does not follow. */
const hasOwnMtu = (attrs: Map<number, Buffer>): boolean => {
  const metrics = attrs.get(RTA.METRICS);
  return metrics !== undefined && readAttrs(metrics).has(RTAX_MTU);
};

/** Why the fast path cannot carry the route as the model holds it; undefined when it can. */
function unmodelledOf(attrs: Map<number, Buffer>, source: string | undefined, hops: Hop[]): string | undefined {
  if (source !== undefined) return `source prefix ${source}`;
  const attr = unmodelledAttr(attrs, MODELLED_ATTRS);
  if (attr !== undefined) return `route attribute ${attr}`;
  if (hasOwnMtu(attrs)) return 'MTU of its own';
  const hopAttr = hops.find((h) => h.unmodelled !== undefined)?.unmodelled;
  if (hopAttr !== undefined) return `next-hop attribute ${hopAttr}`;
  return undefined;
}

/**
 * RTM_NEWROUTE/DELROUTE. Null for what the sync does not report: other
 * families, route-cache clones, tables not asked for. A route the model
 * cannot carry (source-specific, attributes it has no field for) is
 * reported with `kernelOnly` saying why, so its prefix is left to the
 * kernel rather than to a covering route. A route through a next-hop
 * object comes with its `nhid` and no next hops.
 */
export function decodeRoute(data: Buffer, filter: RouteFilter): DecodedRoute | null {
  need(data, HEADER.rtmsg, 'route');
  const family = familyOf(data[0]!);
  const rtmFlags = readU32(data, 8);
  if (!family || (rtmFlags & RTM_F_CLONED) !== 0) return null;
  const attrs = readAttrs(data, HEADER.rtmsg);
  // rtm_table is 8 bits: tables above 255 are only in RTA_TABLE
  const table = u32Attr(attrs, RTA.TABLE) ?? data[4]!;
  if (!filter.tables.has(table)) return null;
  const prefix = prefixOf(attrs.get(RTA.DST), family, data[1]!, 'RTA_DST');
  const type: KernelRouteType = ROUTE_TYPES[data[7]!] ?? 'other';
  const source = data[2]! > 0 ? prefixOf(attrs.get(RTA.SRC), family, data[2]!, 'RTA_SRC') : undefined;
  const route: KernelRoute = {
    family,
    table,
    prefix,
    metric: u32Attr(attrs, RTA.PRIORITY) ?? 0,
    protocol: data[5]!,
    type,
    nexthops: [],
    tos: data[3]!,
    ...(source === undefined ? {} : { source }),
  };
  const nhid = u32Attr(attrs, RTA.NH_ID);
  // a route through an object has no next hops of its own to look at: the object's are in the object table
  const hops = nhid !== undefined || NO_NEXTHOP.has(type) ? [] : hopsOf(attrs, family, rtmFlags);
  const kernelOnly = unmodelledOf(attrs, source, hops);
  if (kernelOnly !== undefined) route.kernelOnly = kernelOnly;
  if (nhid !== undefined) {
    // the object decides (kernel-state.ts resolves it): the next hops that
    // nexthop_compat_mode adds are absent when it is off, and go stale
    // without a route event when a group loses a member
    route.nhid = nhid;
    return { route, dead: [], multipath: false };
  }
  const decoded: DecodedRoute = { route, dead: [], multipath: attrs.has(RTA.MULTIPATH) };
  // exact-size arrays: one grown by push keeps room for 17 entries, per route
  route.nexthops = hops.filter((h) => !h.dead).map((h) => h.nexthop);
  decoded.dead = hops.filter((h) => h.dead).map((h) => h.nexthop);
  return decoded;
}

/** The fields routeEvent scans a message into: one object for every event. */
const fields = new RouteFields();

/** gateways remembered by their bytes: a feed's routes go through a few, each formatted once */
const RECENT_GATEWAYS = 16;
const IPV6_WORDS = 4;

/** The texts of recent gateways, found by their bytes. */
class GatewayTexts {
  private readonly families = new Uint8Array(RECENT_GATEWAYS);
  private readonly words = new Uint32Array(RECENT_GATEWAYS * IPV6_WORDS);
  private readonly texts: string[] = [];
  private next = 0;

  /** The text of the address of `family` at `at` in buf. */
  text(buf: Buffer, at: number, family: Family): string {
    const count = family === 4 ? 1 : IPV6_WORDS;
    for (let i = 0; i < RECENT_GATEWAYS; i++) {
      if (this.families[i] !== family) continue;
      let same = true;
      for (let w = 0; w < count && same; w++) same = this.words[i * IPV6_WORDS + w] === buf.readUInt32BE(at + w * 4);
      if (same) return this.texts[i]!;
    }
    const i = this.next;
    this.next = (i + 1) % RECENT_GATEWAYS;
    this.families[i] = family;
    for (let w = 0; w < count; w++) this.words[i * IPV6_WORDS + w] = buf.readUInt32BE(at + w * 4);
    return (this.texts[i] = formatAddress(buf.subarray(at, at + count * 4)));
  }
}
const gateways = new GatewayTexts();

/** The route whose fields scanRoute read from data, as decodeRoute would give it. */
function plainRoute(data: Buffer, f: RouteFields): KernelRoute {
  const at = f.dst;
  let dst: string;
  if (at === ABSENT) dst = f.family === 4 ? '0.0.0.0' : '::';
  else dst = f.family === 4 ? `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}` : formatAddress(data.subarray(at, at + IPV6_WORDS * 4));
  const gateway = f.gateway === ABSENT ? undefined : gateways.text(data, f.gateway, f.family);
  return {
    family: f.family,
    table: f.table,
    prefix: `${dst}/${f.length}`,
    metric: f.metric,
    protocol: f.protocol,
    type: ROUTE_TYPES[f.type]!,
    nexthops: f.hasHop ? [nexthop(f.ifindex, gateway, 1)] : [],
    tos: f.tos,
  };
}

/**
 * A route message as an event. `replace` is true when the message stands for
 * every route of its (table, prefix, metric): the kernel said NLM_F_REPLACE,
 * or it is an IPv6 message with RTA_MULTIPATH, which lists the whole group of
 * siblings even when a single next hop was appended. A 'del' carries the next
 * hops that went away, dead ones included (an IPv6 delete of one next hop
 * names just that one). An add whose next hops are all dead (the kernel
 * refuses such routes today) is a 'del' of them: nothing can use it.
 */
function routeEvent(msg: RtnlMessage, filter: RouteFilter): KernelEvent | null {
  const scanned = scanRoute(msg.data, 0, msg.data.length, filter, fields);
  if (scanned === SCAN.NOT_REPORTED) return null;
  if (scanned === SCAN.PLAIN) {
    const route = plainRoute(msg.data, fields);
    return msg.type === RTM.DELROUTE ? { kind: 'route', op: 'del', route, replace: false } : { kind: 'route', op: 'add', route, replace: (msg.flags & NLM_F.REPLACE) !== 0 };
  }
  const decoded = decodeRoute(msg.data, filter);
  if (!decoded) return null;
  const { route, dead } = decoded;
  if (msg.type === RTM.DELROUTE || (route.type === 'unicast' && route.nexthops.length === 0 && dead.length > 0)) {
    return { kind: 'route', op: 'del', route: { ...route, nexthops: [...route.nexthops, ...dead] }, replace: false };
  }
  const replace = (msg.flags & NLM_F.REPLACE) !== 0 || (route.family === 6 && decoded.multipath);
  return { kind: 'route', op: 'add', route, replace };
}

/** One event message; null for the ones the sync does not follow. Throws RtnlDecodeError on a malformed one. */
export function decodeEvent(msg: RtnlMessage, filter: RouteFilter): KernelEvent | null {
  switch (msg.type) {
    case RTM.NEWLINK:
    case RTM.DELLINK: {
      const link = decodeLink(msg.data);
      return link && { kind: 'link', op: msg.type === RTM.NEWLINK ? 'add' : 'del', link };
    }
    case RTM.NEWADDR:
    case RTM.DELADDR: {
      const address = decodeAddress(msg.data);
      return address && { kind: 'address', op: msg.type === RTM.NEWADDR ? 'add' : 'del', address };
    }
    case RTM.NEWNEIGH:
    case RTM.DELNEIGH: {
      const neighbour = decodeNeighbour(msg.data);
      return neighbour && { kind: 'neighbour', op: msg.type === RTM.NEWNEIGH ? 'add' : 'del', neighbour };
    }
    case RTM.NEWROUTE:
    case RTM.DELROUTE:
      return routeEvent(msg, filter);
    case RTM.NEWRULE:
    case RTM.DELRULE: {
      const rule = decodeRule(msg.data);
      return rule && { kind: 'rule', op: msg.type === RTM.NEWRULE ? 'add' : 'del', rule };
    }
    case RTM.NEWNEXTHOP:
    case RTM.DELNEXTHOP:
      return { kind: 'nexthop', op: msg.type === RTM.NEWNEXTHOP ? 'add' : 'del', nexthop: decodeNexthopObject(msg.data) };
    default:
      return null;
  }
}

/**
 * The routes of a dump as the model holds them: dead next hops dropped, a
 * unicast route without a live one dropped (the kernel's lookup skips it),
 * and IPv6 routes that a kernel sent one message per next hop joined into one
 * route per (table, prefix, metric) with all its gateways, as the kernel
 * groups siblings (only next hops with a gateway join a group). Given as
 * they are read: only IPv6 routes that could be siblings wait, until the
 * end of the dump.
 */
export function* routesOfDump(decoded: Iterable<DecodedRoute>): Generator<KernelRoute> {
  const groups = new Map<string, KernelRoute>();
  for (const { route } of decoded) {
    if (!dumpedRouteKept(route)) continue;
    if (!siblingRoute(route)) {
      yield route;
      continue;
    }
    const key = `${route.table} ${route.prefix} ${route.metric} ${route.tos} ${route.source ?? ''}`;
    const group = groups.get(key);
    groups.set(key, group ? { ...group, nexthops: [...group.nexthops, ...route.nexthops] } : route);
  }
  yield* groups.values();
}

/** A dumped route the state holds: not a unicast route whose next hops are all dead (the kernel's lookup skips it). */
export const dumpedRouteKept = (route: KernelRoute): boolean =>
  route.nhid !== undefined || route.type !== 'unicast' || route.nexthops.length > 0 || route.kernelOnly !== undefined;

/**
 * A dumped route that may be one next hop of an IPv6 multipath route the
 * kernel sent one message per next hop: its siblings (same table, prefix,
 * metric, tos and source) join it. A route through an object never is one.
 */
export const siblingRoute = (route: KernelRoute): boolean =>
  route.nhid === undefined && route.family === 6 && route.type === 'unicast' && route.nexthops.every((n) => n.gateway !== undefined);

/**
 * The routes of a dump, decoded each time they are read, from the kernel's
 * datagrams: a full table is held as its wire bytes (some 70 a route), not
 * as an object per message and per route beside the state it is loaded into.
 * A dump taken for one load (`once`) lets its bytes go when the state has
 * them: a full table's are some 90 MiB, which would otherwise stay while the
 * full sync writes the maps for seconds, at the daemon's peak.
 */
export class DumpedRoutes implements Iterable<KernelRoute> {
  private held: readonly Buffer[] | undefined;

  constructor(
    datagrams: readonly Buffer[],
    readonly filter: RouteFilter,
    private readonly once = false,
  ) {
    this.held = datagrams;
  }

  /** the kernel's datagrams, which dump-loader.ts also decodes straight into the packed state */
  get datagrams(): readonly Buffer[] {
    if (!this.held) throw new Error('this route dump was taken for one load and is loaded already: take a new dump to read the routes again');
    return this.held;
  }

  /** The state holds the routes now: a dump taken for one load drops its datagrams. */
  loaded(): void {
    if (this.once) this.held = undefined;
  }

  [Symbol.iterator](): Iterator<KernelRoute> {
    return routesOfDump(this.decoded());
  }

  private *decoded(): Generator<DecodedRoute> {
    for (const datagram of this.datagrams) {
      for (const msg of readMessages(datagram)) {
        const decoded = msg.type === RTM.NEWROUTE ? decodeRoute(msg.data, this.filter) : null;
        if (decoded) yield decoded;
      }
    }
  }
}
