// Installs and removes kernel routes over rtnetlink, for the routes that the
// gRPC API adds: they go into the kernel (tagged with the router's own route
// protocol) and reach the fast path through the sync like any other route.
import { constants } from 'node:os';
import type { Prefix } from '../../dataplane/addr.js';
import type { KernelRoute } from './model.js';
import { RequestBuffer, RouteSpecError, appendRouteAdd, describeRoute, routeAddPayload, routeDeletePayload, type RouteKey } from './rtnl-encode.js';
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
    const what = addWhat(route, options.replace);
    await this.requests.change(RTM.NEWROUTE, encode(what, () => routeAddPayload(route, options.protocol)), addFlags(options.replace), what);
  }

  /**
   * Many routes in one transaction (thousands per sendmsg), tagged with
   * `protocol`, written into one buffer; resolves with each one's failure,
   * null where the kernel took it. A route the encoder refuses is not sent.
   */
  async addRoutes(changes: ReadonlyArray<{ route: KernelRoute; replace: boolean; prefix?: Prefix }>, protocol: number): Promise<Array<NetlinkError | null>> {
    const out: Array<NetlinkError | null> = new Array<NetlinkError | null>(changes.length).fill(null);
    const messages = new RequestBuffer(changes.length);
    /** the change each message is */
    const sent: number[] = [];
    changes.forEach(({ route, replace, prefix }, i) => {
      try {
        appendRouteAdd(messages, route, protocol, addFlags(replace), prefix);
        sent.push(i);
      } catch (err) {
        if (!(err instanceof RouteSpecError)) throw err;
        out[i] = specError(addWhat(route, replace), err);
      }
    });
    const answers = await this.requests.changes(messages, (k) => addWhat(changes[sent[k]!]!.route, changes[sent[k]!]!.replace));
    answers.forEach((answer, k) => (out[sent[k]!] = answer));
    return out;
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

/** "add route 198.51.100.0/24 table 254 metric 0 via 192.0.2.1 ifindex 2": what an error names */
const addWhat = (route: KernelRoute, replace: boolean): string => `${replace ? 'replace' : 'add'} route ${describeRoute(route)} ${nexthopsText(route)}`;

const addFlags = (replace: boolean): number => NLM_F.CREATE | (replace ? NLM_F.REPLACE : NLM_F.EXCL);

/** A route the encoder refuses is the caller's mistake: EINVAL, as the kernel would say. */
const specError = (what: string, err: RouteSpecError): NetlinkError => new NetlinkError(constants.errno.EINVAL, 'EINVAL', `${what}: ${err.message}`);

function encode(what: string, payload: () => Buffer): Buffer {
  try {
    return payload();
  } catch (err) {
    if (err instanceof RouteSpecError) throw specError(what, err);
    throw err;
  }
}
