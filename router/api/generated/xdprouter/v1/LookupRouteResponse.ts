// Original file: proto/xdprouter/v1/router.proto

import type { Route as _xdprouter_v1_Route, Route__Output as _xdprouter_v1_Route__Output } from '../../xdprouter/v1/Route.js';
import type { NextHop as _xdprouter_v1_NextHop, NextHop__Output as _xdprouter_v1_NextHop__Output } from '../../xdprouter/v1/NextHop.js';

export interface LookupRouteResponse {
  /**
   * the kernel's route for the longest matching prefix; unset when none
   */
  'route'?: (_xdprouter_v1_Route | null);
  /**
   * the next hop the fast path chose, when it got that far: for multipath,
   * the member the flow hash picks for the made-up datagram the answer is
   * for (UDP to the address, from a documentation address, arriving on the
   * first driven interface that is up and not the route's egress)
   */
  'selected'?: (_xdprouter_v1_NextHop | null);
  /**
   * the MAC the forwarded frame went to ("" unless FORWARD)
   */
  'neighborMac'?: (string);
  /**
   * the verdict, by the fast path's counter names, as the program itself
   * gives it (a dry run of that datagram: nothing counted, nothing sent):
   * FORWARD, PASS_... (the kernel handles it: PASS_NO_ROUTE, PASS_LOCAL,
   * PASS_NO_NEIGH, PASS_KERNEL_ROUTE, PASS_UNREACHABLE, PASS_NO_IFACE,
   * PASS_MTU, PASS_MULTICAST, PASS_LINK_LOCAL, PASS_PUNT_NO_SOCKET,
   * PASS_POLICY, PASS_NETFILTER, PASS_VRF...), PUNTED or DROP_BLACKHOLE
   */
  'action'?: (string);
}

export interface LookupRouteResponse__Output {
  /**
   * the kernel's route for the longest matching prefix; unset when none
   */
  'route': (_xdprouter_v1_Route__Output | null);
  /**
   * the next hop the fast path chose, when it got that far: for multipath,
   * the member the flow hash picks for the made-up datagram the answer is
   * for (UDP to the address, from a documentation address, arriving on the
   * first driven interface that is up and not the route's egress)
   */
  'selected': (_xdprouter_v1_NextHop__Output | null);
  /**
   * the MAC the forwarded frame went to ("" unless FORWARD)
   */
  'neighborMac': (string);
  /**
   * the verdict, by the fast path's counter names, as the program itself
   * gives it (a dry run of that datagram: nothing counted, nothing sent):
   * FORWARD, PASS_... (the kernel handles it: PASS_NO_ROUTE, PASS_LOCAL,
   * PASS_NO_NEIGH, PASS_KERNEL_ROUTE, PASS_UNREACHABLE, PASS_NO_IFACE,
   * PASS_MTU, PASS_MULTICAST, PASS_LINK_LOCAL, PASS_PUNT_NO_SOCKET,
   * PASS_POLICY, PASS_NETFILTER, PASS_VRF...), PUNTED or DROP_BLACKHOLE
   */
  'action': (string);
}
