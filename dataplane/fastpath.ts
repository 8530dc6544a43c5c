// FastPath: the typed facade over the XDP program and its maps. It knows
// nothing about netlink or gRPC; the router tells it what to hold. What it
// writes is encoded by entry-codecs.ts and route-target.ts; the routes are
// route-table.ts (over the indexes, fib4-index.ts and fib6-index.ts), the
// interfaces' maps iface-table.ts, the next hops' nexthop-table.ts, the
// neighbours' neighbour-table.ts, the counters counter-table.ts, the punt
// stage's maps punt-maps.ts, the IPv6 local addresses' filter local6-filter.ts.
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { addon } from './native.js';
import type { AttachMode, AttachRequest, NativeMap, NativeProgram, TestRunRequest, TestRunResult } from './native.js';
import { AddressError, formatAddress, requireAddress } from './addr.js';
import { decodeGroup, encodeGroup, isGroup, perCpuSize } from './entry-codecs.js';
import type { GroupMemberSpec, InterfaceSpec, NeighbourEntry, NeighbourFlags, NexthopSpec } from './entry-codecs.js';
import { readCounters, type CounterRow } from './counter-table.js';
import { Fib4Index, fib4IndexMismatches, type Fib4Groups, type Fib4Mismatch } from './fib4-index.js';
import { Fib6Index, fib6IndexMismatches, type Fib6IndexStats } from './fib6-index.js';
import { GraceQueue } from './grace.js';
import { InterfaceTable } from './iface-table.js';
import { Local6Filter } from './local6-filter.js';
import * as L from './layout.js';
import type { MapName, Reason } from './layout.js';
import { usedSlots } from './map-dump.js';
import { NeighbourTable } from './neighbour-table.js';
import { NexthopTable } from './nexthop-table.js';
import { DryRun, openProgram, programConstants, type Decision, type ProgramConstants } from './program-instance.js';
import { PuntMaps, type PuntRuleSpec } from './punt-maps.js';
import { dumpTrie, type TrieDump } from './route-dump.js';
import { RouteBatch } from './route-batch.js';
import { RouteTable } from './route-table.js';
import type { RouteTarget } from './route-target.js';
import { SlotIds } from './slot-ids.js';

export type { GroupMemberSpec, InterfacePasses, InterfaceSpec, NeighbourFlags, NexthopSpec } from './entry-codecs.js';
export type { CounterRow, Decision, PuntRuleSpec, RouteTarget };
export { PROGRAM_NAME } from './program-instance.js';
export { RouteBatch };

export interface FastPathOptions {
  /** compiled BPF object; default bpf/xdp_router.o of this package */
  objectPath?: string;
  /** named network namespace the interfaces live in (ip netns NAME) */
  netns?: string;
  /** multipath hash seed; default random */
  hashSeed?: number;
  /** bpffs directory: maps found pinned there are adopted, the others are pinned there */
  pinDir?: string;
  /** with pinDir: only adopt; fail when the maps are not pinned (nothing is running) */
  adoptOnly?: boolean;
  /** compile in the punt stage (AF_XDP slow path); off, the verifier removes it */
  punt?: boolean;
  /** told when waiting for a grace period failed: freed slots stay unused meanwhile, and the wait is retried */
  onGraceError?: (err: Error) => void;
}

export class FastPath {
  private readonly maps: Record<MapName, NativeMap>;

  private fib4: Fib4Index | undefined;
  private fib6: Fib6Index | undefined;
  private local6: Local6Filter | undefined;

  private readonly punt: PuntMaps;

  private readonly ifaces: InterfaceTable;

  private readonly nexthopTable: NexthopTable;

  private readonly routeTable: RouteTable;

  private readonly neighbourTable: NeighbourTable;

  /** reclaims of slots the program may still be reading: after a grace period */
  private readonly grace: GraceQueue;

  /** ids of xr_nexthops' slots: one per next-hop entry, reused only after a grace period */
  readonly nexthopIds: SlotIds;

