// A route target survives both of its encodings, the tries' value and the
// DIR-24-8 entry, for every route type layout.ts knows; a packed batch
// (route-batch.ts) keeps its routes' prefixes and entries as given.
import { describe, expect, it } from 'vitest';
import { RouteType, type RouteTypeName } from '../../dataplane/layout.js';
import { RouteBatch } from '../../dataplane/route-batch.js';
import { decodeRoute, encodeRoute, encodeRouteEntry, fib4Entry, fib4Target, type RouteTarget } from '../../dataplane/route-target.js';

const TARGETS: RouteTarget[] = [
  { type: 'unicast', nexthop: 1 },
  { type: 'unicast', nexthop: 65535 },
  { type: 'unicast', group: 7 },
  ...(Object.keys(RouteType) as RouteTypeName[]).flatMap((type): RouteTarget[] => (type === 'unicast' ? [] : [{ type }])),
];

describe('route target encodings', () => {
  it.each(TARGETS)('%o round-trips through the trie value and the index entry', (target) => {
    expect(decodeRoute(encodeRoute(target))).toEqual(target);
    expect(fib4Target(fib4Entry(target))).toEqual(target);
  });

  it.each(TARGETS)('%o as the trie value from its index entry is the same bytes as from the target', (target) => {
    const value = Buffer.alloc(encodeRoute(target).length);
    encodeRouteEntry(fib4Entry(target), value, 0);
    expect(value).toEqual(encodeRoute(target));
  });

  it('a packed batch gives back its prefixes, bytes and routes through its growth', () => {
    const routes = Array.from({ length: 600 }, (_, i) => ({
      prefix: i % 2 ? `2001:db8:${i.toString(16)}::/48` : `198.51.${i % 256}.${i % 3 === 0 ? 128 : 0}/25`,
      target: TARGETS[i % TARGETS.length]!,
    }));
    const batch = RouteBatch.of(routes);
    expect(batch.size).toBe(600);
    expect(batch.routes()).toEqual(routes);
    expect(batch.prefixLength(1)).toBe(48);
    const bytes = new Uint8Array(16);
    batch.addressInto(1, bytes);
    expect(Buffer.from(bytes).toString('hex')).toBe('20010db8000100000000000000000000');
    expect(batch.firstWord(0)).toBe(0xc6330080);
    batch.clear();
    expect(batch.prefixes()).toEqual([]);
  });

  it('refuses a type it does not know, naming the map', () => {
    expect(() => fib4Target(0)).toThrow(/^xr_fib4_tbl24: unknown route type/);
    expect(() => decodeRoute(Buffer.alloc(encodeRoute({ type: 'kernel' }).length))).toThrow(/^xr_fib: unknown route type 0/);
  });
});
