// FastPath: the typed facade over the XDP program and its maps. It knows
// nothing about netlink or gRPC; the router tells it what to hold.
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { addon } from './native.js';
import { packageRoot } from './package-root.js';
import type { AttachMode, AttachRequest, NativeMap, NativeProgram, TestRunRequest, TestRunResult } from './native.js';
import { AddressError, formatAddress, formatMac, maskAddress, parseMac, parsePrefix, requireAddress } from './addr.js';
import type { Prefix } from './addr.js';
import { Dir24, type Dir24Memory } from './dir24.js';
import { GraceQueue } from './grace.js';
import * as L from './layout.js';
import type { MapName, Reason } from './layout.js';
import { decodeRoute, encodeRoute, fib4Entry, fib4Target, type RouteTarget } from './route-target.js';

export type { RouteTarget };

export const DEFAULT_OBJECT = join(packageRoot(), 'bpf', 'xdp_router.o');
export const PROGRAM_NAME = 'xdp_router';
/**
 * Routes per batch map call: a full table in one call would hold two small
 * buffers per route at once, some 300 MB at a million routes, for no gain
 * in speed over calls of this size.
 */
const BATCH_CHUNK = 65_536;

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

export interface PuntRuleSpec {
  prefix: string;
  /** IPPROTO_* number; absent: any */
  protocol?: number;
  /** destination port (TCP/UDP); absent: any */
  port?: number;
}

export interface NexthopSpec {
  ifindex: number;
  /** absent: a connected route, the destination itself is the neighbour */
  gateway?: string;
}

export interface GroupMemberSpec {
  nexthop: number;
  weight: number;
}

/** How the program treats a neighbour entry: as the kernel's NUD state says. */
export interface NeighbourFlags {
  /** false: pass traffic up (INCOMPLETE, FAILED); default true */
  valid?: boolean;
  /** STALE: mark the entry when forwarding through it; default false */
  stale?: boolean;
}

export interface InterfaceSpec {
  mac: string;
  mtu: number;
  up: boolean;
  /** for a VLAN interface: its tag and the device it sends through */
  vlan?: { id: number; lowerIfindex: number };
  /** traffic the kernel treats apart on this interface, which the program passes up; absent: none */
  passes?: InterfacePasses;
}

/** Which of an interface's traffic goes to the kernel, by why: the flags of xr_iface. */
export interface InterfacePasses {
  /** arriving on it: a policy rule names it as iif, or could select any packet */
  policyIn?: true;
  /** arriving on it: a netfilter rule matches its iifname, or any packet */
  netfilterIn?: true;
  /** leaving by it: a netfilter rule matches its oifname */
  netfilterOut?: true;
  /** both ways: it is enslaved to a VRF, whose table the fast path does not hold */
  vrf?: true;
}

const PASS_FLAGS = ['policyIn', 'netfilterIn', 'netfilterOut', 'vrf'] as const;

function ifaceFlags(spec: InterfaceSpec): number {
  let flags = spec.up ? L.IfaceFlag.up : 0;
  for (const name of PASS_FLAGS) if (spec.passes?.[name]) flags |= L.IfaceFlag[name];
  return flags;
}

function ifacePasses(flags: number): InterfacePasses | undefined {
  const passes: InterfacePasses = {};
  for (const name of PASS_FLAGS) if (flags & L.IfaceFlag[name]) passes[name] = true;
  return Object.keys(passes).length > 0 ? passes : undefined;
}

/** What the program decides for a frame, from a dry run: nothing counted, nothing sent. */
export interface Decision {
  reason: Reason;
  /** the frame as the program left it: rewritten (MACs, TTL, tag) when forwarded */
  frame: Buffer;
}

/** The constants a program instance was loaded with; a dry-run instance takes the same. */
interface LoadedWith {
  objectPath: string;
  netns: string | undefined;
  seed: Buffer;
  punt: boolean;
}

export interface CounterRow {
  ifindex: number;
  reason: Reason;
  packets: bigint;
  bytes: bigint;
}

