// Original file: proto/xdprouter/v1/router.proto

export const RouteType = {
  /**
   * read as UNICAST in a request; in an answer, a kernel type the API does
   * not name (local, throw, ...)
   */
  ROUTE_TYPE_UNSPECIFIED: 'ROUTE_TYPE_UNSPECIFIED',
  /**
   * forwarded to its next hops
   */
  ROUTE_TYPE_UNICAST: 'ROUTE_TYPE_UNICAST',
  /**
   * dropped silently (by XDP)
   */
  ROUTE_TYPE_BLACKHOLE: 'ROUTE_TYPE_BLACKHOLE',
  /**
   * the kernel answers ICMP unreachable
   */
  ROUTE_TYPE_UNREACHABLE: 'ROUTE_TYPE_UNREACHABLE',
  /**
   * the kernel answers ICMP administratively prohibited
   */
  ROUTE_TYPE_PROHIBIT: 'ROUTE_TYPE_PROHIBIT',
} as const;

export type RouteType =
  /**
   * read as UNICAST in a request; in an answer, a kernel type the API does
   * not name (local, throw, ...)
   */
  | 'ROUTE_TYPE_UNSPECIFIED'
  | 0
  /**
   * forwarded to its next hops
   */
  | 'ROUTE_TYPE_UNICAST'
  | 1
  /**
   * dropped silently (by XDP)
   */
  | 'ROUTE_TYPE_BLACKHOLE'
  | 2
  /**
   * the kernel answers ICMP unreachable
   */
  | 'ROUTE_TYPE_UNREACHABLE'
  | 3
  /**
   * the kernel answers ICMP administratively prohibited
   */
  | 'ROUTE_TYPE_PROHIBIT'
  | 4

export type RouteType__Output = typeof RouteType[keyof typeof RouteType]
