// Keeps the fast path's maps equal to the kernel's tables: a full sync from
// a snapshot (start, resync), then one small reconcile per event. Only what
// changed is written; next hops and groups are shared and counted.
import type { FastPath, RouteTarget } from '../../dataplane/fastpath.js';
import { KernelState, emptyChange } from './kernel-state.js';
import type { Change } from './kernel-state.js';
import { DesiredState, signature } from './desired.js';
import type { DesiredOptions, DesiredRoute, NetfilterScope } from './desired.js';
import { prefixCovers } from './policy.js';
import type { KernelEvent, KernelNexthop, KernelSnapshot } from './model.js';
import { RefCountedIds } from './nexthop-ids.js';

/** Routes written per batch: bounds what a full sync holds at once on a full table. */
const FULL_SYNC_CHUNK = 65_536;
/** Events that change at most this many routes write them one by one, synchronously, rather than in a batch. */
const DIRECT_WRITES = 32;

/** What the reconciler writes through: the FastPath, or a recorder in unit tests. */
export type FastPathWriter = Pick<
  FastPath,
  | 'setInterface'
  | 'deleteInterface'
  | 'addLocalAddress'
  | 'deleteLocalAddress'
  | 'setNexthop'
  | 'setGroup'
  | 'nexthopIds'
  | 'groupIds'
  | 'setNeighbour'
  | 'deleteNeighbour'
  | 'setRoute'
  | 'setRoutes'
  | 'deleteRoute'
  | 'deleteRoutes'
>;

export interface ReconcilerOptions extends DesiredOptions {
  /** routing tables mirrored, in precedence order */
  tables: number[];
  /** names of the interfaces the program is attached to */
  interfaces: string[];
}

/** What the maps held when the daemon started (pinned by a previous run). */
export interface AdoptedEntries {
  routes: string[];
  nexthops: number[];
  groups: number[];
  neighbours: string[];
  interfaces: number[];
  locals: string[];
}

/**
 * Told, right after the maps were written, which routes ("family|prefix")
 * the fast path now holds as `state` says: the API answers a route change
 * once the fast path has it, and streams changes to watchers, from this.
 */
export type RoutesAppliedListener = (keys: ReadonlySet<string>) => void;

/** A neighbour entry of the maps, by its key. */
export interface NeighbourRef {
  ifindex: number;
  address: string;
}

interface AppliedRoute {
  readonly signature: string;
  readonly nexthopKeys: readonly string[];
  readonly groupKey?: string;
}

export class Reconciler {
  readonly state: KernelState;
  readonly desired: DesiredState;
  private readonly nexthopRefs: RefCountedIds;
  private readonly groupRefs: RefCountedIds;
  private readonly routes = new Map<string, AppliedRoute>();
  private readonly appliedBySignature = new Map<string, AppliedRoute>();
  private readonly ifaces = new Map<number, string>();
  private readonly locals = new Map<string, number>();
  private readonly neighbours = new Map<string, string>();
  private readonly staleNeighbours = new Map<string, NeighbourRef>();
  private readonly routeListeners = new Set<RoutesAppliedListener>();
  private writingFullSync = false;

  constructor(
    private readonly fp: FastPathWriter,
    options: ReconcilerOptions,
  ) {
    this.state = new KernelState(options.tables);
    this.desired = new DesiredState(this.state, options.interfaces, options);
    this.nexthopRefs = new RefCountedIds(fp.nexthopIds);
    this.groupRefs = new RefCountedIds(fp.groupIds);
  }

