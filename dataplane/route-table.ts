// The routes: the tries (xr_fib4, xr_fib6) are the record; each write goes
// through the family's index (fib4-index.ts, fib6-index.ts), which the
// program reads, in the order those modules require.
import { parsePrefix, requireAddress } from './addr.js';
import type { Prefix } from './addr.js';
import { formatPrefixKey, prefixKey } from './entry-codecs.js';
import type { Fib4Index } from './fib4-index.js';
import type { Fib6Index } from './fib6-index.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import { dumpEntries } from './map-dump.js';
import type { NativeMap } from './native.js';
import { decodeRoute, encodeRoute, type RouteTarget } from './route-target.js';

/**
 * Routes per trie batch call. The trie takes one part on a worker thread
 * while the JS thread writes another part's index, so neither waits for the
 * other; parts this size keep both busy without holding much at once.
 */
const PART = 8_192;

/** The indexes a write goes through; each throws on a fast path opened to read. */
export interface RouteIndexes {
  index4(): Fib4Index;
  index6(): Fib6Index;
}

/** Items of one family (one trie), at most PART of them, with their prefixes parsed. */
interface Part<T> {
  family: 4 | 6;
  prefixes: Prefix[];
  items: T[];
}

/** Items split by their prefixes' family, in parts of at most PART, in order within each family. */
function familyParts<T>(items: readonly T[], prefixOf: (item: T) => string): Array<Part<T>> {
  const done: Array<Part<T>> = [];
  const open = { 4: { family: 4, prefixes: [], items: [] } as Part<T>, 6: { family: 6, prefixes: [], items: [] } as Part<T> };
  for (const item of items) {
    const p = parsePrefix(prefixOf(item));
    const part = open[p.family];
    part.prefixes.push(p);
    part.items.push(item);
    if (part.items.length === PART) {
      done.push(part);
      open[p.family] = { family: p.family, prefixes: [], items: [] };
    }
  }
  for (const part of [open[4], open[6]]) if (part.items.length > 0) done.push(part);
  return done;
}

/** A part's trie keys, one buffer for the batch call. */
function trieKeys(part: Part<unknown>): Buffer {
  const size = part.family === 4 ? L.fib4Key.size : L.fib6Key.size;
  const keys = Buffer.alloc(part.prefixes.length * size);
  part.prefixes.forEach((p, i) => prefixKey(p, keys, i * size));
  return keys;
}

/** Wait for a batch call left in flight by a write that failed: its outcome no longer matters, but must not go unhandled. */
async function settle(call: Promise<unknown> | undefined): Promise<void> {
  await call?.catch(() => undefined);
}

export class RouteTable {
  constructor(
    private readonly maps: Record<MapName, NativeMap>,
    private readonly indexes: RouteIndexes,
  ) {}

  private fib(family: 4 | 6): NativeMap {
    return family === 4 ? this.maps.xr_fib4 : this.maps.xr_fib6;
  }

  set(prefix: string, target: RouteTarget): void {
    const p = parsePrefix(prefix);
    const write = (): void => this.fib(p.family).update(prefixKey(p), encodeRoute(target));
    if (p.family === 6) this.indexes.index6().setThen(p, target, write);
    else this.indexes.index4().setThen(p, target, write);
  }

  /**
   * Each part is in its trie before its index points at it (an IPv6 entry
   * may send the program to the trie); the next part's trie call runs
   * meanwhile.
   */
  async setMany(routes: Array<{ prefix: string; target: RouteTarget }>): Promise<void> {
    const parts = familyParts(routes, (r) => r.prefix);
    let trie = parts.length > 0 ? this.setTrie(parts[0]!) : undefined;
    for (let k = 0; k < parts.length; k++) {
      await trie;
      trie = k + 1 < parts.length ? this.setTrie(parts[k + 1]!) : undefined;
      try {
        this.setIndex(parts[k]!);
      } catch (err) {
        await settle(trie);
        throw err;
      }
    }
  }

  private setTrie(part: Part<{ target: RouteTarget }>): Promise<void> {
    const values = Buffer.alloc(part.items.length * L.route.size);
    part.items.forEach((r, i) => encodeRoute(r.target, values, i * L.route.size));
    return this.fib(part.family).updateBatch(trieKeys(part), values, part.items.length);
  }

  private setIndex(part: Part<{ target: RouteTarget }>): void {
    const { prefixes, items } = part;
    if (part.family === 4) {
      const index = this.indexes.index4();
      for (let i = 0; i < prefixes.length; i++) index.set(prefixes[i]!, items[i]!.target);
    } else {
      const index = this.indexes.index6();
      for (let i = 0; i < prefixes.length; i++) index.set(prefixes[i]!, items[i]!.target);
    }
  }

  delete(prefix: string): boolean {
    const p = parsePrefix(prefix);
    if (p.family === 4) this.indexes.index4().delete(p);
    else this.indexes.index6().delete(p);
    return this.fib(p.family).delete(prefixKey(p));
  }

  /**
   * Each part leaves its index before its trie (the program stops reading
   * a route before its record goes); one part's index is written while the
   * previous part's trie call runs.
   */
  async deleteMany(prefixes: string[]): Promise<number> {
    let deleted = 0;
    let trie: Promise<number> | undefined;
    for (const part of familyParts(prefixes, (prefix) => prefix)) {
      try {
        if (part.family === 4) for (const p of part.prefixes) this.indexes.index4().delete(p);
        else for (const p of part.prefixes) this.indexes.index6().delete(p);
      } catch (err) {
        await settle(trie);
        throw err;
      }
      deleted += (await trie) ?? 0;
      trie = this.fib(part.family).deleteBatch(trieKeys(part), part.prefixes.length);
    }
    return deleted + ((await trie) ?? 0);
  }

  /** Longest-prefix match in the trie, the record the index is checked against. */
  lookup(address: string): RouteTarget | null {
    const a = requireAddress(address);
    const host: Prefix = { family: a.family, addr: a.addr, length: a.family === 4 ? 32 : 128 };
    const value = this.fib(a.family).lookup(prefixKey(host));
    return value ? decodeRoute(value) : null;
  }

  all(): Promise<Array<{ prefix: string; target: RouteTarget }>> {
    const tries = [
      [this.maps.xr_fib4, L.fib4Key],
      [this.maps.xr_fib6, L.fib6Key],
    ] as const;
    return dumpEntries(tries, (key, v) => ({ prefix: formatPrefixKey(key), target: decodeRoute(v) }));
  }
}
