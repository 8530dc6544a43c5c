// A client's route request -> the kernel route to install, or a refusal
// that names the field. Checked against the sync's copy of the kernel
// (links, addresses) before anything is sent, so that bad input changes
// nothing and the message says what to fix rather than relaying an errno.
import { AddressError, formatAddress, formatPrefix, maskAddress, parseAddress, parsePrefix } from '../../dataplane/addr.js';
import type { Family, Prefix } from '../../dataplane/addr.js';
import type { KernelState } from '../sync/kernel-state.js';
import type { KernelAddress, KernelNexthop, KernelRoute } from '../sync/model.js';
import { invalid } from './errors.js';
import { MAIN_TABLE, type RouteSpec } from './model.js';
import type { RouteProtocols } from './protocols.js';

export interface RoutePolicy {
  /** the mirrored tables: a route elsewhere would never reach the fast path */
  tables: readonly number[];
  protocols: RouteProtocols;
}

/** What the kernel makes of an IPv6 route's metric 0 (IP6_RT_PRIO_USER); IPv4 keeps 0. */
export const IPV6_DEFAULT_METRIC = 1024;

/** A metric as the kernel will store it. */
export const kernelMetric = (family: Family, metric: number): number => (family === 6 && metric === 0 ? IPV6_DEFAULT_METRIC : metric);

/** The kernel's own limit for a weight (rtnh_hops is weight - 1, 8 bits). */
const MAX_WEIGHT = 256;
/** Far beyond any real multipath route, and it keeps a request's netlink message small. */
const MAX_NEXTHOPS = 256;

export function checkPrefix(text: string, field: string): Prefix {
  if (text === '') throw invalid(field, 'empty; expected a CIDR prefix such as 198.51.100.0/24 or 2001:db8::/48');
  try {
    return parsePrefix(text);
  } catch (err) {
    if (err instanceof AddressError) throw invalid(field, err.message);
    throw err;
  }
}

/** A table of a request: 0 is main; one the router does not mirror is refused. */
export function checkTable(table: number, tables: readonly number[], field: string): number {
  const id = table === 0 ? MAIN_TABLE : table;
  if (!tables.includes(id)) {
    throw invalid(field, `table ${id} is not mirrored by the router (config tables: ${tables.join(', ')})`);
  }
  return id;
}

const isLinkLocal6 = (addr: Buffer): boolean => addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80;

/** Is addr inside the network of an address with this prefix length? */
function onNetwork(addr: Buffer, network: Buffer, length: number): boolean {
  return maskAddress(addr, length).equals(maskAddress(network, length));
}

/** Parsed addresses of the kernel's address entries: a bulk add checks every gateway against all of them. */
const parsedAddresses = new WeakMap<KernelAddress, Buffer | null>();

function addressBytes(a: KernelAddress): Buffer | null {
  let bytes = parsedAddresses.get(a);
  if (bytes === undefined) parsedAddresses.set(a, (bytes = parseAddress(a.address)?.addr ?? null));
  return bytes;
}

/** The links with a connected network (an address and its prefix length) that holds the gateway. */
function connectedLinks(state: KernelState, family: Family, gateway: Buffer): Set<number> {
  const out = new Set<number>();
  for (const a of state.addresses.values()) {
    if (a.family !== family) continue;
    const own = addressBytes(a);
    if (own && onNetwork(gateway, own, a.prefixLength)) out.add(a.ifindex);
  }
  return out;
}

/** Where a next hop goes: its link, and its gateway as the kernel writes it. */
type Resolved = Omit<KernelNexthop, 'weight'>;

/**
 * The next hops a bulk add has resolved, by what the request said: a
 * stream names the same few gateways for thousands of routes, and each
 * resolution walks every address of the router. Only what was accepted is
 * kept; clear() it when the batch goes to the kernel, so a change of the
 * router's addresses counts from the next batch on (the kernel itself
 * refuses a gateway that is no longer on a connected network meanwhile).
 */
export class ResolvedNexthops {
  private readonly byRequest = new Map<string, Resolved>();
  /** the last one asked for: most streams name one gateway route after route, so no key is made for it */
  private last: { family: Family; gateway: string; interface: string; resolved: Resolved } | undefined;

  resolve(nh: RouteSpec['nexthops'][number], family: Family, state: KernelState, field: string): Resolved {
    const gateway = nh.gateway ?? '';
    const iface = nh.interface ?? '';
    const last = this.last;
    if (last && last.family === family && last.gateway === gateway && last.interface === iface) return last.resolved;
    const key = `${family}|${gateway}|${iface}`;
    let resolved = this.byRequest.get(key);
    if (!resolved) this.byRequest.set(key, (resolved = resolveNexthop(nh, family, state, field)));
    this.last = { family, gateway, interface: iface, resolved };
    return resolved;
  }

  clear(): void {
    this.byRequest.clear();
    this.last = undefined;
  }
}

function checkNexthop(
  nh: RouteSpec['nexthops'][number],
  family: Family,
  state: KernelState,
  field: string,
  resolved: ResolvedNexthops | undefined,
): KernelNexthop {
  const weight = nh.weight ?? 1;
  if (!Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT) {
    throw invalid(`${field}.weight`, `${weight}; expected 1 to ${MAX_WEIGHT}`);
  }
  const { ifindex, gateway } = resolved ? resolved.resolve(nh, family, state, field) : resolveNexthop(nh, family, state, field);
  return gateway === undefined ? { ifindex, weight } : { ifindex, gateway, weight };
}