  /** ids of xr_groups' slots, likewise */
  readonly groupIds: SlotIds;

  /** the never-attached instance that answers decide() */
  private readonly dryRun: DryRun;

  private constructor(
    readonly program: NativeProgram,
    private readonly constants: ProgramConstants,
    readonly pinDir: string | undefined,
    /** the maps were pinned already, by a previous run: they are its as much as ours */
    readonly adoptedPins: boolean,
    onGraceError: ((err: Error) => void) | undefined,
  ) {
    this.grace = new GraceQueue(() => addon.waitGracePeriod(), onGraceError);
    const maps = {} as Record<MapName, NativeMap>;
    for (const name of Object.keys(L.MAPS) as MapName[]) maps[name] = program.map(name);
    this.maps = maps;
    this.punt = new PuntMaps(maps, () => addon.possibleCpus());
    const afterGracePeriod = (reclaim: () => void): void => this.grace.defer(reclaim);
    this.ifaces = new InterfaceTable(maps, afterGracePeriod, perCpuSize(L.counter.size, addon.possibleCpus()));
    this.neighbourTable = new NeighbourTable(maps, (ifindex, address) => this.nexthopTable.neighbourChanged(ifindex, address));
    this.nexthopTable = new NexthopTable(
      maps,
      (ifindex) => this.ifaces.record(ifindex),
      (ifindex, address) => this.neighbourTable.record(ifindex, address),
      afterGracePeriod,
    );
    this.routeTable = new RouteTable(maps, { index4: () => this.index4(), index6: () => this.index6() });
    this.dryRun = new DryRun(constants, maps);
    // a released id's entry goes after the grace period (its slot after one more)
    this.nexthopIds = new SlotIds(L.NEXTHOP_MAX, 'next-hop id', (id) => this.deleteNexthop(id), afterGracePeriod);
    this.groupIds = new SlotIds(L.GROUP_MAX, 'next-hop group id', (id) => this.deleteGroup(id), afterGracePeriod);
  }

  static async open(options: FastPathOptions = {}): Promise<FastPath> {
    const constants = programConstants(options);
    const program = openProgram(constants, false);
    try {
      const pinDir = options.pinDir;
      if (pinDir && options.adoptOnly && !existsSync(join(pinDir, 'xr_fib4'))) {
        throw new Error(`no fast-path maps pinned under ${pinDir}: is xdp-router running with this config?`);
      }
      const adoptedPins = !!pinDir && existsSync(join(pinDir, 'xr_fib4'));
      if (pinDir) {
        for (const name of Object.keys(L.MAPS)) {
          if (existsSync(join(pinDir, name))) program.reuseMap(name, join(pinDir, name));
        }
      }
      await program.load();
      const fp = new FastPath(program, constants, pinDir, adoptedPins, options.onGraceError);
      if (pinDir) fp.pinMaps(pinDir);
      if (adoptedPins) {
        await fp.ifaces.adopt();
        fp.nexthopTable.adopt();
      }
      // a read-only open (verify, tests) has no use for the index, nor the memory it takes
      if (!options.adoptOnly) {
        fp.ifaces.repairWords();
        fp.fib4 = await Fib4Index.open(fp.maps, adoptedPins, (reclaim) => fp.grace.defer(reclaim));
        fp.fib6 = await Fib6Index.open(fp.maps, adoptedPins, (reclaim) => fp.grace.defer(reclaim));
        fp.local6 = Local6Filter.open(fp.maps.xr_local6_filter, fp.maps.xr_local6.keys());
      }
      return fp;
    } catch (err) {
      program.close();
      throw err;
    }
  }

  map(name: MapName): NativeMap {
    return this.maps[name];
  }

  /** The program's multipath hash seed (xr_hash_seed), for a userspace forwarder that must pick the same next hop. */
  get hashSeed(): number {
    return this.constants.seed.readUInt32LE(0);
  }

  /** What the program does with `frame` arriving on `ingressIfindex`, asked of the program itself (a dry run). */
  decide(frame: Buffer, ingressIfindex: number): Promise<Decision> {
    return this.dryRun.decide(frame, ingressIfindex);
  }

