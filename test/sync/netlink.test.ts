// The rtnetlink side of the sync against the real kernel: a namespace with
// two veth pairs, state made with iproute2, and what NetlinkSource reports
// and KernelRouteWriter installs. Needs root. A short block at the end checks
// decoding that this kernel cannot produce (no 8021q module here).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeError, RtnlEventSocket } from '../../dataplane/native.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNetns, deleteNetns, ifindexOf, ip, macOf } from '../../router/lab/netns.js';
import { NUD, type KernelEvent, type KernelRoute, type KernelSnapshot } from '../../router/sync/model.js';
import { DesiredState } from '../../router/sync/desired.js';
import { KernelState } from '../../router/sync/kernel-state.js';
import { NetlinkSource } from '../../router/sync/netlink.js';
import { KernelRouteWriter } from '../../router/sync/routes-writer.js';
import { decodeLink, decodeRoute, routesOfDump, type DecodedRoute } from '../../router/sync/rtnl-decode.js';
import { routeAddPayload } from '../../router/sync/rtnl-encode.js';
import { IFF_UP, IFLA, IFLA_INFO, IFLA_VLAN_ID, attr, attrU32, writeU16, writeU32 } from '../../router/sync/rtnl-wire.js';

const NS = `xrt-nl-${process.pid}`;
const NETNS = `/run/netns/${NS}`;
const RTPROT_KERNEL = 2;
const RTPROT_BOOT = 3; // what `ip route add` tags routes with
const OUR_PROTO = 77; // an id without a name in iproute2's rt_protos, so `ip -j` prints the number

/** The lab: xv0-xv1 and xv2-xv3, all four ends in NS. */
const SETUP = [
  'link add xv0 type veth peer name xv1',
  'link add xv2 type veth peer name xv3',
  ...['xv0', 'xv1', 'xv2', 'xv3'].map((dev) => `link set ${dev} up`),
  'addr add 192.0.2.1/26 brd + dev xv0',
  'addr add 192.0.2.65/26 dev xv1',
  'addr add 192.0.2.129/26 dev xv2',
  'addr add 2001:db8:1::1/64 dev xv0 nodad',
  'addr add 2001:db8:2::1/64 dev xv1 nodad',
  'route add 198.51.100.0/28 via 192.0.2.10',
  'route add 198.51.100.16/28 nexthop via 192.0.2.10 weight 1 nexthop via 192.0.2.70 weight 3',
  '-6 route add 2001:db8:100::/48 nexthop via 2001:db8:1::10 dev xv0 weight 2 nexthop via 2001:db8:2::10 dev xv1',
  'route add blackhole 198.51.100.32/28',
  'route add 198.51.100.48/28 via 192.0.2.10 table 100',
  'route add 198.51.100.64/28 via 192.0.2.70 table 1000',
  'route add 198.51.100.80/28 via inet6 2001:db8:1::10 dev xv0',
  'neigh add 192.0.2.10 lladdr 02:00:00:00:00:0a dev xv0 nud permanent',
  '-6 neigh add 2001:db8:1::10 lladdr 02:00:00:00:00:0b dev xv0 nud permanent',
  'rule add from 192.0.2.0/24 to 203.0.113.5/26 lookup 100 pref 100',
  '-6 rule add not to 2001:db8::/32 fwmark 3 lookup 101 pref 101',
];

const sh = (line: string): Promise<string> => ip(line.split(' '), NS);
const linkExists = async (dev: string): Promise<boolean> => (JSON.parse(await ip(['-j', 'link', 'show'], NS)) as Array<{ ifname: string }>).some((l) => l.ifname === dev);

