// The reconciler's decisions without root: a scripted kernel state in, the
// fast-path writes out (recorded). The namespace tests run the same code
// against the real kernel and maps.
import { beforeEach, describe, expect, it } from 'vitest';
import type { InterfaceSpec, NeighbourFlags, RouteBatch, RouteTarget } from '../../dataplane/fastpath.js';
import * as L from '../../dataplane/layout.js';
import { SlotIds } from '../../dataplane/slot-ids.js';
import type { KernelLink, KernelRoute, KernelSnapshot, NexthopObject } from '../../router/sync/model.js';
import { NUD } from '../../router/sync/model.js';
import { DEFAULT_RULES, rule } from '../helpers/rules.js';
import { Reconciler } from '../../router/sync/reconciler.js';
import type { FastPathWriter } from '../../router/sync/reconciler.js';

/** Holds what was written, as the maps would. */
class RecordingWriter implements FastPathWriter {
  routes = new Map<string, RouteTarget>();
  nexthops = new Map<number, { ifindex: number; gateway?: string }>();
  groups = new Map<number, Array<{ nexthop: number; weight: number }>>();
  neighbours = new Map<string, { mac: string; valid: boolean; stale: boolean }>();
  ifaces = new Map<number, InterfaceSpec>();
  locals = new Set<string>();
  writes = 0;
  /** with holdGrace, reclaims wait here until endGracePeriod(), as readers in flight would make them */
  holdGrace = false;
  private graceQueue: Array<() => void> = [];
  afterGracePeriod(reclaim: () => void): void {
    if (this.holdGrace) this.graceQueue.push(reclaim);
    else reclaim();
  }
  endGracePeriod(): void {
    for (const reclaim of this.graceQueue.splice(0)) reclaim();
  }
  nexthopIds = new SlotIds(L.NEXTHOP_MAX, 'next-hop id', (id) => this.deleteNexthop(id), (reclaim) => this.afterGracePeriod(reclaim));
  groupIds = new SlotIds(L.GROUP_MAX, 'next-hop group id', (id) => this.deleteGroup(id), (reclaim) => this.afterGracePeriod(reclaim));
  setInterface(i: number, s: InterfaceSpec): void { this.writes++; this.ifaces.set(i, s); }
  deleteInterface(i: number): boolean { this.writes++; return this.ifaces.delete(i); }
  addLocalAddress(a: string): void { this.writes++; this.locals.add(a); }
  deleteLocalAddress(a: string): boolean { this.writes++; return this.locals.delete(a); }
  setNexthop(id: number, s: { ifindex: number; gateway?: string }): void { this.writes++; this.nexthops.set(id, s); }
  deleteNexthop(id: number): boolean { this.writes++; return this.nexthops.delete(id); }
  setGroup(id: number, m: Array<{ nexthop: number; weight: number }>): void { this.writes++; this.groups.set(id, m); }
  deleteGroup(id: number): boolean { this.writes++; return this.groups.delete(id); }
  setNeighbour(i: number, a: string, mac: string, { valid = true, stale = false }: NeighbourFlags = {}): void { this.writes++; this.neighbours.set(`${i}|${a}`, { mac, valid, stale }); }
  deleteNeighbour(i: number, a: string): boolean { this.writes++; return this.neighbours.delete(`${i}|${a}`); }
  setRoute(p: string, t: RouteTarget): void { this.writes++; this.routes.set(p, t); }
  async setRoutes(batch: RouteBatch): Promise<void> { for (const r of batch.routes()) this.setRoute(r.prefix, r.target); }
  deleteRoute(p: string): boolean { this.writes++; return this.routes.delete(p); }
  async deleteRoutes(batch: RouteBatch): Promise<number> { return batch.prefixes().filter((p) => this.deleteRoute(p)).length; }

  /** Where a route sends traffic, resolved through next hops and groups. */
  resolve(prefix: string): string {
    const t = this.routes.get(prefix);
    if (!t) return 'none';
    if (t.type !== 'unicast') return t.type;
    const nh = (id: number): string => { const n = this.nexthops.get(id)!; return `${n.ifindex}/${n.gateway ?? 'onlink'}`; };
    if ('nexthop' in t) return nh(t.nexthop);
    return this.groups.get(t.group)!.map((m) => `${nh(m.nexthop)}*${m.weight}`).join(' ');
  }
}

