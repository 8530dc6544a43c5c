// The program's IPv6 index (dataplane/dir6.ts) over its two mapped arrays
// (the /24 table and the nodes' lines):
// opened fresh or adopted from the trie xr_fib6 a previous run left pinned,
// kept beside the trie by FastPath, and compared with it for `verify`.
import type { Prefix } from './addr.js';
import { Dir6, type Dir6Memory, type Dir6Usage } from './dir6.js';
import type { Fib4Mismatch } from './fib4-index.js';
import { fib6Mismatches } from './index-check.js';
import { setThenWrite } from './index-write.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';
import { dumpTrie, type TrieDump } from './route-dump.js';
import { decodeRoute, fib4Entry, type RouteTarget } from './route-target.js';

export type Fib6Maps = Pick<Record<MapName, NativeMap>, 'xr_fib6' | 'xr_fib6_tbl24' | 'xr_fib6_lines'>;

/** lines used, in all, retiring; /24 entries sent to the trie for want of lines */
export type Fib6IndexStats = Omit<Dir6Usage, 'prefixes'>;

/** The arrays the program reads, mapped: stores land in the maps. */
export function fib6Memory(maps: Fib6Maps): Dir6Memory {
  const D = L.Dir6Layout;
  return {
    tbl24: new Uint32Array(maps.xr_fib6_tbl24.memory(), 0, D.tbl24Entries),
    lines: new Uint32Array(maps.xr_fib6_lines.memory(), 0, D.lines * D.lineWords),
  };
}

export class Fib6Index {
  private constructor(private readonly table: Dir6) {}

  /**
   * Fresh maps are all zero and are filled in place; maps a previous run
   * left pinned are adopted from its trie, entry by entry, so its program
   * keeps forwarding through the restart. retire: run a reclaim after a
   * grace period.
   */
  static async open(maps: Fib6Maps, adopt: boolean, retire: (reclaim: () => void) => void): Promise<Fib6Index> {
    const memory = fib6Memory(maps);
    if (!adopt) return new Fib6Index(new Dir6(memory, { retire }));
    const prefixes = (await maps.xr_fib6.dump()).map(([key, value]) => {
      const k = L.fib6Key.decode(key);
      return { addr: new Uint8Array(k.addr), len: k.prefixlen, value: fib4Entry(decodeRoute(value)) };
    });
    return new Fib6Index(Dir6.adopt(memory, prefixes, { retire }));
  }

  /** The route of addr/len is `value`: both indexes encode a route alike (route-target.ts fib4Entry). */
  set(addr: Uint8Array, len: number, value: number): void {
    this.table.set(addr, len, value);
  }

  /** Set p, then `write` the trie; when the write throws, the index is put back as it was. */
  setThen(p: Prefix, target: RouteTarget, write: () => void): void {
    const t = this.table;
    setThenWrite({ get: () => t.get(p.addr, p.length), set: (v) => t.set(p.addr, p.length, v), delete: () => void t.delete(p.addr, p.length) }, fib4Entry(target), write);
  }

  /** Run `write`, its sets under one /24 in a row published together (Dir6.setRun): a batch's, in address order. */
  setRun(write: () => void): void {
    this.table.setRun(write);
  }

  delete(addr: Uint8Array, len: number): void {
    this.table.delete(addr, len);
  }

  lines(): Fib6IndexStats {
    const { prefixes: _, ...lines } = this.table.usage();
    return lines;
  }
}

/** Where the program's IPv6 index and the trie disagree (index-check.ts), from the given dump of the trie or a fresh one. */
export async function fib6IndexMismatches(maps: Fib6Maps, trie?: TrieDump): Promise<Fib4Mismatch[]> {
  return fib6Mismatches(trie ?? (await dumpTrie(6, maps.xr_fib6)), fib6Memory(maps));
}
