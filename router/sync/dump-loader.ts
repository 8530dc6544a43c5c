// A route dump decoded straight into the packed state (packed-routes.ts).
// Nearly every route of a full table is one next hop, or none, with
// attributes the columns hold: it takes its prefix's slot from the address
// bytes and its columns from the message, with no KernelRoute, no prefix
// text and no gateway text made (a full table's load was a third garbage
// collection when each route was an object and two strings). The rest
// (multipath, source-specific, through a next-hop object, RTA_VIA, a dead
// next hop, attributes the model has no field for, anything malformed)
// goes decodeRoute's way, whose answers the packed way must equal
// (test/sync/dump-loader.test.ts loads real dumps both ways).
import { formatAddress, type Family } from '../../dataplane/addr.js';
import type { KernelRoute } from './model.js';
import { NO_HOPS } from './hop-lists.js';
import type { PackedRoutes } from './packed-routes.js';
import { routeId } from './route-slots.js';
import { MODELLED_ATTRS, NO_NEXTHOP, decodeRoute, dumpedRouteKept, nexthop, siblingRoute, type DumpedRoutes, type RouteFilter } from './rtnl-decode.js';
import {
  HEADER,
  NLA_TYPE_MASK,
  NLMSG_HDRLEN,
  ROUTE_TYPES,
  RTA,
  RTAX_MTU,
  RTM,
  RTM_F_CLONED,
  RTNH_F_DEAD,
  RtnlDecodeError,
  align4,
  familyOf,
  readU16,
  readU32,
} from './rtnl-wire.js';

/** attribute types below this are looked up in MODELLED; a type above it is none the model has a field for */
const ATTR_TYPES = 64;
const MODELLED = new Uint8Array(ATTR_TYPES);
for (const type of MODELLED_ATTRS) MODELLED[type] = 1;
const WITHOUT_HOPS = new Uint8Array(ROUTE_TYPES.length);
ROUTE_TYPES.forEach((name, code) => (WITHOUT_HOPS[code] = NO_NEXTHOP.has(name) ? 1 : 0));
/** rtm_type 0, and any beyond the list, read as 'other' (ROUTE_TYPES[0]) */
const OTHER_TYPE = 0;
const IPV4_BYTES = 4;
const IPV6_BYTES = 16;
const WORD_BYTES = 4;
/** struct rtmsg's bytes, after the family */
const RTMSG = { dstLen: 1, srcLen: 2, tos: 3, table: 4, protocol: 5, type: 7, flags: 8 } as const;
/** distinct next hops remembered while a dump loads: a full table's routes go through a few */
const RECENT_HOPS = 16;
const NO_GATEWAY = -1;

/** Loads the dump's routes over what `routes` holds, between its beginLoad() and sweep(). */
export function loadDump(routes: PackedRoutes, dump: DumpedRoutes, resolved: (r: KernelRoute) => KernelRoute): void {
  const loader = new DumpLoader(routes, dump.filter, resolved);
  try {
    for (const datagram of dump.datagrams) loader.datagram(datagram);
  } finally {
    loader.end();
  }
}

class DumpLoader {
  /**
   * The single next hops of recent routes and the id of each one's list,
   * held by this cache (one count of its own, let go at the end): a route
   * through one of them takes the id with no text or array made.
   */
  private readonly recentFamily = new Uint8Array(RECENT_HOPS);
  private readonly recentIfindex = new Uint32Array(RECENT_HOPS);
  private readonly recentHasGateway = new Uint8Array(RECENT_HOPS);
  private readonly recentGateway = new Uint32Array(RECENT_HOPS * 4);
  private readonly recentList = new Uint32Array(RECENT_HOPS);
  private nextRecent = 0;

  constructor(
    private readonly routes: PackedRoutes,
    private readonly filter: RouteFilter,
    private readonly resolved: (r: KernelRoute) => KernelRoute,
  ) {}

  /** Each RTM_NEWROUTE of one datagram: packed where it can be, else the KernelRoute way. */
  datagram(buf: Buffer): void {
    let at = 0;
    while (at + NLMSG_HDRLEN <= buf.length) {
      const len = readU32(buf, at);
      if (len < NLMSG_HDRLEN || at + len > buf.length) {
        throw new RtnlDecodeError(`netlink message at byte ${at} has length ${len}, beyond the ${buf.length}-byte datagram`);
      }
      if (readU16(buf, at + 4) === RTM.NEWROUTE && !this.packed(buf, at + NLMSG_HDRLEN, at + len)) this.whole(buf.subarray(at + NLMSG_HDRLEN, at + len));
      at += align4(len);
    }
  }

  /** The cache's own holds let go of. */
  end(): void {
    for (let i = 0; i < RECENT_HOPS; i++) if (this.recentFamily[i] !== 0) this.routes.lists.release(this.recentList[i]!);
    this.recentFamily.fill(0);
  }

