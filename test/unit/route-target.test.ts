// A route target survives both of its encodings, the tries' value and the
// DIR-24-8 entry, for every route type layout.ts knows.
import { describe, expect, it } from 'vitest';
import { RouteType, type RouteTypeName } from '../../dataplane/layout.js';
import { decodeRoute, encodeRoute, fib4Entry, fib4Target, type RouteTarget } from '../../dataplane/route-target.js';

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

  it('refuses a type it does not know, naming the map', () => {
    expect(() => fib4Target(0)).toThrow(/^xr_fib4_tbl24: unknown route type/);
    expect(() => decodeRoute(Buffer.alloc(encodeRoute({ type: 'kernel' }).length))).toThrow(/^xr_fib: unknown route type 0/);
  });
});
