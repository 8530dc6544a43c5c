// The model -> rtnetlink request payloads: the header of each dump request,
// and the rtmsg + attributes of a route add or delete, laid out as iproute2
// lays them out (so the kernel treats them as it treats `ip route`).
import { parseAddress, parsePrefix, type Family, type Prefix } from '../../dataplane/addr.js';
import type { KernelNexthop, KernelRoute, KernelRouteType } from './model.js';
import {
  HEADER,
  NDA,
  NTF_USE,
  RTA,
  ROUTE_TYPES,
  RT_SCOPE,
  RT_TABLE_UNSPEC,
  addressFamily,
  attr,
  attrU32,
  writeI32,
  writeU16,
  writeU32,
} from './rtnl-wire.js';

/** A route request the encoder refuses before it reaches the kernel. */
export class RouteSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteSpecError';
  }
}

/** What a dump request asks for: a zeroed header whose first byte is the family. */
export function dumpRequest(header: keyof typeof HEADER, af: number): Buffer {
  const out = Buffer.alloc(HEADER[header]);
  out[0] = af;
  return out;
}

/** Which route a delete names: the kernel removes the first route that matches. */
export interface RouteKey {
  family: Family;
  table: number;
  prefix: string;
  /** absent: whatever metric (IPv4: the first route of the prefix; IPv6: any) */
  metric?: number;
  /** absent: whatever protocol */
  protocol?: number;
}

interface RtmsgFields {
  family: Family;
  prefix: Prefix;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
}

function rtmsg(f: RtmsgFields): Buffer {
  const out = Buffer.alloc(HEADER.rtmsg);
  out[0] = addressFamily(f.family);
  out[1] = f.prefix.length;
  out[3] = f.tos;
  // rtm_table is 8 bits; the real id goes in RTA_TABLE, which the kernel prefers
  out[4] = f.table < 256 ? f.table : RT_TABLE_UNSPEC;
  out[5] = f.protocol;
  out[6] = f.scope;
  out[7] = f.type;
  return out;
}

function keyAttrs(prefix: Prefix, table: number, metric: number | undefined): Buffer[] {
  const attrs = [attrU32(RTA.TABLE, table)];
  if (prefix.length > 0) attrs.push(attr(RTA.DST, prefix.addr));
  if (metric !== undefined && metric > 0) attrs.push(attrU32(RTA.PRIORITY, metric));
  return attrs;
}

function checkedPrefix(family: Family, text: string): Prefix {
  let prefix: Prefix;
  try {
    prefix = parsePrefix(text);
  } catch (err) {
    throw new RouteSpecError((err as Error).message);
  }
  if (prefix.family !== family) throw new RouteSpecError(`prefix ${text} is not an IPv${family} prefix`);
  return prefix;
}

function checkedInt(value: number, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RouteSpecError(`${what} ${value} is not an integer from ${min} to ${max}`);
  }
  return value;
}

const checkedU32 = (value: number, what: string, min = 0): number => checkedInt(value, what, min, 0xffffffff);
const checkedU8 = (value: number, what: string): number => checkedInt(value, what, 0, 255);

/**
 * A gateway of the route's family goes in RTA_GATEWAY; one of the other
 * family (an IPv4 route via an IPv6 next hop) in RTA_VIA.
 */
function gatewayAttr(routeFamily: Family, gateway: string): Buffer {
  const gw = parseAddress(gateway);
  if (!gw) throw new RouteSpecError(`gateway "${gateway}" is not an IPv4 or IPv6 address`);
  if (gw.family === routeFamily) return attr(RTA.GATEWAY, gw.addr);
  const via = Buffer.alloc(2 + gw.addr.length);
  writeU16(via, addressFamily(gw.family), 0);
  gw.addr.copy(via, 2);
  return attr(RTA.VIA, via);
}

/** struct rtnexthop {u16 len; u8 flags; u8 hops = weight - 1; i32 ifindex} + its attributes */
function rtnexthop(family: Family, nh: KernelNexthop): Buffer {
  const weight = checkedInt(nh.weight, 'next hop weight', 1, 256);
  const attrs = nh.gateway === undefined ? Buffer.alloc(0) : gatewayAttr(family, nh.gateway);
  const out = Buffer.alloc(HEADER.rtnexthop + attrs.length);
  writeU16(out, out.length, 0);
  out[3] = weight - 1;
  writeU32(out, checkedU32(nh.ifindex, 'next hop ifindex'), 4);
  attrs.copy(out, HEADER.rtnexthop);
  return out;
}

