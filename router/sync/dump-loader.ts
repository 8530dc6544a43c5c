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
import { ABSENT, RouteFields, SCAN, scanRoute, type RouteFilter } from './route-scan.js';
import { decodeRoute, dumpedRouteKept, nexthop, siblingRoute, type DumpedRoutes } from './rtnl-decode.js';
import { NLMSG_HDRLEN, RTM, RtnlDecodeError, align4, readU16, readU32 } from './rtnl-wire.js';

const WORD_BYTES = 4;
/** distinct next hops remembered while a dump loads: a full table's routes go through a few */
const RECENT_HOPS = 16;

/** Loads the dump's routes over what `routes` holds, between its beginLoad() and sweep(). */
export function loadDump(routes: PackedRoutes, dump: DumpedRoutes, resolved: (r: KernelRoute) => KernelRoute): void {
  routes.prefixes.reserve(countMessages(dump.datagrams));
  const loader = new DumpLoader(routes, dump.filter, resolved);
  try {
    for (const datagram of dump.datagrams) loader.datagram(datagram);
  } finally {
    loader.end();
  }
}

/** The messages of the datagrams, counted from their headers alone: at most one prefix each. */
function countMessages(datagrams: readonly Buffer[]): number {
  let count = 0;
  for (const buf of datagrams) {
    for (let at = 0; at + NLMSG_HDRLEN <= buf.length; count++) {
      const len = readU32(buf, at);
      // a malformed one is the loader's to report
      if (len < NLMSG_HDRLEN) break;
      at += align4(len);
    }
  }
  return count;
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
  private readonly fields = new RouteFields();

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
    const f = this.fields;
    const scanned = scanRoute(buf, start, end, this.filter, f);
    if (scanned !== SCAN.PLAIN) return scanned === SCAN.NOT_REPORTED;
    const hops = f.hasHop ? this.singleHop(f.family, f.ifindex, buf, f.gateway) : NO_HOPS;
    const slot = this.routes.slotForAddress(f.family, f.length, buf, f.dst);
    if (slot >= 0 && this.routes.listedColumns(slot, f.table, f.metric, f.protocol, f.type, f.tos, hops)) return true;
    this.routes.lists.release(hops);
    return false;
  }

  /** The id of the list of one next hop (weight 1), acquired for a route. */
  private singleHop(family: Family, ifindex: number, buf: Buffer, gateway: number): number {
    const words = family === 4 ? 1 : 4;
    const lists = this.routes.lists;
    for (let i = 0; i < RECENT_HOPS; i++) {
      if (this.recentFamily[i] !== family || this.recentIfindex[i] !== ifindex) continue;
      if ((gateway !== ABSENT ? 1 : 0) !== this.recentHasGateway[i]) continue;
      if (gateway !== ABSENT && !this.sameGateway(i, buf, gateway, words)) continue;
      lists.retain(this.recentList[i]!);
      return this.recentList[i]!;
    }
    const text = gateway === ABSENT ? undefined : formatAddress(buf.subarray(gateway, gateway + words * WORD_BYTES));
    const id = lists.acquire([nexthop(ifindex, text, 1)]);
    const i = this.nextRecent;
    this.nextRecent = (i + 1) % RECENT_HOPS;
    if (this.recentFamily[i] !== 0) lists.release(this.recentList[i]!);
    lists.retain(id);
    this.recentFamily[i] = family;
    this.recentIfindex[i] = ifindex;
    this.recentHasGateway[i] = gateway !== ABSENT ? 1 : 0;
    for (let w = 0; w < words; w++) this.recentGateway[i * 4 + w] = gateway === ABSENT ? 0 : buf.readUInt32BE(gateway + w * WORD_BYTES);
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