/** An array slot in use: a next hop always has an egress interface, a group members. */
const isNexthop = (v: Buffer): boolean => L.nexthop.decode(v).ifindex !== 0;
const isGroup = (v: Buffer): boolean => L.group.decode(v).count !== 0;

function decodeNexthop(v: Buffer): NexthopSpec {
  const nh = L.nexthop.decode(v);
  const gateway =
    nh.family === L.NhFamily.inet ? formatAddress(nh.gateway.subarray(0, 4)) : nh.family === L.NhFamily.inet6 ? formatAddress(nh.gateway) : undefined;
  return { ifindex: nh.ifindex, ...(gateway ? { gateway } : {}) };
}

function decodeGroup(v: Buffer): GroupMemberSpec[] {
  const g = L.group.decode(v);
  let lower = 0;
  return g.members.slice(0, g.count).map((m) => {
    const weight = m.upper - lower;
    lower = m.upper;
    return { nexthop: m.nexthop, weight };
  });
}

function decodeIface(v: Buffer): InterfaceSpec {
  const i = L.iface.decode(v);
  const passes = ifacePasses(i.flags);
  return {
    mac: formatMac(i.mac),
    mtu: i.mtu,
    up: (i.flags & L.IfaceFlag.up) !== 0,
    ...(i.vlan_id ? { vlan: { id: i.vlan_id, lowerIfindex: i.tx_ifindex } } : {}),
    ...(passes ? { passes } : {}),
  };
}

/** Sum a per-CPU xr_counter value over the CPUs. */
function sumCounters(perCpu: Buffer): { packets: bigint; bytes: bigint } {
  const stride = Math.ceil(L.counter.size / 8) * 8;
  let packets = 0n;
  let bytes = 0n;
  for (let off = 0; off + L.counter.size <= perCpu.length; off += stride) {
    const c = L.counter.decode(perCpu, off);
    packets += c.packets;
    bytes += c.bytes;
  }
  return { packets, bytes };
}

export class FastPath {
  private readonly maps: Record<MapName, NativeMap>;

  private fib4: Dir24 | undefined;

  /** reclaims of slots the program may still be reading: after a grace period */
  private readonly grace: GraceQueue;

  /** the never-attached instance that answers decide(), loaded at its first use */
  private dryRun: Promise<NativeProgram> | undefined;

  private constructor(
    readonly program: NativeProgram,
    private readonly loadedWith: LoadedWith,
    readonly pinDir: string | undefined,
    /** the maps were pinned already, by a previous run: they are its as much as ours */
    readonly adoptedPins: boolean,
    onGraceError: ((err: Error) => void) | undefined,
  ) {
    this.grace = new GraceQueue(() => addon.waitGracePeriod(), onGraceError);
    const maps = {} as Record<MapName, NativeMap>;
    for (const name of Object.keys(L.MAPS) as MapName[]) maps[name] = program.map(name);
    this.maps = maps;
  }

