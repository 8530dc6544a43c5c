// `route add` in iproute2's grammar -> an AddRouteRequest:
//   [TYPE] PREFIX [via GW] [dev IF] [weight N] [metric N] [table N]
//                 [nexthop [via GW] [dev IF] [weight N]]...
// The daemon checks what the words mean (addresses, interfaces); this only
// checks that they are where the grammar wants them.
import type { NextHop } from '../api/generated/xdprouter/v1/NextHop.js';
import type { Route } from '../api/generated/xdprouter/v1/Route.js';
import type { RouteType } from '../api/generated/xdprouter/v1/RouteType.js';
import { TABLE_NAMES } from '../../config/route-tables.js';
import { UsageError, parseInteger } from './usage.js';

const TYPES: Record<string, RouteType> = {
  unicast: 'ROUTE_TYPE_UNICAST',
  blackhole: 'ROUTE_TYPE_BLACKHOLE',
  unreachable: 'ROUTE_TYPE_UNREACHABLE',
  prohibit: 'ROUTE_TYPE_PROHIBIT',
};
const U32_MAX = 2 ** 32 - 1;

/** A table id, or one of the names the config file accepts too. */
export function parseTable(text: string | undefined): number {
  if (text !== undefined && Object.hasOwn(TABLE_NAMES, text)) return TABLE_NAMES[text as keyof typeof TABLE_NAMES];
  return parseInteger(text, 'table', 1, U32_MAX);
}

/** "default" as the family the rest of the line implies (-6, or an IPv6 gateway). */
export function resolveDefault(prefix: string, ipv6: boolean): string {
  if (prefix !== 'default') return prefix;
  return ipv6 ? '::/0' : '0.0.0.0/0';
}

export function parseRouteAdd(words: string[]): Route {
  const rest = words.filter((w) => w !== '-4' && w !== '-6');
  let i = 0;
  const next = (what: string): string => {
    const w = rest[++i];
    if (w === undefined) throw new UsageError(`${rest[i - 1]} needs ${what}`);
    return w;
  };
  const route: Route = { nexthops: [] };
  if (rest[i] !== undefined && rest[i]! in TYPES) route.type = TYPES[rest[i++]!];
  const prefix = rest[i];
  if (prefix === undefined) throw new UsageError('route add needs a prefix (such as 198.51.100.0/24, or default)');
  let hop: NextHop | undefined;
  const hops: NextHop[] = [];
  const current = (): NextHop => {
    if (!hop) hops.push((hop = {}));
    return hop;
  };
  for (i++; i < rest.length; i++) {
    const w = rest[i]!;
    switch (w) {
      case 'via':
        current().gateway = next('a gateway address');
        break;
      case 'dev':
        current().interface = next('an interface name');
        break;
      case 'weight':
        current().weight = parseInteger(next('a weight'), 'weight', 0, 1000);
        break;
      case 'nexthop':
        hops.push((hop = {}));
        break;
      case 'metric':
      case 'priority':
        route.metric = parseInteger(next('a metric'), 'metric', 0, U32_MAX);
        break;
      case 'table':
        route.table = parseTable(next('a table'));
        break;
      case 'proto':
      case 'protocol':
        route.protocol = next('a protocol');
        break;
      default:
        throw new UsageError(`unexpected "${w}"; expected via, dev, weight, nexthop, metric or table`);
    }
  }
  // a "nexthop" with nothing after it is a slip, not a next hop
  route.nexthops = hops.filter((h) => h.gateway !== undefined || h.interface !== undefined || h.weight !== undefined);
  route.prefix = resolveDefault(prefix, words.includes('-6') || route.nexthops.some((h) => h.gateway?.includes(':')));
  return route;
}