/** The link of a next hop, and its gateway in canonical form; refuses what the kernel would refuse. */
function resolveNexthop(nh: RouteSpec['nexthops'][number], family: Family, state: KernelState, field: string): Resolved {
  let ifindex: number | undefined;
  if (nh.interface) {
    ifindex = [...state.links.values()].find((l) => l.name === nh.interface)?.ifindex;
    if (ifindex === undefined) throw invalid(`${field}.interface`, `no interface "${nh.interface}" on the router`);
  }
  if (!nh.gateway) {
    if (ifindex === undefined) throw invalid(field, 'neither a gateway nor an interface; a next hop needs one of them');
    return { ifindex };
  }
  const gw = parseAddress(nh.gateway);
  if (!gw) throw invalid(`${field}.gateway`, `"${nh.gateway}" is not an IPv4 or IPv6 address`);
  if (gw.family !== family) {
    throw invalid(`${field}.gateway`, `${nh.gateway} is IPv${gw.family}, the route's prefix is IPv${family}`);
  }
  const gateway = formatAddress(gw.addr);
  for (const a of state.addresses.values()) {
    if (a.address === gateway) throw invalid(`${field}.gateway`, `${gateway} is one of the router's own addresses`);
  }
  if (family === 6 && isLinkLocal6(gw.addr)) {
    // fe80::/64 is on every link: only the interface says which
    if (ifindex === undefined) throw invalid(`${field}.interface`, `the link-local gateway ${gateway} needs an interface`);
    return { ifindex, gateway };
  }
  const links = connectedLinks(state, family, gw.addr);
  if (ifindex !== undefined && !links.has(ifindex)) {
    throw invalid(`${field}.gateway`, `${gateway} is not on a connected network of ${nh.interface}`);
  }
  if (ifindex === undefined) {
    const [only, ...more] = links;
    if (only === undefined) throw invalid(`${field}.gateway`, `${gateway} is not on a connected network of the router`);
    if (more.length > 0) throw invalid(`${field}.interface`, `${gateway} is on the networks of several interfaces: name one`);
    ifindex = only;
  }
  return { ifindex, gateway };
}

/** A request's kernel route, and its prefix as parsed: the request to the kernel is written from it without parsing the text again. */
export interface CheckedRoute {
  route: KernelRoute;
  prefix: Prefix;
}

/** A multipath route's next hops: each once, and through gateways for IPv6. */
function checkMultipath(nexthops: readonly KernelNexthop[], family: Family, field: string): void {
  const seen = new Map<string, number>();
  nexthops.forEach((nh, i) => {
    const key = `${nh.ifindex}|${nh.gateway ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) throw invalid(`${field}.nexthops[${i}]`, `the same next hop as ${field}.nexthops[${first}]`);
    seen.set(key, i);
    // the kernel groups IPv6 routes into one multipath route only through gateways
    if (family === 6 && !nh.gateway) {
      throw invalid(`${field}.nexthops[${i}].gateway`, 'empty; every next hop of an IPv6 multipath route needs a gateway');
    }
  });
}

/**
 * The kernel route for a request, or an `invalid` naming the first bad
 * field under `field`; `resolved` keeps a bulk add's next hops.
 */
export function routeFromSpec(spec: RouteSpec, state: KernelState, policy: RoutePolicy, field = 'route', resolved?: ResolvedNexthops): CheckedRoute {
  const prefix = checkPrefix(spec.prefix, `${field}.prefix`);
  const type = spec.type ?? 'unicast';
  const table = checkTable(spec.table ?? 0, policy.tables, `${field}.table`);
  const protocol = spec.protocol ?? '';
  if (!policy.protocols.isOwn(protocol)) {
    const own = policy.protocols.own;
    throw invalid(`${field}.protocol`, `"${protocol}"; routes added over the API carry the router's own protocol (${policy.protocols.name(own)}, ${own})`);
  }
  if (type !== 'unicast' && spec.nexthops.length > 0) throw invalid(`${field}.nexthops`, `a ${type} route has no next hops`);
  if (type === 'unicast' && spec.nexthops.length === 0) throw invalid(`${field}.nexthops`, 'empty; a unicast route needs at least one next hop');
  if (spec.nexthops.length > MAX_NEXTHOPS) throw invalid(`${field}.nexthops`, `${spec.nexthops.length} next hops; at most ${MAX_NEXTHOPS}`);
  const nexthops = spec.nexthops.map((nh, i) => checkNexthop(nh, prefix.family, state, `${field}.nexthops[${i}]`, resolved));
  if (nexthops.length > 1) checkMultipath(nexthops, prefix.family, field);
  // a single path has no weight in the kernel (it is not RTA_MULTIPATH)
  if (nexthops.length === 1) nexthops[0]!.weight = 1;
  const route: KernelRoute = {
    family: prefix.family,
    table,
    prefix: formatPrefix(prefix),
    metric: kernelMetric(prefix.family, spec.metric ?? 0),
    protocol: policy.protocols.own,
    type,
    nexthops,
    tos: 0,
  };
  return { route, prefix };
}
