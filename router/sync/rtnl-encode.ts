// The model -> rtnetlink request payloads: the header of each dump request,
// and the rtmsg + attributes of a route add or delete, laid out as iproute2
// lays them out (so the kernel treats them as it treats `ip route`). Route
// adds are written whole, header included, straight into one buffer per
// batch (RequestBuffer).
import { parseAddress, parsePrefix, type Family, type Prefix } from '../../dataplane/addr.js';
import type { KernelNexthop, KernelRoute, KernelRouteType } from './model.js';
import {
  HEADER,
  NDA,
  NLMSG_HDRLEN,
  NTF_USE,
  RTA,
  RTM,
  ROUTE_TYPES,
  RT_SCOPE,
  RT_TABLE_UNSPEC,
  addressFamily,
  align4,
  attr,
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

/** Writes the rtmsg at `at`; returns where the attributes start. */
function writeRtmsg(out: Buffer, at: number, f: RtmsgFields): number {
  out[at] = addressFamily(f.family);
  out[at + 1] = f.prefix.length;
  out[at + 3] = f.tos;
  // rtm_table is 8 bits; the real id goes in RTA_TABLE, which the kernel prefers
  out[at + 4] = f.table < 256 ? f.table : RT_TABLE_UNSPEC;
  out[at + 5] = f.protocol;
  out[at + 6] = f.scope;
  out[at + 7] = f.type;
  return at + HEADER.rtmsg;
}

/** The attributes that name the route: RTA_TABLE, RTA_DST unless /0, RTA_PRIORITY unless 0 or absent. */
const keyBytes = (prefix: Prefix, metric: number | undefined): number =>
  attrBytes(4) + (prefix.length > 0 ? attrBytes(prefix.addr.length) : 0) + (metric !== undefined && metric > 0 ? attrBytes(4) : 0);

function writeKey(out: Buffer, at: number, prefix: Prefix, table: number, metric: number | undefined): number {
  let next = writeAttrU32(out, at, RTA.TABLE, table);
  if (prefix.length > 0) next = writeAttrBytes(out, next, RTA.DST, prefix.addr);
  if (metric !== undefined && metric > 0) next = writeAttrU32(out, next, RTA.PRIORITY, metric);
  return next;
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

/** A next hop's gateway as parsed: RTA_GATEWAY for the route's family, RTA_VIA (family first) for the other one. */
interface Gateway {
  type: number;
  family: Family;
  addr: Buffer;
}

/** The last gateway parsed, per route family: a batch names the same few for thousands of routes. */
const lastGateway = new Map<Family, { text: string; parsed: Gateway }>();

function parsedGateway(routeFamily: Family, gateway: string): Gateway {
  const last = lastGateway.get(routeFamily);
  if (last?.text === gateway) return last.parsed;
  const gw = parseAddress(gateway);
  if (!gw) throw new RouteSpecError(`gateway "${gateway}" is not an IPv4 or IPv6 address`);
  const parsed: Gateway = { type: gw.family === routeFamily ? RTA.GATEWAY : RTA.VIA, family: gw.family, addr: gw.addr };
  lastGateway.set(routeFamily, { text: gateway, parsed });
  return parsed;
}

/** An attribute's bytes, header and padding included. */
const attrBytes = (payload: number): number => align4(4 + payload);
const gatewayBytes = (gw: Gateway): number => attrBytes(gw.type === RTA.VIA ? 2 + gw.addr.length : gw.addr.length);

/** A next hop checked and parsed, before anything is written. */
interface Hop {
  weight: number;
  ifindex: number;
  gateway: Gateway | undefined;
}

function checkedHop(family: Family, nh: KernelNexthop, multipath: boolean): Hop {
  const weight = multipath ? checkedInt(nh.weight, 'next hop weight', 1, 256) : 1;
  const ifindex = checkedU32(nh.ifindex, 'next hop ifindex');
  return { weight, ifindex, gateway: nh.gateway === undefined ? undefined : parsedGateway(family, nh.gateway) };
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

/** Room for this many IPv4 route requests before a batch's buffer first grows. */
const INITIAL_MESSAGES = 64;
/** An IPv4 route via one gateway with a metric: header, rtmsg and five attributes. */
const TYPICAL_MESSAGE_BYTES = NLMSG_HDRLEN + HEADER.rtmsg + 5 * 8;

/**
 * Requests written one after another into one buffer: a batch of
 * thousands of route changes is one allocation that goes to the socket as
 * it is, not a few small buffers per change joined at the end.
 */
export class RequestBuffer {
  private buffer: Buffer;
  private used = 0;
  /** messages written */
  count = 0;

  constructor(expectedMessages = INITIAL_MESSAGES) {
    this.buffer = Buffer.alloc(Math.max(1, expectedMessages) * TYPICAL_MESSAGE_BYTES);
  }

  /** The messages written so far (a view, not a copy). */
  get bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** Room for the next message of `size` bytes (zeroed): its offset in `view`, which may be a new buffer after this call. */
  reserve(size: number): number {
    if (this.used + size > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.used + size));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    const at = this.used;
    this.used += size;
    this.count++;
    return at;
  }

  /** The whole buffer, to write a message reserved in it. */
  get view(): Buffer {
    return this.buffer;
  }
}

/** Writes a struct nlattr header at `at`; returns where its payload starts. */
function attrHeader(out: Buffer, at: number, type: number, payload: number): number {
  writeU16(out, 4 + payload, at);
  writeU16(out, type, at + 2);
  return at + 4;
}

function writeAttrU32(out: Buffer, at: number, type: number, value: number): number {
  writeU32(out, value, attrHeader(out, at, type, 4));
  return at + attrBytes(4);
}

function writeAttrBytes(out: Buffer, at: number, type: number, bytes: Buffer): number {
  bytes.copy(out, attrHeader(out, at, type, bytes.length));
  return at + attrBytes(bytes.length);
}

function writeGateway(out: Buffer, at: number, gw: Gateway): number {
  if (gw.type === RTA.GATEWAY) return writeAttrBytes(out, at, RTA.GATEWAY, gw.addr);
  const payload = attrHeader(out, at, RTA.VIA, 2 + gw.addr.length);
  writeU16(out, addressFamily(gw.family), payload);
  gw.addr.copy(out, payload + 2);
  return at + gatewayBytes(gw);
}

/** struct rtnexthop {u16 len; u8 flags; u8 hops = weight - 1; i32 ifindex} + its gateway */
const rtnexthopBytes = (hop: Hop): number => HEADER.rtnexthop + (hop.gateway ? gatewayBytes(hop.gateway) : 0);

function writeRtnexthop(out: Buffer, at: number, hop: Hop): number {
  const size = rtnexthopBytes(hop);
  writeU16(out, size, at);
  out[at + 3] = hop.weight - 1;
  writeU32(out, hop.ifindex, at + 4);
  if (hop.gateway) writeGateway(out, at + HEADER.rtnexthop, hop.gateway);
  return at + size;
}

/**
 * Appends an RTM_NEWROUTE for route, tagged with protocol, with the
 * caller's flags: the rtmsg and attributes as iproute2 lays them out.
 * `parsed` is route.prefix as the caller already parsed it (a bulk add's
 * validation did), else it is parsed here. Everything is checked before
 * anything is written, so a RouteSpecError leaves the buffer as it was.
 */
export function appendRouteAdd(out: RequestBuffer, route: KernelRoute, protocol: number, flags: number, parsed?: Prefix): void {
  const prefix = parsed ?? checkedPrefix(route.family, route.prefix);
  if (prefix.family !== route.family) throw new RouteSpecError(`prefix ${route.prefix} is not an IPv${route.family} prefix`);
  const type = TYPE_NUMBER.get(route.type);
  if (type === undefined || route.type === 'other') throw new RouteSpecError(`route type "${route.type}" cannot be installed`);
  if (WITHOUT_NEXTHOPS.has(route.type) && route.nexthops.length > 0) {
    throw new RouteSpecError(`a ${route.type} route has no next hops`);
  }
  if (route.type === 'unicast' && route.nexthops.length === 0) throw new RouteSpecError('a unicast route needs a next hop');
  const tos = checkedU8(route.tos, 'tos');
  const table = checkedU32(route.table, 'table', 1);
  const tag = checkedU8(protocol, 'route protocol');
  const metric = checkedU32(route.metric, 'metric');
  const multipath = route.nexthops.length > 1;
  const hops = route.nexthops.map((nh) => checkedHop(route.family, nh, multipath));

  let size = NLMSG_HDRLEN + HEADER.rtmsg + keyBytes(prefix, metric);
  if (multipath) size += attrBytes(hops.reduce((sum, hop) => sum + rtnexthopBytes(hop), 0));
  else if (hops[0]) size += (hops[0].ifindex > 0 ? attrBytes(4) : 0) + (hops[0].gateway ? gatewayBytes(hops[0].gateway) : 0);

  const start = out.reserve(size);
  const b = out.view;
  writeU32(b, size, start);
  writeU16(b, RTM.NEWROUTE, start + 4);
  writeU16(b, flags, start + 6);
  let at = writeRtmsg(b, start + NLMSG_HDRLEN, { family: route.family, prefix, tos, table, protocol: tag, scope: scopeOf(route), type });
  at = writeKey(b, at, prefix, table, metric);
  if (multipath) {
    at = attrHeader(b, at, RTA.MULTIPATH, size - (at - start) - 4);
    for (const hop of hops) at = writeRtnexthop(b, at, hop);
  } else if (hops[0]) {
    if (hops[0].ifindex > 0) at = writeAttrU32(b, at, RTA.OIF, hops[0].ifindex);
    if (hops[0].gateway) writeGateway(b, at, hops[0].gateway);
  }
}

/** The payload of an RTM_NEWROUTE for route, tagged with protocol (the flags are the caller's). */
export function routeAddPayload(route: KernelRoute, protocol: number): Buffer {
  const out = new RequestBuffer(1);
  appendRouteAdd(out, route, protocol, 0);
  return out.bytes.subarray(NLMSG_HDRLEN);
}

/**
 * The payload of an RTM_DELROUTE for key. Scope NOWHERE and type UNSPEC
 * match a route of any scope and type, as `ip route del` does.
 */
export function routeDeletePayload(key: RouteKey): Buffer {
  const prefix = checkedPrefix(key.family, key.prefix);
  const fields: RtmsgFields = {
    family: key.family,
    prefix,
    tos: 0,
    table: checkedU32(key.table, 'table', 1),
    protocol: checkedU8(key.protocol ?? 0, 'route protocol'),
    scope: RT_SCOPE.NOWHERE,
    type: 0,
  };
  const metric = key.metric === undefined ? undefined : checkedU32(key.metric, 'metric');
  const out = Buffer.alloc(HEADER.rtmsg + keyBytes(prefix, metric));
  writeKey(out, writeRtmsg(out, 0, fields), prefix, key.table, metric);
  return out;
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
