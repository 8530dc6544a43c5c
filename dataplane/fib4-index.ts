// The program's IPv4 FIB: DIR-24-8 arrays (dir24.ts) it reads with one or
// two loads, written here through their mapping. The trie xr_fib4 stays the
// record of IPv4 routes (dumps, verify, lookups from userspace) and is
// written alongside, by the facade.
import { formatAddress, type Prefix } from './addr.js';
import { Dir24, type Dir24Memory } from './dir24.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';
import { decodeRoute, fib4Entry, fib4Target, type RouteTarget } from './route-target.js';

export type Fib4Maps = Pick<Record<MapName, NativeMap>, 'xr_fib4' | 'xr_fib4_tbl24' | 'xr_fib4_tbl8'>;

/** tbl8 groups in use, of how many, the /24s waiting for one (sent to the kernel meanwhile), and those freed awaiting their grace period */
export interface Fib4Groups {
  used: number;
  total: number;
  waiting: number;
  retiring: number;
}

/** An address where the index and the trie give different routes. */
export interface Fib4Mismatch {
  address: string;
  trie: RouteTarget | null;
  index: RouteTarget | null;
}

const ALL_ONES = 0xffff_ffff;

/** The program's IPv4 index, mapped: stores land in the maps. */
function fib4Memory(maps: Fib4Maps): Dir24Memory {
  const D = L.Dir24Layout;
  return {
    tbl24: new Uint32Array(maps.xr_fib4_tbl24.memory(), 0, D.tbl24Entries),
    tbl8: new Uint32Array(maps.xr_fib4_tbl8.memory(), 0, D.tbl8Groups * D.tbl8GroupSize),
  };
}

const addressOf = (p: Prefix): number => p.addr.readUInt32BE(0);

export class Fib4Index {
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
    const prefixes = (await maps.xr_fib4.dump()).map(([key, value]) => {
      const k = L.fib4Key.decode(key);
      return { addr: k.addr.readUInt32BE(0), len: k.prefixlen, value: fib4Entry(decodeRoute(value)) };
    });
    return new Fib4Index(Dir24.adopt(memory, prefixes, options));
  }

  set(p: Prefix, target: RouteTarget): void {
    this.table.set(addressOf(p), p.length, fib4Entry(target));
  }

  /** Set p, then `write` the trie; when the write throws, the index is put back as it was. */
  setThen(p: Prefix, target: RouteTarget, write: () => void): void {
    const before = this.table.get(addressOf(p), p.length);
    this.set(p, target);
    try {
      write();
    } catch (err) {
      if (before === undefined) this.delete(p);
      else this.table.set(addressOf(p), p.length, before);
      throw err;
    }
  }

  delete(p: Prefix): void {
    this.table.delete(addressOf(p), p.length);
  }

  groups(): Fib4Groups {
    const t = this.table;
    return { used: t.groupsUsed, total: t.groupsTotal, waiting: t.overflowed, retiring: t.groupsRetiring };
  }
}

/**
 * Where the program's IPv4 index and the trie disagree: at the first and
 * the last address of every IPv4 prefix, the route the program would use
 * against the trie's longest match. Empty when they agree. Reads the maps
 * only, so a read-only open (no Fib4Index) can ask too.
 */
export async function fib4IndexMismatches(maps: Fib4Maps): Promise<Fib4Mismatch[]> {
  const memory = fib4Memory(maps);
  const out: Fib4Mismatch[] = [];
  const probe = Buffer.alloc(4);
  for (const [key] of await maps.xr_fib4.dump()) {
    const k = L.fib4Key.decode(key);
    const first = k.addr.readUInt32BE(0);
    const last = (first | (k.prefixlen === 0 ? ALL_ONES : ~(ALL_ONES << (32 - k.prefixlen)))) >>> 0;
    for (const addr of first === last ? [first] : [first, last]) {
      probe.writeUInt32BE(addr);
      const value = maps.xr_fib4.lookup(L.fib4Key.encode({ prefixlen: 32, addr: probe }));
      const trie = value ? decodeRoute(value) : null;
      const entry = Dir24.read(memory, addr);
      if ((trie ? fib4Entry(trie) : 0) !== entry) {
        out.push({ address: formatAddress(probe), trie, index: entry ? fib4Target(entry) : null });
      }
    }
  }
  return out;
}
