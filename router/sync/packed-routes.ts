// The kernel's routes by prefix, packed: nearly every prefix of a full table
// has one plain route, kept in typed columns by the prefix's slot (table,
// metric, protocol, type, tos and the id of its shared next-hop list), so
// it costs no object and no string. The rest (a second route of the
// prefix, a source-specific route, one the fast path cannot carry, one
// through a next-hop object) is kept whole in an overflow map by slot. It
// reads as the Map of prefixes to their routes it replaces; the routes of
// a prefix in columns are made on demand.
import { HopLists } from './hop-lists.js';
import type { Family } from '../../dataplane/addr.js';
import type { KernelNexthop, KernelRoute, KernelRouteType } from './model.js';
import { grownColumn } from '../../dataplane/columns.js';
import { HOLDER, PrefixTable } from './prefix-table.js';
import { RouteSlots, routeId } from './route-slots.js';
import { ROUTE_TYPES } from './rtnl-wire.js';

const TYPE_CODE = new Map<KernelRouteType, number>(ROUTE_TYPES.map((name, code) => [name, code]));

/** What a slot holds. */
const KIND = { NONE: 0, COLUMNS: 1, OVERFLOW: 2 } as const;
/** loads are told apart by a byte: past it, every mark is cleared once */
const MAX_MARK = 255;

/** A route the columns can carry: nothing beyond the fields they have. */
const isPlain = (r: KernelRoute): boolean => r.source === undefined && r.kernelOnly === undefined && r.nhid === undefined;

export class PackedRoutes implements ReadonlyMap<string, ReadonlyMap<string, KernelRoute>> {
  readonly lists = new HopLists();
  private kinds: Uint8Array;
  private tables: Uint32Array;
  private metrics: Uint32Array;
  private hops: Uint32Array;
  private protocols: Uint8Array;
  private types: Uint8Array;
  private toses: Uint8Array;
  /** slot -> the load that last listed it (mark and sweep: see beginLoad) */
  private marks: Uint8Array;
  private load = 0;
  private readonly overflow = new Map<number, RouteSlots>();
  private count = 0;

  constructor(readonly prefixes: PrefixTable) {
    const n = prefixes.capacity;
    this.kinds = new Uint8Array(n);
    this.tables = new Uint32Array(n);
    this.metrics = new Uint32Array(n);
    this.hops = new Uint32Array(n);
    this.protocols = new Uint8Array(n);
    this.types = new Uint8Array(n);
    this.toses = new Uint8Array(n);
    this.marks = new Uint8Array(n);
    prefixes.onGrow((slots) => this.grow(slots));
  }

  /** Prefixes with at least one route. */
  get size(): number {
    return this.count;
  }

  /** The slot for a route's prefix, held for the kernel's state: store() what it holds next. */
  slotFor(r: Pick<KernelRoute, 'family' | 'prefix'>): number {
    return this.prefixes.hold(r.family, r.prefix, HOLDER.KERNEL);
  }

  /** slotFor from the prefix's bytes in a message (PrefixTable.holdAddress); -1 when they are no canonical prefix. */
  slotForAddress(family: Family, length: number, bytes: Buffer, at: number): number {
    return this.prefixes.holdAddress(family, length, bytes, at, HOLDER.KERNEL);
  }

  /** The slot of "family|prefix" if it has routes, or -1. */
  slotOf(familyPrefix: string): number {
    const slot = this.prefixes.findKey(familyPrefix);
    return slot >= 0 && this.kinds[slot] !== KIND.NONE ? slot : -1;
  }

  /** The same from a route's family and prefix, with no key text made: a delete event's. */
  slotOfPrefix(family: Family, prefix: string): number {
    const slot = this.prefixes.find(family, prefix);
    return slot >= 0 && this.kinds[slot] !== KIND.NONE ? slot : -1;
  }

  /** Slots with routes, lowest first. */
  slots(): Generator<number> {
    return this.prefixes.slots(HOLDER.KERNEL);
  }

  /** Slots with routes, lowest first, as one array. */
  slotList(): Uint32Array {
    return this.prefixes.slotList(HOLDER.KERNEL);
  }