  /**
   * Replace everything from a snapshot. `adopted` is what the maps already
   * hold from a previous run: it is kept until overwritten (no forwarding
   * gap), new ids are numbered above its ids, and whatever the kernel no
   * longer has is removed at the end.
   */
  async fullSync(snapshot: KernelSnapshot, adopted?: AdoptedEntries): Promise<{ routes: number }> {
    // until the routes are told applied below (a failed sync leaves it set: a resync follows)
    this.writingFullSync = true;
    this.state.load(snapshot);
    this.desired.replanPolicy();
    this.appliedBySignature.clear();
    if (adopted) this.adopt(adopted);
    const all = emptyChange();
    for (const l of this.state.links.keys()) all.links.add(l);
    for (const [k] of this.ifaces) all.links.add(k);
    for (const k of this.state.neighbours.keys()) all.neighbours.add(k);
    for (const k of this.neighbours.keys()) all.neighbours.add(k);
    this.reconcileLinks(all);
    this.reconcileLocals();
    this.reconcileNeighbours(all.neighbours);

    await this.writeRoutes(this.desired.routeKeys());

    const stale: string[] = [];
    for (const key of this.routes.keys()) if (!this.desired.hasRouteKey(key)) stale.push(key);
    await this.fp.deleteRoutes(stale.map((k) => k.slice(2)));
    for (const key of stale) {
      this.release(this.routes.get(key));
      this.routes.delete(key);
    }
    // next hops and groups of the previous run, which no route uses any
    // more: their ids were kept out of use while the sync replaced them
    for (const id of adopted?.nexthops ?? []) this.fp.nexthopIds.release(id);
    for (const id of adopted?.groups ?? []) this.fp.groupIds.release(id);
    this.writingFullSync = false;
    this.routesApplied(new Set([...this.desired.routeKeys(), ...stale]));
    return { routes: this.routes.size };
  }

  /** Take the maps' current entries as applied, with signatures that force a rewrite. */
  private adopt(adopted: AdoptedEntries): void {
    const unknown: AppliedRoute = { signature: '(adopted)', nexthopKeys: [] };
    for (const prefix of adopted.routes) this.routes.set(`${prefix.includes(':') ? 6 : 4}|${prefix}`, unknown);
    for (const ifindex of adopted.interfaces) this.ifaces.set(ifindex, '(adopted)');
    for (const key of adopted.neighbours) this.neighbours.set(key, '(adopted)');
    for (const addr of adopted.locals) this.locals.set(addr, -1);
    this.fp.nexthopIds.reserve(adopted.nexthops);
    this.fp.groupIds.reserve(adopted.groups);
  }

  /** Apply one kernel event and write what it changed. */
  applyEvent(e: KernelEvent): void {
    const prefixes = this.applyEventExceptRoutes(e);
    for (const key of prefixes) this.reconcileRoute(key);
    if (prefixes.size > 0) this.routesApplied(prefixes);
  }

  /**
   * Apply the events in order, then write the routes they changed together:
   * a burst of route events (a BGP feed, a flush) costs a batch map call per
   * family and chunk, not a map call per route, and a prefix changed many
   * times is written once, as the last event left it. Interfaces, local
   * addresses and neighbours are written as each event comes, before the
   * routes: a route through a next hop whose interface or neighbour is not
   * written yet is passed to the kernel by the program meanwhile. Nothing
   * else may change the state until it resolves.
   */
  async applyEvents(events: readonly KernelEvent[]): Promise<void> {
    const prefixes = new Set<string>();
    for (const e of events) for (const key of this.applyEventExceptRoutes(e)) prefixes.add(key);
    // a few routes are written at once: a batch call waits for a worker thread, a change typed by hand should not
    if (prefixes.size <= DIRECT_WRITES) for (const key of prefixes) this.reconcileRoute(key);
    else await this.writeRoutes(prefixes);
    if (prefixes.size > 0) this.routesApplied(prefixes);
  }

  /** An event into the state, and whatever it changed written but the routes; returns the prefixes whose routes to reconcile. */
  private applyEventExceptRoutes(e: KernelEvent): Set<string> {
    const wasGood = e.kind === 'neighbour' && this.desired.goodNexthop({ ifindex: e.neighbour.ifindex, gateway: e.neighbour.address });
    const change = this.state.apply(e);
    if (change.rules) this.replanPolicy(change);
    if (e.kind === 'neighbour' && this.desired.multipathUseNeigh && wasGood !== this.desired.goodNexthop({ ifindex: e.neighbour.ifindex, gateway: e.neighbour.address })) {
      this.multipathRoutesVia(e.neighbour.ifindex, e.neighbour.address, change.prefixes);
    }
    if (change.links.size > 0) {
      this.reconcileLinks(change);
      // a link's state changes whether routes through it can be forwarded
      for (const key of this.state.prefixesThrough((hops) => hops.some((n) => change.links.has(n.ifindex)))) change.prefixes.add(key);
    }
    if (change.addresses.size > 0 || change.links.size > 0) this.reconcileLocals();
    this.reconcileNeighbours(change.neighbours);
    return change.prefixes;
  }

