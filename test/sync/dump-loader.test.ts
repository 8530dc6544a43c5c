// The packed way a dump loads (dump-loader.ts) against the KernelRoute way
// (decodeRoute, routesOfDump), on real dumps of this kernel: routes of
// every kind the sync handles, in a namespace of the test's own. Both ways
// must load the same state, over an empty one and over each other's, and
// let go of every shared next-hop list they took. Needs root.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, deleteNetns, run } from '../../router/lab/netns.js';
import { DesiredState } from '../../router/sync/desired.js';
import { KernelState } from '../../router/sync/kernel-state.js';
import type { KernelEvent, KernelRoute, KernelSnapshot } from '../../router/sync/model.js';
import { NetlinkSource } from '../../router/sync/netlink.js';
import { DumpedRoutes, decodeEvent, decodeRoute } from '../../router/sync/rtnl-decode.js';
import { NLM_F, RTM, readMessages, type RtnlMessage } from '../../router/sync/rtnl-wire.js';

const NS = `xrt-dl-${process.pid}`;
const TABLES = [254, 1000];
/** more distinct gateways than the loader remembers (16), so its cache turns over */
const GATEWAYS = 40;
const ROUTES_PER_GATEWAY = 25;

/** two veth pairs; the routes go out of xd0 and xd2 */
const PAIRS = [['xd0', 'xd1'], ['xd2', 'xd3']] as const;

const SETUP = [
  ...PAIRS.flatMap(([end, peer]) => [`link add ${end} type veth peer name ${peer}`, `link set ${end} up`, `link set ${peer} up`]),
  'addr add 192.0.2.1/25 dev xd0',
  'addr add 192.0.2.129/25 dev xd2',
  'addr add 2001:db8:1::1/64 dev xd0 nodad',
  'addr add 2001:db8:2::1/64 dev xd2 nodad',
  // plain, both families, gateway and device routes, metrics, tables
  'route add 198.51.100.0/28 via 192.0.2.10',
  'route add 198.51.100.16/28 dev xd2',
  'route add 198.51.100.32/28 via 192.0.2.10 metric 50',
  'route add 198.51.100.32/28 via 192.0.2.130 metric 60',
  'route add 198.51.100.48/28 via 192.0.2.130 table 1000',
  'route add 198.51.100.48/28 via 192.0.2.10 table 100',
  'route add 0.0.0.0/0 via 192.0.2.10',
  'route add 2001:db8:100::/48 via 2001:db8:1::10',
  'route add 2001:db8:101::/48 dev xd2 metric 7',
  'route add ::/0 via 2001:db8:2::10',
  // multipath, and via the other family (RTA_VIA)
  'route add 198.51.100.64/28 nexthop via 192.0.2.10 weight 1 nexthop via 192.0.2.130 weight 3',
  'route add 2001:db8:102::/48 nexthop via 2001:db8:1::10 dev xd0 weight 2 nexthop via 2001:db8:2::10 dev xd2',
  'route add 198.51.100.80/28 via inet6 2001:db8:1::10 dev xd0',
  // kinds without next hops, both families
  'route add blackhole 198.51.100.96/28',
  'route add unreachable 198.51.100.112/28',
  'route add prohibit 198.51.100.128/28',
  'route add blackhole 2001:db8:103::/48',
  'route add unreachable 2001:db8:104::/48',
  'route add prohibit 2001:db8:105::/48',
  // what the model cannot carry: a source prefix, a route MTU, a TOS
  'route add 2001:db8:106::/48 from 2001:db8:9::/48 via 2001:db8:1::10',
  'route add 2001:db8:106::/48 via 2001:db8:2::10',
  'route add 198.51.100.144/28 via 192.0.2.10 mtu 1400',
  'route add 198.51.100.160/28 tos 0x10 via 192.0.2.10',
  // next-hop objects: single, IPv6, group, blackhole
  'nexthop add id 1 via 192.0.2.10 dev xd0',
  'nexthop add id 2 via 192.0.2.130 dev xd2',
  'nexthop add id 3 group 1/2,4',
  'nexthop add id 4 via 2001:db8:1::10 dev xd0',
  'nexthop add id 5 blackhole',
  'route add 198.51.100.176/28 nhid 1',
  'route add 198.51.100.192/28 nhid 3',
  'route add 198.51.100.208/28 nhid 5',
  'route add 2001:db8:107::/48 nhid 4',
];

/** Many routes through many gateways of both families: the common case, and the loader's cache of next hops turning over. */
function manyRoutes(): string[] {
  const lines: string[] = [];
  for (let g = 0; g < GATEWAYS; g++) {
    for (let r = 0; r < ROUTES_PER_GATEWAY; r++) {
      const n = g * ROUTES_PER_GATEWAY + r;
      lines.push(`route add 203.0.${n >> 8}.${n & 0xff}/32 via 192.0.2.${20 + g}`);
      lines.push(`route add 2001:db8:4000:${n.toString(16)}::/64 via 2001:db8:1::${(0x20 + g).toString(16)}`);
    }
  }
  return lines;
}

/** The same routes, but not as DumpedRoutes: KernelState.load takes them as KernelRoute objects. */
const asObjects = (routes: Iterable<KernelRoute>): Iterable<KernelRoute> => ({ [Symbol.iterator]: () => routes[Symbol.iterator]() });

/** What a state holds of routes, in an order that does not depend on slots or on the order of listing. */
function routesOf(state: KernelState): Array<[string, Array<[string, KernelRoute]>]> {
  const out = [...state.routes.entries()].map(([key, routes]): [string, Array<[string, KernelRoute]>] => [key, [...routes.entries()].sort(([a], [b]) => a.localeCompare(b))]);
  return out.sort(([a], [b]) => a.localeCompare(b));
}