  static async open(options: FastPathOptions = {}): Promise<FastPath> {
    const seed = Buffer.alloc(4);
    seed.writeUInt32LE(options.hashSeed ?? randomInt(0, 2 ** 32 - 1) >>> 0);
    const loadedWith: LoadedWith = {
      objectPath: options.objectPath ?? DEFAULT_OBJECT,
      netns: options.netns ? `/run/netns/${options.netns}` : undefined,
      seed,
      punt: options.punt ?? false,
    };
    const program = FastPath.openProgram(loadedWith, false);
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
      const fp = new FastPath(program, loadedWith, pinDir, adoptedPins, options.onGraceError);
      if (pinDir) fp.pinMaps(pinDir);
      // a read-only open (verify, tests) has no use for the index, nor the memory it takes
      if (!options.adoptOnly) await fp.indexFib4();
      return fp;
    } catch (err) {
      program.close();
      throw err;
    }
  }

  /** An instance of the program with its constants set, not yet loaded. */
  private static openProgram(w: LoadedWith, dryRun: boolean): NativeProgram {
    const program = new addon.XdpProgram(w.objectPath, PROGRAM_NAME, w.netns ? { netns: w.netns } : {});
    try {
      program.setConst('xr_hash_seed', w.seed);
      program.setConst('xr_punt_enabled', Buffer.from([w.punt ? 1 : 0]));
      program.setConst('xr_dry_run', Buffer.from([dryRun ? 1 : 0]));
      return program;
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
    return this.loadedWith.seed.readUInt32LE(0);
  }

  /**
   * What the program does with `frame` arriving on `ingressIfindex`, asked
   * of the program itself: a second instance, loaded with the same
   * constants over these same maps and never attached, whose xr_dry_run
   * makes a test run count nothing, send nothing to a punt socket and
   * return its reason. Queue 0: a punt verdict is for a frame on queue 0.
   */
  async decide(frame: Buffer, ingressIfindex: number): Promise<Decision> {
    this.dryRun ??= this.loadDryRun();
    const res = await (await this.dryRun).testRun({ data: frame, ingressIfindex });
    const reason = L.REASONS[res.retval];
    if (reason === undefined) throw new Error(`the dry-run program returned ${res.retval}, not a reason (0..${L.REASONS.length - 1}): is bpf/xdp_router.o older than dataplane/layout.ts?`);
    return { reason, frame: res.data };
  }

  private async loadDryRun(): Promise<NativeProgram> {
    const program = FastPath.openProgram(this.loadedWith, true);
    try {
      for (const name of Object.keys(L.MAPS) as MapName[]) program.reuseMap(name, this.maps[name]);
      await program.load();
      return program;
    } catch (err) {
      program.close();
      this.dryRun = undefined;
      throw err;
    }
  }

  /**
   * The program's IPv4 FIB: DIR-24-8 arrays it reads with one or two loads,
   * written here through their mapping. The trie xr_fib4 stays the record
   * of IPv4 routes (dumps, verify, lookups from userspace) and is written
   * alongside. Fresh maps are all zero and are filled in place; maps a
   * previous run left pinned are adopted in place from its trie, entry by
   * entry, so their program keeps forwarding through the restart.
   */
  private async indexFib4(): Promise<void> {
    const memory = this.fib4Memory();
    const options = {
      // a /24 that needs a group when none is free sends its traffic to the
      // kernel rather than letting a shorter prefix take it the wrong way
      overflowValue: fib4Entry({ type: 'kernel' }),
      retire: (reclaim: () => void) => this.grace.defer(reclaim),
    };
    if (!this.adoptedPins) {
      this.fib4 = new Dir24(memory, options);
      return;
    }
    const prefixes = (await this.maps.xr_fib4.dump()).map(([key, value]) => {
      const k = L.fib4Key.decode(key);
      return { addr: k.addr.readUInt32BE(0), len: k.prefixlen, value: fib4Entry(decodeRoute(value)) };
    });
    this.fib4 = Dir24.adopt(memory, prefixes, options);
  }

  /**
   * Run `reclaim` once no program run that began before this call can still
   * be reading what it frees (a next-hop or group slot, an id): after an RCU
   * grace period, so a reader never follows a reused id to another entry.
   */
  afterGracePeriod(reclaim: () => void): void {
    this.grace.defer(reclaim);
  }

  /** Resolves once every reclaim deferred so far has run. */
  gracePeriodsSettled(): Promise<void> {
    return this.grace.settled();
  }

  /**
   * tbl8 groups of the IPv4 index in use, of how many, and the /24s waiting
   * for one (sent to the kernel meanwhile); undefined on a read-only open
   */
  fib4Groups(): { used: number; total: number; waiting: number; retiring: number } | undefined {
    return this.fib4 && { used: this.fib4.groupsUsed, total: this.fib4.groupsTotal, waiting: this.fib4.overflowed, retiring: this.fib4.groupsRetiring };
  }

  /** The program's IPv4 index, mapped: stores land in the maps. */
  private fib4Memory(): Dir24Memory {
    const D = L.Dir24Layout;
    return {
      tbl24: new Uint32Array(this.maps.xr_fib4_tbl24.memory(), 0, D.tbl24Entries),
      tbl8: new Uint32Array(this.maps.xr_fib4_tbl8.memory(), 0, D.tbl8Groups * D.tbl8GroupSize),
    };
  }

  private index4(): Dir24 {
    if (!this.fib4) throw new Error('IPv4 routes cannot be written through a fast path opened to read (adoptOnly), nor after close()');
    return this.fib4;
  }

  /**
   * Where the program's IPv4 index and the trie disagree: at the first and
   * the last address of every IPv4 prefix, the route the program would use
   * against the trie's longest match. Empty when they agree.
   */
  async fib4IndexMismatches(): Promise<Array<{ address: string; trie: RouteTarget | null; index: RouteTarget | null }>> {
    const memory = this.fib4Memory();
    const out: Array<{ address: string; trie: RouteTarget | null; index: RouteTarget | null }> = [];
    const probe = Buffer.alloc(4);
    for (const [key] of await this.maps.xr_fib4.dump()) {
      const k = L.fib4Key.decode(key);
      const first = k.addr.readUInt32BE(0);
      const last = (first | (k.prefixlen === 0 ? 0xffffffff : ~(0xffffffff << (32 - k.prefixlen)))) >>> 0;
      for (const addr of first === last ? [first] : [first, last]) {
        probe.writeUInt32BE(addr);
        const value = this.maps.xr_fib4.lookup(L.fib4Key.encode({ prefixlen: 32, addr: probe }));
        const trie = value ? decodeRoute(value) : null;
        const entry = Dir24.read(memory, addr);
        if ((trie ? fib4Entry(trie) : 0) !== entry) {
          out.push({ address: formatAddress(probe), trie, index: entry ? fib4Target(entry) : null });
        }
      }
    }
    return out;
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

  private fibKey(p: Prefix): { map: NativeMap; key: Buffer } {
    return p.family === 4
      ? { map: this.maps.xr_fib4, key: L.fib4Key.encode({ prefixlen: p.length, addr: p.addr }) }
      : { map: this.maps.xr_fib6, key: L.fib6Key.encode({ prefixlen: p.length, addr: p.addr }) };
  }

  setRoute(prefix: string, target: RouteTarget): void {
    const p = parsePrefix(prefix);
    const { map, key } = this.fibKey(p);
    if (p.family === 6) {
      map.update(key, encodeRoute(target));
      return;
    }
    const index = this.index4();
    const addr = p.addr.readUInt32BE(0);
    const before = index.get(addr, p.length);
    index.set(addr, p.length, fib4Entry(target));
    try {
      map.update(key, encodeRoute(target));
    } catch (err) {
      if (before === undefined) index.delete(addr, p.length);
      else index.set(addr, p.length, before);
      throw err;
    }
  }

  /** Many routes at once (a dump, a resync); one call into the addon. */
  async setRoutes(routes: Array<{ prefix: string; target: RouteTarget }>): Promise<void> {
    for (let at = 0; at < routes.length; at += BATCH_CHUNK) {
      const chunk = routes.slice(at, at + BATCH_CHUNK);
      for (const family of [4, 6] as const) {
        const batch = chunk.map((r) => ({ p: parsePrefix(r.prefix), t: r.target })).filter((r) => r.p.family === family);
        if (batch.length === 0) continue;
        const keys = Buffer.concat(batch.map((r) => this.fibKey(r.p).key));
        const values = Buffer.concat(batch.map((r) => encodeRoute(r.t)));
        await (family === 4 ? this.maps.xr_fib4 : this.maps.xr_fib6).updateBatch(keys, values, batch.length);
        if (family === 4) for (const r of batch) this.index4().set(r.p.addr.readUInt32BE(0), r.p.length, fib4Entry(r.t));
      }
    }
  }

  deleteRoute(prefix: string): boolean {
    const p = parsePrefix(prefix);
    const { map, key } = this.fibKey(p);
    if (p.family === 4) this.index4().delete(p.addr.readUInt32BE(0), p.length);
    return map.delete(key);
  }

  async deleteRoutes(prefixes: string[]): Promise<number> {
    let deleted = 0;
    for (let at = 0; at < prefixes.length; at += BATCH_CHUNK) {
      const chunk = prefixes.slice(at, at + BATCH_CHUNK);
      for (const family of [4, 6] as const) {
        const batch = chunk.map((p) => parsePrefix(p)).filter((p) => p.family === family);
        if (batch.length === 0) continue;
        if (family === 4) for (const p of batch) this.index4().delete(p.addr.readUInt32BE(0), p.length);
        const keys = Buffer.concat(batch.map((p) => this.fibKey(p).key));
        deleted += await (family === 4 ? this.maps.xr_fib4 : this.maps.xr_fib6).deleteBatch(keys, batch.length);
      }
    }
    return deleted;
  }

  /** Longest-prefix match for an address, as the program does it. */
  lookupRoute(address: string): RouteTarget | null {
    const a = requireAddress(address);
    const { map, key } = this.fibKey({ family: a.family, addr: a.addr, length: a.family === 4 ? 32 : 128 });
    const value = map.lookup(key);
    return value ? decodeRoute(value) : null;
  }

  /** Every route of both FIBs. */
  async routes(): Promise<Array<{ prefix: string; target: RouteTarget }>> {
    const out: Array<{ prefix: string; target: RouteTarget }> = [];
    for (const [map, layout] of [
      [this.maps.xr_fib4, L.fib4Key],
      [this.maps.xr_fib6, L.fib6Key],
    ] as const) {
      for (const [k, v] of await map.dump()) {
        const key = layout.decode(k);
        out.push({
          prefix: `${formatAddress(maskAddress(key.addr, key.prefixlen))}/${key.prefixlen}`,
          target: decodeRoute(v),
        });
      }
    }
    return out;
  }

  // --- next hops ----------------------------------------------------------

  // Next hops and groups live in arrays: a slot of zeros (no interface, no
  // members) is an absent entry, as the program reads it.

  nexthop(id: number): NexthopSpec | null {
    const v = id < L.NEXTHOP_MAX ? this.maps.xr_nexthops.lookup(L.u32.encode({ value: id })) : null;
    return v && isNexthop(v) ? decodeNexthop(v) : null;
  }

  group(id: number): GroupMemberSpec[] | null {
    const v = id < L.GROUP_MAX ? this.maps.xr_groups.lookup(L.u32.encode({ value: id })) : null;
    return v && isGroup(v) ? decodeGroup(v) : null;
  }

  async nexthops(): Promise<Map<number, NexthopSpec>> {
    const out = new Map<number, NexthopSpec>();
    for (const [k, v] of await this.maps.xr_nexthops.dump()) if (isNexthop(v)) out.set(L.u32.decode(k).value, decodeNexthop(v));
    return out;
  }

  async groups(): Promise<Map<number, GroupMemberSpec[]>> {
    const out = new Map<number, GroupMemberSpec[]>();
    for (const [k, v] of await this.maps.xr_groups.dump()) if (isGroup(v)) out.set(L.u32.decode(k).value, decodeGroup(v));
    return out;
  }

  setNexthop(id: number, spec: NexthopSpec): void {
    let family: number = L.NhFamily.connected;
    let gateway: Buffer = Buffer.alloc(16);
    if (spec.gateway !== undefined) {
      const gw = requireAddress(spec.gateway, 'gateway');
      family = gw.family === 4 ? L.NhFamily.inet : L.NhFamily.inet6;
      gateway = gw.addr;
    }
    this.maps.xr_nexthops.update(L.u32.encode({ value: id }), L.nexthop.encode({ ifindex: spec.ifindex, family, gateway }));
  }

  deleteNexthop(id: number): boolean {
    const had = this.nexthop(id) !== null;
    if (had) this.maps.xr_nexthops.update(L.u32.encode({ value: id }), Buffer.alloc(L.nexthop.size));
    return had;
  }

  /** A multipath group: each member gets its weight's share of the flows. */
  setGroup(id: number, members: GroupMemberSpec[]): void {
    if (members.length < 1 || members.length > L.MAX_GROUP_MEMBERS) {
      throw new RangeError(`next-hop group ${id}: ${members.length} members, must be 1 to ${L.MAX_GROUP_MEMBERS}`);
    }
    let upper = 0;
    const encoded = members.map((m) => {
      if (!Number.isInteger(m.weight) || m.weight < 1 || m.weight > 256) {
        throw new RangeError(`next-hop group ${id}: weight ${m.weight} of next hop ${m.nexthop} must be 1 to 256`);
      }
      upper += m.weight;
      return { nexthop: m.nexthop, upper };
    });
    this.maps.xr_groups.update(
      L.u32.encode({ value: id }),
      L.group.encode({ count: members.length, total_weight: upper, members: encoded }),
    );
  }

  deleteGroup(id: number): boolean {
    const had = this.group(id) !== null;
    if (had) this.maps.xr_groups.update(L.u32.encode({ value: id }), Buffer.alloc(L.group.size));
    return had;
  }

  // --- neighbours ---------------------------------------------------------

  private neighKey(ifindex: number, address: string): { map: NativeMap; key: Buffer } {
    const a = requireAddress(address, 'neighbour');
    return a.family === 4
      ? { map: this.maps.xr_neigh4, key: L.neigh4Key.encode({ ifindex, addr: a.addr }) }
      : { map: this.maps.xr_neigh6, key: L.neigh6Key.encode({ ifindex, addr: a.addr }) };
  }

  /**
   * valid=false keeps the entry but makes the program pass traffic up
   * (INCOMPLETE, FAILED); stale=true has the program mark the entry when it
   * forwards through it (see neighbourUsed). Writing clears the mark.
   */
  setNeighbour(ifindex: number, address: string, mac: string, { valid = true, stale = false }: NeighbourFlags = {}): void {
    const { map, key } = this.neighKey(ifindex, address);
    const flags = (valid ? L.NEIGH_F_VALID : 0) | (stale ? L.NEIGH_F_STALE : 0);
    map.update(key, L.neigh.encode({ mac: parseMac(mac), flags, used: 0 }));
  }

  /** The program forwarded through this STALE entry since it was last written. */
  neighbourUsed(ifindex: number, address: string): boolean {
    const { map, key } = this.neighKey(ifindex, address);
    const v = map.lookup(key);
    return !!v && L.neigh.decode(v).used !== 0;
  }

  deleteNeighbour(ifindex: number, address: string): boolean {
    const { map, key } = this.neighKey(ifindex, address);
    return map.delete(key);
  }

  neighbour(ifindex: number, address: string): { mac: string; valid: boolean } | null {
    const { map, key } = this.neighKey(ifindex, address);
    const v = map.lookup(key);
    if (!v) return null;
    const n = L.neigh.decode(v);
    return { mac: formatMac(n.mac), valid: (n.flags & L.NEIGH_F_VALID) !== 0 };
  }

  /** Every neighbour entry: "ifindex|address" -> MAC and flags. */
  async neighbours(): Promise<Map<string, { mac: string; valid: boolean; stale: boolean }>> {
    const out = new Map<string, { mac: string; valid: boolean; stale: boolean }>();
    for (const [map, layout] of [
      [this.maps.xr_neigh4, L.neigh4Key],
      [this.maps.xr_neigh6, L.neigh6Key],
    ] as const) {
      for (const [k, v] of await map.dump()) {
        const key = layout.decode(k);
        const n = L.neigh.decode(v);
        out.set(`${key.ifindex}|${formatAddress(key.addr)}`, {
          mac: formatMac(n.mac),
          valid: (n.flags & L.NEIGH_F_VALID) !== 0,
          stale: (n.flags & L.NEIGH_F_STALE) !== 0,
        });
      }
    }
    return out;
  }

  // --- interfaces and local addresses ---------------------------------------

  iface(ifindex: number): InterfaceSpec | null {
    const v = this.maps.xr_ifaces.lookup(L.u32.encode({ value: ifindex }));
    return v ? decodeIface(v) : null;
  }

  async interfaces(): Promise<Map<number, InterfaceSpec>> {
    const out = new Map<number, InterfaceSpec>();
    for (const [k, v] of await this.maps.xr_ifaces.dump()) out.set(L.u32.decode(k).value, decodeIface(v));
    return out;
  }

  async localAddresses(): Promise<string[]> {
    const out: string[] = [];
    for (const map of [this.maps.xr_local4, this.maps.xr_local6]) for (const [k] of await map.dump()) out.push(formatAddress(k));
    return out;
  }

  setInterface(ifindex: number, spec: InterfaceSpec): void {
    const tx = spec.vlan ? spec.vlan.lowerIfindex : ifindex;
    if (spec.vlan && (spec.vlan.id < 1 || spec.vlan.id > 4094)) {
      throw new RangeError(`interface ${ifindex}: VLAN id ${spec.vlan.id} must be 1 to 4094`);
    }
    // the devmap first: the program checks it before it trusts an interface
    // A DEVMAP_HASH update unlinks the old entry before it links the new
    // one: rewriting an unchanged entry (a restart re-applies every
    // interface) would let a frame in flight miss it after its rewrite.
    const port = L.u32.encode({ value: tx });
    if (!this.maps.xr_tx_ports.lookup(port)?.equals(port)) this.maps.xr_tx_ports.update(port, port);
    if (spec.vlan) {
      this.maps.xr_vlans.update(
        L.vlanKey.encode({ ifindex: spec.vlan.lowerIfindex, vlan_id: spec.vlan.id }),
        L.u32.encode({ value: ifindex }),
      );
    }
    this.maps.xr_ifaces.update(
      L.u32.encode({ value: ifindex }),
      L.iface.encode({
        mac: parseMac(spec.mac),
        vlan_id: spec.vlan?.id ?? 0,
        mtu: spec.mtu,
        tx_ifindex: tx,
        flags: ifaceFlags(spec),
      }),
    );
  }

  deleteInterface(ifindex: number): boolean {
    const key = L.u32.encode({ value: ifindex });
    const raw = this.maps.xr_ifaces.lookup(key);
    if (!raw) return false;
    const iface = L.iface.decode(raw);
    this.maps.xr_ifaces.delete(key);
    if (iface.vlan_id) {
      this.maps.xr_vlans.delete(L.vlanKey.encode({ ifindex: iface.tx_ifindex, vlan_id: iface.vlan_id }));
    } else {
      this.maps.xr_tx_ports.delete(key);
    }
    return true;
  }

  addLocalAddress(address: string, ifindex: number): void {
    const a = requireAddress(address, 'local address');
    const map = a.family === 4 ? this.maps.xr_local4 : this.maps.xr_local6;
    map.update(a.addr, L.u32.encode({ value: ifindex }));
  }

  deleteLocalAddress(address: string): boolean {
    const a = requireAddress(address, 'local address');
    return (a.family === 4 ? this.maps.xr_local4 : this.maps.xr_local6).delete(a.addr);
  }

  // --- counters -------------------------------------------------------------

  /** Packets and bytes per ingress interface and reason, summed over CPUs. */
  async counters(): Promise<CounterRow[]> {
    const rows: CounterRow[] = [];
    for (const [k, v] of await this.maps.xr_counters.dump()) {
      const key = L.counterKey.decode(k);
      const reason = L.REASONS[key.reason];
      if (reason) rows.push({ ifindex: key.ifindex, reason, ...sumCounters(v) });
    }
    return rows;
  }

  /** Sum of one reason's packets, over all interfaces or one. */
  async packets(reason: Reason, ifindex?: number): Promise<bigint> {
    return (await this.counters())
      .filter((r) => r.reason === reason && (ifindex === undefined || r.ifindex === ifindex))
      .reduce((sum, r) => sum + r.packets, 0n);
  }

  // --- punt rules (AF_XDP slow path) ----------------------------------------

  setPuntRule(id: number, rule: PuntRuleSpec): void {
    if (!Number.isInteger(id) || id < 0 || id >= L.MAX_PUNT_RULES) throw new RangeError(`punt rule id ${id} must be 0 to ${L.MAX_PUNT_RULES - 1}`);
    const { map, key } = this.puntKey(rule.prefix);
    const port = Buffer.alloc(2);
    port.writeUInt16BE(rule.port ?? 0);
    map.update(key, L.punt.encode({ rule_id: id, protocol: rule.protocol ?? 0, port }));
    // a new rule counts from zero
    this.maps.xr_punt_stats.update(L.u32.encode({ value: id }), Buffer.alloc(this.perCpuSize(L.counter.size)));
  }

  deletePuntRule(prefix: string): boolean {
    const { map, key } = this.puntKey(prefix);
    return map.delete(key);
  }

  async puntRules(): Promise<Array<PuntRuleSpec & { id: number }>> {
    const out: Array<PuntRuleSpec & { id: number }> = [];
    for (const [map, layout] of [
      [this.maps.xr_punt4, L.fib4Key],
      [this.maps.xr_punt6, L.fib6Key],
    ] as const) {
      for (const [k, v] of await map.dump()) {
        const key = layout.decode(k);
        const rule = L.punt.decode(v);
        const port = rule.port.readUInt16BE(0);
        out.push({
          id: rule.rule_id,
          prefix: `${formatAddress(maskAddress(key.addr, key.prefixlen))}/${key.prefixlen}`,
          ...(rule.protocol ? { protocol: rule.protocol } : {}),
          ...(port ? { port } : {}),
        });
      }
    }
    return out;
  }

  /** Packets and bytes punted by a rule, summed over CPUs. */
  puntStats(id: number): { packets: bigint; bytes: bigint } {
    const v = this.maps.xr_punt_stats.lookup(L.u32.encode({ value: id }));
    return v ? sumCounters(v) : { packets: 0n, bytes: 0n };
  }

  /** Register an AF_XDP socket for the frames punted on (ifindex, queue). */
  bindXsk(ifindex: number, queue: number, slot: number, socketFd: number): void {
    // the socket first: a slot naming an empty XSKMAP entry is passed, never lost
    this.maps.xr_xsks.update(L.u32.encode({ value: slot }), L.u32.encode({ value: socketFd }));
    this.maps.xr_xsk_slots.update(L.xskKey.encode({ ifindex, queue }), L.u32.encode({ value: slot }));
  }

  unbindXsk(ifindex: number, queue: number, slot: number): void {
    this.maps.xr_xsk_slots.delete(L.xskKey.encode({ ifindex, queue }));
    this.maps.xr_xsks.delete(L.u32.encode({ value: slot }));
  }

  private puntKey(prefix: string): { map: NativeMap; key: Buffer } {
    const p = parsePrefix(prefix);
    const { key } = this.fibKey(p);
    return { map: p.family === 4 ? this.maps.xr_punt4 : this.maps.xr_punt6, key };
  }

  private perCpuSize(valueSize: number): number {
    return Math.ceil(valueSize / 8) * 8 * addon.possibleCpus();
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
    // unmaps the index's memory now, rather than when the collector gets to it
    this.maps.xr_fib4_tbl24.close();
    this.maps.xr_fib4_tbl8.close();
    this.program.close();
    void this.dryRun?.then((p) => p.close(), () => undefined);
  }
}

export { AddressError };
