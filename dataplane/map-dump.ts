// Reading a map whole, IPv4 and IPv6 twins alike: the fast path keeps one
// map per family for routes, neighbours and punt rules, and every listing
// of them walks both the same way; array maps list only their used slots.
import * as L from './layout.js';
import type { NativeMap } from './native.js';

interface KeyLayout<K> {
  decode(buf: Buffer): K;
}

/** Every entry of the maps, in their order, keys decoded by each map's layout. */
export async function dumpEntries<K, T>(maps: ReadonlyArray<readonly [NativeMap, KeyLayout<K>]>, entry: (key: K, value: Buffer) => T): Promise<T[]> {
  const out: T[] = [];
  for (const [map, layout] of maps) for (const [k, v] of await map.dump()) out.push(entry(layout.decode(k), v));
  return out;
}

/** The slots of an array map (u32 keys) that are in use, decoded, by id. */
export async function usedSlots<T>(map: NativeMap, used: (v: Buffer) => boolean, decode: (v: Buffer) => T): Promise<Map<number, T>> {
  const out = new Map<number, T>();
  for (const [k, v] of await map.dump()) if (used(v)) out.set(L.u32.decode(k).value, decode(v));
  return out;
}