  /** The slot's routes by route id: the stored map, or one made from the columns. Change it, then store() it. */
  routesAt(slot: number): RouteSlots {
    const kind = this.kinds[slot];
    if (kind === KIND.OVERFLOW) return this.overflow.get(slot)!;
    const routes = new RouteSlots();
    if (kind === KIND.COLUMNS) {
      const r = this.columnRoute(slot);
      routes.set(routeId(r), r);
    }
    return routes;
  }

  /** The slot's one route when it is kept in columns (made now), else undefined. */
  plainRoute(slot: number): KernelRoute | undefined {
    return this.kinds[slot] === KIND.COLUMNS ? this.columnRoute(slot) : undefined;
  }

  /** The routes kept whole (not in columns) of a slot, if any. */
  overflowAt(slot: number): RouteSlots | undefined {
    return this.overflow.get(slot);
  }

  /** The slot's routes are now this one, which the columns can hold (no source, kernelOnly or nhid). */
  storePlain(slot: number, r: KernelRoute): void {
    this.storeColumns(slot, r);
  }

  /** The slot's routes are now these: in columns if one plain route, whole otherwise; none lets the slot go. */
  store(slot: number, routes: RouteSlots): void {
    if (routes.size === 1) {
      const [r] = routes.values();
      if (isPlain(r!)) {
        this.storeColumns(slot, r!);
        return;
      }
    }
    this.clearSlot(slot);
    if (routes.size === 0) {
      this.prefixes.release(slot, HOLDER.KERNEL);
      return;
    }
    this.overflow.set(slot, routes);
    this.kinds[slot] = KIND.OVERFLOW;
    this.count++;
  }

  /**
   * A dump is loaded over what the slots hold, not into emptied ones: the
   * first route a dump lists for a slot takes the place of what it held
   * (listed()), later ones join it, and sweep() lets go of the slots the
   * dump did not list. The slots, their shared lists and what the maps
   * were written with stay in place for everything the kernel still has.
   */
  beginLoad(): void {
    if (++this.load > MAX_MARK) {
      this.marks.fill(0);
      this.load = 1;
    }
  }

  /** A route of the dump being loaded: the slot's only one if the first listed for it, else one more. */
  listed(slot: number, r: KernelRoute): void {
    if (this.marks[slot] === this.load) {
      this.store(slot, this.routesAt(slot).set(routeId(r), r));
      return;
    }
    this.marks[slot] = this.load;
    if (isPlain(r)) this.storeColumns(slot, r);
    else this.store(slot, new RouteSlots().set(routeId(r), r));
  }

  /**
   * A route of the dump being loaded, given as its columns (`type` an index
   * of ROUTE_TYPES) with its next-hop list already acquired for it: the
   * slot's only one. False, and nothing done, when the load has listed the
   * slot before: that route joins the others as listed() does.
   */
  listedColumns(slot: number, table: number, metric: number, protocol: number, type: number, tos: number, hops: number): boolean {
    if (this.listedInLoad(slot)) return false;
    this.marks[slot] = this.load;
    this.setColumns(slot, table, metric, protocol, type, tos, hops);
    return true;
  }

  /** The load under way has listed a route of the slot. */
  listedInLoad(slot: number): boolean {
    return this.marks[slot] === this.load;
  }

  /** The end of a load: the slots it did not list lose their routes. */
  sweep(): void {
    const none = new RouteSlots();
    const slots = this.slotList();
    for (let i = 0; i < slots.length; i++) if (this.marks[slots[i]!] !== this.load) this.store(slots[i]!, none);
  }

  /** Slots whose routes may go through a next-hop list that passes `test` (each list tested once); families: which to look at. */
  *slotsThrough(test: (hops: readonly KernelNexthop[]) => boolean, families: readonly number[] = [4, 6]): Generator<number> {
    const lists = this.lists.matching(test);
    for (const slot of this.slots()) {
      if (!families.includes(this.prefixes.family(slot))) continue;
      if (this.kinds[slot] === KIND.COLUMNS ? lists.has(this.hops[slot]!) : [...this.overflow.get(slot)!.values()].some((r) => test(r.nexthops))) yield slot;
    }
  }

  /** The type of the slot's one route when it is kept in columns; undefined when it is not. */
  columnType(slot: number): KernelRouteType | undefined {
    return this.kinds[slot] === KIND.COLUMNS ? ROUTE_TYPES[this.types[slot]!] : undefined;
  }

