// AddRoutes' messages read straight from their protobuf bytes into the
// routes a bulk add checks. The generated decoder makes a message object
// per Route and NextHop, then a plain copy of each (toObject), from which
// translate.ts makes the specs: three objects per route and per next hop
// where one does. This reads the wire format (AddRoutesRequest, Route,
// NextHop of router.proto) once, into what bulkItemsFromProto would make;
// test/unit/add-routes-decode.test.ts holds it to the generated decoder on
// random messages. Unknown fields are skipped, as the generated decoder
// skips them; a later value of a field replaces an earlier one.
import type { BulkItem } from '../routes/bulk-add.js';
import type { RequestError } from '../routes/errors.js';
import type { RouteSpec } from '../routes/model.js';
import { checkSource, missingRoute, typeFromProto } from './translate.js';

/** The wire types of protobuf's encoding. */
const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
const I64_BYTES = 8;
const I32_BYTES = 4;
/** A varint's 7 payload bits per byte, and its continuation bit. */
const VARINT_BITS = 7;
const VARINT_MORE = 0x80;
const VARINT_PAYLOAD = 0x7f;
/** A varint is at most 10 bytes (64 bits). */
const MAX_VARINT_BYTES = 10;

/** Field numbers of router.proto's messages. */
const ADD_ROUTES_REQUEST = { ROUTE: 1, REPLACE: 2, ROUTES: 3 } as const;
const ROUTE = { PREFIX: 1, NEXTHOPS: 2, TYPE: 3, TABLE: 4, METRIC: 5, PROTOCOL: 6, SOURCE: 7 } as const;
const NEXTHOP = { GATEWAY: 1, INTERFACE: 2, WEIGHT: 3 } as const;

class WireError extends Error {
  constructor(message: string) {
    super(`malformed AddRoutesRequest: ${message}`);
    this.name = 'WireError';
  }
}

/** A cursor over one message's bytes. */
class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** The low 32 bits of a varint, unsigned (protobuf's uint32; an enum's int32 is `| 0` of it). */
  varint(): number {
    let value = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) throw new WireError('a varint runs past the end');
      const b = this.buf[this.pos++]!;
      // bits past 32 are dropped, as the generated decoder drops them
      if (i < 5) value = (value | ((b & VARINT_PAYLOAD) << (VARINT_BITS * i))) >>> 0;
      if ((b & VARINT_MORE) === 0) return value;
    }
    throw new WireError('a varint longer than 10 bytes');
  }

  /** A length-delimited field's bounds: [start, end). */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) throw new WireError(`a field of ${length} bytes runs past the end`);
    this.pos = start + length;
    return [start, this.pos];
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  skip(wireType: number): void {
    if (wireType === WIRE.VARINT) this.varint();
    else if (wireType === WIRE.LEN) this.span();
    else if (wireType === WIRE.I64 || wireType === WIRE.I32) {
      this.pos += wireType === WIRE.I64 ? I64_BYTES : I32_BYTES;
      if (this.pos > this.end) throw new WireError('a fixed-width field runs past the end');
    } else throw new WireError(`wire type ${wireType} (groups are not part of this API)`);
  }
}

type Nexthop = RouteSpec['nexthops'][number];

function readNexthop(buf: Buffer, start: number, end: number): Nexthop {
  const r = new Reader(buf, start, end);
  let gateway = '';
  let iface = '';
  let weight: number | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === NEXTHOP.GATEWAY && wireType === WIRE.LEN) gateway = r.string();
    else if (field === NEXTHOP.INTERFACE && wireType === WIRE.LEN) iface = r.string();
    else if (field === NEXTHOP.WEIGHT && wireType === WIRE.VARINT) weight = r.varint();
    else r.skip(wireType);
  }
  // proto3 optional: present means set, so an explicit 0 can be refused
  return weight === undefined ? { gateway, interface: iface } : { gateway, interface: iface, weight };
}

/** One Route's bytes -> its spec, or the refusal specFromProto would throw. */
function readRoute(buf: Buffer, start: number, end: number, replace: boolean): BulkItem {
  const r = new Reader(buf, start, end);
  let prefix = '';
  let type = 0;
  let table = 0;
  let metric = 0;
  let protocol = '';
  let source = '';
  const nexthops: Nexthop[] = [];
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === WIRE.LEN && field === ROUTE.PREFIX) prefix = r.string();
    else if (wireType === WIRE.LEN && field === ROUTE.NEXTHOPS) {
      const [from, to] = r.span();
      nexthops.push(readNexthop(buf, from, to));
    } else if (wireType === WIRE.VARINT && field === ROUTE.TYPE) type = r.varint() | 0;
    else if (wireType === WIRE.VARINT && field === ROUTE.TABLE) table = r.varint();
    else if (wireType === WIRE.VARINT && field === ROUTE.METRIC) metric = r.varint();
    else if (wireType === WIRE.LEN && field === ROUTE.PROTOCOL) protocol = r.string();
    else if (wireType === WIRE.LEN && field === ROUTE.SOURCE) source = r.string();
    else r.skip(wireType);
  }
  try {
    checkSource(source, 'route');
    const known = typeFromProto(type, 'route.type');
    const spec: RouteSpec = known ? { prefix, type: known, table, metric, protocol, nexthops } : { prefix, table, metric, protocol, nexthops };
    return { spec, replace };
  } catch (err) {
    return { refused: err as RequestError, prefix };
  }
}

/**
 * An AddRoutesRequest's bytes -> its routes in the order their indexes
 * count them (`route`, then `routes`; a message with neither is one route,
 * refused as missing): what bulkItemsFromProto makes of the decoded
 * message. Throws on bytes that are no protobuf message.
 */
export function decodeAddRoutesRequest(buf: Buffer): BulkItem[] {
  const r = new Reader(buf, 0, buf.length);
  let replace = false;
  let route: [number, number] | undefined;
  /** the routes' bounds, start and end one after the other */
  const routes: number[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === WIRE.LEN && field === ADD_ROUTES_REQUEST.ROUTE) route = r.span();
    else if (wireType === WIRE.LEN && field === ADD_ROUTES_REQUEST.ROUTES) routes.push(...r.span());
    else if (wireType === WIRE.VARINT && field === ADD_ROUTES_REQUEST.REPLACE) replace = r.varint() !== 0;
    else r.skip(wireType);
  }
  // replace may come after the routes it is for: the routes are read once it is known
  const items: BulkItem[] = [];
  if (route) items.push(readRoute(buf, route[0], route[1], replace));
  else if (routes.length === 0) items.push({ refused: missingRoute('route'), prefix: '' });
  for (let i = 0; i < routes.length; i += 2) items.push(readRoute(buf, routes[i]!, routes[i + 1]!, replace));
  return items;
}