  /**
   * Bring the routes of these keys to what the state wants, in batches:
   * each batch's new next hops and groups first, then its routes, then what
   * the old routes held is let go of (never a dangling id). Written as it
   * goes, so a full table is never held twice over in batches.
   */
  private async writeRoutes(keys: Iterable<string>): Promise<void> {
    let sets: Array<{ prefix: string; target: RouteTarget }> = [];
    let deletes: string[] = [];
    let released: Array<AppliedRoute | undefined> = [];
    const flush = async (): Promise<void> => {
      if (sets.length > 0) await this.fp.setRoutes(sets);
      if (deletes.length > 0) await this.fp.deleteRoutes(deletes);
      for (const old of released) this.release(old);
      sets = [];
      deletes = [];
      released = [];
    };
    for (const key of keys) {
      const desired = this.desired.route(key);
      const old = this.routes.get(key);
      if (desired && old?.signature === signature(desired)) continue;
      if (desired) {
        sets.push({ prefix: key.slice(2), target: this.acquire(key, desired) });
      } else if (old) {
        deletes.push(key.slice(2));
        this.routes.delete(key);
      }
      released.push(old);
      if (sets.length + deletes.length >= FULL_SYNC_CHUNK) await flush();
    }
    await flush();
  }

  /** Netfilter's rules changed which interfaces' traffic the kernel must see. */
  setNetfilter(scope: NetfilterScope): void {
    this.desired.netfilter = scope;
    const change = emptyChange();
    for (const l of this.state.links.keys()) change.links.add(l);
    this.reconcileLinks(change);
    this.reconcileNeighbours(change.neighbours);
  }

  /**
   * The rules changed: every interface's flags may have, and every prefix
   * inside a destination that a rule gained or lost.
   */
  private replanPolicy(change: Change): void {
    const before = this.desired.replanPolicy();
    const after = this.desired.policy;
    for (const l of this.state.links.keys()) change.links.add(l);
    const moved = [...before.destinations, ...after.destinations].filter((d) => before.destinations.has(d) !== after.destinations.has(d));
    if (moved.length === 0) return;
    for (const key of this.desired.routeKeys()) if (moved.some((d) => prefixCovers(d, key))) change.prefixes.add(key);
    for (const d of moved) change.prefixes.add(d);
  }

  /**
   * IPv4 multipath routes with a gateway: their groups follow the gateway's
   * neighbour (fib_multipath_use_neigh). A scan, but only when a gateway
   * turns good or bad, not on every NUD change.
   */
  private multipathRoutesVia(ifindex: number, gateway: string, into: Set<string>): void {
    const through = (hops: readonly KernelNexthop[]): boolean => hops.length > 1 && hops.some((n) => n.ifindex === ifindex && n.gateway === gateway);
    for (const key of this.state.prefixesThrough(through, [4])) into.add(key);
  }

  /**
   * A full sync has loaded the state and is still writing the maps: the
   * state is ahead of the fast path, so what it holds is not applied yet.
   */
  get fullSyncRunning(): boolean {
    return this.writingFullSync;
  }

  /** Listen for routes reaching the maps; returns the function that stops it. */
  onRoutesApplied(listener: RoutesAppliedListener): () => void {
    this.routeListeners.add(listener);
    return () => this.routeListeners.delete(listener);
  }

  private routesApplied(keys: ReadonlySet<string>): void {
    for (const listener of this.routeListeners) listener(keys);
  }

  private reconcileLinks(change: Change): void {
    for (const ifindex of change.links) {
      const spec = this.desired.iface(ifindex);
      const sig = spec ? JSON.stringify(spec) : undefined;
      if (sig === this.ifaces.get(ifindex)) continue;
      if (spec) {
        this.fp.setInterface(ifindex, spec);
        this.ifaces.set(ifindex, sig!);
      } else {
        this.fp.deleteInterface(ifindex);
        this.ifaces.delete(ifindex);
      }
      for (const [k, n] of this.state.neighbours) if (n.ifindex === ifindex) change.neighbours.add(k);
      for (const k of this.neighbours.keys()) if (k.startsWith(`${ifindex}|`)) change.neighbours.add(k);
    }
  }

  /** Every address of the router, on any link, is delivered locally by the kernel. */
  private reconcileLocals(): void {
    const wanted = this.desired.locals();
    for (const [addr, ifindex] of wanted) {
      if (this.locals.get(addr) === ifindex) continue;
      this.fp.addLocalAddress(addr, ifindex);
      this.locals.set(addr, ifindex);
    }
    for (const addr of [...this.locals.keys()]) {
      if (wanted.has(addr)) continue;
      this.fp.deleteLocalAddress(addr);
      this.locals.delete(addr);
    }
  }

