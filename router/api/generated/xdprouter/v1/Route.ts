// Original file: proto/xdprouter/v1/router.proto

import type { NextHop as _xdprouter_v1_NextHop, NextHop__Output as _xdprouter_v1_NextHop__Output } from '../../xdprouter/v1/NextHop.js';
import type { RouteType as _xdprouter_v1_RouteType, RouteType__Output as _xdprouter_v1_RouteType__Output } from '../../xdprouter/v1/RouteType.js';

export interface Route {
  /**
   * CIDR, such as "198.51.100.0/24"
   */
  'prefix'?: (string);
  /**
   * one for a single path, several for multipath (the fast path spreads
   * flows by weight); none for the other types
   */
  'nexthops'?: (_xdprouter_v1_NextHop)[];
  'type'?: (_xdprouter_v1_RouteType);
  /**
   * 0 in a request: main (254)
   */
  'table'?: (number);
  /**
   * the kernel's priority; the lowest metric of a prefix wins. 0 in a
   * request: the kernel's default (IPv4 0, IPv6 1024)
   */
  'metric'?: (number);
  /**
   * who installed it: "xdp-router", "kernel", "boot", "static", "bird", ...
   * Empty or "xdp-router" in a request.
   */
  'protocol'?: (string);
  /**
   * the source prefix of a source-specific route (`ip -6 route ... from`),
   * "" for the others. While one exists, the fast path leaves its prefix to
   * the kernel. Such routes are only read here: empty in a request.
   */
  'source'?: (string);
}

export interface Route__Output {
  /**
   * CIDR, such as "198.51.100.0/24"
   */
  'prefix': (string);
  /**
   * one for a single path, several for multipath (the fast path spreads
   * flows by weight); none for the other types
   */
  'nexthops': (_xdprouter_v1_NextHop__Output)[];
  'type': (_xdprouter_v1_RouteType__Output);
  /**
   * 0 in a request: main (254)
   */
  'table': (number);
  /**
   * the kernel's priority; the lowest metric of a prefix wins. 0 in a
   * request: the kernel's default (IPv4 0, IPv6 1024)
   */
  'metric': (number);
  /**
   * who installed it: "xdp-router", "kernel", "boot", "static", "bird", ...
   * Empty or "xdp-router" in a request.
   */
  'protocol': (string);
  /**
   * the source prefix of a source-specific route (`ip -6 route ... from`),
   * "" for the others. While one exists, the fast path leaves its prefix to
   * the kernel. Such routes are only read here: empty in a request.
   */
  'source': (string);
}