const link = (ifindex: number, name: string, extra: Partial<KernelLink> = {}): KernelLink => ({
  ifindex, name, mac: `02:00:00:00:00:0${ifindex}`, mtu: 1500, adminUp: true, carrier: true, kind: 'veth', ...extra,
});
const route = (prefix: string, nexthops: KernelRoute['nexthops'], extra: Partial<KernelRoute> = {}): KernelRoute => ({
  family: prefix.includes(':') ? 6 : 4, table: 254, prefix, metric: 0, protocol: 4, type: 'unicast', nexthops, tos: 0, ...extra,
});

/** a snapshot whose routes a case may add to */
function snapshot(): KernelSnapshot & { routes: KernelRoute[] } {
  return {
    links: [link(1, 'lo', { mac: null, kind: '' }), link(2, 'eth1'), link(3, 'eth2'), link(4, 'mgmt0')],
    addresses: [
      { ifindex: 2, family: 4, address: '192.0.2.1', prefixLength: 24, broadcast: '192.0.2.255' },
      { ifindex: 3, family: 4, address: '198.51.100.1', prefixLength: 24 },
      { ifindex: 3, family: 6, address: '2001:db8:b::1', prefixLength: 64 },
    ],
    routes: [
      route('192.0.2.0/24', [{ ifindex: 2, weight: 1 }]),
      route('198.51.100.0/24', [{ ifindex: 3, weight: 1 }]),
      route('203.0.113.0/24', [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }]),
      route('203.0.113.64/26', [{ ifindex: 4, gateway: '192.168.0.1', weight: 1 }]),
      route('2001:db8:cafe::/48', [{ ifindex: 2, gateway: '2001:db8:a::2', weight: 1 }, { ifindex: 3, gateway: '2001:db8:b::2', weight: 3 }]),
      route('198.51.100.128/25', [], { type: 'blackhole' }),
    ],
    neighbours: [
      { ifindex: 3, family: 4, address: '198.51.100.2', mac: '02:00:00:00:bb:02', state: NUD.REACHABLE },
      { ifindex: 3, family: 4, address: '198.51.100.9', mac: null, state: NUD.INCOMPLETE },
      { ifindex: 2, family: 4, address: '192.0.2.2', mac: '02:00:00:00:aa:02', state: NUD.STALE },
      { ifindex: 4, family: 4, address: '192.168.0.1', mac: '02:00:00:00:cc:01', state: NUD.REACHABLE },
    ],
    rules: [...DEFAULT_RULES],
  };
}

