// protobuf messages <-> the route module's views, field by field. Enum
// values travel as their names (LOADER_OPTIONS.enums = String).
import { invalid, type RequestError } from '../routes/errors.js';
import { INSTALLABLE_TYPES, type InstallableType, type NexthopView, type RouteSpec, type RouteView } from '../routes/model.js';
import type { NextHop } from './generated/xdprouter/v1/NextHop.js';
import type { Route, Route__Output } from './generated/xdprouter/v1/Route.js';
import { RouteType as RouteTypes, type RouteType, type RouteType__Output } from './generated/xdprouter/v1/RouteType.js';

const TYPE_PREFIX = 'ROUTE_TYPE_';

/** The enum's names by number, as the wire has them: the generated object lists them in the .proto's order, which is theirs. */
const TYPE_NAMES: readonly RouteType__Output[] = Object.values(RouteTypes);

/** A request's route type, by its name (the generated decoder's) or its number (the wire's); UNSPECIFIED is undefined. */
export function typeFromProto(type: RouteType__Output | number, field: string): InstallableType | undefined {
  const named = typeof type === 'number' ? (TYPE_NAMES[type] ?? type) : type;
  if (named === 'ROUTE_TYPE_UNSPECIFIED') return undefined;
  const name = typeof named === 'string' ? named.slice(TYPE_PREFIX.length).toLowerCase() : '';
  const known = INSTALLABLE_TYPES.find((t) => t === name);
  if (!known) throw invalid(field, `${String(named)} is not a route type (UNICAST, BLACKHOLE, UNREACHABLE, PROHIBIT)`);
  return known;
}

/** What a request without a route is refused with. */
export const missingRoute = (field: string): RequestError => invalid(field, 'missing; the request needs a route');

/** A request's source prefix must be empty: source-specific routes are the kernel's. */
export function checkSource(source: string, field: string): void {
  if (source !== '') {
    throw invalid(`${field}.source`, `"${source}": source-specific routes are the kernel's to install (ip -6 route add ... from ...); leave it empty`);
  }
}

/** A kernel type the API has no name for (local, throw, ...) reads as UNSPECIFIED. */
function typeToProto(type: string): RouteType {
  return (INSTALLABLE_TYPES as readonly string[]).includes(type) ? (`${TYPE_PREFIX}${type.toUpperCase()}` as RouteType) : 'ROUTE_TYPE_UNSPECIFIED';
}

/** A request's route; throws an `invalid` when it is missing or its type is unknown. */
export function specFromProto(route: Route__Output | null, field = 'route'): RouteSpec {
  if (!route) throw missingRoute(field);
  checkSource(route.source, field);
  const type = typeFromProto(route.type, `${field}.type`);
  return {
    prefix: route.prefix,
    ...(type ? { type } : {}),
    table: route.table,
    metric: route.metric,
    protocol: route.protocol,
    nexthops: route.nexthops.map((nh) => ({
      gateway: nh.gateway,
      interface: nh.interface,
      // proto3 optional: `_weight` says it was set, so an explicit 0 can be refused
      ...(nh._weight === 'weight' ? { weight: nh.weight ?? 0 } : {}),
    })),
  };
}

export function nexthopToProto(nh: NexthopView): NextHop {
  return { gateway: nh.gateway ?? '', interface: nh.interface, weight: nh.weight };
}

export function routeToProto(r: RouteView): Route {
  return {
    prefix: r.prefix,
    type: typeToProto(r.type),
    table: r.table,
    metric: r.metric,
    protocol: r.protocol,
    nexthops: r.nexthops.map(nexthopToProto),
    source: r.source ?? '',
  };
}
