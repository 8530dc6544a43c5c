// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';

export interface AddRouteRequest {
  'route'?: (_xdprouter_v1_Route | null);
  /**
   * true: take the place of the route of (table, prefix, metric) if there
   * is one, as `ip route replace`
   */
  'replace'?: (boolean);
}

export interface AddRouteRequest__Output {
  'route': (_xdprouter_v1_Route__Output | null);
  /**
   * true: take the place of the route of (table, prefix, metric) if there
   * is one, as `ip route replace`
   */
  'replace': (boolean);
}
