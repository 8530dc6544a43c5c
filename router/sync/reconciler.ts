// Keeps the fast path's maps equal to the kernel's tables: a full sync from
// a snapshot (start, resync), then one small reconcile per event. Only what
// changed is written; next hops and groups are shared and counted.
import { RouteBatch, type FastPath } from '../../dataplane/fastpath.js';
import { fib4Target, routeEntry } from '../../dataplane/route-target.js';
import type { ChangedSlots } from './changed-slots.js';
import { KernelState, emptyChange } from './kernel-state.js';
import type { Change } from './kernel-state.js';
import { DesiredState, signature } from './desired.js';
import type { DesiredOptions, DesiredRoute, NetfilterScope } from './desired.js';
import { prefixCovers } from './policy.js';
import type { KernelEvent, KernelNexthop, KernelSnapshot } from './model.js';
import { RefCountedIds } from './nexthop-ids.js';
import { AppliedRecords, NOT_APPLIED } from './applied-records.js';
import { grownColumn } from '../../dataplane/columns.js';
import { HOLDER, type PrefixTable } from './prefix-table.js';

/** Routes written per batch: bounds what a full sync holds at once on a full table. */
const FULL_SYNC_CHUNK = 65_536;
/**
 * Events that change at most this many routes write them one by one,
 * synchronously, rather than in a batch: a route typed by hand skips the
 * round trip through a worker thread. A feed's batches go to the worker:
 * written one by one, their trie syscalls held the event loop (at 32, a
 * quarter of its busy time over the sync benchmark's live feed and churn,
 * 21 s of its removal; `node --cpu-prof` on the daemon).
 */
const DIRECT_WRITES = 4;

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
 * The prefixes a write reached the maps for, read as "family|prefix": after
 * events their slots (ChangedSlots), after a full sync every prefix; a key
 * is made only as it is read, and has() finds the asked one's slot.
 */
export interface PrefixKeys extends Iterable<string> {
  readonly size: number;
  has(key: string): boolean;
}

/**
 * Told, right after the maps were written, which routes ("family|prefix")
 * the fast path now holds as `state` says: the API answers a route change
 * once the fast path has it, and streams changes to watchers, from this.
 */
export type RoutesAppliedListener = (keys: PrefixKeys) => void;

/** A neighbour entry of the maps, by its key. */
export interface NeighbourRef {
  ifindex: number;
  address: string;
}

/** Every prefix a full sync wrote or deleted: the desired ones, read from the state as walked, and the stale ones. */
class FullSyncKeys implements PrefixKeys {
  constructor(
    private readonly desired: DesiredState,
    private readonly stale: ReadonlySet<string>,
    readonly size: number,
  ) {}

  has(key: string): boolean {
    return this.desired.hasRouteKey(key) || this.stale.has(key);
  }

  *[Symbol.iterator](): Iterator<string> {
    yield* this.desired.routeKeys();
    yield* this.stale;
  }
}

export class Reconciler {
  readonly state: KernelState;
  readonly desired: DesiredState;
  private readonly nexthopRefs: RefCountedIds;
  private readonly groupRefs: RefCountedIds;
  /** the prefixes' slots, shared with the state: a slot the maps hold a route for is held as APPLIED */
  private readonly prefixes: PrefixTable;
  /** slot -> the id of what the maps hold for it (AppliedRecords), NOT_APPLIED for nothing */
  private applied: Uint32Array;
  private readonly records = new AppliedRecords();
  private appliedCount = 0;
  private readonly ifaces = new Map<number, string>();
  private readonly locals = new Map<string, number>();
  private readonly neighbours = new Map<string, string>();
  private readonly staleNeighbours = new Map<string, NeighbourRef>();
  private readonly routeListeners = new Set<RoutesAppliedListener>();
  private writingFullSync = false;
  /** batches of events whose routes are being written (applyEvents) */
  private writingEvents = 0;

