// Route management without root: a scripted kernel (a writer whose changes
// come back as netlink events a moment later, as the real ones do) under
// the real reconciler and RouteManager. The namespace tests run the same
// code against the real kernel and maps.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RouteBatch, RouteTarget } from '../../dataplane/fastpath.js';
import { SlotIds } from '../../dataplane/slot-ids.js';
import { BATCH_ROUTES, OPEN_BATCHES, type BulkItem } from '../../router/routes/bulk-add.js';
import { RequestError } from '../../router/routes/errors.js';
import { NetlinkError } from '../../router/sync/netlink-error.js';
import type { RouteSpec } from '../../router/routes/model.js';
import { RouteManager, type RouteWriter } from '../../router/routes/manager.js';
import { routeFamilyKey } from '../../router/sync/kernel-state.js';
import type { KernelEvent, KernelRoute, KernelSnapshot } from '../../router/sync/model.js';
import { Reconciler, type FastPathWriter } from '../../router/sync/reconciler.js';
import { DEFAULT_RULES } from '../helpers/rules.js';
import type { AddRouteOptions, RouteKey } from '../../router/sync/routes-writer.js';

const OWN = 250;
const BOOT = 3;

/** The fast path's routes as the reconciler wrote them; the rest of the maps are not looked at here. */
class Maps implements FastPathWriter {
  routes = new Map<string, RouteTarget>();
  /** while set, a full sync's batch waits for it */
  gate: Promise<void> | undefined;
  setInterface(): void {}
  deleteInterface(): boolean { return true; }
  addLocalAddress(): void {}
  deleteLocalAddress(): boolean { return true; }
  setNexthop(): void {}
  setGroup(): void {}
  setNeighbour(): void {}
  deleteNeighbour(): boolean { return true; }
  setRoute(p: string, t: RouteTarget): void { this.routes.set(p, t); }
  async setRoutes(batch: RouteBatch): Promise<void> {
    await this.gate;
    for (const r of batch.routes()) this.setRoute(r.prefix, r.target);
  }
  deleteRoute(p: string): boolean { return this.routes.delete(p); }
  async deleteRoutes(batch: RouteBatch): Promise<number> { return batch.prefixes().filter((p) => this.deleteRoute(p)).length; }
  nexthopIds = new SlotIds(1024, 'next-hop id', () => undefined, (reclaim) => reclaim());
  groupIds = new SlotIds(1024, 'next-hop group id', () => undefined, (reclaim) => reclaim());
}

/** The kernel: answers at once, and tells the sync a moment later (unless told to lose the event). */
class ScriptedKernel implements RouteWriter {
  lose = false;
  requests = 0;
  /** transactions of addRoutes, and the largest number in the kernel at once */
  transactions = 0;
  /** prefixes the kernel refuses, with its words */
  refuse = new Map<string, string>();
  /** while set, addRoutes answers only once it resolves */
  gate: Promise<void> | undefined;
  /** a transaction's events reach the sync as one batch before its answer, as the real kernel's do on a busy daemon */
  eventsFirst = false;
  constructor(private readonly reconciler: Reconciler) {}

  private existing(r: { family: 4 | 6; prefix: string; table: number; metric?: number }): KernelRoute | undefined {
    const byId = this.reconciler.state.routes.get(routeFamilyKey(r));
    return [...(byId?.values() ?? [])].find((x) => x.table === r.table && (r.metric === undefined || x.metric === r.metric));
  }

  async addRoute(route: KernelRoute, options: AddRouteOptions): Promise<void> {
    this.requests++;
    if (!options.replace && this.existing(route)) throw Object.assign(new Error('File exists'), { name: 'NetlinkError' });
    // the kernel has it; its answer may come late
    await this.gate;
    const added = { ...route, protocol: options.protocol };
    if (!this.lose) setTimeout(() => this.reconciler.applyEvent({ kind: 'route', op: 'add', route: added, replace: options.replace }), 1);
  }

  async addRoutes(changes: ReadonlyArray<{ route: KernelRoute; replace: boolean }>, protocol: number): Promise<Array<Error | null>> {
    this.transactions++;
    await this.gate;
    const taken = new Set<string>();
    const events: KernelEvent[] = [];
    const answers = changes.map(({ route, replace }) => {
      this.requests++;
      const said = this.refuse.get(route.prefix);
      if (said) return new NetlinkError(101, 'ENETUNREACH', `add route ${route.prefix}: Network is unreachable (ENETUNREACH); the kernel says: ${said}`);
      if (!replace && (this.existing(route) || taken.has(route.prefix))) return new NetlinkError(17, 'EEXIST', `add route ${route.prefix}: File exists (EEXIST)`);
      taken.add(route.prefix);
      const added = { ...route, protocol };
      if (this.eventsFirst) events.push({ kind: 'route', op: 'add', route: added, replace });
      else if (!this.lose) setTimeout(() => this.reconciler.applyEvent({ kind: 'route', op: 'add', route: added, replace }), 1);
      return null;
    });
    if (events.length > 0) void this.reconciler.applyEvents(events);
    return answers;
  }

