// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';

export interface AddRouteResponse {
  /**
   * the route as installed: canonical prefix, table, interfaces and weights
   * filled in, protocol "xdp-router"
   */
  'route'?: (_xdprouter_v1_Route | null);
}

export interface AddRouteResponse__Output {
  /**
   * the route as installed: canonical prefix, table, interfaces and weights
   * filled in, protocol "xdp-router"
   */
  'route': (_xdprouter_v1_Route__Output | null);
}