  /** The table of the slot's route in columns (columnType says whether it is). */
  columnTable(slot: number): number {
    return this.tables[slot]!;
  }

  /** The metric of the slot's route in columns (columnType says whether it is). */
  columnMetric(slot: number): number {
    return this.metrics[slot]!;
  }

  /** The protocol of the slot's route in columns (columnType says whether it is). */
  columnProtocol(slot: number): number {
    return this.protocols[slot]!;
  }

  /** The slot holds a route, in columns or whole. */
  hasRoutes(slot: number): boolean {
    return this.kinds[slot] !== KIND.NONE;
  }

  /** The tos of the slot's route in columns (columnType says whether it is). */
  columnTos(slot: number): number {
    return this.toses[slot]!;
  }

  /** The next hops of the slot's route in columns: the list shared by every route that has it. */
  columnHops(slot: number): readonly KernelNexthop[] {
    return this.lists.hops(this.hops[slot]!);
  }

  get(familyPrefix: string): RouteSlots | undefined {
    const slot = this.slotOf(familyPrefix);
    return slot < 0 ? undefined : this.routesAt(slot);
  }

  has(familyPrefix: string): boolean {
    return this.slotOf(familyPrefix) >= 0;
  }

  *entries(): MapIterator<[string, RouteSlots]> {
    for (const slot of this.slots()) yield [this.prefixes.keyOf(slot), this.routesAt(slot)];
  }

  *keys(): MapIterator<string> {
    for (const slot of this.slots()) yield this.prefixes.keyOf(slot);
  }

  *values(): MapIterator<RouteSlots> {
    for (const slot of this.slots()) yield this.routesAt(slot);
  }

  [Symbol.iterator](): MapIterator<[string, RouteSlots]> {
    return this.entries();
  }

  forEach(callback: (routes: RouteSlots, key: string, map: ReadonlyMap<string, ReadonlyMap<string, KernelRoute>>) => void): void {
    for (const [key, routes] of this.entries()) callback(routes, key, this);
  }

  private columnRoute(slot: number): KernelRoute {
    return {
      family: this.prefixes.family(slot),
      table: this.tables[slot]!,
      prefix: this.prefixes.prefix(slot),
      metric: this.metrics[slot]!,
      protocol: this.protocols[slot]!,
      type: ROUTE_TYPES[this.types[slot]!]!,
      nexthops: this.lists.hops(this.hops[slot]!),
      tos: this.toses[slot]!,
    };
  }

  private storeColumns(slot: number, r: KernelRoute): void {
    // the new list taken before the old one is let go of: the same list keeps its id and array
    this.setColumns(slot, r.table, r.metric, r.protocol, TYPE_CODE.get(r.type)!, r.tos, this.lists.acquire(r.nexthops));
  }

  /** The slot's route is this, its next-hop list acquired for it. */
  private setColumns(slot: number, table: number, metric: number, protocol: number, type: number, tos: number, hops: number): void {
    this.clearSlot(slot);
    this.tables[slot] = table;
    this.metrics[slot] = metric;
    this.protocols[slot] = protocol;
    this.types[slot] = type;
    this.toses[slot] = tos;
    this.hops[slot] = hops;
    this.kinds[slot] = KIND.COLUMNS;
    this.count++;
  }

  /** Whatever the slot held let go of, its holder kept. */
  private clearSlot(slot: number): void {
    const kind = this.kinds[slot];
    if (kind === KIND.NONE) return;
    if (kind === KIND.COLUMNS) this.lists.release(this.hops[slot]!);
    else this.overflow.delete(slot);
    this.kinds[slot] = KIND.NONE;
    this.count--;
  }

  private grow(slots: number): void {
    this.kinds = grownColumn(this.kinds, slots);
    this.tables = grownColumn(this.tables, slots);
    this.metrics = grownColumn(this.metrics, slots);
    this.hops = grownColumn(this.hops, slots);
    this.protocols = grownColumn(this.protocols, slots);
    this.types = grownColumn(this.types, slots);
    this.toses = grownColumn(this.toses, slots);
    this.marks = grownColumn(this.marks, slots);
  }
}