  constructor(
    private readonly fp: FastPathWriter,
    options: ReconcilerOptions,
  ) {
    this.state = new KernelState(options.tables);
    this.desired = new DesiredState(this.state, options.interfaces, options);
    this.nexthopRefs = new RefCountedIds(fp.nexthopIds);
    this.groupRefs = new RefCountedIds(fp.groupIds);
    this.prefixes = this.state.routes.prefixes;
    this.applied = new Uint32Array(this.prefixes.capacity);
    this.prefixes.onGrow((slots) => (this.applied = grownColumn(this.applied, slots)));
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
    if (adopted) this.adopt(adopted);
    const all = emptyChange(this.prefixes);
    for (const l of this.state.links.keys()) all.links.add(l);
    for (const [k] of this.ifaces) all.links.add(k);
    for (const k of this.state.neighbours.keys()) all.neighbours.add(k);
    for (const k of this.neighbours.keys()) all.neighbours.add(k);
    this.reconcileLinks(all);
    this.reconcileLocals();
    this.reconcileNeighbours(all.neighbours);

    await this.writeRoutes(this.fullSyncSlots());

    // what the maps hold that the kernel no longer has: few, so named by text
    const staleSlots: number[] = [];
    for (const slot of this.prefixes.slots(HOLDER.APPLIED)) {
      if (!this.prefixes.held(slot, HOLDER.KERNEL) && !this.desired.policy.destinations.has(this.prefixes.keyOf(slot))) staleSlots.push(slot);
    }
    const stale = staleSlots.map((slot) => this.prefixes.keyOf(slot));
    const deletes = new RouteBatch(staleSlots.length);
    for (const slot of staleSlots) this.pack(deletes, slot, 0);
    await this.fp.deleteRoutes(deletes);
    for (const slot of staleSlots) this.forget(slot);
    // next hops and groups of the previous run, which no route uses any
    // more: their ids were kept out of use while the sync replaced them
    for (const id of adopted?.nexthops ?? []) this.fp.nexthopIds.release(id);
    for (const id of adopted?.groups ?? []) this.fp.groupIds.release(id);
    this.writingFullSync = false;
    let size = this.state.routes.size + stale.length;
    for (const key of this.desired.policy.destinations) if (!this.state.routes.has(key)) size++;
    this.routesApplied(new FullSyncKeys(this.desired, new Set(stale), size));
    return { routes: this.appliedCount };
  }

  /** The slots a full sync writes: every prefix of the kernel's, then the policy rules' destinations; listed, not yielded one by one. */
  private fullSyncSlots(): ArrayLike<number> {
    const kernel = this.state.routes.slotList();
    const policy: number[] = [];
    for (const key of this.desired.policy.destinations) {
      const slot = this.slotToWrite(key);
      if (slot >= 0 && !this.prefixes.held(slot, HOLDER.KERNEL)) policy.push(slot);
    }
    if (policy.length === 0) return kernel;
    const all = new Uint32Array(kernel.length + policy.length);
    all.set(kernel);
    all.set(policy, kernel.length);
    return all;
  }

  /** The slot of a prefix to write: the one it has, or one taken for the maps if the fast path should hold it; -1 if neither. */
  private slotToWrite(key: string): number {
    const slot = this.prefixes.findKey(key);
    if (slot >= 0 || !this.desired.route(key)) return slot;
    return this.prefixes.hold(key.startsWith('6|') ? 6 : 4, key.slice(2), HOLDER.APPLIED);
  }

  /** The maps hold nothing for the slot any more. */
  private forget(slot: number): void {
    this.releaseApplied(this.applied[slot]!);
    if (this.applied[slot] !== NOT_APPLIED) this.appliedCount--;
    this.applied[slot] = NOT_APPLIED;
    this.prefixes.release(slot, HOLDER.APPLIED);
  }

  /** Take the maps' current entries as applied, with signatures that force a rewrite. */
  private adopt(adopted: AdoptedEntries): void {
    for (const prefix of adopted.routes) {
      const slot = this.prefixes.hold(prefix.includes(':') ? 6 : 4, prefix, HOLDER.APPLIED);
      if (this.applied[slot] === NOT_APPLIED) this.appliedCount++;
      this.releaseApplied(this.applied[slot]!);
      this.applied[slot] = this.records.acquire('(adopted)', []);
    }
    for (const ifindex of adopted.interfaces) this.ifaces.set(ifindex, '(adopted)');
    for (const key of adopted.neighbours) this.neighbours.set(key, '(adopted)');
    for (const addr of adopted.locals) this.locals.set(addr, -1);
    this.fp.nexthopIds.reserve(adopted.nexthops);
    this.fp.groupIds.reserve(adopted.groups);
  }

  /** Apply one kernel event and write what it changed. */
  applyEvent(e: KernelEvent): void {
    const prefixes = this.applyEventExceptRoutes(e);
    try {
      for (const slot of prefixes.list()) this.reconcileRoute(slot);
      if (prefixes.size > 0) this.routesApplied(prefixes);
    } finally {
      prefixes.release();
    }
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
    // a route event changes nothing but its prefix's routes: a feed's events share one Change, none made per event
    const routes = emptyChange(this.prefixes);
    const prefixes = routes.prefixes;
    try {
      for (const e of events) {
        if (e.kind === 'route') this.state.apply(e, routes);
        else prefixes.take(this.applyEventExceptRoutes(e));
      }
      // a few routes are written at once: a batch call waits for a worker thread, a change typed by hand should not
      if (prefixes.size <= DIRECT_WRITES) for (const slot of prefixes.list()) this.reconcileRoute(slot);
      else {
        this.writingEvents++;
        try {
          await this.writeRoutes(prefixes.list());
        } finally {
          this.writingEvents--;
        }
      }
      if (prefixes.size > 0) this.routesApplied(prefixes);
    } finally {
      prefixes.release();
    }
  }