  /** Resolves once every reclaim deferred so far has run. */
  gracePeriodsSettled(): Promise<void> {
    return this.grace.settled();
  }

  /** The IPv4 index's tbl8 groups; undefined on a read-only open */
  fib4Groups(): Fib4Groups | undefined {
    return this.fib4?.groups();
  }

  /** Where the program's IPv4 index and the trie disagree (from this dump of it, or a fresh one); empty when they agree. */
  fib4IndexMismatches(trie?: TrieDump): Promise<Fib4Mismatch[]> {
    return fib4IndexMismatches(this.maps, trie);
  }

  /** the IPv6 index's lines, and its /24 entries sent to the trie for want of them; undefined on a read-only open */
  fib6Lines(): Fib6IndexStats | undefined {
    return this.fib6?.lines();
  }

  /** Where the program's IPv6 index and the trie disagree (see fib4IndexMismatches); empty when they agree. */
  fib6IndexMismatches(trie?: TrieDump): Promise<Fib4Mismatch[]> {
    return fib6IndexMismatches(this.maps, trie);
  }

  private index6(): Fib6Index {
    if (!this.fib6) throw new Error('IPv6 routes cannot be written through a fast path opened to read (adoptOnly), nor after close()');
    return this.fib6;
  }

  private local6Filter(): Local6Filter {
    if (!this.local6) throw new Error('IPv6 local addresses cannot be written through a fast path opened to read (adoptOnly), nor after close()');
    return this.local6;
  }

  private index4(): Fib4Index {
    if (!this.fib4) throw new Error('IPv4 routes cannot be written through a fast path opened to read (adoptOnly), nor after close()');
    return this.fib4;
  }

