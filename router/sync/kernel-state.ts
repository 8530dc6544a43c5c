// The sync's copy of the kernel's tables, kept by applying snapshots and
// events. It also applies what the kernel does without telling: IPv4
// routes through a link that went down, or lost its last IPv4 address,
// vanish with no RTM_DELROUTE; a route through a next-hop object changes
// with the object, and goes with it, with no route event.
import type { KernelAddress, KernelEvent, KernelLink, KernelNeighbour, KernelRoute, KernelRule, KernelSnapshot } from './model.js';
import { ChangedSlots } from './changed-slots.js';
import { loadDump } from './dump-loader.js';
import { NexthopObjects, type NexthopChange } from './nexthop-objects.js';
import { PackedRoutes } from './packed-routes.js';
import { PrefixTable } from './prefix-table.js';
import { RouteSlots, qualifiesForEcmp, routeBase, routeId } from './route-slots.js';
import { DumpedRoutes } from './rtnl-decode.js';

export const routeFamilyKey = (r: Pick<KernelRoute, 'family' | 'prefix'>): string => `${r.family}|${r.prefix}`;
const addressKey = (a: KernelAddress): string => `${a.ifindex}|${a.address}`;
export const neighbourKey = (n: Pick<KernelNeighbour, 'ifindex' | 'address'>): string => `${n.ifindex}|${n.address}`;
/** The kernel tells rules apart by every field: so does this. */
const ruleKey = (r: KernelRule): string => JSON.stringify([r.family, r.priority, r.action, r.table, r.from, r.to, r.iif, r.oif, r.invert, r.other]);

/** What an event changed, so the reconciler redoes only that. */
export interface Change {
  links: Set<number>;
  /** by slot of the state's prefix table, held until released */
  prefixes: ChangedSlots;
  neighbours: Set<string>;
  addresses: Set<string>;
  /** the policy rules changed */
  rules: boolean;
}

/** A route the columns hold: nothing beyond their fields. */
const isPlain = (r: KernelRoute): boolean => r.source === undefined && r.kernelOnly === undefined && r.nhid === undefined;
/** The slot's route in columns has r's table, metric and tos: one of the two takes the other's place. */
const sameBase = (routes: PackedRoutes, slot: number, r: KernelRoute): boolean =>
  routes.columnTable(slot) === r.table && routes.columnMetric(slot) === r.metric && routes.columnTos(slot) === r.tos;
const NO_ROUTES = new RouteSlots();

export const emptyChange = (prefixes: PrefixTable): Change => ({ links: new Set(), prefixes: new ChangedSlots(prefixes), neighbours: new Set(), addresses: new Set(), rules: false });

export class KernelState {
  readonly links = new Map<number, KernelLink>();
  readonly addresses = new Map<string, KernelAddress>();
  /** family|prefix -> route id -> route, packed (packed-routes.ts) */
  readonly routes = new PackedRoutes(new PrefixTable());
  readonly neighbours = new Map<string, KernelNeighbour>();
  readonly rules = new Map<string, KernelRule>();
  /**
   * Bumped with every change of a link or a neighbour, and with each load:
   * what is derived from next hops alone (desired.ts) holds while it stays.
   */
  generation = 0;
  private readonly nexthopObjects = new NexthopObjects();
  /**
   * The prefixes with a route through each object, to resolve again when it
   * changes. It may name a prefix that no longer does: such an entry goes
   * at the next change of the object.
   */
  private readonly prefixesByNhid = new Map<number, Set<string>>();
  constructor(private readonly tables: number[]) {}

