// The sync benchmark's table: the full-table profile's prefixes (IPv4 and
// IPv6 interleaved as a feed would bring them), as `ip route` arguments,
// with a sample of them as probes (route-lag.ts) that go through a gateway
// of their own.
import { formatAddress } from '../dataplane/addr.js';
import { formatPrefix4, formatPrefix6, fullTable, numberToIpv4 } from './prefixes.js';
import type { Prefix4, Prefix6 } from './prefixes.js';
import { routeKey, type Probe } from './route-lag.js';

/** One route of the feed: its prefix and whether it is a probe. */
export interface FeedRoute {
  family: 4 | 6;
  prefix: string;
  probe: boolean;
}

export interface Gateways {
  /** the probes' gateway per family, and the one every other route takes */
  probe: { 4: string; 6: string };
  other: { 4: string; 6: string };
  dev: string;
  /** rtm_protocol the routes are tagged with */
  protocol: number;
}

/** One probe in this many of the prefixes that can be one. */
const PROBE_EVERY = 100;
/** Probes are of the table's commonest lengths, and hold no longer prefix of the table. */
const PROBE_LENGTH = { 4: 24, 6: 48 } as const;

export interface SyncTable {
  routes: FeedRoute[];
  probes: Probe[];
}

function prefix4Bytes(p: Prefix4): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(p.addr, 0);
  return b;
}

/** The full-table profile scaled to the given counts (a leading slice of it), interleaved, ending with a probe. */
export function syncTable(counts: { ipv4: number; ipv6: number }): SyncTable {
  const { ipv4, ipv6 } = fullTable(undefined, counts);
  // a /24 (/48) with a longer prefix inside cannot be a probe: an address in it may be the longer one's
  const split4 = new Set(ipv4.filter((p) => p.length > PROBE_LENGTH[4]).map((p) => p.addr >>> 8));
  const split6 = new Set(ipv6.filter((p) => p.length > PROBE_LENGTH[6]).map((p) => p.addr.subarray(0, PROBE_LENGTH[6] / 8).toString('hex')));
  const probes: Probe[] = [];
  let eligible = 0;
  const v4 = ipv4.map((p): FeedRoute => {
    const probe = p.length === PROBE_LENGTH[4] && !split4.has(p.addr >>> 8) && eligible++ % PROBE_EVERY === 0;
    if (probe) probes.push({ family: 4, key: routeKey(4, prefix4Bytes(p), p.length), address: numberToIpv4(p.addr + 1) });
    return { family: 4, prefix: formatPrefix4(p), probe };
  });
  eligible = 0;
  const v6 = ipv6.map((p): FeedRoute => {
    const probe = p.length === PROBE_LENGTH[6] && !split6.has(p.addr.subarray(0, PROBE_LENGTH[6] / 8).toString('hex')) && eligible++ % PROBE_EVERY === 0;
    if (probe) probes.push({ family: 6, key: routeKey(6, p.addr, p.length), address: hostIn6(p) });
    return { family: 6, prefix: formatPrefix6(p), probe };
  });
  const routes = interleave(v4, v6);
  let last = routes.length - 1;
  while (last >= 0 && !routes[last]!.probe) last--;
  if (last >= 0) routes.push(...routes.splice(last, 1));
  return { routes, probes };
}

function hostIn6(p: Prefix6): string {
  const a = Buffer.from(p.addr);
  a[15] = 1;
  return formatAddress(a);
}

/** Both lists in one, each spread evenly over the whole. */
function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (i + 1) / a.length <= (j + 1) / b.length)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** `route add ...` for ip -batch */
export function addLine(r: FeedRoute, g: Gateways): string {
  return `route add ${r.prefix} via ${(r.probe ? g.probe : g.other)[r.family]} dev ${g.dev} proto ${g.protocol}`;
}

export function deleteLine(r: FeedRoute, g: Gateways): string {
  return `route del ${r.prefix} proto ${g.protocol}`;
}
