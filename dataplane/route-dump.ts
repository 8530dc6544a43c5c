// The tries xr_fib4 and xr_fib6, the record of the routes, read whole into
// two buffers each (NativeMap.dumpPacked): a full table is a million
// entries, and a Buffer pair per entry is most of a reader's memory.
import { formatPrefixKey } from './entry-codecs.js';
import * as L from './layout.js';
import type { NativeMap, PackedEntries } from './native.js';
import { decodeRoute, type RouteTarget } from './route-target.js';

export interface TrieDump {
  family: 4 | 6;
  entries: PackedEntries;
}

const KEY = { 4: L.fib4Key, 6: L.fib6Key } as const;
const offsetOf = (name: string): number => L.fib4Key.fields.find((f) => f.name === name)!.offset;
/** both key layouts put the length first and the address after it */
const PREFIXLEN_AT = offsetOf('prefixlen');
const ADDR_AT = offsetOf('addr');

export async function dumpTrie(family: 4 | 6, trie: NativeMap): Promise<TrieDump> {
  return { family, entries: await trie.dumpPacked() };
}

export const prefixLength = (d: TrieDump, i: number): number => d.entries.keys.readUInt32LE(i * KEY[d.family].size + PREFIXLEN_AT);

/** where entry i's address starts in d.entries.keys */
export const addressAt = (d: TrieDump, i: number): number => i * KEY[d.family].size + ADDR_AT;

export const routeTarget = (d: TrieDump, i: number): RouteTarget => decodeRoute(d.entries.values, i * L.route.size);

const ROUTE_TYPE_AT = L.route.fields.find((f) => f.name === 'type')!.offset;
const ROUTE_FLAGS_AT = L.route.fields.find((f) => f.name === 'flags')!.offset;
const ROUTE_NEXTHOP_AT = L.route.fields.find((f) => f.name === 'nexthop')!.offset;
/** route types are below this; a unicast route's next hop and group bit go above it */
const TYPE_CODES = 0x100;

/**
 * Entry i's route as one number, equal exactly when routeTarget's answers
 * are: a key to describe each distinct route once, with no object made per
 * entry of a million.
 */
export function routeCode(d: TrieDump, i: number): number {
  const at = i * L.route.size;
  const type = d.entries.values.readUInt32LE(at + ROUTE_TYPE_AT);
  if (type !== L.RouteType.unicast) return type;
  const group = d.entries.values.readUInt32LE(at + ROUTE_FLAGS_AT) & L.ROUTE_F_GROUP ? 1 : 0;
  return type + (d.entries.values.readUInt32LE(at + ROUTE_NEXTHOP_AT) * 2 + group + 1) * TYPE_CODES;
}

export const prefixText = (d: TrieDump, i: number): string => formatPrefixKey(KEY[d.family].decode(d.entries.keys, i * KEY[d.family].size));
