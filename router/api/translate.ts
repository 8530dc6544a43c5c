// protobuf messages <-> the route module's views, field by field. Enum
// values travel as their names (LOADER_OPTIONS.enums = String).
import type { BulkItem } from '../routes/bulk-add.js';
import { invalid, type RequestError } from '../routes/errors.js';
import { INSTALLABLE_TYPES, type InstallableType, type NexthopView, type RouteSpec, type RouteView } from '../routes/model.js';
import type { AddRoutesRequest__Output } from './generated/xdprouter/v1/AddRoutesRequest.js';
import type { NextHop } from './generated/xdprouter/v1/NextHop.js';
import type { Route, Route__Output } from './generated/xdprouter/v1/Route.js';
import type { RouteType, RouteType__Output } from './generated/xdprouter/v1/RouteType.js';

const TYPE_PREFIX = 'ROUTE_TYPE_';

function typeFromProto(type: RouteType__Output | number, field: string): InstallableType | undefined {
  if (type === 'ROUTE_TYPE_UNSPECIFIED') return undefined;
  const name = typeof type === 'string' ? type.slice(TYPE_PREFIX.length).toLowerCase() : '';
  const known = INSTALLABLE_TYPES.find((t) => t === name);
  if (!known) throw invalid(field, `${String(type)} is not a route type (UNICAST, BLACKHOLE, UNREACHABLE, PROHIBIT)`);
  return known;
}

/** A kernel type the API has no name for (local, throw, ...) reads as UNSPECIFIED. */
function typeToProto(type: string): RouteType {
  return (INSTALLABLE_TYPES as readonly string[]).includes(type) ? (`${TYPE_PREFIX}${type.toUpperCase()}` as RouteType) : 'ROUTE_TYPE_UNSPECIFIED';
}

/** A request's route; throws an `invalid` when it is missing or its type is unknown. */
export function specFromProto(route: Route__Output | null, field = 'route'): RouteSpec {
  if (!route) throw invalid(field, 'missing; the request needs a route');
  if (route.source !== '') {
    throw invalid(`${field}.source`, `"${route.source}": source-specific routes are the kernel's to install (ip -6 route add ... from ...); leave it empty`);
  }
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

/** For a bulk add: the spec, or the refusal that takes its place in the answer. */
function bulkItemFromProto(route: Route__Output | null, replace: boolean): BulkItem {
  try {
    return { spec: specFromProto(route), replace };
  } catch (err) {
    return { refused: err as RequestError, prefix: route?.prefix ?? '' };
  }
}

/** The routes of one AddRoutes message: `route` first, then `routes`; a message with neither is one route, refused as missing. */
export function bulkItemsFromProto(message: AddRoutesRequest__Output): BulkItem[] {
  const items: BulkItem[] = [];
  if (message.route || message.routes.length === 0) items.push(bulkItemFromProto(message.route, message.replace));
  for (const route of message.routes) items.push(bulkItemFromProto(route, message.replace));
  return items;
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