describe('reconciler', () => {
  let w: RecordingWriter;
  let r: Reconciler;
  beforeEach(async () => {
    w = new RecordingWriter();
    r = new Reconciler(w, { tables: [254], interfaces: ['eth1', 'eth2'] });
    await r.fullSync(snapshot());
  });

  it('mirrors connected, gateway, multipath and blackhole routes', () => {
    expect(w.resolve('192.0.2.0/24')).toBe('2/onlink');
    expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
    expect(w.resolve('2001:db8:cafe::/48')).toBe('2/2001:db8:a::2*1 3/2001:db8:b::2*3');
    expect(w.resolve('198.51.100.128/25')).toBe('blackhole');
  });

  it('leaves routes through interfaces it does not drive to the kernel, instead of leaving them out', () => {
    expect(w.resolve('203.0.113.64/26')).toBe('kernel');
  });

  it('holds only attached interfaces, neighbours on them with a MAC, and every local address', () => {
    expect([...w.ifaces.keys()].sort()).toEqual([2, 3]);
    expect([...w.neighbours.keys()].sort()).toEqual(['2|192.0.2.2', '3|198.51.100.2']);
    expect([...w.locals].sort()).toEqual(['192.0.2.1', '192.0.2.255', '198.51.100.1', '2001:db8:b::1']);
  });

  it('shares one next hop between routes and frees it with the last one', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.128/25', [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }]) });
    const ids = new Set([w.routes.get('203.0.113.0/24'), w.routes.get('203.0.113.128/25')].map((t) => JSON.stringify(t)));
    expect(ids.size).toBe(1);
    const before = w.nexthops.size;
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: route('203.0.113.128/25', [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }]) });
    expect(w.nexthops.size).toBe(before);
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: route('203.0.113.0/24', [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }]) });
    expect(w.nexthops.size).toBe(before - 1);
    expect(w.resolve('203.0.113.0/24')).toBe('none');
  });

  it('a next hop let go of keeps its entry, and its id stays unused, until the grace period ends', () => {
    w.holdGrace = true;
    const via = (gateway: string): KernelRoute['nexthops'] => [{ ifindex: 3, gateway, weight: 1 }];
    const targetOf = (prefix: string): string => JSON.stringify(w.routes.get(prefix));
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.128/25', via('198.51.100.7')) });
    const oldTarget = targetOf('203.0.113.128/25');
    const oldId = (w.routes.get('203.0.113.128/25') as { nexthop: number }).nexthop;
    // a reader holding the old route's id still finds the old next hop
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: route('203.0.113.128/25', via('198.51.100.7')) });
    expect(w.nexthops.get(oldId)).toEqual({ ifindex: 3, gateway: '198.51.100.7' });
    // a new next hop meanwhile takes another id
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.64/26', via('198.51.100.8')) });
    expect(targetOf('203.0.113.64/26')).not.toBe(oldTarget);
    w.endGracePeriod();
    expect(w.nexthops.has(oldId)).toBe(false);
    // now the id is free for the next one
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.32/27', via('198.51.100.9')) });
    expect(targetOf('203.0.113.32/27')).toBe(oldTarget);
  });

  it('a batch of events writes its routes in one batch, each prefix as the last event left it, and lets go of old next hops after', async () => {
    const via = (gateway: string): KernelRoute['nexthops'] => [{ ifindex: 3, gateway, weight: 1 }];
    const batches: string[][] = [];
    const setRoutes = w.setRoutes.bind(w);
    w.setRoutes = async (rs) => {
      batches.push(rs.prefixes());
      await setRoutes(rs);
    };
    const deleteRoutes = w.deleteRoutes.bind(w);
    const deleted: string[][] = [];
    w.deleteRoutes = async (ps) => {
      deleted.push(ps.prefixes());
      return deleteRoutes(ps);
    };
    const applied: string[][] = [];
    r.onRoutesApplied((keys) => applied.push([...keys].sort()));
    const nexthopsBefore = w.nexthops.size;
    // a burst: more routes than are written one by one
    const hosts = Array.from({ length: 40 }, (_, i) => `192.0.2.${100 + i}/32`);
    await r.applyEvents([
      { kind: 'route', op: 'add', replace: false, route: route('203.0.113.128/25', via('198.51.100.7')) },
      { kind: 'route', op: 'add', replace: true, route: route('203.0.113.128/25', via('198.51.100.8')) },
      { kind: 'route', op: 'add', replace: false, route: route('203.0.113.64/26', via('198.51.100.2')) },
      { kind: 'route', op: 'add', replace: false, route: route('203.0.113.32/27', via('198.51.100.9')) },
      { kind: 'route', op: 'del', replace: false, route: route('203.0.113.32/27', via('198.51.100.9')) },
      { kind: 'route', op: 'del', replace: false, route: route('198.51.100.128/25', []) },
      ...hosts.map((h) => ({ kind: 'route' as const, op: 'add' as const, replace: false, route: route(h, via('198.51.100.2')) })),
    ]);
    expect(batches).toEqual([['203.0.113.128/25', '203.0.113.64/26', ...hosts]]);
    expect(deleted).toEqual([['198.51.100.128/25']]);
    expect(w.resolve('203.0.113.128/25')).toBe('3/198.51.100.8');
    expect(w.resolve('203.0.113.64/26')).toBe('3/198.51.100.2');
    expect(w.resolve('203.0.113.32/27')).toBe('none');
    expect(w.resolve('198.51.100.128/25')).toBe('none');
    // 198.51.100.7 and .9 were never written: only .8 is new
    expect(w.nexthops.size).toBe(nexthopsBefore + 1);
    expect(applied).toEqual([['4|198.51.100.128/25', ...hosts.map((h) => `4|${h}`), '4|203.0.113.128/25', '4|203.0.113.32/27', '4|203.0.113.64/26'].sort()]);
    // a few changes are written as they come, no batch
    await r.applyEvents([{ kind: 'route', op: 'add', replace: false, route: route('203.0.113.16/28', via('198.51.100.2')) }]);
    expect(batches).toHaveLength(1);
    expect(w.resolve('203.0.113.16/28')).toBe('3/198.51.100.2');
  });

  it('a replace moves the route; an unchanged event writes nothing', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: true, route: route('203.0.113.0/24', [{ ifindex: 2, gateway: '192.0.2.2', weight: 1 }]) });
    expect(w.resolve('203.0.113.0/24')).toBe('2/192.0.2.2');
    const writes = w.writes;
    r.applyEvent({ kind: 'route', op: 'add', replace: true, route: route('203.0.113.0/24', [{ ifindex: 2, gateway: '192.0.2.2', weight: 1 }]) });
    expect(w.writes).toBe(writes);
  });

  it('IPv6 multipath grows by APPEND and shrinks by deleting one next hop', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('2001:db8:cafe::/48', [{ ifindex: 3, gateway: '2001:db8:b::3', weight: 1 }]) });
    expect(w.resolve('2001:db8:cafe::/48')).toBe('2/2001:db8:a::2*1 3/2001:db8:b::2*3 3/2001:db8:b::3*1');
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: route('2001:db8:cafe::/48', [{ ifindex: 2, gateway: '2001:db8:a::2', weight: 1 }]) });
    expect(w.resolve('2001:db8:cafe::/48')).toBe('3/2001:db8:b::2*3 3/2001:db8:b::3*1');
  });

  it('the lowest metric wins; its removal brings the next one back', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.0/24', [{ ifindex: 2, gateway: '192.0.2.2', weight: 1 }], { metric: 10 }) });
    expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: route('203.0.113.0/24', [], { metric: 0 }) });
    expect(w.resolve('203.0.113.0/24')).toBe('2/192.0.2.2');
  });

  it('a source-specific route leaves its whole prefix to the kernel while it exists, whatever the plain route does', () => {
    const plainHops = [{ ifindex: 2, gateway: '2001:db8:a::2', weight: 1 }, { ifindex: 3, gateway: '2001:db8:b::2', weight: 3 }];
    const fromRoute = route('2001:db8:cafe::/48', [{ ifindex: 3, gateway: '2001:db8:b::3', weight: 1 }], { source: '2001:db8:5::/48', kernelOnly: 'source prefix 2001:db8:5::/48' });
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: fromRoute });
    expect(w.resolve('2001:db8:cafe::/48')).toBe('kernel');
    // replacing the plain route of the same (table, prefix, metric) leaves the source-specific one in place
    r.applyEvent({ kind: 'route', op: 'add', replace: true, route: route('2001:db8:cafe::/48', [plainHops[0]!]) });
    expect(w.resolve('2001:db8:cafe::/48')).toBe('kernel');
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: fromRoute });
    expect(w.resolve('2001:db8:cafe::/48')).toBe('2/2001:db8:a::2');
  });

  it('a route it cannot model is the kernel\'s, also with no route of its own under it', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('203.0.113.128/25', [], { kernelOnly: 'route attribute 22' }) });
    expect(w.resolve('203.0.113.128/25')).toBe('kernel');
  });

  it('carrier loss: the interface goes down in the map, its routes go to the kernel, its neighbours leave', () => {
    r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2', { carrier: false }) });
    expect(w.ifaces.get(3)?.up).toBe(false);
    expect(w.resolve('203.0.113.0/24')).toBe('kernel');
    expect(w.resolve('2001:db8:cafe::/48')).toBe('2/2001:db8:a::2'); // one member left: a plain next hop
    expect(w.neighbours.has('3|198.51.100.2')).toBe(false);
    r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2') });
    expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
    expect(w.neighbours.has('3|198.51.100.2')).toBe(true);
  });

  it('admin down purges IPv4 routes through the link, as the kernel does without telling', () => {
    r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2', { adminUp: false, carrier: false }) });
    expect(w.resolve('203.0.113.0/24')).toBe('none');
    expect(w.resolve('198.51.100.0/24')).toBe('none');
  });

  it('removing the last IPv4 address of a link purges its IPv4 routes', () => {
    r.applyEvent({ kind: 'address', op: 'del', address: { ifindex: 3, family: 4, address: '198.51.100.1', prefixLength: 24 } });
    expect(w.resolve('203.0.113.0/24')).toBe('none');
    expect(w.locals.has('198.51.100.1')).toBe(false);
    expect(w.resolve('2001:db8:cafe::/48')).not.toBe('none');
  });

  it('a STALE neighbour is written stale (the program marks its use), and rewritten when the kernel moves on', () => {
    expect(w.neighbours.get('2|192.0.2.2')).toEqual({ mac: '02:00:00:00:aa:02', valid: true, stale: true });
    expect([...r.stale()]).toEqual([{ ifindex: 2, address: '192.0.2.2' }]);
    r.applyEvent({ kind: 'neighbour', op: 'add', neighbour: { ifindex: 2, family: 4, address: '192.0.2.2', mac: '02:00:00:00:aa:02', state: NUD.DELAY } });
    expect(w.neighbours.get('2|192.0.2.2')).toEqual({ mac: '02:00:00:00:aa:02', valid: true, stale: false });
    expect([...r.stale()]).toEqual([]);
    r.applyEvent({ kind: 'neighbour', op: 'add', neighbour: { ifindex: 3, family: 4, address: '198.51.100.2', mac: '02:00:00:00:bb:02', state: NUD.STALE } });
    expect([...r.stale()]).toEqual([{ ifindex: 3, address: '198.51.100.2' }]);
    r.applyEvent({ kind: 'neighbour', op: 'del', neighbour: { ifindex: 3, family: 4, address: '198.51.100.2', mac: null, state: 0 } });
    expect([...r.stale()]).toEqual([]);
  });

  describe('fib_multipath_use_neigh', () => {
    const mp = route('203.0.113.128/25', [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }, { ifindex: 2, gateway: '192.0.2.2', weight: 2 }]);
    const gw1 = (state: number) => ({ kind: 'neighbour' as const, op: 'add' as const, neighbour: { ifindex: 3, family: 4 as const, address: '198.51.100.2', mac: '02:00:00:00:bb:02', state } });
    const both = '3/198.51.100.2*1 2/192.0.2.2*2';

    it('on: a member whose gateway FAILED gives its flows to the next good member, the others keep theirs; back when it resolves', async () => {
      const w2 = new RecordingWriter();
      const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'], multipathUseNeigh: true });
      await r2.fullSync(snapshot());
      r2.applyEvent({ kind: 'route', op: 'add', replace: false, route: mp });
      expect(w2.resolve('203.0.113.128/25')).toBe(both);
      r2.applyEvent(gw1(NUD.FAILED));
      expect(w2.resolve('203.0.113.128/25')).toBe('2/192.0.2.2*1 2/192.0.2.2*2');
      r2.applyEvent(gw1(NUD.INCOMPLETE));
      expect(w2.resolve('203.0.113.128/25')).toBe('2/192.0.2.2*1 2/192.0.2.2*2');
      r2.applyEvent(gw1(NUD.REACHABLE));
      expect(w2.resolve('203.0.113.128/25')).toBe(both);
      // the last member's flows wrap to the first good one
      r2.applyEvent({ kind: 'neighbour', op: 'add', neighbour: { ifindex: 2, family: 4, address: '192.0.2.2', mac: null, state: NUD.FAILED } });
      expect(w2.resolve('203.0.113.128/25')).toBe('3/198.51.100.2*1 3/198.51.100.2*2');
      // no good member: as the kernel, the group stays (the fast path passes up for the neighbour)
      r2.applyEvent(gw1(NUD.FAILED));
      expect(w2.resolve('203.0.113.128/25')).toBe(both);
    });

    it('on, IPv6: the kernel does not skip members on a forwarding host, nor does the fast path', async () => {
      const w2 = new RecordingWriter();
      const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'], multipathUseNeigh: true });
      await r2.fullSync(snapshot());
      r2.applyEvent({ kind: 'neighbour', op: 'add', neighbour: { ifindex: 2, family: 6, address: '2001:db8:a::2', mac: null, state: NUD.FAILED } });
      expect(w2.resolve('2001:db8:cafe::/48')).toBe('2/2001:db8:a::2*1 3/2001:db8:b::2*3');
    });

    it('off (the kernel default): a FAILED gateway keeps its flows, which the fast path passes up', () => {
      r.applyEvent({ kind: 'route', op: 'add', replace: false, route: mp });
      r.applyEvent(gw1(NUD.FAILED));
      expect(w.resolve('203.0.113.128/25')).toBe(both);
    });
  });

  it('a neighbour that fails is kept but marked not valid; one deleted leaves', () => {
    r.applyEvent({ kind: 'neighbour', op: 'add', neighbour: { ifindex: 3, family: 4, address: '198.51.100.2', mac: '02:00:00:00:bb:02', state: NUD.FAILED } });
    expect(w.neighbours.get('3|198.51.100.2')).toEqual({ mac: '02:00:00:00:bb:02', valid: false, stale: false });
    r.applyEvent({ kind: 'neighbour', op: 'del', neighbour: { ifindex: 3, family: 4, address: '198.51.100.2', mac: null, state: 0 } });
    expect(w.neighbours.has('3|198.51.100.2')).toBe(false);
  });

  it('lets a prefix slot go when neither the kernel nor the maps hold its prefix, through events, rules and a resync', async () => {
    const prefixes = r.state.routes.prefixes;
    const before = prefixes.size;
    const added = Array.from({ length: 500 }, (_, i) => route(`10.${i >> 8}.${i & 255}.0/24`, [{ ifindex: 3, gateway: '198.51.100.2', weight: 1 }]));
    await r.applyEvents(added.map((a) => ({ kind: 'route', op: 'add', replace: false, route: a })));
    expect(w.resolve('10.1.243.0/24')).toBe('3/198.51.100.2');
    r.applyEvent({ kind: 'rule', op: 'add', rule: rule({ family: 4, priority: 100, to: '10.0.0.0/8' }) });
    expect(w.resolve('10.0.0.0/8')).toBe('policy');
    expect(prefixes.size).toBe(before + 501);
    await r.applyEvents(added.map((a) => ({ kind: 'route', op: 'del', replace: false, route: a })));
    // inside the rule's destination, a prefix the kernel let go of stays a policy entry, until the rule goes
    expect(w.resolve('10.1.243.0/24')).toBe('policy');
    expect(prefixes.size).toBe(before + 501);
    r.applyEvent({ kind: 'rule', op: 'del', rule: rule({ family: 4, priority: 100, to: '10.0.0.0/8' }) });
    expect(w.resolve('10.0.0.0/8')).toBe('none');
    expect(w.resolve('10.1.243.0/24')).toBe('none');
    expect(prefixes.size).toBe(before);
    // a resync of a dump without one route: its slot goes, the others stay where they were
    const slot = r.state.routes.slotOf('4|203.0.113.0/24');
    const snap = snapshot();
    snap.routes.splice(snap.routes.findIndex((x) => x.prefix === '192.0.2.0/24'), 1);
    await r.fullSync(snap);
    expect(w.resolve('192.0.2.0/24')).toBe('none');
    expect(r.state.routes.slotOf('4|203.0.113.0/24')).toBe(slot);
    expect(prefixes.size).toBe(before - 1);
    expect(r.routeCount).toBe(snap.routes.length);
  });

  it('a full sync from an adopted state overwrites what changed and removes what is gone', async () => {
    const w2 = new RecordingWriter();
    w2.routes.set('10.99.0.0/16', { type: 'blackhole' });
    w2.nexthops.set(7, { ifindex: 9 });
    const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'] });
    await r2.fullSync(snapshot(), { routes: ['10.99.0.0/16'], nexthops: [7], groups: [], neighbours: [], interfaces: [], locals: [] });
    expect(w2.resolve('10.99.0.0/16')).toBe('none');
    // the adopted id was kept out of use while the sync ran, then removed; new ids start low again
    expect(w2.nexthops.has(7)).toBe(false);
    expect(Math.min(...w2.nexthops.keys())).toBe(1);
    expect(w2.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
  });

  describe('policy rules: what a rule could select goes to the kernel', () => {
    const passes = (ifindex: number): InterfaceSpec['passes'] => w.ifaces.get(ifindex)?.passes;
    const ruleEvent = (op: 'add' | 'del', extra: Parameters<typeof rule>[0]): void => r.applyEvent({ kind: 'rule', op, rule: rule(extra) });

    it('with only the default rules, nothing changes', () => {
      expect(passes(2)).toBeUndefined();
      expect(passes(3)).toBeUndefined();
      expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
    });

    it('a rule with `to`: its prefix and every longer one in it become policy entries; deleted, the routes come back', () => {
      const sel = { family: 4 as const, priority: 100, from: '192.0.2.0/24', to: '203.0.113.0/25' };
      ruleEvent('add', sel);
      // the route's own /24 is wider than the rule: only the rule's /25 and the /26 inside it go up
      expect(w.resolve('203.0.113.0/25')).toBe('policy');
      expect(w.resolve('203.0.113.64/26')).toBe('policy');
      expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
      expect(passes(2)).toBeUndefined();
      ruleEvent('del', sel);
      expect(w.resolve('203.0.113.0/25')).toBe('none');
      expect(w.resolve('203.0.113.64/26')).toBe('kernel');
    });

    it('an IPv6 rule with `to` covers the IPv6 prefix only', () => {
      ruleEvent('add', { family: 6, priority: 100, to: '2001:db8::/32' });
      expect(w.resolve('2001:db8::/32')).toBe('policy');
      expect(w.resolve('2001:db8:cafe::/48')).toBe('policy');
      expect(w.resolve('203.0.113.0/24')).toBe('3/198.51.100.2');
    });

    it('a rule limited to an iif passes that interface\'s traffic, not the others\'', () => {
      ruleEvent('add', { family: 4, priority: 100, iif: 'eth1', from: '192.0.2.0/24' });
      expect(passes(2)).toEqual({ policyIn: true });
      expect(passes(3)).toBeUndefined();
      ruleEvent('del', { family: 4, priority: 100, iif: 'eth1', from: '192.0.2.0/24' });
      expect(passes(2)).toBeUndefined();
    });

    it.each([
      ['fwmark', { other: ['fwmark'] }],
      ['a source prefix without iif', { from: '192.0.2.0/24' }],
      ['an inverted destination', { to: '10.0.0.0/8', invert: true }],
      ['l3mdev (a VRF)', { other: ['l3mdev'] }],
      ['another table for every packet', {}],
    ])('a rule on %s passes everything, on every interface', (_what, extra) => {
      ruleEvent('add', { family: 4, priority: 100, ...extra });
      expect(passes(2)).toEqual({ policyIn: true });
      expect(passes(3)).toEqual({ policyIn: true });
    });

    it('no main rule: the kernel no longer reads the table the fast path holds, so everything goes up', async () => {
      const w2 = new RecordingWriter();
      const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'] });
      await r2.fullSync({ ...snapshot(), rules: DEFAULT_RULES.filter((x) => !(x.family === 6 && x.priority === 32766)) });
      expect(w2.ifaces.get(2)?.passes).toEqual({ policyIn: true });
      expect(r2.desired.policy.all).toMatch(/no rule 32766 lookup main for IPv6/);
    });

    it('a full sync takes the rules from the snapshot', async () => {
      const w2 = new RecordingWriter();
      const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'] });
      await r2.fullSync({ ...snapshot(), rules: [...DEFAULT_RULES, rule({ family: 4, priority: 10, to: '198.51.100.0/24' })] });
      expect(w2.resolve('198.51.100.0/24')).toBe('policy');
      expect(w2.resolve('198.51.100.128/25')).toBe('policy');
      expect(w2.resolve('192.0.2.0/24')).toBe('2/onlink');
    });
  });

  describe('VRFs: an enslaved interface is answered by its VRF\'s table, never by main', () => {
    it('an attached interface enslaved to a vrf passes everything, both ways; released, it forwards again', () => {
      r.applyEvent({ kind: 'link', op: 'add', link: link(7, 'blue', { kind: 'vrf', mac: null }) });
      r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2', { master: 7 }) });
      expect(w.ifaces.get(3)?.passes).toEqual({ vrf: true });
      expect(w.ifaces.get(2)?.passes).toBeUndefined();
      r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2') });
      expect(w.ifaces.get(3)?.passes).toBeUndefined();
    });

    it('a master that is a bridge or bond is not a VRF', () => {
      r.applyEvent({ kind: 'link', op: 'add', link: link(8, 'br0', { kind: 'bridge' }) });
      r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2', { master: 8 }) });
      expect(w.ifaces.get(3)?.passes).toBeUndefined();
    });

    it('a VRF present in the snapshot is seen at the full sync', async () => {
      const w2 = new RecordingWriter();
      const r2 = new Reconciler(w2, { tables: [254], interfaces: ['eth1', 'eth2'] });
      const snap = snapshot();
      snap.links = [...snap.links.filter((l) => l.ifindex !== 2), link(2, 'eth1', { master: 9 }), link(9, 'red', { kind: 'vrf', mac: null })];
      await r2.fullSync(snap);
      expect(w2.ifaces.get(2)?.passes).toEqual({ vrf: true });
      expect(w2.ifaces.get(3)?.passes).toBeUndefined();
    });
  });

  describe('netfilter: the interfaces its rules name, or all', () => {
    it('ingress and egress names set their flags; a scope without names passes every interface', () => {
      r.setNetfilter({ ingress: new Set(['eth1']), egress: new Set(['eth2']), all: false });
      expect(w.ifaces.get(2)?.passes).toEqual({ netfilterIn: true });
      expect(w.ifaces.get(3)?.passes).toEqual({ netfilterOut: true });
      r.setNetfilter({ ingress: new Set(), egress: new Set(), all: true });
      expect(w.ifaces.get(2)?.passes).toEqual({ netfilterIn: true });
      expect(w.ifaces.get(3)?.passes).toEqual({ netfilterIn: true });
      r.setNetfilter({ ingress: new Set(), egress: new Set(), all: false });
      expect(w.ifaces.get(3)?.passes).toBeUndefined();
    });
  });
});

