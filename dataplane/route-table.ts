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
import type { RouteBatch } from './route-batch.js';
import { decodeRoute, encodeRoute, encodeRouteEntry, type RouteTarget } from './route-target.js';

/**
 * Routes per trie batch call. The trie takes one part on a worker thread
 * while the JS thread writes another part's index, so neither waits for the
 * other; parts this size keep both busy without holding much at once.
 */
const PART = 8_192;
const ADDR6_BYTES = 16;
/** the bits of an IPv6 address's first word past those the /24 table resolves */
const FIRST_TABLE_SHIFT = 32 - 8 * L.Dir6Layout.tbl24Bytes;
/** above any position in a batch: a sort key is the /24 entry times this plus the position */
const POSITION_RANGE = 2 ** 26;
const keyAt = (layout: typeof L.fib4Key | typeof L.fib6Key): { prefixlen: number; addr: number } => {
  const at = (name: string): number => layout.fields.find((f) => f.name === name)!.offset;
  return { prefixlen: at('prefixlen'), addr: at('addr') };
};
/** where a trie key's fields are, by family */
const KEY_AT = { 4: keyAt(L.fib4Key), 6: keyAt(L.fib6Key) };

/** The indexes a write goes through; each throws on a fast path opened to read. */
export interface RouteIndexes {
  index4(): Fib4Index;
  index6(): Fib6Index;
}

/** Positions of a batch's routes of one family (one trie), at most PART of them, in batch order. */
type Part = { family: 4 | 6; positions: Uint32Array };

/** A batch's routes split by family, in parts of at most PART, in order within each family. */
function familyParts(batch: RouteBatch): Part[] {
  const parts: Part[] = [];
  for (const family of [4, 6] as const) {
    let count = 0;
    for (let i = 0; i < batch.size; i++) if (batch.family(i) === family) count++;
    const all = new Uint32Array(count);
    for (let i = 0, k = 0; i < batch.size; i++) if (batch.family(i) === family) all[k++] = i;
    if (family === 6) byFirstTable6(batch, all);
    for (let from = 0; from < count; from += PART) parts.push({ family, positions: all.subarray(from, Math.min(count, from + PART)) });
  }
  return parts;
}

/**
 * IPv6 positions grouped by their /24-table entry (the address's first 24
 * bits), in batch order within each: the IPv6 index rebuilds a /24's nodes
 * once for the sets that come in a row under it (Dir6.setRun), and a
 * batch need not come in address order. One numeric sort of typed keys.
 */
function byFirstTable6(batch: RouteBatch, positions: Uint32Array): void {
  const keys = new Float64Array(positions.length);
  for (let k = 0; k < positions.length; k++) keys[k] = (batch.firstWord(positions[k]!) >>> FIRST_TABLE_SHIFT) * POSITION_RANGE + positions[k]!;
  keys.sort();
  for (let k = 0; k < keys.length; k++) positions[k] = keys[k]! % POSITION_RANGE;
}

/** A part's trie keys, one buffer for the batch call, written from the batch's words. */
function trieKeys(batch: RouteBatch, part: Part): Buffer {
  const layout = part.family === 4 ? L.fib4Key : L.fib6Key;
  const at = KEY_AT[part.family];
  const keys = Buffer.alloc(part.positions.length * layout.size);
  for (let k = 0; k < part.positions.length; k++) {
    const i = part.positions[k]!;
    keys.writeUInt32LE(batch.prefixLength(i), k * layout.size + at.prefixlen);
    batch.addressInto(i, keys, k * layout.size + at.addr);
  }
  return keys;
}

/** Wait for a batch call left in flight by a write that failed: its outcome no longer matters, but must not go unhandled. */
async function settle(call: Promise<unknown> | undefined): Promise<void> {
  await call?.catch(() => undefined);
}

export class RouteTable {
  /** an IPv6 address's bytes for the index, refilled per route */
  private readonly addr6 = new Uint8Array(ADDR6_BYTES);

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
   * meanwhile. The batch is read until the promise settles: it must not
   * be refilled before.
   */
  async setMany(batch: RouteBatch): Promise<void> {
    const parts = familyParts(batch);
    let trie = parts.length > 0 ? this.setTrie(batch, parts[0]!) : undefined;
    for (let k = 0; k < parts.length; k++) {
      await trie;
      trie = k + 1 < parts.length ? this.setTrie(batch, parts[k + 1]!) : undefined;
      try {
        this.setIndex(batch, parts[k]!);
      } catch (err) {
        await settle(trie);
        throw err;
      }
    }
  }

  private setTrie(batch: RouteBatch, part: Part): Promise<void> {
    const n = part.positions.length;
    const values = Buffer.alloc(n * L.route.size);
    for (let k = 0; k < n; k++) encodeRouteEntry(batch.entry(part.positions[k]!), values, k * L.route.size);
    return this.fib(part.family).updateBatch(trieKeys(batch, part), values, n);
  }

  private setIndex(batch: RouteBatch, part: Part): void {
    const { positions } = part;
    if (part.family === 4) {
      const index = this.indexes.index4();
      for (let k = 0; k < positions.length; k++) {
        const i = positions[k]!;
        index.set(batch.firstWord(i), batch.prefixLength(i), batch.entry(i));
      }
    } else {
      const index = this.indexes.index6();
      const addr = this.addr6;
      index.setRun(() => {
        for (let k = 0; k < positions.length; k++) {
          const i = positions[k]!;
          batch.addressInto(i, addr);
          index.set(addr, batch.prefixLength(i), batch.entry(i));
        }
      });
    }
  }

  delete(prefix: string): boolean {
    const p = parsePrefix(prefix);
    if (p.family === 4) this.indexes.index4().delete(p.addr.readUInt32BE(0), p.length);
    else this.indexes.index6().delete(p.addr, p.length);
    return this.fib(p.family).delete(prefixKey(p));
  }

  /**
   * Each part leaves its index before its trie (the program stops reading
   * a route before its record goes); one part's index is written while the
   * previous part's trie call runs. The batch's entries are not read.
   */
  async deleteMany(batch: RouteBatch): Promise<number> {
    let deleted = 0;
    let trie: Promise<number> | undefined;
    for (const part of familyParts(batch)) {
      try {
        this.deleteIndex(batch, part);
      } catch (err) {
        await settle(trie);
        throw err;
      }
      deleted += (await trie) ?? 0;
      trie = this.fib(part.family).deleteBatch(trieKeys(batch, part), part.positions.length);
    }
    return deleted + ((await trie) ?? 0);
  }

  private deleteIndex(batch: RouteBatch, part: Part): void {
    const { positions } = part;
    if (part.family === 4) {
      const index = this.indexes.index4();
      for (let k = 0; k < positions.length; k++) index.delete(batch.firstWord(positions[k]!), batch.prefixLength(positions[k]!));
    } else {
      const index = this.indexes.index6();
      const addr = this.addr6;
      for (let k = 0; k < positions.length; k++) {
        batch.addressInto(positions[k]!, addr);
        index.delete(addr, batch.prefixLength(positions[k]!));
      }
    }
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
