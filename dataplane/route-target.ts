// Where a route sends a packet (a next hop, a group, or a type the program
// acts on itself) and its two encodings: the trie's route value (xr_fib4,
// xr_fib6) and the DIR-24-8 index entry (xr_fib4_tbl24/tbl8). One module, so
// a new route type (layout.ts RouteType, beside bpf/lib/consts.h) reaches
// both encodings at once.
import * as L from './layout.js';
import type { RouteTypeName } from './layout.js';

export type RouteTarget =
  | { type: 'unicast'; nexthop: number }
  | { type: 'unicast'; group: number }
  | { type: Exclude<RouteTypeName, 'unicast'> };

const ROUTE_TYPE_BY_VALUE = new Map<number, RouteTypeName>(
  Object.entries(L.RouteType).map(([k, v]) => [v, k as RouteTypeName]),
);

/** A route as the tries' value: a new buffer, or written at `at` of `into` (a batch's values). */
export function encodeRoute(target: RouteTarget, into?: Buffer, at = 0): Buffer {
  if (target.type !== 'unicast') return L.route.encode({ type: L.RouteType[target.type] }, into, at);
  return 'group' in target
    ? L.route.encode({ type: L.RouteType.unicast, flags: L.ROUTE_F_GROUP, nexthop: target.group }, into, at)
    : L.route.encode({ type: L.RouteType.unicast, nexthop: target.nexthop }, into, at);
}

/** A trie's value back as a route. */
export function decodeRoute(buf: Buffer, at = 0): RouteTarget {
  const r = L.route.decode(buf, at);
  const type = ROUTE_TYPE_BY_VALUE.get(r.type);
  if (!type) throw new Error(`xr_fib: unknown route type ${r.type} in the map`);
  if (type !== 'unicast') return { type };
  return r.flags & L.ROUTE_F_GROUP ? { type, group: r.nexthop } : { type, nexthop: r.nexthop };
}

/** A route as a DIR-24-8 entry: type, group bit, next-hop or group id. */
export function fib4Entry(target: RouteTarget): number {
  if (target.type !== 'unicast') return routeEntry(target.type);
  return 'group' in target ? routeEntry('unicast', target.group, true) : routeEntry('unicast', target.nexthop);
}

/** The same from a route's parts, with no target made: its type and, for unicast, its next-hop id or (group) its group id. */
export function routeEntry(type: RouteTypeName, id = 0, group = false): number {
  const D = L.Dir24Layout;
  return (L.RouteType[type] << D.typeShift) | (group ? 1 << D.groupBit : 0) | id;
}

/** A DIR-24-8 entry back as a route. */
export function fib4Target(entry: number): RouteTarget {
  const D = L.Dir24Layout;
  const type = ROUTE_TYPE_BY_VALUE.get((entry >>> D.typeShift) & D.typeMask);
  if (!type) throw new Error(`xr_fib4_tbl24: unknown route type in entry 0x${entry.toString(16)}`);
  if (type !== 'unicast') return { type };
  const id = entry & ((1 << D.groupBit) - 1);
  return entry & (1 << D.groupBit) ? { type, group: id } : { type, nexthop: id };
}

const fieldAt = (name: string): number => L.route.fields.find((f) => f.name === name)!.offset;
const ROUTE_AT = { type: fieldAt('type'), flags: fieldAt('flags'), nexthop: fieldAt('nexthop') };

/** A route given as its index entry (fib4Entry), written as the tries' value at `at` of `into`: a batch's values, with no object per route. */
export function encodeRouteEntry(entry: number, into: Buffer, at: number): void {
  const D = L.Dir24Layout;
  const group = (entry >>> D.groupBit) & 1;
  into.writeUInt32LE((entry >>> D.typeShift) & D.typeMask, at + ROUTE_AT.type);
  into.writeUInt32LE(group ? L.ROUTE_F_GROUP : 0, at + ROUTE_AT.flags);
  into.writeUInt32LE(entry & ((1 << D.groupBit) - 1), at + ROUTE_AT.nexthop);
}