describe('reconciler: routes through next-hop objects', () => {
  let w: RecordingWriter;
  let r: Reconciler;
  const viaObject = (prefix: string, nhid: number): KernelRoute => route(prefix, [], { nhid });
  const single = (id: number, ifindex: number, gateway: string): NexthopObject => ({ id, kind: 'single', ifindex, gateway });
  beforeEach(async () => {
    w = new RecordingWriter();
    r = new Reconciler(w, { tables: [254], interfaces: ['eth1', 'eth2'] });
    const snap = snapshot();
    snap.nexthopObjects = [
      single(1, 2, '192.0.2.2'),
      single(2, 3, '198.51.100.2'),
      { id: 10, kind: 'group', members: [{ id: 1, weight: 1 }, { id: 2, weight: 3 }], resilient: false },
      { id: 20, kind: 'blackhole' },
      { id: 30, kind: 'group', members: [{ id: 1, weight: 1 }, { id: 2, weight: 1 }], resilient: true },
    ];
    snap.routes.push(
      viaObject('203.0.113.128/26', 10),
      viaObject('203.0.113.192/26', 2),
      viaObject('192.0.2.128/26', 20),
      viaObject('192.0.2.192/26', 30),
      // made after the dump: its object's event is still to come
      viaObject('198.51.100.64/26', 40),
    );
    await r.fullSync(snap);
  });

  it('resolves each route through its object: group, single, blackhole; resilient and unknown ones to the kernel', () => {
    expect(w.resolve('203.0.113.128/26')).toBe('2/192.0.2.2*1 3/198.51.100.2*3');
    expect(w.resolve('203.0.113.192/26')).toBe('3/198.51.100.2');
    expect(w.resolve('192.0.2.128/26')).toBe('blackhole');
    expect(w.resolve('192.0.2.192/26')).toBe('kernel');
    expect(w.resolve('198.51.100.64/26')).toBe('kernel');
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: single(40, 2, '192.0.2.3') });
    expect(w.resolve('198.51.100.64/26')).toBe('2/192.0.2.3');
  });

  it('a route through an object with what the model cannot carry (its own MTU) stays the kernel\'s as its object changes', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: route('198.51.100.128/26', [], { nhid: 1, kernelOnly: 'MTU of its own' }) });
    expect(w.resolve('198.51.100.128/26')).toBe('kernel');
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: single(1, 2, '192.0.2.3') });
    expect(w.resolve('198.51.100.128/26')).toBe('kernel');
  });

  it('a replaced object moves the routes through it and through its groups, with no route event', () => {
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: single(2, 3, '198.51.100.3') });
    expect(w.resolve('203.0.113.192/26')).toBe('3/198.51.100.3');
    expect(w.resolve('203.0.113.128/26')).toBe('2/192.0.2.2*1 3/198.51.100.3*3');
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: { id: 10, kind: 'group', members: [{ id: 2, weight: 1 }], resilient: false } });
    expect(w.resolve('203.0.113.128/26')).toBe('3/198.51.100.3');
    // an FDB object in its place: the kernel's to forward
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: { id: 2, kind: 'unmodelled', why: 'an FDB next hop' } });
    expect(w.resolve('203.0.113.192/26')).toBe('kernel');
  });

  it('a deleted object leaves its groups and takes the routes through it; a group emptied goes too', () => {
    r.applyEvent({ kind: 'nexthop', op: 'del', nexthop: single(2, 3, '198.51.100.2') });
    expect(w.resolve('203.0.113.192/26')).toBe('none');
    expect(w.resolve('203.0.113.128/26')).toBe('2/192.0.2.2');
    r.applyEvent({ kind: 'nexthop', op: 'del', nexthop: single(1, 2, '192.0.2.2') });
    expect(w.resolve('203.0.113.128/26')).toBe('none');
    expect(w.resolve('192.0.2.192/26')).toBe('none');
    expect(w.resolve('192.0.2.128/26')).toBe('blackhole');
  });

  it('carrier loss flushes the objects on the link, as the kernel does without telling; they stay gone', () => {
    r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2', { carrier: false }) });
    expect(w.resolve('203.0.113.192/26')).toBe('none');
    expect(w.resolve('203.0.113.128/26')).toBe('2/192.0.2.2');
    r.applyEvent({ kind: 'link', op: 'add', link: link(3, 'eth2') });
    expect(w.resolve('203.0.113.192/26')).toBe('none');
    expect(w.resolve('203.0.113.128/26')).toBe('2/192.0.2.2');
  });

  it('routes through objects outlive the last IPv4 address of their link', () => {
    r.applyEvent({ kind: 'address', op: 'del', address: { ifindex: 3, family: 4, address: '198.51.100.1', prefixLength: 24 } });
    expect(w.resolve('203.0.113.0/24')).toBe('none');
    expect(w.resolve('203.0.113.192/26')).toBe('3/198.51.100.2');
  });

  it('a route event through an object resolves it; its delete removes it whatever the object became', () => {
    r.applyEvent({ kind: 'route', op: 'add', replace: false, route: viaObject('198.51.100.128/26', 1) });
    expect(w.resolve('198.51.100.128/26')).toBe('2/192.0.2.2');
    r.applyEvent({ kind: 'nexthop', op: 'add', nexthop: single(1, 3, '198.51.100.2') });
    r.applyEvent({ kind: 'route', op: 'del', replace: false, route: viaObject('198.51.100.128/26', 1) });
    expect(w.resolve('198.51.100.128/26')).toBe('none');
  });
});
