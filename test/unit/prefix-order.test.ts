// verify's look-ups in a trie's dump without text: an IPv6 prefix found by
// its address words, and each entry's route as a number that is equal
// exactly when the decoded routes are.
import { describe, expect, it } from 'vitest';
import { maskAddress, parsePrefix } from '../../dataplane/addr.js';
import * as L from '../../dataplane/layout.js';
import { findPrefix6 } from '../../dataplane/prefix-order.js';
import { routeCode, routeTarget, type TrieDump } from '../../dataplane/route-dump.js';
import { encodeRoute, type RouteTarget } from '../../dataplane/route-target.js';
import { seededRandom } from '../../router/lab/random.js';

const TARGETS: RouteTarget[] = [{ type: 'unicast', nexthop: 1 }, { type: 'unicast', group: 1 }, { type: 'unicast', nexthop: 2 }, { type: 'blackhole' }, { type: 'kernel' }];

/** A dump of xr_fib6 as dumpPacked gives it: the host bits of each key left as written. */
function dump6(entries: Array<{ addr: Buffer; length: number; target: RouteTarget }>): TrieDump {
  const keys = Buffer.alloc(entries.length * L.fib6Key.size);
  const values = Buffer.alloc(entries.length * L.route.size);
  entries.forEach((e, i) => {
    L.fib6Key.encode({ prefixlen: e.length, addr: e.addr }, keys, i * L.fib6Key.size);
    encodeRoute(e.target, values, i * L.route.size);
  });
  return { family: 6, entries: { keys, values, count: entries.length } };
}

const words = (addr: Buffer): number[] => [0, 1, 2, 3].map((k) => addr.readUInt32BE(k * 4));

describe('findPrefix6 and routeCode', () => {
  const rand = seededRandom(15);
  const entries = Array.from({ length: 500 }, (_, i) => {
    const addr = Buffer.alloc(16);
    addr.writeUInt32BE(0x20010db8, 0);
    // few distinct addresses, so lengths share them; high bits set, so a signed comparison would misorder
    for (let b = 4; b < 16; b++) addr[b] = rand() < 0.6 ? 0 : rand() < 0.5 ? 0xff : Math.floor(rand() * 256);
    return { addr, length: 32 + Math.floor(rand() * 97), target: TARGETS[i % TARGETS.length]! };
  });
  const unique = [...new Map(entries.map((e) => [`${maskAddress(e.addr, e.length).toString('hex')}/${e.length}`, e])).values()];
  const trie = dump6(unique);

  it('finds every prefix by its address words and length, and no other', () => {
    unique.forEach((e, i) => expect(findPrefix6(trie, words(maskAddress(e.addr, e.length)), e.length)).toBe(i));
    const absent = parsePrefix('2001:db9::/32');
    expect(findPrefix6(trie, words(absent.addr), absent.length)).toBe(-1);
    const held = maskAddress(unique[0]!.addr, unique[0]!.length);
    const taken = new Set(unique.filter((e) => maskAddress(e.addr, e.length).equals(held)).map((e) => e.length));
    const other = [...Array(129).keys()].find((l) => l >= unique[0]!.length && !taken.has(l) && maskAddress(held, l).equals(held))!;
    expect(findPrefix6(trie, words(held), other)).toBe(-1);
  });

  it('gives equal codes exactly to equal routes', () => {
    for (let i = 0; i < unique.length; i++) {
      for (let j = 0; j < TARGETS.length; j++) {
        expect(routeCode(trie, i) === routeCode(trie, j)).toBe(JSON.stringify(routeTarget(trie, i)) === JSON.stringify(routeTarget(trie, j)));
      }
    }
  });
});