  /** An event into the state, and whatever it changed written but the routes; returns the slots whose routes to reconcile, held until released. */
  private applyEventExceptRoutes(e: KernelEvent): ChangedSlots {
    const wasGood = e.kind === 'neighbour' && this.desired.goodNexthop({ ifindex: e.neighbour.ifindex, gateway: e.neighbour.address });
    const change = this.state.apply(e);
    if (change.rules) this.replanPolicy(change);
    if (e.kind === 'neighbour' && this.desired.multipathUseNeigh && wasGood !== this.desired.goodNexthop({ ifindex: e.neighbour.ifindex, gateway: e.neighbour.address })) {
      this.multipathRoutesVia(e.neighbour.ifindex, e.neighbour.address, change.prefixes);
    }
    if (change.links.size > 0) {
      this.reconcileLinks(change);
      // a link's state changes whether routes through it can be forwarded
      for (const slot of this.state.routes.slotsThrough((hops) => hops.some((n) => change.links.has(n.ifindex)))) change.prefixes.add(slot);
    }
    if (change.addresses.size > 0 || change.links.size > 0) this.reconcileLocals();
    this.reconcileNeighbours(change.neighbours);
    return change.prefixes;
  }

  /**
   * Bring the routes of these slots to what the state wants, in batches:
   * each batch's new next hops and groups first, then its routes, then what
   * the old routes held is let go of (never a dangling id). Written as it
   * goes, so a full table is never held twice over in batches; a prefix's
   * text is made only for what is written.
   */
  private async writeRoutes(slots: ArrayLike<number>): Promise<void> {
    const capacity = Math.min(slots.length, FULL_SYNC_CHUNK);
    const sets = new RouteBatch(capacity);
    const deletes = new RouteBatch(capacity);
    // what the written routes held before, and the slots they leave: typed, as the batches are
    const released = new Uint32Array(capacity);
    const forgotten = new Uint32Array(capacity);
    let releasedCount = 0;
    let forgottenCount = 0;
    const flush = async (): Promise<void> => {
      if (sets.size > 0) await this.fp.setRoutes(sets);
      if (deletes.size > 0) await this.fp.deleteRoutes(deletes);
      for (let k = 0; k < releasedCount; k++) this.releaseApplied(released[k]!);
      // a slot let go of only now: until its delete is written, it must not name another prefix
      for (let k = 0; k < forgottenCount; k++) this.prefixes.release(forgotten[k]!, HOLDER.APPLIED);
      sets.clear();
      deletes.clear();
      releasedCount = forgottenCount = 0;
    };
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot < 0) continue;
      const desired = this.desired.routeAt(slot);
      const oldId = this.applied[slot]!;
      if (desired && this.records.get(oldId)?.signature === signature(desired)) continue;
      if (desired) {
        this.pack(sets, slot, this.acquire(slot, desired));
      } else if (oldId !== NOT_APPLIED) {
        this.pack(deletes, slot, 0);
        this.applied[slot] = NOT_APPLIED;
        this.appliedCount--;
        forgotten[forgottenCount++] = slot;
      }
      released[releasedCount++] = oldId;
      if (releasedCount === capacity) await flush();
    }
    await flush();
  }

  /** The slot's prefix, with the route as the index encodes it (0 for a delete), into a batch: its words, no text. */
  private pack(batch: RouteBatch, slot: number, entry: number): void {
    const p = this.prefixes;
    batch.add(p.family(slot), p.length(slot), p.word(slot, 0), p.word(slot, 1), p.word(slot, 2), p.word(slot, 3), entry);
  }

  /** Netfilter's rules changed which interfaces' traffic the kernel must see. */
  setNetfilter(scope: NetfilterScope): void {
    this.desired.netfilter = scope;
    const change = emptyChange(this.prefixes);
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
    // what the maps hold counts too: a prefix the kernel let go of while inside a destination stays there as a policy entry
    for (const slot of this.prefixes.slots(HOLDER.KERNEL | HOLDER.APPLIED)) {
      const key = this.prefixes.keyOf(slot);
      if (moved.some((d) => prefixCovers(d, key))) change.prefixes.add(slot);
    }
    for (const d of moved) {
      const slot = this.slotToWrite(d);
      if (slot >= 0) change.prefixes.add(slot);
    }
  }

  /**
   * IPv4 multipath routes with a gateway: their groups follow the gateway's
   * neighbour (fib_multipath_use_neigh). A scan, but only when a gateway
   * turns good or bad, not on every NUD change.
   */
  private multipathRoutesVia(ifindex: number, gateway: string, into: ChangedSlots): void {
    const through = (hops: readonly KernelNexthop[]): boolean => hops.length > 1 && hops.some((n) => n.ifindex === ifindex && n.gateway === gateway);
    for (const slot of this.state.routes.slotsThrough(through, [4])) into.add(slot);
  }

  /**
   * A full sync has loaded the state and is still writing the maps: the
   * state is ahead of the fast path, so what it holds is not applied yet.
   */
  get fullSyncRunning(): boolean {
    return this.writingFullSync;
  }

  /**
   * The state is ahead of the maps somewhere: a full sync, or a batch of
   * events whose routes are still being written (their listeners are told
   * once it is done).
   */
  get mapsBehind(): boolean {
    return this.writingFullSync || this.writingEvents > 0;
  }

  /** Listen for routes reaching the maps; returns the function that stops it. */
  onRoutesApplied(listener: RoutesAppliedListener): () => void {
    this.routeListeners.add(listener);
    return () => this.routeListeners.delete(listener);
  }

  private routesApplied(keys: PrefixKeys): void {
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

  /** Write the next hops and group a route needs; returns the route with real ids, as the index encodes it (route-target.ts). */
  private acquire(slot: number, d: DesiredRoute): number {
    // the members' ids by key only for a group: a full sync acquires one next hop for most of a million routes
    const ids = d.group ? new Map<string, number>() : undefined;
    let firstId = 0;
    for (const nh of d.nexthops) {
      const { id, created } = this.nexthopRefs.acquire(nh.key);
      if (created) this.fp.setNexthop(id, { ifindex: nh.ifindex, ...(nh.gateway ? { gateway: nh.gateway } : {}) });
      if (nh === d.nexthops[0]) firstId = id;
      ids?.set(nh.key, id);
    }
    let entry: number;
    let groupKey: string | undefined;
    if (d.group) {
      groupKey = d.group.map((m) => `${m.key}*${m.weight}`).join(',');
      const { id, created } = this.groupRefs.acquire(groupKey);
      if (created) this.fp.setGroup(id, d.group.map((m) => ({ nexthop: ids!.get(m.key)!, weight: m.weight })));
      entry = routeEntry('unicast', id, true);
    } else {
      entry = d.target.type === 'unicast' ? routeEntry('unicast', firstId) : routeEntry(d.target.type);
    }
    if (this.applied[slot] === NOT_APPLIED) {
      this.appliedCount++;
      this.prefixes.holdSlot(slot, HOLDER.APPLIED);
    }
    this.applied[slot] = this.records.acquire(signature(d), d.nexthops, groupKey);
    return entry;
  }

  /**
   * Let go of what a route held. Entries nobody holds leave the maps, and
   * their ids are used again, only after a grace period (the fast path's
   * SlotIds): a program run that read the old route may still follow its
   * id, and must find the old entry there, not another next hop.
   */
  private releaseApplied(id: number): void {
    const old = this.records.get(id);
    if (!old) return;
    if (old.groupKey) this.groupRefs.release(old.groupKey);
    for (const k of old.nexthopKeys) this.nexthopRefs.release(k);
    this.records.release(id);
  }

  private reconcileRoute(slot: number): void {
    if (slot < 0) return;
    const desired = this.desired.routeAt(slot);
    const oldId = this.applied[slot]!;
    if (desired && this.records.get(oldId)?.signature === signature(desired)) return;
    if (desired) {
      // new entries first, then the route, then the old entries: never a dangling id
      this.fp.setRoute(this.prefixes.prefix(slot), fib4Target(this.acquire(slot, desired)));
      this.releaseApplied(oldId);
    } else if (oldId !== NOT_APPLIED) {
      this.fp.deleteRoute(this.prefixes.prefix(slot));
      this.forget(slot);
    }
  }

  routeCounts(): { ipv4: number; ipv6: number } {
    let ipv6 = 0;
    for (const slot of this.prefixes.slots(HOLDER.APPLIED)) if (this.applied[slot] !== NOT_APPLIED && this.prefixes.family(slot) === 6) ipv6++;
    return { ipv4: this.appliedCount - ipv6, ipv6 };
  }

  neighbourCounts(): { ipv4: number; ipv6: number } {
    let ipv6 = 0;
    for (const key of this.neighbours.keys()) if (key.includes(':')) ipv6++;
    return { ipv4: this.neighbours.size - ipv6, ipv6 };
  }

  get routeCount(): number {
    return this.appliedCount;
  }
}
