// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';
import type { NextHop as _xdprouter_v1_NextHop, NextHop__Output as _xdprouter_v1_NextHop__Output } from '../../xdprouter/v1/NextHop.js';

export interface LookupRouteResponse {
  /**
   * the kernel's route for the longest matching prefix; unset when none
   */
  'route'?: (_xdprouter_v1_Route | null);
  /**
   * the next hop the fast path sends on: for multipath, where flows are
   * spread by hash, the first member
   */
  'selected'?: (_xdprouter_v1_NextHop | null);
  /**
   * the neighbour's MAC in the fast path ("" when it has none)
   */
  'neighborMac'?: (string);
  /**
   * the verdict, by the fast path's counter names: FORWARD, or PASS_...
   * (the kernel handles it: PASS_NO_ROUTE, PASS_LOCAL, PASS_NO_NEIGH,
   * PASS_KERNEL_ROUTE, PASS_UNREACHABLE, PASS_NO_IFACE, PASS_MULTICAST,
   * PASS_LINK_LOCAL), or DROP_BLACKHOLE
   */
  'action'?: (string);
}

export interface LookupRouteResponse__Output {
  /**
   * the kernel's route for the longest matching prefix; unset when none
   */
  'route': (_xdprouter_v1_Route__Output | null);
  /**
   * the next hop the fast path sends on: for multipath, where flows are
   * spread by hash, the first member
   */
  'selected': (_xdprouter_v1_NextHop__Output | null);
  /**
   * the neighbour's MAC in the fast path ("" when it has none)
   */
  'neighborMac': (string);
  /**
   * the verdict, by the fast path's counter names: FORWARD, or PASS_...
   * (the kernel handles it: PASS_NO_ROUTE, PASS_LOCAL, PASS_NO_NEIGH,
   * PASS_KERNEL_ROUTE, PASS_UNREACHABLE, PASS_NO_IFACE, PASS_MULTICAST,
   * PASS_LINK_LOCAL), or DROP_BLACKHOLE
   */
  'action': (string);
}
