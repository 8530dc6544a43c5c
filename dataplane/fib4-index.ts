// The program's IPv4 FIB: DIR-24-8 arrays (dir24.ts) it reads with one or
// two loads, written here through their mapping. The trie xr_fib4 stays the
// record of IPv4 routes (dumps, verify, lookups from userspace) and is
// written alongside, by the facade. Over the routes lie the router's own
// addresses, as /32 entries of type local: the kernel consults its local
// table before any other, so a local address hides a route of the same /32,
// and the hidden route comes back when the address goes.
import type { Prefix } from './addr.js';
import { Dir24, type Dir24Memory } from './dir24.js';
import { fib4Mismatches, type Fib4Mismatch } from './index-check.js';
import { setThenWrite, type IndexEntry } from './index-write.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';
import { dumpTrie, type TrieDump } from './route-dump.js';
import { decodeRoute, fib4Entry, type RouteTarget } from './route-target.js';

export type { Fib4Mismatch };

export type Fib4Maps = Pick<Record<MapName, NativeMap>, 'xr_fib4' | 'xr_fib4_tbl24' | 'xr_fib4_tbl8' | 'xr_local4'>;

/** tbl8 groups in use, of how many, the /24s waiting for one (sent to the kernel meanwhile), and those freed awaiting their grace period */
export interface Fib4Groups {
  used: number;
  total: number;
  waiting: number;
  retiring: number;
}


const LOCAL_ENTRY = fib4Entry({ type: 'local' });

/** The program's IPv4 index, mapped: stores land in the maps. */
function fib4Memory(maps: Fib4Maps): Dir24Memory {
  const D = L.Dir24Layout;
  return {
    tbl24: new Uint32Array(maps.xr_fib4_tbl24.memory(), 0, D.tbl24Entries),
    tbl8: new Uint32Array(maps.xr_fib4_tbl8.memory(), 0, D.tbl8Groups * D.tbl8GroupSize),
  };
}

const addressOf = (p: Prefix): number => p.addr.readUInt32BE(0);

/** The router's IPv4 addresses, as xr_local4 holds them. */
const localAddresses = (maps: Fib4Maps): number[] => maps.xr_local4.keys().map((k) => k.readUInt32BE(0));

export class Fib4Index {
  /** local address -> the entry of the /32 route it hides, if any */
  private readonly locals = new Map<number, number | undefined>();

  private constructor(private readonly table: Dir24) {}

  /**
   * Fresh maps are all zero and are filled in place; maps a previous run
   * left pinned (adopt) are taken over in place from its trie, entry by
   * entry, so their program keeps forwarding through the restart. A freed
   * tbl8 group is reused only after `retire` runs its reclaim.
   */
  static async open(maps: Fib4Maps, adopt: boolean, retire: (reclaim: () => void) => void): Promise<Fib4Index> {
    const options = {
      // a /24 that needs a group when none is free sends its traffic to the
      // kernel rather than letting a shorter prefix take it the wrong way
      overflowValue: fib4Entry({ type: 'kernel' }),
      retire,
    };
    const memory = fib4Memory(maps);
    if (!adopt) return new Fib4Index(new Dir24(memory, options));
    // a route a local address hides stays out of the arrays, remembered
    const hidden = new Map<number, number | undefined>(localAddresses(maps).map((a) => [a, undefined]));
    const prefixes = [];
    for (const [key, value] of await maps.xr_fib4.dump()) {
      const k = L.fib4Key.decode(key);
      const route = { addr: k.addr.readUInt32BE(0), len: k.prefixlen, value: fib4Entry(decodeRoute(value)) };
      if (route.len === 32 && hidden.has(route.addr)) hidden.set(route.addr, route.value);
      else prefixes.push(route);
    }
    for (const addr of hidden.keys()) prefixes.push({ addr, len: 32, value: LOCAL_ENTRY });
    const fib = new Fib4Index(Dir24.adopt(memory, prefixes, options));
    for (const [addr, value] of hidden) fib.locals.set(addr, value);
    return fib;
  }

  /** The route of addr/len is `value`, a route as fib4Entry encodes it; a /32 a local address hides is kept aside, out of the arrays. */
  set(addr: number, len: number, value: number): void {
    if (len === 32 && this.locals.has(addr)) this.locals.set(addr, value);
    else this.table.set(addr, len, value);
  }

  /** Set p, then `write` the trie; when the write throws, the index is put back as it was. */
  setThen(p: Prefix, target: RouteTarget, write: () => void): void {
    setThenWrite(this.entry(addressOf(p), p.length), fib4Entry(target), write);
  }

  delete(addr: number, len: number): void {
    if (len === 32 && this.locals.has(addr)) this.locals.set(addr, undefined);
    else this.table.delete(addr, len);
  }

  /** A route's entry as the trie has it: a /32 a local address hides is kept aside, out of the arrays (set, delete). */
  private entry(addr: number, len: number): IndexEntry<number> {
    const hidden = len === 32 && this.locals.has(addr);
    return { get: () => (hidden ? this.locals.get(addr) : this.table.get(addr, len)), set: (v) => this.set(addr, len, v), delete: () => this.delete(addr, len) };
  }

  /** An address of the router: it hides the route of its /32 until it goes. */
  setLocal(addr: number): void {
    if (this.locals.has(addr)) return;
    this.locals.set(addr, this.table.get(addr, 32));
    this.table.set(addr, 32, LOCAL_ENTRY);
  }

  deleteLocal(addr: number): void {
    if (!this.locals.has(addr)) return;
    const hidden = this.locals.get(addr);
    this.locals.delete(addr);
    if (hidden === undefined) this.table.delete(addr, 32);
    else this.table.set(addr, 32, hidden);
  }

  groups(): Fib4Groups {
    const t = this.table;
    return { used: t.groupsUsed, total: t.groupsTotal, waiting: t.overflowed, retiring: t.groupsRetiring };
  }
}

/**
 * Where the program's IPv4 index and its records disagree (index-check.ts),
 * from the given dump of the trie or a fresh one. Empty when they agree.
 * Reads the maps only, so a read-only open (no Fib4Index) can ask too.
 */
export async function fib4IndexMismatches(maps: Fib4Maps, trie?: TrieDump): Promise<Fib4Mismatch[]> {
  return fib4Mismatches(trie ?? (await dumpTrie(4, maps.xr_fib4)), fib4Memory(maps), localAddresses(maps));
}