  load(snap: KernelSnapshot): void {
    this.generation++;
    this.links.clear();
    this.addresses.clear();
    this.neighbours.clear();
    this.rules.clear();
    this.prefixesByNhid.clear();
    this.nexthopObjects.load(snap.nexthopObjects ?? []);
    for (const l of snap.links) this.links.set(l.ifindex, l);
    for (const a of snap.addresses) this.addresses.set(addressKey(a), a);
    // a dump lists every route whole, each once: no REPLACE or APPEND to play; streamed over the routes held (mark and sweep)
    this.routes.beginLoad();
    const resolved = (r: KernelRoute): KernelRoute => this.resolved(r);
    // the kernel's own bytes decode straight into the columns
    if (snap.routes instanceof DumpedRoutes) {
      loadDump(this.routes, snap.routes, resolved);
      snap.routes.loaded();
    } else for (const r of snap.routes) this.routes.listed(this.routes.slotFor(r), resolved(r));
    this.routes.sweep();
    for (const n of snap.neighbours) this.neighbours.set(neighbourKey(n), n);
    for (const r of snap.rules) this.rules.set(ruleKey(r), r);
  }

  /** The event into the state; what it changed is added to `change` (a new one by default), which is returned. */
  apply(e: KernelEvent, change: Change = emptyChange(this.routes.prefixes)): Change {
    switch (e.kind) {
      case 'link':
        this.generation++;
        this.applyLink(e.op, e.link, change);
        break;
      case 'address':
        this.applyAddress(e.op, e.address, change);
        break;
      case 'route':
        if (!this.tables.includes(e.route.table)) break;
        if (e.op === 'add') this.putRoute(e.route, e.replace, change);
        else this.removeRoute(e.route, change);
        break;
      case 'nexthop':
        if (e.op === 'add') this.resolveAgain(this.nexthopObjects.put(e.nexthop), change);
        else this.resolveAgain(this.nexthopObjects.remove(e.nexthop.id), change);
        break;
      case 'neighbour':
        this.generation++;
        if (e.op === 'add') this.neighbours.set(neighbourKey(e.neighbour), e.neighbour);
        else this.neighbours.delete(neighbourKey(e.neighbour));
        change.neighbours.add(neighbourKey(e.neighbour));
        break;
      case 'rule':
        if (e.op === 'add') this.rules.set(ruleKey(e.rule), e.rule);
        else this.rules.delete(ruleKey(e.rule));
        change.rules = true;
        break;
    }
    return change;
  }

  /** Some route of "family|prefix" is one the fast path cannot carry (KernelRoute.kernelOnly). */
  hasKernelOnly(familyPrefix: string): boolean {
    const slot = this.routes.slotOf(familyPrefix);
    return slot >= 0 && this.hasKernelOnlyAt(slot);
  }

  hasKernelOnlyAt(slot: number): boolean {
    for (const r of this.routes.overflowAt(slot)?.values() ?? []) if (r.kernelOnly !== undefined) return true;
    return false;
  }

  /** The route the kernel uses for a prefix: first configured table, then lowest metric. */
  bestRoute(familyPrefix: string): KernelRoute | undefined {
    const slot = this.routes.slotOf(familyPrefix);
    return slot < 0 ? undefined : this.bestRouteAt(slot);
  }

  bestRouteAt(slot: number): KernelRoute | undefined {
    const several = this.routes.overflowAt(slot);
    if (!several) return this.routes.plainRoute(slot);
    let best: KernelRoute | undefined;
    let bestId = '';
    for (const [id, r] of several) {
      const rank = best ? this.tables.indexOf(r.table) - this.tables.indexOf(best.table) || r.metric - best.metric : -1;
      // equal device routes on several links (fe80::/64): any fixed choice, the same from events as from a dump
      if (rank < 0 || (rank === 0 && id < bestId)) {
        best = r;
        bestId = id;
      }
    }
    return best;
  }

