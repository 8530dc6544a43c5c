// Original file: proto/xdprouter/v1/router.proto

import type { Interface as _xdprouter_v1_Interface, Interface__Output as _xdprouter_v1_Interface__Output } from '../../xdprouter/v1/Interface.js';
import type { PolicyRule as _xdprouter_v1_PolicyRule, PolicyRule__Output as _xdprouter_v1_PolicyRule__Output } from '../../xdprouter/v1/PolicyRule.js';
import type { NetfilterChain as _xdprouter_v1_NetfilterChain, NetfilterChain__Output as _xdprouter_v1_NetfilterChain__Output } from '../../xdprouter/v1/NetfilterChain.js';
import type { SlowPathQueue as _xdprouter_v1_SlowPathQueue, SlowPathQueue__Output as _xdprouter_v1_SlowPathQueue__Output } from '../../xdprouter/v1/SlowPathQueue.js';
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
  /**
   * the kernel's policy rules (ip rule, ip -6 rule), in order, and how the
   * fast path keeps out of the way of each
   */
  'policyRules'?: (_xdprouter_v1_PolicyRule)[];
  /**
   * the config's netfilter key: "respect" or "bypass"
   */
  'netfilterMode'?: (string);
  /**
   * with respect: the netfilter base chains on a forwarding hook whose
   * traffic goes to the kernel (pass-netfilter)
   */
  'netfilterChains'?: (_xdprouter_v1_NetfilterChain)[];
  /**
   * with respect: why the ruleset could not be read (then all traffic goes
   * to the kernel); empty when it was read
   */
  'netfilterUnreadable'?: (string);
  /**
   * the slow path's sockets, one per receive queue of each interface, and
   * their worker threads; empty when it does not run
   */
  'slowPathQueues'?: (_xdprouter_v1_SlowPathQueue)[];
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
  /**
   * the kernel's policy rules (ip rule, ip -6 rule), in order, and how the
   * fast path keeps out of the way of each
   */
  'policyRules': (_xdprouter_v1_PolicyRule__Output)[];
  /**
   * the config's netfilter key: "respect" or "bypass"
   */
  'netfilterMode': (string);
  /**
   * with respect: the netfilter base chains on a forwarding hook whose
   * traffic goes to the kernel (pass-netfilter)
   */
  'netfilterChains': (_xdprouter_v1_NetfilterChain__Output)[];
  /**
   * with respect: why the ruleset could not be read (then all traffic goes
   * to the kernel); empty when it was read
   */
  'netfilterUnreadable': (string);
  /**
   * the slow path's sockets, one per receive queue of each interface, and
   * their worker threads; empty when it does not run
   */
  'slowPathQueues': (_xdprouter_v1_SlowPathQueue__Output)[];
}
