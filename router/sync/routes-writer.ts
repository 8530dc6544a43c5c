// Installs and removes kernel routes over rtnetlink, for the routes that the
// gRPC API adds: they go into the kernel (tagged with the router's own route
// protocol) and reach the fast path through the sync like any other route.
import { constants } from 'node:os';
import type { KernelRoute } from './model.js';
import { RouteSpecError, describeRoute, routeAddPayload, routeDeletePayload, type RouteKey } from './rtnl-encode.js';
import { NetlinkError } from './netlink-error.js';
import { RtnlRequester } from './rtnl-socket.js';
import { NLM_F, RTM } from './rtnl-wire.js';

export type { RouteKey };

export interface KernelRouteWriterOptions {
  /** a named namespace (/run/netns/NAME); absent: the daemon's own */
  netns?: string;
  log?: (msg: string, fields?: object) => void;
}

export interface AddRouteOptions {
  /** true: replace the route of (table, prefix, metric) or create it; false: fail with EEXIST when there is one */
  replace: boolean;
  /** rtm_protocol to tag the route with: the router's own id, so a restart can find and sweep its routes */
  protocol: number;
}

/** "via 192.0.2.1 ifindex 2", with weights when there are several; the type for a route without */
function nexthopsText(route: KernelRoute): string {
  if (route.nexthops.length === 0) return route.type;
  const weighted = route.nexthops.length > 1;
  return route.nexthops
    .map((nh) => `${nh.gateway ? `via ${nh.gateway} ` : ''}ifindex ${nh.ifindex}${weighted ? ` weight ${nh.weight}` : ''}`)
    .join(', ');
}

/**
 * Every failure is a NetlinkError: errno and code from the kernel (EEXIST,
 * ESRCH, ENETUNREACH, ENODEV, ...) or EINVAL for a route it was never sent,
 * and a message that names the attempt ("add route 198.51.100.0/24 table 254
 * metric 0 via 192.0.2.1 ifindex 2: File exists (EEXIST)").
 */
export class KernelRouteWriter {
  private readonly requests: RtnlRequester;

  constructor(options: KernelRouteWriterOptions = {}) {
    this.requests = new RtnlRequester(options.netns, options.log ?? (() => {}));
  }

  async addRoute(route: KernelRoute, options: AddRouteOptions): Promise<void> {
    const what = `${options.replace ? 'replace' : 'add'} route ${describeRoute(route)} ${nexthopsText(route)}`;
    const flags = NLM_F.CREATE | (options.replace ? NLM_F.REPLACE : NLM_F.EXCL);
    await this.requests.change(RTM.NEWROUTE, encode(what, () => routeAddPayload(route, options.protocol)), flags, what);
  }

  /** Removes the first route that matches key; ESRCH when none does. */
  async deleteRoute(key: RouteKey): Promise<void> {
    const what = `delete route ${describeRoute(key)}${key.protocol === undefined ? '' : ` proto ${key.protocol}`}`;
    await this.requests.change(RTM.DELROUTE, encode(what, () => routeDeletePayload(key)), 0, what);
  }

  close(): void {
    this.requests.close();
  }
}

/** A route the encoder refuses is the caller's mistake: EINVAL, as the kernel would say. */
function encode(what: string, payload: () => Buffer): Buffer {
  try {
    return payload();
  } catch (err) {
    if (err instanceof RouteSpecError) throw new NetlinkError(constants.errno.EINVAL, 'EINVAL', `${what}: ${err.message}`);
    throw err;
  }
}