/** Routes as `ip -j route show` prints them. */
async function ipRoutes(args: string): Promise<Array<Record<string, unknown>>> {
  return JSON.parse(await ip(['-j', ...args.split(' ')], NS)) as Array<Record<string, unknown>>;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects what a source delivers; `after(mark, ...)` finds the first match delivered since mark. */
class Recorder {
  events: KernelEvent[] = [];
  lost: string[] = [];
  readonly onEvent = (e: KernelEvent): void => void this.events.push(e);
  readonly onLost = (reason: string): void => void this.lost.push(reason);
  mark(): number {
    return this.events.length;
  }
  after<K extends KernelEvent['kind']>(
    mark: number,
    kind: K,
    match: (e: Extract<KernelEvent, { kind: K }>) => boolean,
  ): Promise<Extract<KernelEvent, { kind: K }>> {
    type E = Extract<KernelEvent, { kind: K }>;
    return until(`a ${kind} event`, () =>
      this.events.slice(mark).find((e): e is E => e.kind === kind && match(e as E)),
    );
  }
}

const byGateway = (route: KernelRoute): KernelRoute => ({
  ...route,
  nexthops: [...route.nexthops].sort((a, b) => (a.gateway ?? '').localeCompare(b.gateway ?? '')),
});

let ifindex: Record<'lo' | 'xv0' | 'xv1' | 'xv2', number>;
let source: NetlinkSource;
let snapshot: KernelSnapshot;
const recorder = new Recorder();
const logged: string[] = [];

beforeAll(async () => {
  await deleteNetns(NS);
  await createNetns(NS);
  for (const line of SETUP) await sh(line);
  ifindex = {
    lo: await ifindexOf(NS, 'lo'),
    xv0: await ifindexOf(NS, 'xv0'),
    xv1: await ifindexOf(NS, 'xv1'),
    xv2: await ifindexOf(NS, 'xv2'),
  };
  source = new NetlinkSource({ netns: NETNS, tables: [254, 1000], log: (msg) => logged.push(msg) });
  snapshot = await source.start(recorder.onEvent, recorder.onLost);
});

afterAll(async () => {
  try {
    source?.close();
  } finally {
    await deleteNetns(NS);
  }
});

const route = (prefix: string): KernelRoute | undefined => [...snapshot.routes].find((r) => r.prefix === prefix);

describe('NetlinkSource: the snapshot', () => {
  it('reports the namespace links: veth kind and MAC, lo without MAC', async () => {
    expect(snapshot.links.find((l) => l.name === 'xv0')).toEqual({
      ifindex: ifindex.xv0,
      name: 'xv0',
      mac: await macOf(NS, 'xv0'),
      mtu: 1500,
      adminUp: true,
      carrier: true,
      kind: 'veth',
    });
    expect(snapshot.links.find((l) => l.name === 'lo')).toMatchObject({ ifindex: ifindex.lo, mac: null, kind: '' });
    // the namespace's own links only, not the host's
    expect(snapshot.links.map((l) => l.name).sort()).toEqual(['lo', 'xv0', 'xv1', 'xv2', 'xv3']);
  });

  it('reports IPv4 addresses with broadcast and IPv6 addresses', () => {
    expect(snapshot.addresses).toContainEqual({
      ifindex: ifindex.xv0,
      family: 4,
      address: '192.0.2.1',
      prefixLength: 26,
      broadcast: '192.0.2.63',
    });
    expect(snapshot.addresses).toContainEqual({ ifindex: ifindex.xv0, family: 6, address: '2001:db8:1::1', prefixLength: 64 });
  });

  it('reports a connected route with its interface and no gateway', () => {
    expect(route('192.0.2.0/26')).toEqual({
      family: 4,
      table: 254,
      prefix: '192.0.2.0/26',
      metric: 0,
      protocol: RTPROT_KERNEL,
      type: 'unicast',
      nexthops: [{ ifindex: ifindex.xv0, weight: 1 }],
      tos: 0,
    });
  });

  it('reports a static route via a gateway', () => {
    expect(route('198.51.100.0/28')).toMatchObject({
      protocol: RTPROT_BOOT,
      nexthops: [{ ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 }],
    });
  });

  it('reports an IPv4 multipath route with its weights', () => {
    expect(route('198.51.100.16/28')?.nexthops).toEqual([
      { ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 },
      { ifindex: ifindex.xv1, gateway: '192.0.2.70', weight: 3 },
    ]);
  });

  it('reports an IPv6 multipath route as one route with every next hop', () => {
    const r = route('2001:db8:100::/48');
    expect(r).toMatchObject({ family: 6, table: 254, metric: 1024, type: 'unicast' });
    expect(byGateway(r!).nexthops).toEqual([
      { ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 2 },
      { ifindex: ifindex.xv1, gateway: '2001:db8:2::10', weight: 1 },
    ]);
  });

  it('reports a blackhole without next hops', () => {
    expect(route('198.51.100.32/28')).toMatchObject({ type: 'blackhole', nexthops: [] });
  });

  it('reads the table from RTA_TABLE (1000) and leaves out tables not configured (100, local)', () => {
    expect(route('198.51.100.64/28')).toMatchObject({ table: 1000, nexthops: [{ ifindex: ifindex.xv1, gateway: '192.0.2.70' }] });
    expect(route('198.51.100.48/28')).toBeUndefined();
    expect(new Set([...snapshot.routes].map((r) => r.table))).toEqual(new Set([254, 1000]));
  });

  it('reports an IPv4 route via an IPv6 gateway (RTA_VIA)', () => {
    expect(route('198.51.100.80/28')).toMatchObject({
      family: 4,
      nexthops: [{ ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 1 }],
    });
  });

  it('reports the policy rules of both families: defaults, selectors (the `to` address masked), inverted, unmodelled ones', () => {
    const lookup = { action: 'lookup', invert: false, other: [] };
    expect(snapshot.rules).toEqual([
      { family: 4, priority: 0, table: 255, ...lookup },
      { family: 4, priority: 100, table: 100, ...lookup, from: '192.0.2.0/24', to: '203.0.113.0/26' },
      { family: 4, priority: 32766, table: 254, ...lookup },
      { family: 4, priority: 32767, table: 253, ...lookup },
      { family: 6, priority: 0, table: 255, ...lookup },
      { family: 6, priority: 101, table: 101, ...lookup, invert: true, to: '2001:db8::/32', other: ['fwmark'] },
      { family: 6, priority: 32766, table: 254, ...lookup },
    ]);
  });

  it('reports permanent neighbours with their MAC', () => {
    expect(snapshot.neighbours).toContainEqual({
      ifindex: ifindex.xv0,
      family: 4,
      address: '192.0.2.10',
      mac: '02:00:00:00:00:0a',
      state: NUD.PERMANENT,
    });
    expect(snapshot.neighbours).toContainEqual({
      ifindex: ifindex.xv0,
      family: 6,
      address: '2001:db8:1::10',
      mac: '02:00:00:00:00:0b',
      state: NUD.PERMANENT,
    });
  });

  it("dump() on a running source agrees with a new source's snapshot", async () => {
    const again = await source.dump();
    const other = new NetlinkSource({ netns: NETNS, tables: [254, 1000] });
    try {
      const fresh = await other.start(() => {}, () => {});
      const freshRoutes = [...fresh.routes];
      expect([...again.routes]).toEqual(expect.arrayContaining(freshRoutes));
      expect([...again.routes]).toHaveLength(freshRoutes.length);
      expect(again.links.length).toBe(fresh.links.length);
    } finally {
      other.close();
    }
  });
});

describe('NetlinkSource: events', () => {
  it('IPv4 route add, replace, del', async () => {
    let mark = recorder.mark();
    await sh('route add 203.0.113.0/28 via 192.0.2.10');
    expect(await recorder.after(mark, 'route', (e) => e.route.prefix === '203.0.113.0/28')).toEqual({
      kind: 'route',
      op: 'add',
      replace: false,
      route: {
        family: 4,
        table: 254,
        prefix: '203.0.113.0/28',
        metric: 0,
        protocol: RTPROT_BOOT,
        type: 'unicast',
        nexthops: [{ ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 }],
        tos: 0,
      },
    });

    mark = recorder.mark();
    await sh('route replace 203.0.113.0/28 via 192.0.2.70');
    expect(await recorder.after(mark, 'route', (e) => e.route.prefix === '203.0.113.0/28')).toMatchObject({
      op: 'add',
      replace: true,
      route: { nexthops: [{ ifindex: ifindex.xv1, gateway: '192.0.2.70', weight: 1 }] },
    });

    mark = recorder.mark();
    await sh('route del 203.0.113.0/28');
    expect(await recorder.after(mark, 'route', (e) => e.route.prefix === '203.0.113.0/28')).toMatchObject({
      op: 'del',
      route: { nexthops: [{ ifindex: ifindex.xv1, gateway: '192.0.2.70' }] },
    });
  });

  it('IPv6 route add, append (the whole group, as a replace), del of one next hop, replace, del', async () => {
    const prefix = '2001:db8:200::/48';
    const v6 = (mark: number) => recorder.after(mark, 'route', (e) => e.route.prefix === prefix);
    const gw1 = { ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 1 };
    const gw2 = { ifindex: ifindex.xv1, gateway: '2001:db8:2::10', weight: 1 };

    let mark = recorder.mark();
    await sh(`-6 route add ${prefix} via 2001:db8:1::10`);
    expect(await v6(mark)).toMatchObject({ op: 'add', replace: false, route: { family: 6, metric: 1024, nexthops: [gw1] } });

    mark = recorder.mark();
    await sh(`-6 route append ${prefix} via 2001:db8:2::10`);
    const appended = await v6(mark);
    expect(appended).toMatchObject({ op: 'add', replace: true });
    expect(byGateway(appended.route).nexthops).toEqual([gw1, gw2]);

    mark = recorder.mark();
    await sh(`-6 route del ${prefix} via 2001:db8:1::10`);
    expect(await v6(mark)).toMatchObject({ op: 'del', route: { nexthops: [gw1] } });

    mark = recorder.mark();
    await sh(`-6 route replace ${prefix} via 2001:db8:1::10`);
    expect(await v6(mark)).toMatchObject({ op: 'add', replace: true, route: { nexthops: [gw1] } });

    mark = recorder.mark();
    await sh(`-6 route del ${prefix}`);
    expect(await v6(mark)).toMatchObject({ op: 'del', route: { nexthops: [gw1] } });
  });

  it('neighbour add, change, del', async () => {
    const at = (mark: number) => recorder.after(mark, 'neighbour', (e) => e.neighbour.address === '192.0.2.20');
    let mark = recorder.mark();
    await sh('neigh add 192.0.2.20 lladdr 02:00:00:00:00:14 dev xv0 nud permanent');
    expect(await at(mark)).toEqual({
      kind: 'neighbour',
      op: 'add',
      neighbour: { ifindex: ifindex.xv0, family: 4, address: '192.0.2.20', mac: '02:00:00:00:00:14', state: NUD.PERMANENT },
    });

    mark = recorder.mark();
    await sh('neigh change 192.0.2.20 lladdr 02:00:00:00:00:15 dev xv0 nud permanent');
    expect(await at(mark)).toMatchObject({ op: 'add', neighbour: { mac: '02:00:00:00:00:15' } });

    mark = recorder.mark();
    await sh('neigh del 192.0.2.20 dev xv0');
    const del = await recorder.after(mark, 'neighbour', (e) => e.neighbour.address === '192.0.2.20' && e.op === 'del');
    expect(del.neighbour).toMatchObject({ ifindex: ifindex.xv0, family: 4 });
  });

  it('rule add, del (both families)', async () => {
    let mark = recorder.mark();
    await sh('rule add iif xv1 ipproto udp lookup 102 pref 102');
    expect(await recorder.after(mark, 'rule', (e) => e.rule.priority === 102)).toEqual({
      kind: 'rule',
      op: 'add',
      rule: { family: 4, priority: 102, action: 'lookup', table: 102, invert: false, other: ['ipproto'], iif: 'xv1' },
    });
    mark = recorder.mark();
    await sh('-6 rule add to 2001:db8:cafe::/48 unreachable pref 103');
    expect((await recorder.after(mark, 'rule', (e) => e.rule.priority === 103)).rule).toMatchObject({ family: 6, action: 'unreachable', to: '2001:db8:cafe::/48' });
    mark = recorder.mark();
    await sh('rule del pref 102');
    await sh('-6 rule del pref 103');
    await recorder.after(mark, 'rule', (e) => e.op === 'del' && e.rule.priority === 102);
    await recorder.after(mark, 'rule', (e) => e.op === 'del' && e.rule.priority === 103);
  });

  it('address del', async () => {
    const mark = recorder.mark();
    await sh('addr del 192.0.2.129/26 dev xv2');
    expect(await recorder.after(mark, 'address', (e) => e.address.address === '192.0.2.129')).toEqual({
      kind: 'address',
      op: 'del',
      // added without `brd`: no IFA_BROADCAST
      address: { ifindex: ifindex.xv2, family: 4, address: '192.0.2.129', prefixLength: 26 },
    });
  });

  it('link down', async () => {
    const mark = recorder.mark();
    await sh('link set xv2 down');
    expect(
      await recorder.after(mark, 'link', (e) => e.link.ifindex === ifindex.xv2 && !e.link.adminUp),
    ).toMatchObject({ op: 'add', link: { name: 'xv2', adminUp: false, carrier: false, kind: 'veth' } });
  });

  it('nothing was lost and nothing went wrong on the way', () => {
    expect(recorder.lost).toEqual([]);
    expect(logged.filter((m) => !m.includes('rmem_max'))).toEqual([]);
  });

  it('an onEvent that throws becomes onLost, and the socket keeps delivering', async () => {
    const lost: string[] = [];
    const seen: KernelEvent[] = [];
    const throwing = new NetlinkSource({ netns: NETNS, tables: [254] });
    try {
      await throwing.start(
        (e) => {
          seen.push(e);
          throw new Error('reconciler bug');
        },
        (reason) => lost.push(reason),
      );
      await sh('route add 203.0.113.16/28 via 192.0.2.10');
      await sh('route del 203.0.113.16/28');
      await until('two events', () => (seen.length >= 2 ? true : undefined));
      expect(lost[0]).toMatch(/applying a route add event failed: reconciler bug/);
    } finally {
      throwing.close();
    }
  });
});

// nexthop_compat_mode (per namespace) 1, the default: route messages also list the object's next hops; 0: only its id
describe.each([1, 0])('NetlinkSource and KernelState: routes through next-hop objects (nexthop_compat_mode=%i)', (compat) => {
  // xn0-xn1, both ends here: xn1 down takes xn0's carrier away, and with it the objects on both
  const NH_SETUP = [
    'link add xn0 type veth peer name xn1',
    'link set xn0 up',
    'link set xn1 up',
    'addr add 198.51.100.129/26 dev xn0',
    'addr add 198.51.100.193/26 dev xn1',
    'addr add 2001:db8:3::1/64 dev xn0 nodad',
    'nexthop add id 1 via 198.51.100.130 dev xn0',
    'nexthop add id 2 via 198.51.100.194 dev xn1',
    'nexthop add id 3 dev xn1',
    'nexthop add id 6 via 2001:db8:3::10 dev xn0',
    'nexthop add id 10 group 1/2,3',
    'nexthop add id 20 blackhole',
    'nexthop add id 30 group 1/2 type resilient buckets 8',
    'route add 203.0.113.128/28 nhid 10',
    'route add 203.0.113.144/28 nhid 1',
    'route add 203.0.113.160/28 nhid 20',
    'route add 203.0.113.176/28 nhid 30',
    'route add 203.0.113.192/28 nhid 3',
    '-6 route add 2001:db8:300::/48 nhid 6',
  ];
  const NH_PREFIXES = ['4|203.0.113.128/28', '4|203.0.113.144/28', '4|203.0.113.160/28', '4|203.0.113.176/28', '4|203.0.113.192/28', '6|2001:db8:300::/48'];
  let xn0: number;
  let xn1: number;
  let snap: KernelSnapshot;
  /** snap's routes, read before the state loads them: a source's dump lets its bytes go once loaded */
  let dumpedRoutes: KernelRoute[];
  /** fed by the events, as the reconciler's is */
  const state = new KernelState([254]);
  let applied = 0;

  /** Applies what the source delivered since the last call. */
  const applyEvents = (): void => {
    for (const e of recorder.events.slice(applied)) state.apply(e);
    applied = recorder.events.length;
  };
  const resolved = (prefix: string): KernelRoute | undefined => state.bestRoute(prefix);
  /** The events left the state where a fresh dump puts it: the kernel sent no route event for most of these changes. */
  const expectAsDumped = async (): Promise<void> => {
    const fresh = new KernelState([254]);
    fresh.load(await source.dump());
    for (const key of NH_PREFIXES) expect(resolved(key), key).toEqual(fresh.bestRoute(key));
  };

  beforeAll(() => {
    execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', `net.ipv4.nexthop_compat_mode=${compat}`]);
  });

  // each case changes the objects (replaces, deletes, takes the link down): each starts from NH_SETUP, whatever ran before
  beforeEach(async () => {
    await sh('nexthop flush');
    if (await linkExists('xn0')) await sh('link del xn0');
    const mark = recorder.mark();
    for (const line of NH_SETUP) await sh(line);
    // the state starts from a dump taken after the set-up's last event, so no event of an earlier case replays onto it
    await recorder.after(mark, 'route', (e) => e.op === 'add' && e.route.prefix === '2001:db8:300::/48');
    xn0 = await ifindexOf(NS, 'xn0');
    xn1 = await ifindexOf(NS, 'xn1');
    applied = recorder.mark();
    snap = await source.dump();
    dumpedRoutes = [...snap.routes];
    state.load(snap);
  });

  afterAll(async () => {
    await sh('nexthop flush');
    if (await linkExists('xn0')) await sh('link del xn0');
    execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.nexthop_compat_mode=1']);
  });

  it('dumps the objects: single, device-only, IPv6, group with weights, blackhole, resilient group', () => {
    expect(snap.nexthopObjects).toEqual(
      expect.arrayContaining([
        { id: 1, kind: 'single', ifindex: xn0, gateway: '198.51.100.130' },
        { id: 2, kind: 'single', ifindex: xn1, gateway: '198.51.100.194' },
        { id: 3, kind: 'single', ifindex: xn1 },
        { id: 6, kind: 'single', ifindex: xn0, gateway: '2001:db8:3::10' },
        { id: 10, kind: 'group', members: [{ id: 1, weight: 1 }, { id: 2, weight: 3 }], resilient: false },
        { id: 20, kind: 'blackhole' },
        { id: 30, kind: 'group', members: [{ id: 1, weight: 1 }, { id: 2, weight: 1 }], resilient: true },
      ]),
    );
    expect(snap.nexthopObjects).toHaveLength(7);
    expect(dumpedRoutes.find((r) => r.prefix === '203.0.113.128/28')).toMatchObject({ nhid: 10, nexthops: [] });
  });

  it('resolves each route through its object into the next hops RTA_MULTIPATH would give', () => {
    const gw1 = { ifindex: xn0, gateway: '198.51.100.130', weight: 1 };
    expect(resolved('4|203.0.113.128/28')).toMatchObject({ type: 'unicast', nhid: 10, nexthops: [gw1, { ifindex: xn1, gateway: '198.51.100.194', weight: 3 }] });
    expect(resolved('4|203.0.113.144/28')).toMatchObject({ type: 'unicast', nexthops: [gw1] });
    expect(resolved('4|203.0.113.160/28')).toMatchObject({ type: 'blackhole', nexthops: [] });
    expect(resolved('4|203.0.113.192/28')).toMatchObject({ type: 'unicast', nexthops: [{ ifindex: xn1, weight: 1 }] });
    expect(resolved('6|2001:db8:300::/48')).toMatchObject({ type: 'unicast', nexthops: [{ ifindex: xn0, gateway: '2001:db8:3::10', weight: 1 }] });
    const desired = new DesiredState(state, ['xn0', 'xn1']);
    expect(desired.route('4|203.0.113.128/28')?.group).toEqual([
      { key: `${xn0}|198.51.100.130`, weight: 1 },
      { key: `${xn1}|198.51.100.194`, weight: 3 },
    ]);
    expect(desired.route('4|203.0.113.160/28')?.target).toEqual({ type: 'blackhole' });
    // a resilient group keeps flows on their buckets: the kernel's to forward
    expect(desired.route('4|203.0.113.176/28')?.target).toEqual({ type: 'kernel' });
  });

  it('a replaced object changes the routes through it and through its groups', async () => {
    const mark = recorder.mark();
    await sh('nexthop replace id 1 via 198.51.100.131 dev xn0');
    await recorder.after(mark, 'nexthop', (e) => e.op === 'add' && e.nexthop.id === 1);
    applyEvents();
    const gw = { ifindex: xn0, gateway: '198.51.100.131', weight: 1 };
    expect(resolved('4|203.0.113.144/28')?.nexthops).toEqual([gw]);
    expect(resolved('4|203.0.113.128/28')?.nexthops[0]).toEqual(gw);
    await expectAsDumped();
  });

  it('a deleted member leaves its group, with no route event for the routes through the group', async () => {
    const mark = recorder.mark();
    await sh('nexthop del id 2');
    await recorder.after(mark, 'nexthop', (e) => e.op === 'add' && e.nexthop.id === 10);
    applyEvents();
    expect(resolved('4|203.0.113.128/28')?.nexthops).toEqual([{ ifindex: xn0, gateway: '198.51.100.130', weight: 1 }]);
    expect(recorder.events.slice(mark).filter((e) => e.kind === 'route' && e.route.prefix === '203.0.113.128/28')).toEqual([]);
    await expectAsDumped();
  });

  it('a link down takes the objects on it, the groups they empty and the routes through them, unannounced', async () => {
    const mark = recorder.mark();
    await sh('link set xn1 down'); // xn1 down, xn0 without carrier
    await recorder.after(mark, 'link', (e) => e.link.ifindex === xn0 && !e.link.carrier);
    await recorder.after(mark, 'link', (e) => e.link.ifindex === xn1 && !e.link.adminUp);
    await new Promise((r) => setTimeout(r, 100)); // the IPv6 route's delete, where compat mode sends one
    applyEvents();
    expect(recorder.events.slice(mark).filter((e) => e.kind === 'nexthop')).toEqual([]);
    for (const key of NH_PREFIXES.filter((k) => k !== '4|203.0.113.160/28')) expect(resolved(key), key).toBeUndefined();
    expect(resolved('4|203.0.113.160/28')?.type).toBe('blackhole');
    await expectAsDumped();
  });
});

describe('NetlinkSource: lost events', () => {
  it('an overflowing receive buffer (ENOBUFS) calls onLost, and a dump() then sees everything', async () => {
    // a tiny buffer and a burst nothing drains: execFileSync blocks the
    // event loop while ip -batch adds 500 routes, and the reader thread,
    // with room for one batch not yet taken, stops reading after the first
    const lost: string[] = [];
    const small = new NetlinkSource({ netns: NETNS, tables: [254], eventBufferBytes: 4096, eventQueueBytes: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'xrt-nl-'));
    try {
      await small.start(() => {}, (reason) => lost.push(reason));
      const batch = join(dir, 'routes');
      const count = 500;
      writeFileSync(
        batch,
        Array.from({ length: count }, (_, i) => `route add 2001:db8:f00d::${(i + 1).toString(16)}/128 via 2001:db8:1::10\n`).join(''),
      );
      execFileSync('ip', ['-n', NS, '-batch', batch]);
      await until('onLost', () => lost[0]);
      expect(lost[0]).toMatch(/ENOBUFS/);
      const resync = await small.dump();
      expect([...resync.routes].filter((r) => r.prefix.startsWith('2001:db8:f00d::'))).toHaveLength(count);
    } finally {
      small.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NetlinkSource: a failing event socket', () => {
  it('a failure the reader reports calls onLost, and a new socket keeps delivering', async () => {
    // the reader reports a failure when recvmsg fails for another reason than
    // ENOBUFS; no kernel state makes that happen on demand, so hand one in
    // as the reader thread would
    const lost: string[] = [];
    const seen: KernelEvent[] = [];
    const src = new NetlinkSource({ netns: NETNS, tables: [254] });
    try {
      await src.start((e) => void seen.push(e), (reason) => void lost.push(reason));
      type Internals = {
        events: RtnlEventSocket;
        receive(socket: RtnlEventSocket, messages: Buffer | null, problem: NativeError | null): void;
      };
      const internals = src as unknown as Internals;
      const failing = internals.events;
      const error = Object.assign(new Error('receive rtnetlink events: Input/output error'), { errno: 5, code: 'EIO' });
      internals.receive(failing, null, error);
      await until('onLost', () => lost[0]);
      expect(lost).toEqual([expect.stringMatching(/event socket failed \(EIO\)/)]);
      expect(internals.events).not.toBe(failing);
      await sh('route add 203.0.113.32/28 via 192.0.2.10');
      await until('an event from the new socket', () =>
        seen.find((e) => e.kind === 'route' && e.route.prefix === '203.0.113.32/28'),
      );
    } finally {
      src.close();
    }
  });
});

describe('KernelRouteWriter', () => {
  let writer: KernelRouteWriter;
  beforeAll(() => {
    writer = new KernelRouteWriter({ netns: NETNS });
  });
  afterAll(() => writer?.close());
  // each case starts with none of the writer's routes, whatever ran before it
  afterEach(async () => {
    for (const family of ['-4', '-6']) await sh(`${family} route flush table all proto ${OUR_PROTO}`);
  });

  const unicast = (prefix: string, nexthops: KernelRoute['nexthops'], more: Partial<KernelRoute> = {}): KernelRoute => ({
    family: prefix.includes(':') ? 6 : 4,
    table: 254,
    prefix,
    metric: 0,
    protocol: 0,
    type: 'unicast',
    nexthops,
    tos: 0,
    ...more,
  });
  const add = { replace: false, protocol: OUR_PROTO };

  it('adds a route the kernel shows with our protocol, and the source sees it', async () => {
    const mark = recorder.mark();
    await writer.addRoute(unicast('203.0.113.64/28', [{ ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 }]), add);
    expect(await ipRoutes('route show 203.0.113.64/28')).toMatchObject([
      { dst: '203.0.113.64/28', gateway: '192.0.2.10', dev: 'xv0', protocol: String(OUR_PROTO) },
    ]);
    expect(await recorder.after(mark, 'route', (e) => e.route.prefix === '203.0.113.64/28')).toMatchObject({
      op: 'add',
      route: { protocol: OUR_PROTO },
    });
  });

  it('a second add of the same route fails with EEXIST; replace changes it', async () => {
    await writer.addRoute(unicast('203.0.113.64/28', [{ ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 }]), add);
    const again = writer.addRoute(unicast('203.0.113.64/28', [{ ifindex: ifindex.xv1, gateway: '192.0.2.70', weight: 1 }]), add);
    await expect(again).rejects.toMatchObject({ code: 'EEXIST', errno: 17, message: expect.stringMatching(/^add route 203\.0\.113\.64\/28 table 254/) });
    await writer.addRoute(unicast('203.0.113.64/28', [{ ifindex: ifindex.xv1, gateway: '192.0.2.70', weight: 1 }]), {
      replace: true,
      protocol: OUR_PROTO,
    });
    expect(await ipRoutes('route show 203.0.113.64/28')).toMatchObject([{ gateway: '192.0.2.70', dev: 'xv1' }]);
  });

  it('adds an IPv4 multipath route with weights', async () => {
    await writer.addRoute(
      unicast('203.0.113.80/28', [
        { ifindex: ifindex.xv0, gateway: '192.0.2.10', weight: 1 },
        { ifindex: ifindex.xv1, gateway: '192.0.2.70', weight: 3 },
      ]),
      add,
    );
    expect(await ipRoutes('route show 203.0.113.80/28')).toMatchObject([
      {
        nexthops: [
          { gateway: '192.0.2.10', dev: 'xv0', weight: 1 },
          { gateway: '192.0.2.70', dev: 'xv1', weight: 3 },
        ],
      },
    ]);
  });

  it('adds an IPv6 multipath route with weights', async () => {
    await writer.addRoute(
      unicast(
        '2001:db8:300::/48',
        [
          { ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 2 },
          { ifindex: ifindex.xv1, gateway: '2001:db8:2::10', weight: 1 },
        ],
        { metric: 1024 },
      ),
      add,
    );
    const [shown] = await ipRoutes('-6 route show 2001:db8:300::/48');
    expect(shown).toMatchObject({ metric: 1024, protocol: String(OUR_PROTO) });
    expect(shown!['nexthops']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ gateway: '2001:db8:1::10', dev: 'xv0', weight: 2 }),
        expect.objectContaining({ gateway: '2001:db8:2::10', dev: 'xv1', weight: 1 }),
      ]),
    );
  });

  it('adds a blackhole in table 1000 (RTA_TABLE) and an IPv6 unreachable', async () => {
    await writer.addRoute(unicast('203.0.113.96/28', [], { type: 'blackhole', table: 1000 }), add);
    expect(await ipRoutes('route show table 1000 203.0.113.96/28')).toMatchObject([{ type: 'blackhole', dst: '203.0.113.96/28' }]);
    await writer.addRoute(unicast('2001:db8:400::/48', [], { type: 'unreachable' }), add);
    expect(await ipRoutes('-6 route show 2001:db8:400::/48')).toMatchObject([{ type: 'unreachable' }]);
  });

  it('adds an IPv4 route via an IPv6 gateway (RTA_VIA)', async () => {
    await writer.addRoute(unicast('203.0.113.112/28', [{ ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 1 }]), add);
    expect(await ipRoutes('route show 203.0.113.112/28')).toMatchObject([
      { via: { family: 'inet6', host: '2001:db8:1::10' }, dev: 'xv0' },
    ]);
  });

  it('deletes routes; deleting a missing one fails with ESRCH', async () => {
    for (const line of [
      `route add 203.0.113.64/28 via 192.0.2.10 proto ${OUR_PROTO}`,
      `route add 203.0.113.80/28 proto ${OUR_PROTO} nexthop via 192.0.2.10 nexthop via 192.0.2.70`,
      `-6 route add 2001:db8:300::/48 via 2001:db8:1::10 metric 1024 proto ${OUR_PROTO}`,
      `route add blackhole 203.0.113.96/28 table 1000 proto ${OUR_PROTO}`,
    ]) {
      await sh(line);
    }
    await writer.deleteRoute({ family: 4, table: 254, prefix: '203.0.113.64/28', protocol: OUR_PROTO });
    await writer.deleteRoute({ family: 4, table: 254, prefix: '203.0.113.80/28' });
    await writer.deleteRoute({ family: 6, table: 254, prefix: '2001:db8:300::/48', metric: 1024 });
    await writer.deleteRoute({ family: 4, table: 1000, prefix: '203.0.113.96/28' });
    expect(await ipRoutes('route show 203.0.113.64/28')).toEqual([]);
    expect(await ipRoutes('route show 203.0.113.80/28')).toEqual([]);
    expect(await ipRoutes('-6 route show 2001:db8:300::/48')).toEqual([]);
    expect(await ipRoutes('route show table 1000 203.0.113.96/28')).toEqual([]);
    await expect(writer.deleteRoute({ family: 4, table: 254, prefix: '203.0.113.64/28' })).rejects.toMatchObject({
      code: 'ESRCH',
      errno: 3,
      message: expect.stringMatching(/^delete route 203\.0\.113\.64\/28 table 254/),
    });
  });

  it('kernel errors carry their code: ENETUNREACH (gateway without a route), ENODEV (no such interface)', async () => {
    await expect(
      writer.addRoute(unicast('203.0.113.128/28', [{ ifindex: 0, gateway: '203.0.113.250', weight: 1 }]), add),
    ).rejects.toMatchObject({ code: 'ENETUNREACH', message: expect.stringMatching(/via 203\.0\.113\.250/) });
    await expect(writer.addRoute(unicast('203.0.113.128/28', [{ ifindex: 99999, weight: 1 }]), add)).rejects.toMatchObject({
      code: 'ENODEV',
    });
  });

  it("changes made together go in batches; a refused one fails alone, with its errno and the kernel's own words", async () => {
    const count = 2000;
    const bad = 1234;
    // IPv6 routes, and among them an IPv4 one via a gateway without a route, for which the kernel says why (extended ACK)
    const route = (i: number): KernelRoute =>
      i === bad
        ? unicast('198.51.100.200/32', [{ ifindex: 0, gateway: '203.0.113.250', weight: 1 }])
        : unicast(`2001:db8:ba7c::${(i + 1).toString(16)}/128`, [{ ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 1 }]);
    const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => writer.addRoute(route(i), add)));
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason as Error }] : []));
    expect(refused.map((r) => r.i)).toEqual([bad]);
    expect(refused[0]!.reason).toMatchObject({
      code: 'ENETUNREACH',
      message: expect.stringMatching(/^add route 198\.51\.100\.200\/32 .*\(ENETUNREACH\); the kernel says: Nexthop has invalid gateway$/),
    });
    const installed = (await ipRoutes(`-6 route show proto ${OUR_PROTO}`)).filter((r) => String(r.dst).startsWith('2001:db8:ba7c::'));
    expect(installed).toHaveLength(count - 1);
  });

  it('addRoutes: one transaction, each route answered in its place: the kernel\'s refusal with its words, the encoder\'s EINVAL, null for the rest', async () => {
    const count = 5000;
    const [bad, unencodable] = [17, 4321];
    const route = (i: number): KernelRoute =>
      i === bad
        ? unicast('198.51.100.200/32', [{ ifindex: 0, gateway: '203.0.113.250', weight: 1 }])
        : i === unencodable
          ? unicast('203.0.113.128/28', [])
          : unicast(`2001:db8:ba7d::${(i + 1).toString(16)}/128`, [{ ifindex: ifindex.xv0, gateway: '2001:db8:1::10', weight: 1 }]);
    const answers = await writer.addRoutes(Array.from({ length: count }, (_, i) => ({ route: route(i), replace: false })), OUR_PROTO);
    expect(answers).toHaveLength(count);
    expect(answers.flatMap((a, i) => (a ? [i] : []))).toEqual([bad, unencodable]);
    expect(answers[bad]).toMatchObject({ code: 'ENETUNREACH', message: expect.stringMatching(/^add route 198\.51\.100\.200\/32 .*; the kernel says: Nexthop has invalid gateway$/) });
    expect(answers[unencodable]).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^add route 203\.0\.113\.128\/28 .*needs a next hop/) });
    const installed = (await ipRoutes(`-6 route show proto ${OUR_PROTO}`)).filter((r) => String(r.dst).startsWith('2001:db8:ba7d::'));
    expect(installed).toHaveLength(count - 2);
    await sh(`-6 route flush proto ${OUR_PROTO}`);
  });

  it('a route that cannot be encoded fails with EINVAL before the kernel sees it', async () => {
    await expect(writer.addRoute(unicast('203.0.113.128/28', []), add)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/needs a next hop/),
    });
    await expect(writer.addRoute(unicast('203.0.113.129/28', [{ ifindex: ifindex.xv0, weight: 1 }]), add)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/host bits set/),
    });
  });
});