/** Shared next-hop lists in use: none left once no route holds any. */
const listsInUse = (state: KernelState): number => state.routes.lists.matching(() => true).size;

/** A route message as an event, the KernelRoute way only (decodeRoute whole), as routeEvent reads it. */
function wholeEvent(msg: RtnlMessage): KernelEvent | null {
  const decoded = decodeRoute(msg.data, { tables: new Set(TABLES) });
  if (!decoded) return null;
  const { route, dead } = decoded;
  if (msg.type === RTM.DELROUTE || (route.type === 'unicast' && route.nexthops.length === 0 && dead.length > 0)) {
    return { kind: 'route', op: 'del', route: { ...route, nexthops: [...route.nexthops, ...dead] }, replace: false };
  }
  return { kind: 'route', op: 'add', route, replace: (msg.flags & NLM_F.REPLACE) !== 0 || (route.family === 6 && decoded.multipath) };
}

let source: NetlinkSource;
let snapshot: KernelSnapshot;
let dir: string;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('dump-loader.test.ts needs root: it makes a network namespace and routes in it');
  await deleteNetns(NS);
  await createNetns(NS);
  dir = mkdtempSync(join(tmpdir(), 'xrt-dl-'));
  const batch = join(dir, 'routes.batch');
  writeFileSync(batch, `${[...SETUP, ...manyRoutes()].join('\n')}\n`);
  await run(['ip', '-n', NS, '-batch', batch]);
  source = new NetlinkSource({ netns: `/run/netns/${NS}`, tables: TABLES });
  snapshot = reusable(await source.dump());
}, 60_000);

/** A source's dump is for one load (it lets its bytes go then): the same datagrams, for the loads of several cases. */
function reusable(taken: KernelSnapshot): KernelSnapshot {
  const dumped = taken.routes as DumpedRoutes;
  return { ...taken, routes: new DumpedRoutes(dumped.datagrams, dumped.filter) };
}

afterAll(async () => {
  try {
    source?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  } finally {
    await deleteNetns(NS);
  }
});

describe('a real dump loaded packed and the KernelRoute way', () => {
  it('is a dump the packed way takes (DumpedRoutes) with every kind of route in it', () => {
    expect(snapshot.routes).toBeInstanceOf(DumpedRoutes);
    const routes = [...snapshot.routes];
    const kinds = new Set(routes.map((r) => (r.nhid !== undefined ? 'nhid' : r.source !== undefined ? 'source' : r.kernelOnly !== undefined ? 'kernelOnly' : r.nexthops.length > 1 ? `multipath${r.family}` : r.type)));
    expect([...kinds].sort()).toEqual(['blackhole', 'kernelOnly', 'multipath4', 'multipath6', 'nhid', 'prohibit', 'source', 'unicast', 'unreachable']);
    expect(routes.length).toBeGreaterThan(2 * GATEWAYS * ROUTES_PER_GATEWAY);
  });

  it('loads the same routes, next hops and desired routes both ways', () => {
    const packed = new KernelState(TABLES);
    packed.load(snapshot);
    const objects = new KernelState(TABLES);
    objects.load({ ...snapshot, routes: asObjects(snapshot.routes) });
    expect(routesOf(packed)).toEqual(routesOf(objects));
    expect(listsInUse(packed)).toBe(listsInUse(objects));
    const wanted = (state: KernelState): Array<[string, unknown]> => {
      const desired = new DesiredState(state, ['xd0', 'xd2']);
      return [...state.routes.slots()].map((slot): [string, unknown] => [state.routes.prefixes.keyOf(slot), desired.routeAt(slot)]).sort(([a], [b]) => a.localeCompare(b));
    };
    expect(wanted(packed)).toEqual(wanted(objects));
  });

  it('loads over a state either way loaded, and over itself, to the same routes', () => {
    const reference = new KernelState(TABLES);
    reference.load({ ...snapshot, routes: asObjects(snapshot.routes) });
    const state = new KernelState(TABLES);
    for (const routes of [snapshot.routes, snapshot.routes, asObjects(snapshot.routes), snapshot.routes]) {
      state.load({ ...snapshot, routes });
      expect(routesOf(state)).toEqual(routesOf(reference));
      expect(listsInUse(state)).toBe(listsInUse(reference));
    }
  });

  it('lets go of every next-hop list it took: none is left when a later dump is empty', () => {
    const state = new KernelState(TABLES);
    state.load(snapshot);
    expect(listsInUse(state)).toBeGreaterThan(GATEWAYS * 2);
    state.load({ ...snapshot, routes: new DumpedRoutes([], { tables: new Set(TABLES) }) });
    expect(state.routes.size).toBe(0);
    expect(listsInUse(state)).toBe(0);
  });

  it("lets go of a source's dump once loaded: its datagrams are not held while the full sync writes", async () => {
    const taken = await source.dump();
    new KernelState(TABLES).load(taken);
    expect(() => [...taken.routes]).toThrow(/loaded already: take a new dump/);
  });

  it('decodes each message as an event as decodeRoute reads it whole: added, replaced and deleted', () => {
    const { datagrams } = snapshot.routes as DumpedRoutes;
    const messages = datagrams.flatMap(readMessages);
    expect(messages.length).toBeGreaterThan(2 * GATEWAYS * ROUTES_PER_GATEWAY);
    for (const msg of messages) {
      for (const variant of [msg, { ...msg, flags: msg.flags | NLM_F.REPLACE }, { ...msg, type: RTM.DELROUTE }]) {
        expect(decodeEvent(variant, { tables: new Set(TABLES) })).toEqual(wholeEvent(variant));
      }
    }
  });
});
