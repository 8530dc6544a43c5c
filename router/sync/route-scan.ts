// One pass over a route message's header and attributes into fields kept
// in one reused object, with no Map, view or object per attribute: what
// the dump loader (dump-loader.ts) and the event decoder (rtnl-decode.ts)
// read for the common route, one next hop or none with attributes the
// model holds. Anything else is left to decodeRoute, which reads it whole.
import type { Family } from '../../dataplane/addr.js';
import type { KernelRouteType } from './model.js';
import { HEADER, NLA_TYPE_MASK, ROUTE_TYPES, RTA, RTAX_MTU, RTM_F_CLONED, RTNH_F_DEAD, align4, familyOf, readU16, readU32 } from './rtnl-wire.js';

/**
 * Route attributes the model reads, or that change nothing about where the
 * kernel sends a packet (preferred source, realms, cache info, RA
 * preference and expiry). Any other (an encapsulation, MPLS, a mark or
 * port selector, one newer than this list) leaves the route to the kernel.
 */
export const MODELLED_ATTRS: ReadonlySet<number> = new Set([
  RTA.DST,
  RTA.SRC,
  RTA.OIF,
  RTA.GATEWAY,
  RTA.PRIORITY,
  RTA.PREFSRC,
  RTA.METRICS,
  RTA.MULTIPATH,
  RTA.FLOW,
  RTA.CACHEINFO,
  RTA.TABLE,
  RTA.VIA,
  RTA.PREF,
  RTA.EXPIRES,
  RTA.PAD,
  RTA.NH_ID,
]);

/** Route types that carry no next hop (the model leaves their list empty). */
export const NO_NEXTHOP: ReadonlySet<KernelRouteType> = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);

/** Which routes the sync reports. */
export interface RouteFilter {
  /** real table ids (RTA_TABLE) */
  tables: ReadonlySet<number>;
}

/** What scanRoute found. */
export const SCAN = {
  /** the fields hold the route */
  PLAIN: 0,
  /** none the sync reports: another family, a route-cache clone, a table not asked for */
  NOT_REPORTED: 1,
  /** one for decodeRoute: multipath, source-specific, through an object, RTA_VIA, a dead next hop, attributes the model lacks, malformed */
  WHOLE: 2,
} as const;

/** attribute types below this are looked up in MODELLED; a type above it is none the model has a field for */
const ATTR_TYPES = 64;
const MODELLED = new Uint8Array(ATTR_TYPES);
for (const type of MODELLED_ATTRS) MODELLED[type] = 1;
const WITHOUT_HOPS = new Uint8Array(ROUTE_TYPES.length);
ROUTE_TYPES.forEach((name, code) => (WITHOUT_HOPS[code] = NO_NEXTHOP.has(name) ? 1 : 0));
/** rtm_type 0, and any beyond the list, read as 'other' (ROUTE_TYPES[0]) */
const OTHER_TYPE = 0;
const ADDRESS_BYTES = { 4: 4, 6: 16 } as const;
/** struct rtmsg's bytes, after the family */
const RTMSG = { dstLen: 1, srcLen: 2, tos: 3, table: 4, protocol: 5, type: 7, flags: 8 } as const;
/** an offset that is no attribute's */
export const ABSENT = -1;

/** A plain route's fields; offsets are into the scanned buffer. */
export class RouteFields {
  family: Family = 4;
  /** the prefix's length */
  length = 0;
  table = 0;
  metric = 0;
  protocol = 0;
  /** index of ROUTE_TYPES */
  type = 0;
  tos = 0;
  /** RTA_DST's address; ABSENT: the all-zero one */
  dst = ABSENT;
  /** whether the route has its one next hop (false: a type without next hops) */
  hasHop = false;
  /** the next hop's device, 0 when absent */
  ifindex = 0;
  /** RTA_GATEWAY's address (the route's family); ABSENT: on-link */
  gateway = ABSENT;
}

/** Reads the route message at [start, end) of buf into f. */
export function scanRoute(buf: Buffer, start: number, end: number, filter: RouteFilter, f: RouteFields): number {
  if (end - start < HEADER.rtmsg) return SCAN.WHOLE;
  const family = familyOf(buf[start]!);
  const flags = readU32(buf, start + RTMSG.flags);
  if (!family || (flags & RTM_F_CLONED) !== 0) return SCAN.NOT_REPORTED;
  // source-specific, or a single path whose device is down
  if (buf[start + RTMSG.srcLen] !== 0 || (flags & RTNH_F_DEAD) !== 0) return SCAN.WHOLE;
  const width = ADDRESS_BYTES[family];
  let table = buf[start + RTMSG.table]!;
  let metric = 0;
  let oif = ABSENT;
  let dst = ABSENT;
  let gateway = ABSENT;
  for (let at = start + HEADER.rtmsg; at + 4 <= end; ) {
    const len = readU16(buf, at);
    if (len < 4 || at + len > end) return SCAN.WHOLE;
    const type = readU16(buf, at + 2) & NLA_TYPE_MASK;
    const payload = at + 4;
    switch (type) {
      case RTA.DST:
      case RTA.GATEWAY:
        if (len - 4 !== width) return SCAN.WHOLE;
        if (type === RTA.DST) dst = payload;
        else gateway = payload;
        break;
      case RTA.TABLE:
      case RTA.PRIORITY:
      case RTA.OIF:
        if (len - 4 < 4) return SCAN.WHOLE;
        if (type === RTA.TABLE) table = readU32(buf, payload);
        else if (type === RTA.PRIORITY) metric = readU32(buf, payload);
        else oif = readU32(buf, payload);
        break;
      case RTA.METRICS:
        if (!withoutOwnMtu(buf, payload, at + len)) return SCAN.WHOLE;
        break;
      case RTA.MULTIPATH:
      case RTA.VIA:
      case RTA.NH_ID:
        return SCAN.WHOLE;
      default:
        if (type >= ATTR_TYPES || MODELLED[type] === 0) return SCAN.WHOLE;
    }
    at += align4(len);
  }
  if (!filter.tables.has(table)) return SCAN.NOT_REPORTED;
  const rtmType = buf[start + RTMSG.type]!;
  const type = rtmType < ROUTE_TYPES.length ? rtmType : OTHER_TYPE;
  const hasHop = WITHOUT_HOPS[type] === 0;
  // no next hop at all: decodeRoute says what that is (a unicast route's, or another type's empty list)
  if (hasHop && oif === ABSENT && gateway === ABSENT) return SCAN.WHOLE;
  f.family = family;
  f.length = buf[start + RTMSG.dstLen]!;
  f.table = table;
  f.metric = metric;
  f.protocol = buf[start + RTMSG.protocol]!;
  f.type = type;
  f.tos = buf[start + RTMSG.tos]!;
  f.dst = dst;
  f.hasHop = hasHop;
  f.ifindex = oif === ABSENT ? 0 : oif;
  f.gateway = hasHop ? gateway : ABSENT;
  return SCAN.PLAIN;
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