  async deleteRoute(key: RouteKey): Promise<void> {
    this.requests++;
    const r = this.existing(key);
    if (!r) throw new Error('No such process');
    if (!this.lose) setTimeout(() => this.reconciler.applyEvent({ kind: 'route', op: 'del', route: r, replace: false }), 1);
  }
}

const lab = (): KernelSnapshot => ({
  links: [
    { ifindex: 2, name: 'eth1', mac: '02:00:00:00:00:02', mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
    { ifindex: 3, name: 'eth2', mac: '02:00:00:00:00:03', mtu: 1500, adminUp: true, carrier: true, kind: 'veth' },
  ],
  addresses: [
    { ifindex: 2, family: 4, address: '192.0.2.1', prefixLength: 24 },
    { ifindex: 3, family: 4, address: '198.51.100.1', prefixLength: 24 },
    { ifindex: 3, family: 6, address: '2001:db8:b::1', prefixLength: 64 },
    { ifindex: 3, family: 6, address: 'fe80::3', prefixLength: 64 },
  ],
  routes: [
    { family: 4, table: 254, prefix: '203.0.113.0/24', metric: 0, protocol: BOOT, type: 'unicast', nexthops: [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }], tos: 0 },
  ],
  neighbours: [],
  rules: [...DEFAULT_RULES],
});