function nexthopAttrs(route: KernelRoute): Buffer[] {
  const [only, ...more] = route.nexthops;
  if (!only) return [];
  if (more.length > 0) return [attr(RTA.MULTIPATH, Buffer.concat(route.nexthops.map((nh) => rtnexthop(route.family, nh))))];
  const attrs: Buffer[] = [];
  const ifindex = checkedU32(only.ifindex, 'next hop ifindex');
  if (ifindex > 0) attrs.push(attrU32(RTA.OIF, ifindex));
  if (only.gateway !== undefined) attrs.push(gatewayAttr(route.family, only.gateway));
  return attrs;
}

/** iproute2's default scope: host for local/nat, link for other local delivery and for a unicast route without gateway */
function scopeOf(route: KernelRoute): number {
  if (route.type === 'local' || route.type === 'nat') return RT_SCOPE.HOST;
  if (route.type === 'broadcast' || route.type === 'multicast' || route.type === 'anycast') return RT_SCOPE.LINK;
  if (route.type === 'unicast' && route.nexthops.every((nh) => nh.gateway === undefined)) return RT_SCOPE.LINK;
  return RT_SCOPE.UNIVERSE;
}

const TYPE_NUMBER = new Map<KernelRouteType, number>(ROUTE_TYPES.map((name, i) => [name, i]));
const WITHOUT_NEXTHOPS: ReadonlySet<KernelRouteType> = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);

/** The payload of an RTM_NEWROUTE for route, tagged with protocol (the flags are the caller's). */
export function routeAddPayload(route: KernelRoute, protocol: number): Buffer {
  const prefix = checkedPrefix(route.family, route.prefix);
  const type = TYPE_NUMBER.get(route.type);
  if (type === undefined || route.type === 'other') throw new RouteSpecError(`route type "${route.type}" cannot be installed`);
  if (WITHOUT_NEXTHOPS.has(route.type) && route.nexthops.length > 0) {
    throw new RouteSpecError(`a ${route.type} route has no next hops`);
  }
  if (route.type === 'unicast' && route.nexthops.length === 0) throw new RouteSpecError('a unicast route needs a next hop');
  const header = rtmsg({
    family: route.family,
    prefix,
    tos: checkedU8(route.tos, 'tos'),
    table: checkedU32(route.table, 'table', 1),
    protocol: checkedU8(protocol, 'route protocol'),
    scope: scopeOf(route),
    type,
  });
  return Buffer.concat([header, ...keyAttrs(prefix, route.table, checkedU32(route.metric, 'metric')), ...nexthopAttrs(route)]);
}

/**
 * The payload of an RTM_DELROUTE for key. Scope NOWHERE and type UNSPEC
 * match a route of any scope and type, as `ip route del` does.
 */
export function routeDeletePayload(key: RouteKey): Buffer {
  const prefix = checkedPrefix(key.family, key.prefix);
  const header = rtmsg({
    family: key.family,
    prefix,
    tos: 0,
    table: checkedU32(key.table, 'table', 1),
    protocol: checkedU8(key.protocol ?? 0, 'route protocol'),
    scope: RT_SCOPE.NOWHERE,
    type: 0,
  });
  const metric = key.metric === undefined ? undefined : checkedU32(key.metric, 'metric');
  return Buffer.concat([header, ...keyAttrs(prefix, key.table, metric)]);
}

/** How a route reads in an error message: "198.51.100.0/24 table 254 metric 0" */
export function describeRoute(r: { prefix: string; table: number; metric?: number }): string {
  return `${r.prefix} table ${r.table}${r.metric === undefined ? '' : ` metric ${r.metric}`}`;
}

/**
 * The payload of an RTM_NEWNEIGH with NTF_USE for an existing entry: the
 * kernel runs neigh_event_send on it, as for a packet it sends (a STALE
 * entry goes to DELAY, then PROBE), and changes nothing else. ndm_state 0
 * and no NDA_LLADDR: the entry keeps its state and address.
 */
export function neighbourUsePayload(ifindex: number, address: string): Buffer {
  const a = parseAddress(address);
  if (!a) throw new RouteSpecError(`neighbour "${address}" is not an IPv4 or IPv6 address`);
  const ndmsg = Buffer.alloc(HEADER.ndmsg);
  ndmsg[0] = addressFamily(a.family);
  writeI32(ndmsg, checkedInt(ifindex, 'neighbour ifindex', 1, 0x7fffffff), 4);
  ndmsg[10] = NTF_USE;
  return Buffer.concat([ndmsg, attr(NDA.DST, a.addr)]);
}