  private putRoute(r: KernelRoute, replace: boolean, change: Change): void {
    const slot = this.routes.slotFor(r);
    change.prefixes.add(slot);
    if (this.putPlain(slot, r, replace)) return;
    const byId = this.routes.routesAt(slot);
    if (replace) {
      // REPLACE takes the place of whatever the kernel had on (table, prefix, metric)
      const base = routeBase(r);
      for (const id of [...byId.keys()]) if (id === base || id.startsWith(`${base}|`)) byId.delete(id);
    }
    const existing = byId.get(routeId(r));
    // IPv6 multipath grows by APPEND: one next hop more on the same (table, prefix, metric)
    if (existing && !replace && r.family === 6 && r.nhid === undefined && qualifiesForEcmp(existing) && qualifiesForEcmp(r)) {
      const have = new Set(existing.nexthops.map((n) => `${n.ifindex}|${n.gateway ?? ''}`));
      const added = r.nexthops.filter((n) => !have.has(`${n.ifindex}|${n.gateway ?? ''}`));
      byId.set(routeId(r), { ...existing, nexthops: [...existing.nexthops, ...added] });
    } else {
      byId.set(routeId(r), this.resolved(r));
    }
    this.routes.store(slot, byId);
  }

  /**
   * The common event, a plain route (the columns can hold it) onto a slot
   * with none, or with one plain route the kernel replaces by it (IPv4: the
   * same table, metric and tos; IPv6: the same, by REPLACE): in the columns,
   * with no route of the slot made. False, and nothing done, otherwise.
   */
  private putPlain(slot: number, r: KernelRoute, replace: boolean): boolean {
    if (!isPlain(r)) return false;
    const routes = this.routes;
    if (routes.columnType(slot) === undefined ? routes.hasRoutes(slot) : !(sameBase(routes, slot, r) && (replace || r.family === 4))) return false;
    routes.storePlain(slot, r);
    return true;
  }

  /**
   * The common delete: the slot's one plain route, named by its table,
   * metric and tos (IPv6: and its type and its one next hop, or none on
   * either side). False, and nothing done, otherwise.
   */
  private removePlain(slot: number, r: KernelRoute, change: Change): boolean {
    const routes = this.routes;
    if (!isPlain(r) || routes.columnType(slot) === undefined || !sameBase(routes, slot, r)) return false;
    // IPv6 names a route by its next hops too (routeId): the same type and the same one next hop, or none on either side
    if (r.family === 6) {
      const hops = routes.columnHops(slot);
      if (routes.columnType(slot) !== r.type || hops.length !== r.nexthops.length || hops.length > 1) return false;
      if (hops.length === 1 && (hops[0]!.ifindex !== r.nexthops[0]!.ifindex || hops[0]!.gateway !== r.nexthops[0]!.gateway)) return false;
    }
    change.prefixes.add(slot);
    routes.store(slot, NO_ROUTES);
    return true;
  }

  /** A route through a next-hop object as the object has it now, and noted as using it. */
  private resolved(r: KernelRoute): KernelRoute {
    if (r.nhid === undefined) return r;
    const key = routeFamilyKey(r);
    let prefixes = this.prefixesByNhid.get(r.nhid);
    if (!prefixes) this.prefixesByNhid.set(r.nhid, (prefixes = new Set()));
    prefixes.add(key);
    return { ...r, ...this.nexthopObjects.resolve(r.nhid) };
  }

  /** The routes through objects that changed take their new next hops; through removed ones, the kernel removed them. */
  private resolveAgain(objects: NexthopChange, change: Change): void {
    for (const nhid of [...objects.changed, ...objects.removed]) {
      const prefixes = this.prefixesByNhid.get(nhid);
      if (!prefixes) continue;
      const removed = objects.removed.has(nhid);
      for (const key of prefixes) {
        const slot = this.routes.slotOf(key);
        const byId = slot < 0 ? undefined : this.routes.routesAt(slot);
        let uses = false;
        for (const [id, r] of byId ?? []) {
          if (r.nhid !== nhid) continue;
          if (removed) byId!.delete(id);
          else byId!.set(id, { ...r, ...this.nexthopObjects.resolve(nhid) });
          uses = true;
        }
        // in the change before the store, which may let go of the slot
        if (uses) change.prefixes.add(slot);
        else prefixes.delete(key);
        if (byId && uses) this.routes.store(slot, byId);
      }
      if (removed || prefixes.size === 0) this.prefixesByNhid.delete(nhid);
    }
  }