describe('RouteManager over a scripted kernel', () => {
  let maps: Maps;
  let reconciler: Reconciler;
  let kernel: ScriptedKernel;
  let manager: RouteManager;

  beforeEach(async () => {
    maps = new Maps();
    reconciler = new Reconciler(maps, { tables: [254], interfaces: ['eth1', 'eth2'] });
    await reconciler.fullSync(lab());
    kernel = new ScriptedKernel(reconciler);
    manager = new RouteManager({
      state: reconciler.state,
      desired: reconciler.desired,
      onRoutesApplied: (l) => reconciler.onRoutesApplied(l),
      fullSyncRunning: () => reconciler.fullSyncRunning,
      mapsBehind: () => reconciler.mapsBehind,
      fp: {} as never,
      writer: kernel,
      tables: [254],
      routeProtocol: OWN,
    });
  });

  const via = (gateway: string, more: Partial<RouteSpec['nexthops'][number]> = {}) => ({ gateway, ...more });

  it('AddRoute answers once the maps have the route, with names filled in', async () => {
    const view = await manager.addRoute({ prefix: '198.51.100.128/25', nexthops: [via('198.51.100.2')] }, false);
    expect(maps.routes.get('198.51.100.128/25')).toMatchObject({ type: 'unicast' });
    expect(view).toEqual({
      prefix: '198.51.100.128/25',
      type: 'unicast',
      table: 254,
      metric: 0,
      protocol: 'xdp-router',
      nexthops: [{ gateway: '198.51.100.2', interface: 'eth2', weight: 1 }],
    });
  });

  it('AddRoute is not answered while a full sync that has the route is still writing the maps (the state is ahead of them)', async () => {
    const route: KernelRoute = { family: 4, table: 254, prefix: '198.51.100.128/25', metric: 0, protocol: OWN, type: 'unicast', nexthops: [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }], tos: 0 };
    let ack!: () => void;
    kernel.gate = new Promise<void>((r) => (ack = r));
    // the route's event waits in the daemon while a resync runs; the resync's dump has the route
    kernel.lose = true;
    let answered = false;
    const added = manager.addRoute({ prefix: route.prefix, nexthops: [via('198.51.100.2')] }, false).then(() => (answered = true));
    let written!: () => void;
    maps.gate = new Promise<void>((r) => (written = r));
    const resync = reconciler.fullSync({ ...lab(), routes: [...lab().routes, route] });
    ack();
    await new Promise((r) => setTimeout(r, 20));
    expect(maps.routes.has(route.prefix)).toBe(false);
    expect(answered).toBe(false);
    written();
    await resync;
    await added;
    expect(maps.routes.has(route.prefix)).toBe(true);
  });

  it('AddRoutes is not answered while the events of its routes are in the state but still being written to the maps', async () => {
    kernel.eventsFirst = true;
    let written!: () => void;
    maps.gate = new Promise<void>((r) => (written = r));
    const prefixOf = (i: number): string => `2001:db8:1:${i.toString(16)}::/64`;
    async function* stream(): AsyncGenerator<BulkItem[]> {
      // more than the reconciler writes directly: a batch write, which waits for the maps
      for (let i = 0; i < 100; i++) yield [{ spec: { prefix: prefixOf(i), nexthops: [via('2001:db8:b::2')] }, replace: false }];
    }
    let answered = false;
    const result = manager.addRoutes(stream()).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(reconciler.state.routes.has(`6|${prefixOf(99)}`)).toBe(true);
    expect(maps.routes.has(prefixOf(99))).toBe(false);
    expect(answered).toBe(false);
    written();
    expect(await result).toMatchObject({ added: 100, failed: 0 });
    expect([...maps.routes.keys()].filter((p) => p.startsWith('2001:db8:1:'))).toHaveLength(100);
  });

  it('a route the kernel already had (no event) is answered once a batch write going on meanwhile ends', async () => {
    const spec = { prefix: '2001:db8:2::/64', nexthops: [via('2001:db8:b::2')] };
    await manager.addRoute(spec, false);
    let written!: () => void;
    maps.gate = new Promise<void>((r) => (written = r));
    const others: KernelEvent[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'route', op: 'add', replace: false,
      route: { family: 6, table: 254, prefix: `2001:db8:3:${i.toString(16)}::/64`, metric: 1024, protocol: BOOT, type: 'unicast', nexthops: [{ ifindex: 3, gateway: '2001:db8:b::2', weight: 1 }], tos: 0 },
    }));
    const othersWritten = reconciler.applyEvents(others);
    // the same route again: the kernel changes nothing and says nothing
    kernel.lose = true;
    async function* stream(): AsyncGenerator<BulkItem[]> {
      yield [{ spec, replace: true }];
    }
    const result = manager.addRoutes(stream());
    await new Promise((r) => setTimeout(r, 20));
    written();
    await othersWritten;
    expect(await result).toMatchObject({ added: 1, failed: 0 });
  });

  it('an IPv6 route takes the kernel default metric 1024; a multipath route keeps its weights', async () => {
    const view = await manager.addRoute({ prefix: '2001:db8:f00d::/48', nexthops: [via('2001:db8:b::2', { weight: 1 }), via('fe80::9', { interface: 'eth2', weight: 3 })] }, false);
    expect(view).toMatchObject({ metric: 1024, nexthops: [{ interface: 'eth2', weight: 1 }, { gateway: 'fe80::9', weight: 3 }] });
    expect(maps.routes.get('2001:db8:f00d::/48')).toMatchObject({ type: 'unicast', group: expect.any(Number) });
  });

  it('DEADLINE_EXCEEDED when the fast path never gets the route; CANCELLED when the client leaves', async () => {
    kernel.lose = true;
    const late = manager.addRoute({ prefix: '198.51.100.128/25', nexthops: [via('198.51.100.2')] }, false, { timeoutMs: 30 });
    await expect(late).rejects.toMatchObject({ status: 'DEADLINE_EXCEEDED', message: expect.stringMatching(/is in the kernel, but the fast path did not apply it within 30 ms/) });
    const abort = new AbortController();
    const gone = manager.addRoute({ prefix: '198.51.100.64/26', nexthops: [via('198.51.100.2')] }, false, { signal: abort.signal });
    setTimeout(() => abort.abort(), 5);
    await expect(gone).rejects.toMatchObject({ status: 'CANCELLED' });
  });

  it.each<[string, RouteSpec, boolean, string, RegExp]>([
    ['host bits', { prefix: '198.51.100.1/25', nexthops: [via('198.51.100.2')] }, false, 'INVALID_ARGUMENT', /^route\.prefix: .*did you mean 198\.51\.100\.0\/25/],
    ['unknown interface', { prefix: '198.51.100.128/25', nexthops: [via('198.51.100.2', { interface: 'eth7' })] }, false, 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.interface/],
    ['gateway off-link', { prefix: '198.51.100.128/25', nexthops: [via('203.0.113.9')] }, false, 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.gateway: 203\.0\.113\.9 is not on a connected network/],
    ['connected next hop without interface', { prefix: '198.51.100.128/25', nexthops: [{}] }, false, 'INVALID_ARGUMENT', /^route\.nexthops\[0\]: neither a gateway nor an interface/],
    ['IPv6 multipath with a device-only hop', { prefix: '2001:db8:f00d::/48', nexthops: [via('2001:db8:b::2'), { interface: 'eth2' }] }, false, 'INVALID_ARGUMENT', /^route\.nexthops\[1\]\.gateway: empty; every next hop of an IPv6 multipath route/],
    ['too many next hops', { prefix: '198.51.100.128/25', nexthops: Array.from({ length: 257 }, () => via('198.51.100.2')) }, false, 'INVALID_ARGUMENT', /^route\.nexthops: 257 next hops; at most 256/],
    ['a slot taken', { prefix: '203.0.113.0/24', nexthops: [via('198.51.100.2')] }, false, 'ALREADY_EXISTS', /installed by boot; set replace/],
    ['replace of a foreign route', { prefix: '203.0.113.0/24', nexthops: [via('198.51.100.2')] }, true, 'FAILED_PRECONDITION', /belongs to boot/],
  ])('refuses %s before asking the kernel', async (_name, spec, replace, status, message) => {
    const err = await manager.addRoute(spec, replace).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ status, message: expect.stringMatching(message) });
    expect(kernel.requests).toBe(0);
  });

  it('DeleteRoute: NOT_FOUND, FAILED_PRECONDITION without force, a metric to choose, then gone from the maps', async () => {
    await expect(manager.deleteRoute({ prefix: '198.51.100.128/25', table: 0, force: false })).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(manager.deleteRoute({ prefix: '203.0.113.0/24', table: 0, force: false })).rejects.toMatchObject({ status: 'FAILED_PRECONDITION' });
    await manager.addRoute({ prefix: '198.51.100.128/25', metric: 10, nexthops: [via('198.51.100.2')] }, false);
    await manager.addRoute({ prefix: '198.51.100.128/25', metric: 20, nexthops: [via('192.0.2.2')] }, false);
    await expect(manager.deleteRoute({ prefix: '198.51.100.128/25', table: 0, force: false })).rejects.toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^metric: .* 2 routes in table 254 \(metrics 10, 20\)/),
    });
    await manager.deleteRoute({ prefix: '198.51.100.128/25', table: 0, metric: 10, force: false });
    expect(manager.listRoutes({ table: 0, family: 'ipv4', protocol: 'xdp-router' }).map((r) => r.metric)).toEqual([20]);
    await manager.deleteRoute({ prefix: '198.51.100.128/25', table: 0, force: false });
    expect(maps.routes.has('198.51.100.128/25')).toBe(false);
    await manager.deleteRoute({ prefix: '203.0.113.0/24', table: 0, force: true });
    expect(maps.routes.has('203.0.113.0/24')).toBe(false);
  });

  it('WatchRoutes: the table, then added and deleted routes, including those a link takes down with it', async () => {
    const seen: string[] = [];
    const watch = manager.watchRoutes((c) => seen.push(`${c.type} ${c.route.prefix} ${c.route.protocol}`));
    expect(watch.snapshot.map((r) => r.prefix)).toEqual(['203.0.113.0/24']);
    await manager.addRoute({ prefix: '198.51.100.128/25', nexthops: [via('198.51.100.2')] }, false);
    await manager.addRoute({ prefix: '198.51.100.128/25', nexthops: [via('192.0.2.2')] }, true);
    // admin down: the kernel drops the IPv4 routes through eth2 without a word
    reconciler.applyEvent({ kind: 'link', op: 'add', link: { ...lab().links[1]!, adminUp: false } });
    watch.close();
    await manager.deleteRoute({ prefix: '198.51.100.128/25', table: 0, force: false });
    expect(seen).toEqual(['added 198.51.100.128/25 xdp-router', 'added 198.51.100.128/25 xdp-router', 'deleted 203.0.113.0/24 boot']);
  });

  it('AddRoutes: installs the good ones, reports the refused ones by index', async () => {
    async function* stream() {
      yield [{ spec: { prefix: '198.51.100.128/26', nexthops: [via('198.51.100.2')] }, replace: false }];
      yield [{ refused: new RequestError('INVALID_ARGUMENT', 'route: missing'), prefix: '' }];
      yield [{ spec: { prefix: '198.51.100.192/26', nexthops: [via('198.51.100.2', { weight: 0 })] }, replace: false }];
      yield [{ spec: { prefix: '2001:db8:1::/64', nexthops: [via('2001:db8:b::2')] }, replace: false }];
    }
    const result = await manager.addRoutes(stream());
    expect(result).toMatchObject({
      added: 2,
      failed: 2,
      errors: [
        { index: 1, status: 'INVALID_ARGUMENT', message: 'route: missing' },
        { index: 2, prefix: '198.51.100.192/26', status: 'INVALID_ARGUMENT', message: expect.stringMatching(/^route\.nexthops\[0\]\.weight: 0/) },
      ],
    });
    expect([...maps.routes.keys()]).toEqual(expect.arrayContaining(['198.51.100.128/26', '2001:db8:1::/64']));
  });

  it('AddRoutes in batches, from messages of one to a thousand routes: each kernel refusal reported with its index among the stream\'s routes, prefix and the kernel\'s words; every other route in the maps', async () => {
    const count = BATCH_ROUTES * 2 + 100;
    const prefixOf = (i: number): string => `2001:db8:1:${i.toString(16)}::/64`;
    const refused = [5, BATCH_ROUTES, count - 1];
    for (const i of refused) kernel.refuse.set(prefixOf(i), 'Nexthop has invalid gateway');
    const sizes = [1, 257, 1000, 3];
    async function* stream(): AsyncGenerator<BulkItem[]> {
      for (let i = 0, m = 0; i < count; m++) {
        const message: BulkItem[] = [];
        for (const end = Math.min(count, i + sizes[m % sizes.length]!); i < end; i++) {
          message.push({ spec: { prefix: i === 7 ? prefixOf(3) : prefixOf(i), nexthops: [via('2001:db8:b::2')] }, replace: false });
        }
        yield message;
      }
    }
    const result = await manager.addRoutes(stream());
    expect(kernel.transactions).toBe(3);
    expect(result.added).toBe(count - refused.length - 1);
    expect(result.errors).toEqual([
      { index: 5, prefix: prefixOf(5), status: 'INVALID_ARGUMENT', message: `route: the kernel refused: add route ${prefixOf(5)}: Network is unreachable (ENETUNREACH); the kernel says: Nexthop has invalid gateway` },
      { index: 7, prefix: prefixOf(3), status: 'ALREADY_EXISTS', message: `the kernel refused: add route ${prefixOf(3)}: File exists (EEXIST)` },
      { index: BATCH_ROUTES, prefix: prefixOf(BATCH_ROUTES), status: 'INVALID_ARGUMENT', message: expect.stringMatching(/Nexthop has invalid gateway$/) },
      { index: count - 1, prefix: prefixOf(count - 1), status: 'INVALID_ARGUMENT', message: expect.stringMatching(/Nexthop has invalid gateway$/) },
    ]);
    const inMaps = [...maps.routes.keys()].filter((p) => p.startsWith('2001:db8:1:'));
    expect(inMaps).toHaveLength(count - refused.length - 1);
    expect(inMaps).not.toContain(prefixOf(5));
  });

  it('AddRoutes reads no further from the stream while its batches are open, and goes on when the kernel answers', async () => {
    let release!: () => void;
    kernel.gate = new Promise<void>((r) => (release = r));
    let pulled = 0;
    const count = BATCH_ROUTES * (OPEN_BATCHES + 3);
    async function* stream(): AsyncGenerator<BulkItem[]> {
      for (let i = 0; i < count; i++) {
        pulled++;
        yield [{ spec: { prefix: `2001:db8:1:${i.toString(16)}::/64`, nexthops: [via('2001:db8:b::2')] }, replace: false }];
      }
    }
    const result = manager.addRoutes(stream());
    await new Promise((r) => setTimeout(r, 50));
    // the open batches, and the one that waits for a place among them
    expect(kernel.transactions).toBe(OPEN_BATCHES);
    expect(pulled).toBe(BATCH_ROUTES * (OPEN_BATCHES + 1));
    release();
    expect(await result).toMatchObject({ added: count, failed: 0 });
  });

  it('ListRoutes filters by table, family and protocol, and refuses what it does not know', async () => {
    await manager.addRoute({ prefix: '2001:db8:1::/64', nexthops: [via('2001:db8:b::2')] }, false);
    expect(manager.listRoutes({ table: 0, family: '', protocol: '' }).map((r) => r.prefix)).toEqual(['203.0.113.0/24', '2001:db8:1::/64']);
    expect(manager.listRoutes({ table: 254, family: 'ipv6', protocol: '' }).map((r) => r.prefix)).toEqual(['2001:db8:1::/64']);
    expect(manager.listRoutes({ table: 0, family: '', protocol: 'boot' }).map((r) => r.prefix)).toEqual(['203.0.113.0/24']);
    expect(manager.listRoutes({ table: 0, family: '', protocol: '3' }).map((r) => r.prefix)).toEqual(['203.0.113.0/24']);
    expect(() => manager.listRoutes({ table: 100, family: '', protocol: '' })).toThrow(/^table: table 100 is not mirrored/);
    expect(() => manager.listRoutes({ table: 0, family: 'inet', protocol: '' })).toThrow(/^family: "inet"/);
  });
});
