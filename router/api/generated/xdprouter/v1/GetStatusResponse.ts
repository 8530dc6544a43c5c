// Original file: proto/xdprouter/v1/router.proto

import type { Interface as _xdprouter_v1_Interface, Interface__Output as _xdprouter_v1_Interface__Output } from '../../xdprouter/v1/Interface.js';
import type { Long } from '@grpc/proto-loader';

export interface GetStatusResponse {
  'version'?: (string);
  'uptimeSeconds'?: (number | string | Long);
  /**
   * routes of the mirrored tables in the kernel, and in the fast path
   */
  'kernelRoutes'?: (number);
  'fastPathRoutes'?: (number);
  'neighbors'?: (number);
  /**
   * full resyncs since start (lost netlink events)
   */
  'resyncs'?: (number);
  /**
   * milliseconds since the fast path last applied a change
   */
  'lastSyncMsAgo'?: (number | string | Long);
  'routeProtocol'?: (number);
  'tables'?: (number)[];
  'interfaces'?: (_xdprouter_v1_Interface)[];
  /**
   * the IPv4 index's groups of 256 entries, one per /24 that holds longer
   * prefixes: in use, and in all (a route needing one when none is free is
   * refused)
   */
  'ipv4IndexGroupsUsed'?: (number);
  'ipv4IndexGroupsTotal'?: (number);
  /**
   * AF_XDP sockets of the slow path; 0 when it does not run (no punt rule)
   */
  'slowPathSockets'?: (number);
}

export interface GetStatusResponse__Output {
  'version': (string);
  'uptimeSeconds': (string);
  /**
   * routes of the mirrored tables in the kernel, and in the fast path
   */
  'kernelRoutes': (number);
  'fastPathRoutes': (number);
  'neighbors': (number);
  /**
   * full resyncs since start (lost netlink events)
   */
  'resyncs': (number);
  /**
   * milliseconds since the fast path last applied a change
   */
  'lastSyncMsAgo': (string);
  'routeProtocol': (number);
  'tables': (number)[];
  'interfaces': (_xdprouter_v1_Interface__Output)[];
  /**
   * the IPv4 index's groups of 256 entries, one per /24 that holds longer
   * prefixes: in use, and in all (a route needing one when none is free is
   * refused)
   */
  'ipv4IndexGroupsUsed': (number);
  'ipv4IndexGroupsTotal': (number);
  /**
   * AF_XDP sockets of the slow path; 0 when it does not run (no punt rule)
   */
  'slowPathSockets': (number);
}
