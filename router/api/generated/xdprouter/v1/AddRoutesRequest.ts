// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';

/**
 * One message of an AddRoutes stream. Fields 1 and 2 are AddRouteRequest's:
 * that message, sent as it is, reads as a message of one route.
 */
export interface AddRoutesRequest {
  /**
   * a route, counted before those of `routes`. A message with neither
   * counts as one route, refused as AddRoute refuses a missing route
   */
  'route'?: (_xdprouter_v1_Route | null);
  /**
   * for every route of this message: take the place of the route of
   * (table, prefix, metric) if there is one, as `ip route replace`
   */
  'replace'?: (boolean);
  /**
   * more routes, counted in this order after `route`
   */
  'routes'?: (_xdprouter_v1_Route)[];
}

/**
 * One message of an AddRoutes stream. Fields 1 and 2 are AddRouteRequest's:
 * that message, sent as it is, reads as a message of one route.
 */
export interface AddRoutesRequest__Output {
  /**
   * a route, counted before those of `routes`. A message with neither
   * counts as one route, refused as AddRoute refuses a missing route
   */
  'route': (_xdprouter_v1_Route__Output | null);
  /**
   * for every route of this message: take the place of the route of
   * (table, prefix, metric) if there is one, as `ip route replace`
   */
  'replace': (boolean);
  /**
   * more routes, counted in this order after `route`
   */
  'routes': (_xdprouter_v1_Route__Output)[];
}