describe('decoding what this kernel cannot produce', () => {
  it('a VLAN link: its tag and lower device from IFLA_LINKINFO and IFLA_LINK', () => {
    const header = Buffer.alloc(16);
    writeU16(header, 1, 2); // ARPHRD_ETHER
    writeU32(header, 7, 4);
    writeU32(header, IFF_UP, 8);
    const vlanId = Buffer.alloc(2);
    writeU16(vlanId, 10, 0);
    const msg = Buffer.concat([
      header,
      attr(IFLA.IFNAME, Buffer.from('xv0.10\0')),
      attrU32(IFLA.MTU, 1500),
      attr(IFLA.ADDRESS, Buffer.from([2, 0, 0, 0, 0, 7])),
      attrU32(IFLA.LINK, 3),
      attr(IFLA.LINKINFO, Buffer.concat([attr(IFLA_INFO.KIND, Buffer.from('vlan\0')), attr(IFLA_INFO.DATA, attr(IFLA_VLAN_ID, vlanId))])),
    ]);
    expect(decodeLink(msg)).toEqual({
      ifindex: 7,
      name: 'xv0.10',
      mac: '02:00:00:00:00:07',
      mtu: 1500,
      adminUp: true,
      carrier: false,
      kind: 'vlan',
      vlan: { id: 10, lowerIfindex: 3 },
    });
  });

  const filter = { tables: new Set([254]) };
  const multipath: KernelRoute = {
    family: 4,
    table: 254,
    prefix: '198.51.100.0/24',
    metric: 20,
    protocol: 4,
    type: 'unicast',
    nexthops: [
      { ifindex: 2, gateway: '192.0.2.10', weight: 1 },
      { ifindex: 3, gateway: '2001:db8:1::10', weight: 5 },
    ],
    tos: 0,
  };

  it('a route round-trips through the writer encoding and the decoder', () => {
    expect(decodeRoute(routeAddPayload(multipath, 4), filter)).toEqual({ route: multipath, dead: [], multipath: true });
  });

  it('a dead next hop (RTNH_F_DEAD) is set apart', () => {
    const payload = routeAddPayload(multipath, 4);
    // rtmsg (12), RTA_TABLE, RTA_DST, RTA_PRIORITY (8 each), RTA_MULTIPATH's header (4): the first rtnexthop, flags at +2
    payload[12 + 8 + 8 + 8 + 4 + 2] = 0x1;
    expect(decodeRoute(payload, filter)).toMatchObject({ route: { nexthops: [multipath.nexthops[1]] }, dead: [multipath.nexthops[0]] });
  });

  it('IPv6 routes dumped one message per next hop join into one route', () => {
    const hop = (gateway: string): DecodedRoute => ({
      route: { ...multipath, family: 6, prefix: '2001:db8:100::/48', metric: 1024, nexthops: [{ ifindex: 2, gateway, weight: 1 }] },
      dead: [],
      multipath: false,
    });
    const joined = [...routesOfDump([hop('2001:db8:1::10'), hop('2001:db8:1::11')])];
    expect(joined).toHaveLength(1);
    expect(joined[0]!.nexthops.map((n) => n.gateway)).toEqual(['2001:db8:1::10', '2001:db8:1::11']);
  });
});