  private pinMaps(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [name, map] of Object.entries(this.maps)) {
      if (!existsSync(join(dir, name))) map.pin(join(dir, name));
    }
  }

  /** Remove the pins: the maps live on only as long as a program or fd holds them. */
  unpin(): void {
    if (!this.pinDir) return;
    for (const [name, map] of Object.entries(this.maps)) {
      if (existsSync(join(this.pinDir, name))) map.unpin(join(this.pinDir, name));
    }
    // the directory goes too when nothing else is pinned in it
    try {
      rmdirSync(this.pinDir);
    } catch {
      /* not empty, or already gone: leave it */
    }
  }

  // --- routes -------------------------------------------------------------

  setRoute(prefix: string, target: RouteTarget): void {
    this.routeTable.set(prefix, target);
  }

  /**
   * Many routes at once (a full sync, a batch of events), packed: one call
   * into the addon per part of a trie. The batch must not be refilled
   * until the promise settles.
   */
  setRoutes(batch: RouteBatch): Promise<void> {
    return this.routeTable.setMany(batch);
  }

  deleteRoute(prefix: string): boolean {
    return this.routeTable.delete(prefix);
  }

  /** The batch's prefixes out of the maps (their entries are not read); resolves with how many the tries held. */
  deleteRoutes(batch: RouteBatch): Promise<number> {
    return this.routeTable.deleteMany(batch);
  }

  /** Longest-prefix match for an address, as the program does it. */
  lookupRoute(address: string): RouteTarget | null {
    return this.routeTable.lookup(address);
  }

  /** Every route of both FIBs. */
  routes(): Promise<Array<{ prefix: string; target: RouteTarget }>> {
    return this.routeTable.all();
  }

  /** Both tries packed (route-dump.ts): for readers of a whole table. */
  async routeDumps(): Promise<[TrieDump, TrieDump]> {
    return [await dumpTrie(4, this.maps.xr_fib4), await dumpTrie(6, this.maps.xr_fib6)];
  }

  // --- next hops and groups -------------------------------------------------

  // Next hops carry their egress interface and neighbour (nexthop-table.ts);
  // groups live in an array, where a slot of zeros (no members) is absent.

  nexthop(id: number): NexthopSpec | null {
    return NexthopTable.read(this.maps, id);
  }

  /**
   * Next hops whose entry in the maps is not what their interface and
   * neighbour entries make of it: empty when every copy is current.
   */
  async staleNexthops(): Promise<Array<{ id: number; have: string; want: string }>> {
    const ifaces = await InterfaceTable.read(this.maps.xr_ifaces);
    return NexthopTable.stale(this.maps, (ifindex) => ifaces.get(ifindex)?.record, (ifindex, address) => this.neighbourTable.record(ifindex, address));
  }

  group(id: number): GroupMemberSpec[] | null {
    const v = id < L.GROUP_MAX ? this.maps.xr_groups.lookup(L.u32.encode({ value: id })) : null;
    return v && isGroup(v) ? decodeGroup(v) : null;
  }

  nexthops(): Promise<Map<number, NexthopSpec>> {
    return Promise.resolve(NexthopTable.readAll(this.maps));
  }

  groups(): Promise<Map<number, GroupMemberSpec[]>> {
    return usedSlots(this.maps.xr_groups, isGroup, decodeGroup);
  }

  setNexthop(id: number, spec: NexthopSpec): void {
    this.nexthopTable.set(id, spec);
  }

  deleteNexthop(id: number): boolean {
    return this.nexthopTable.delete(id);
  }

  /** A multipath group: each member gets its weight's share of the flows. */
  setGroup(id: number, members: GroupMemberSpec[]): void {
    this.maps.xr_groups.update(L.u32.encode({ value: id }), encodeGroup(id, members));
  }

  deleteGroup(id: number): boolean {
    const had = this.group(id) !== null;
    if (had) this.maps.xr_groups.update(L.u32.encode({ value: id }), Buffer.alloc(L.group.size));
    return had;
  }

  // --- neighbours ---------------------------------------------------------

  /**
   * valid=false keeps the entry but makes the program pass traffic up
   * (INCOMPLETE, FAILED); stale=true has the program mark the entry when it
   * forwards through it (see neighbourUsed). Writing clears the mark; the
   * next hops through it follow.
   */
  setNeighbour(ifindex: number, address: string, mac: string, flags: NeighbourFlags = {}): void {
    this.neighbourTable.set(ifindex, address, mac, flags);
  }

  /** The program forwarded through this STALE entry since it was last written. */
  neighbourUsed(ifindex: number, address: string): boolean {
    return this.neighbourTable.used(ifindex, address);
  }

  deleteNeighbour(ifindex: number, address: string): boolean {
    return this.neighbourTable.delete(ifindex, address);
  }

  neighbour(ifindex: number, address: string): { mac: string; valid: boolean } | null {
    return this.neighbourTable.get(ifindex, address);
  }

  /** Every neighbour entry: "ifindex|address" -> MAC and flags. */
  neighbours(): Promise<Map<string, NeighbourEntry>> {
    return this.neighbourTable.all();
  }

  // --- interfaces and local addresses ---------------------------------------

  iface(ifindex: number): InterfaceSpec | null {
    return this.ifaces.get(ifindex);
  }

  async interfaces(): Promise<Map<number, InterfaceSpec>> {
    const out = new Map<number, InterfaceSpec>();
    for (const [ifindex, { spec }] of await InterfaceTable.read(this.maps.xr_ifaces)) out.set(ifindex, spec);
    return out;
  }

  /** The xr_ingress words that do not mirror xr_ifaces: a frame would find another interface than the record says. */
  ingressMismatches(): Promise<Array<{ ifindex: number; have: string; want: string }>> {
    return InterfaceTable.wordMismatches(this.maps);
  }

  async localAddresses(): Promise<string[]> {
    const out: string[] = [];
    for (const map of [this.maps.xr_local4, this.maps.xr_local6]) for (const [k] of await map.dump()) out.push(formatAddress(k));
    return out;
  }

  /** Add or change an interface; the next hops out of it follow. */
  setInterface(ifindex: number, spec: InterfaceSpec): void {
    this.ifaces.set(ifindex, spec);
    this.nexthopTable.interfaceChanged(ifindex);
  }

  deleteInterface(ifindex: number): boolean {
    const had = this.ifaces.delete(ifindex);
    if (had) this.nexthopTable.interfaceChanged(ifindex);
    return had;
  }

  /** An address of the router: the program passes what is sent to it up to the kernel. */
  addLocalAddress(address: string, ifindex: number): void {
    const a = requireAddress(address, 'local address');
    const map = a.family === 4 ? this.maps.xr_local4 : this.maps.xr_local6;
    map.update(a.addr, L.u32.encode({ value: ifindex }));
    // IPv4's are found in the index, by the packet's one route lookup; IPv6's behind their filter bit
    if (a.family === 4) this.index4().setLocal(a.addr.readUInt32BE(0));
    else this.local6Filter().add(a.addr);
  }

  deleteLocalAddress(address: string): boolean {
    const a = requireAddress(address, 'local address');
    if (a.family === 4) this.index4().deleteLocal(a.addr.readUInt32BE(0));
    else this.local6Filter().delete(a.addr);
    return (a.family === 4 ? this.maps.xr_local4 : this.maps.xr_local6).delete(a.addr);
  }

  /** The router's IPv6 addresses whose xr_local6_filter bit is clear: what is sent to them would be forwarded (verify). */
  local6FilterMismatches(): Promise<string[]> {
    return Local6Filter.mismatches(this.maps);
  }

  // --- counters -------------------------------------------------------------

  /** Packets and bytes per ingress interface and reason (counter-table.ts). */
  async counters(): Promise<CounterRow[]> {
    return readCounters(this.maps);
  }

  /** Sum of one reason's packets, over all interfaces or one. */
  async packets(reason: Reason, ifindex?: number): Promise<bigint> {
    return (await this.counters())
      .filter((r) => r.reason === reason && (ifindex === undefined || r.ifindex === ifindex))
      .reduce((sum, r) => sum + r.packets, 0n);
  }

  // --- punt rules and AF_XDP sockets (punt-maps.ts) --------------------------

  setPuntRule(id: number, rule: PuntRuleSpec): void {
    this.punt.setRule(id, rule);
  }

  deletePuntRule(prefix: string): boolean {
    return this.punt.deleteRule(prefix);
  }

  puntRules(): Promise<Array<PuntRuleSpec & { id: number }>> {
    return this.punt.rules();
  }

  /** Packets and bytes punted by a rule, summed over CPUs. */
  puntStats(id: number): { packets: bigint; bytes: bigint } {
    return this.punt.stats(id);
  }

  /** Register an AF_XDP socket for the frames punted on (ifindex, queue). */
  bindXsk(ifindex: number, queue: number, slot: number, socketFd: number): void {
    this.punt.bindXsk(ifindex, queue, slot, socketFd);
  }

  unbindXsk(ifindex: number, queue: number, slot: number): void {
    this.punt.unbindXsk(ifindex, queue, slot);
  }

  // --- program ----------------------------------------------------------------

  testRun(req: TestRunRequest): Promise<TestRunResult> {
    return this.program.testRun(req);
  }

  attach(ifindex: number, mode: AttachRequest = 'auto'): Promise<AttachMode> {
    return this.program.attach(ifindex, mode);
  }

  detach(ifindex: number): Promise<void> {
    return this.program.detach(ifindex);
  }

  close(): void {
    // what still waits for its grace period would write to unmapped arrays
    this.grace.close();
    this.fib4 = undefined;
    this.fib6 = undefined;
    this.local6 = undefined;
    // unmaps the indexes' memory now, rather than when the collector gets to it
    for (const name of ['xr_fib4_tbl24', 'xr_fib4_tbl8', 'xr_fib6_tbl24', 'xr_fib6_lines', 'xr_nexthop_slots'] as const) this.maps[name].close();
    this.program.close();
    this.dryRun.close();
  }
}

export { AddressError };