  /**
   * The route message at [start, end) into the columns; true when done (or
   * when it is none the sync reports), false when it must go the whole way.
   */
  private packed(buf: Buffer, start: number, end: number): boolean {
    if (end - start < HEADER.rtmsg) return false;
    const family = familyOf(buf[start]!);
    const flags = readU32(buf, start + RTMSG.flags);
    if (!family || (flags & RTM_F_CLONED) !== 0) return true;
    // source-specific, or a single path whose device is down
    if (buf[start + RTMSG.srcLen] !== 0 || (flags & RTNH_F_DEAD) !== 0) return false;
    let table = buf[start + RTMSG.table]!;
    let metric = 0;
    let oif = -1;
    let dst = -1;
    let dstBytes = 0;
    let gateway = NO_GATEWAY;
    let gatewayBytes = 0;
    for (let at = start + HEADER.rtmsg; at + 4 <= end; ) {
      const len = readU16(buf, at);
      if (len < 4 || at + len > end) return false;
      const type = readU16(buf, at + 2) & NLA_TYPE_MASK;
      const payload = at + 4;
      const bytes = len - 4;
      switch (type) {
        case RTA.DST:
          dst = payload;
          dstBytes = bytes;
          break;
        case RTA.GATEWAY:
          gateway = payload;
          gatewayBytes = bytes;
          break;
        case RTA.TABLE:
        case RTA.PRIORITY:
        case RTA.OIF:
          if (bytes < 4) return false;
          if (type === RTA.TABLE) table = readU32(buf, payload);
          else if (type === RTA.PRIORITY) metric = readU32(buf, payload);
          else oif = readU32(buf, payload);
          break;
        case RTA.METRICS:
          if (!withoutOwnMtu(buf, payload, at + len)) return false;
          break;
        case RTA.MULTIPATH:
        case RTA.VIA:
        case RTA.NH_ID:
          return false;
        default:
          if (type >= ATTR_TYPES || MODELLED[type] === 0) return false;
      }
      at += align4(len);
    }
    if (!this.filter.tables.has(table)) return true;
    const width = family === 4 ? IPV4_BYTES : IPV6_BYTES;
    if (dst >= 0 && dstBytes !== width) return false;
    const rtmType = buf[start + RTMSG.type]!;
    const type = rtmType < ROUTE_TYPES.length ? rtmType : OTHER_TYPE;
    let hops = NO_HOPS;
    if (WITHOUT_HOPS[type] === 0) {
      // no next hop at all: a unicast route the state drops, or another type whose empty list decodeRoute keeps
      if (oif < 0 && gateway === NO_GATEWAY) return false;
      if (gateway !== NO_GATEWAY && gatewayBytes !== width) return false;
      hops = this.singleHop(family, oif < 0 ? 0 : oif, buf, gateway);
    }
    const slot = this.routes.slotForAddress(family, buf[start + RTMSG.dstLen]!, buf, dst);
    if (slot >= 0 && this.routes.listedColumns(slot, table, metric, buf[start + RTMSG.protocol]!, type, buf[start + RTMSG.tos]!, hops)) return true;
    this.routes.lists.release(hops);
    return false;
  }

  /** The id of the list of one next hop (weight 1), acquired for a route. */
  private singleHop(family: Family, ifindex: number, buf: Buffer, gateway: number): number {
    const words = family === 4 ? 1 : 4;
    const lists = this.routes.lists;
    for (let i = 0; i < RECENT_HOPS; i++) {
      if (this.recentFamily[i] !== family || this.recentIfindex[i] !== ifindex) continue;
      if ((gateway !== NO_GATEWAY ? 1 : 0) !== this.recentHasGateway[i]) continue;
      if (gateway !== NO_GATEWAY && !this.sameGateway(i, buf, gateway, words)) continue;
      lists.retain(this.recentList[i]!);
      return this.recentList[i]!;
    }
    const text = gateway === NO_GATEWAY ? undefined : formatAddress(buf.subarray(gateway, gateway + words * WORD_BYTES));
    const id = lists.acquire([nexthop(ifindex, text, 1)]);
    const i = this.nextRecent;
    this.nextRecent = (i + 1) % RECENT_HOPS;
    if (this.recentFamily[i] !== 0) lists.release(this.recentList[i]!);
    lists.retain(id);
    this.recentFamily[i] = family;
    this.recentIfindex[i] = ifindex;
    this.recentHasGateway[i] = gateway !== NO_GATEWAY ? 1 : 0;
    for (let w = 0; w < words; w++) this.recentGateway[i * 4 + w] = gateway === NO_GATEWAY ? 0 : buf.readUInt32BE(gateway + w * WORD_BYTES);
    this.recentList[i] = id;
    return id;
  }

  private sameGateway(i: number, buf: Buffer, gateway: number, words: number): boolean {
    for (let w = 0; w < words; w++) if (this.recentGateway[i * 4 + w] !== buf.readUInt32BE(gateway + w * WORD_BYTES)) return false;
    return true;
  }

  /**
   * A route message the columns cannot take, decoded whole; an IPv6 route
   * the kernel sent one message per next hop joins its siblings listed
   * before it in this load, as routesOfDump joins them.
   */
  private whole(data: Buffer): void {
    const decoded = decodeRoute(data, this.filter);
    if (!decoded || !dumpedRouteKept(decoded.route)) return;
    let route = this.resolved(decoded.route);
    const slot = this.routes.slotFor(route);
    if (siblingRoute(route) && this.routes.listedInLoad(slot)) {
      const before = this.routes.routesAt(slot).get(routeId(route));
      if (before && siblingRoute(before)) route = { ...before, nexthops: [...before.nexthops, ...route.nexthops] };
    }
    this.routes.listed(slot, route);
  }
}

/** RTA_METRICS without RTAX_MTU (a route MTU of its own is the kernel's); false also when it is malformed. */
function withoutOwnMtu(buf: Buffer, start: number, end: number): boolean {
  for (let at = start; at + 4 <= end; ) {
    const len = readU16(buf, at);
    if (len < 4 || at + len > end) return false;
    if ((readU16(buf, at + 2) & NLA_TYPE_MASK) === RTAX_MTU) return false;
    at += align4(len);
  }
  return true;
}
