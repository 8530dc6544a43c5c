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
 * Routes per batch map call: a full table in one call would hold two small
 * buffers per route at once, some 300 MB at a million routes, for no gain
 * in speed over calls of this size.
 */
const BATCH_CHUNK = 65_536;

/** The indexes a write goes through; each throws on a fast path opened to read. */
export interface RouteIndexes {
  index4(): Fib4Index;
  index6(): Fib6Index;
}

/**
 * Items in chunks of BATCH_CHUNK, each chunk split by its prefixes' family
 * (one trie per family): `write` takes one part at a time.
 */
async function inFamilyBatches<T>(
  items: T[],
  prefixOf: (item: T) => string,
  write: (family: 4 | 6, batch: Array<{ p: Prefix; item: T }>) => Promise<void>,
): Promise<void> {
  for (let at = 0; at < items.length; at += BATCH_CHUNK) {
    const chunk = items.slice(at, at + BATCH_CHUNK).map((item) => ({ p: parsePrefix(prefixOf(item)), item }));
    for (const family of [4, 6] as const) {
      const batch = chunk.filter((r) => r.p.family === family);
      if (batch.length > 0) await write(family, batch);
    }
  }
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

  async setMany(routes: Array<{ prefix: string; target: RouteTarget }>): Promise<void> {
    await inFamilyBatches(routes, (r) => r.prefix, async (family, batch) => {
      const values = Buffer.concat(batch.map(({ item }) => encodeRoute(item.target)));
      await this.fib(family).updateBatch(Buffer.concat(batch.map(({ p }) => prefixKey(p))), values, batch.length);
      if (family === 4) for (const { p, item } of batch) this.indexes.index4().set(p, item.target);
      else for (const { p, item } of batch) this.indexes.index6().set(p, item.target);
    });
  }

  delete(prefix: string): boolean {
    const p = parsePrefix(prefix);
    if (p.family === 4) this.indexes.index4().delete(p);
    else this.indexes.index6().delete(p);
    return this.fib(p.family).delete(prefixKey(p));
  }

  async deleteMany(prefixes: string[]): Promise<number> {
    let deleted = 0;
    await inFamilyBatches(prefixes, (prefix) => prefix, async (family, batch) => {
      if (family === 4) for (const { p } of batch) this.indexes.index4().delete(p);
      else for (const { p } of batch) this.indexes.index6().delete(p);
      deleted += await this.fib(family).deleteBatch(Buffer.concat(batch.map(({ p }) => prefixKey(p))), batch.length);
    });
    return deleted;
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