  private reconcileNeighbours(keys: Set<string>): void {
    for (const key of keys) {
      const n = this.desired.neighbour(key);
      const want = n ? `${n.mac}|${n.valid}|${n.stale}` : undefined;
      if (want === this.neighbours.get(key)) continue;
      if (n && want) {
        this.fp.setNeighbour(n.ifindex, n.address, n.mac, { valid: n.valid, stale: n.stale });
        this.neighbours.set(key, want);
        if (n.stale) this.staleNeighbours.set(key, { ifindex: n.ifindex, address: n.address });
        else this.staleNeighbours.delete(key);
      } else {
        const [ifindex, address] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
        this.fp.deleteNeighbour(ifindex, address);
        this.neighbours.delete(key);
        this.staleNeighbours.delete(key);
      }
    }
  }

  /** Neighbours the maps hold as STALE: the ones whose use the program marks. */
  stale(): Iterable<NeighbourRef> {
    return this.staleNeighbours.values();
  }

  /** Write the next hops and group a route needs; returns its target with real ids. */
  private acquire(key: string, d: DesiredRoute): RouteTarget {
    const ids = new Map<string, number>();
    for (const nh of d.nexthops) {
      const { id, created } = this.nexthopRefs.acquire(nh.key);
      if (created) this.fp.setNexthop(id, { ifindex: nh.ifindex, ...(nh.gateway ? { gateway: nh.gateway } : {}) });
      ids.set(nh.key, id);
    }
    let target = d.target;
    let groupKey: string | undefined;
    if (d.group) {
      groupKey = d.group.map((m) => `${m.key}*${m.weight}`).join(',');
      const { id, created } = this.groupRefs.acquire(groupKey);
      if (created) this.fp.setGroup(id, d.group.map((m) => ({ nexthop: ids.get(m.key)!, weight: m.weight })));
      target = { type: 'unicast', group: id };
    } else if (d.target.type === 'unicast') {
      target = { type: 'unicast', nexthop: ids.get(d.nexthops[0]!.key)! };
    }
    this.routes.set(key, this.appliedFor(d, groupKey));
    return target;
  }

  /**
   * What a route holds is fixed by its signature, and a full table has a
   * million routes over a few signatures: they share one frozen record.
   * Records no route holds any more go at the next full sync.
   */
  private appliedFor(d: DesiredRoute, groupKey: string | undefined): AppliedRoute {
    const sig = signature(d);
    let applied = this.appliedBySignature.get(sig);
    if (!applied) {
      applied = Object.freeze({ signature: sig, nexthopKeys: d.nexthops.map((nh) => nh.key), ...(groupKey ? { groupKey } : {}) });
      this.appliedBySignature.set(sig, applied);
    }
    return applied;
  }

  /**
   * Let go of what a route held. Entries nobody holds leave the maps, and
   * their ids are used again, only after a grace period (the fast path's
   * SlotIds): a program run that read the old route may still follow its
   * id, and must find the old entry there, not another next hop.
   */
  private release(old: AppliedRoute | undefined): void {
    if (!old) return;
    if (old.groupKey) this.groupRefs.release(old.groupKey);
    for (const k of old.nexthopKeys) this.nexthopRefs.release(k);
  }

  private reconcileRoute(key: string): void {
    const desired = this.desired.route(key);
    const old = this.routes.get(key);
    if (desired && old?.signature === signature(desired)) return;
    const prefix = key.slice(2);
    if (desired) {
      // new entries first, then the route, then the old entries: never a dangling id
      this.fp.setRoute(prefix, this.acquire(key, desired));
    } else if (old) {
      this.fp.deleteRoute(prefix);
      this.routes.delete(key);
    }
    this.release(old);
  }

  routeCounts(): { ipv4: number; ipv6: number } {
    let ipv6 = 0;
    for (const key of this.routes.keys()) if (key.startsWith('6|')) ipv6++;
    return { ipv4: this.routes.size - ipv6, ipv6 };
  }

  neighbourCounts(): { ipv4: number; ipv6: number } {
    let ipv6 = 0;
    for (const key of this.neighbours.keys()) if (key.includes(':')) ipv6++;
    return { ipv4: this.neighbours.size - ipv6, ipv6 };
  }

  get routeCount(): number {
    return this.routes.size;
  }
}