  private removeRoute(r: KernelRoute, change: Change): void {
    const slot = this.routes.slotOfPrefix(r.family, r.prefix);
    if (slot < 0 || this.removePlain(slot, r, change)) return;
    const byId = this.routes.routesAt(slot);
    const existing = byId.get(routeId(r));
    if (!existing) return;
    // an IPv6 delete may take out single next hops of a multipath route
    const gone = new Set(r.nexthops.map((n) => `${n.ifindex}|${n.gateway ?? ''}`));
    const left = existing.nexthops.filter((n) => !gone.has(`${n.ifindex}|${n.gateway ?? ''}`));
    if (r.family === 6 && r.nexthops.length > 0 && left.length > 0) byId.set(routeId(r), { ...existing, nexthops: left });
    else byId.delete(routeId(r));
    // in the change before the store, which may let go of the slot
    change.prefixes.add(slot);
    this.routes.store(slot, byId);
  }

  private applyLink(op: 'add' | 'del', link: KernelLink, change: Change): void {
    const before = this.links.get(link.ifindex);
    change.links.add(link.ifindex);
    // down, without carrier or gone, the link takes its next-hop objects along
    if (op === 'del' || !link.adminUp || !link.carrier) this.resolveAgain(this.nexthopObjects.flushDevice(link.ifindex), change);
    if (op === 'del') {
      this.links.delete(link.ifindex);
      this.purgeRoutesVia(link.ifindex, [4, 6], change);
      for (const [k, n] of this.neighbours) {
        if (n.ifindex === link.ifindex) {
          this.neighbours.delete(k);
          change.neighbours.add(k);
        }
      }
      for (const [k, a] of this.addresses) {
        if (a.ifindex === link.ifindex) {
          this.addresses.delete(k);
          change.addresses.add(k);
        }
      }
      return;
    }
    this.links.set(link.ifindex, link);
    // admin down flushes the link's routes in the kernel, silently for IPv4
    if (before?.adminUp && !link.adminUp) this.purgeRoutesVia(link.ifindex, [4, 6], change);
    for (const [k, n] of this.neighbours) if (n.ifindex === link.ifindex) change.neighbours.add(k);
  }

  private applyAddress(op: 'add' | 'del', a: KernelAddress, change: Change): void {
    change.addresses.add(addressKey(a));
    if (op === 'add') {
      this.addresses.set(addressKey(a), a);
      return;
    }
    this.addresses.delete(addressKey(a));
    const v4Left = [...this.addresses.values()].some((x) => x.ifindex === a.ifindex && x.family === 4);
    // the last IPv4 address gone takes the link's IPv4 routes with it, unannounced
    if (a.family === 4 && !v4Left) this.purgeRoutesVia(a.ifindex, [4], change);
  }

  private purgeRoutesVia(ifindex: number, families: readonly number[], change: Change): void {
    // collected first: storing a slot's routes may free it while the walk goes on
    const slots = [...this.routes.slotsThrough((hops) => hops.some((n) => n.ifindex === ifindex), families)];
    for (const slot of slots) {
      const byId = this.routes.routesAt(slot);
      let changed = false;
      for (const [id, r] of byId) {
        // routes through objects follow their objects (flushDevice), and outlive the link's addresses
        if (r.nhid !== undefined || !r.nexthops.some((n) => n.ifindex === ifindex)) continue;
        // a multipath route loses the dead next hops; it goes when none is left
        const left = r.nexthops.filter((n) => n.ifindex !== ifindex);
        if (left.length > 0) byId.set(id, { ...r, nexthops: left });
        else byId.delete(id);
        changed = true;
      }
      if (!changed) continue;
      change.prefixes.add(slot);
      this.routes.store(slot, byId);
    }
  }
}
