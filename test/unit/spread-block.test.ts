// The forward benchmark's IPv6 table moved under the documentation range
// (bench/prefixes.ts underSpreadBlock6): the global table's shape kept
// below 2001:db8:4000::/34, clear of the lab's own subnets.
import { describe, expect, it } from 'vitest';
import { underSpreadBlock } from '../../bench/forward-table.js';
import { SPREAD6_BLOCK, formatPrefix6, ipv6Table, underSpreadBlock6 } from '../../bench/prefixes.js';
import { LAB_ADDRESSES } from '../../router/lab/topology.js';
import { parseIPv6, prefixHolds } from '../../dataplane/addr.js';

describe('the IPv6 table under the spread block', () => {
  it('keeps each prefix\'s bits after 2000::/3, 31 bits further on', () => {
    expect(formatPrefix6(underSpreadBlock6({ addr: parseIPv6('2a00:1450::')!, length: 32 }))).toBe('2001:db8:5400:28a0::/63');
    expect(formatPrefix6(underSpreadBlock6({ addr: parseIPv6('2001:db8:1234::')!, length: 48 }))).toBe('2001:db8:4002:1b70:2468::/79');
    // a /128 stays one: the bits past the end are cut
    expect(underSpreadBlock6({ addr: parseIPv6('2400::1')!, length: 128 }).length).toBe(128);
  });

  it('puts a table\'s prefixes inside the block, in their order, and none over the lab\'s own addresses', () => {
    const table = ipv6Table(20_000);
    const moved = table.map(underSpreadBlock6);
    for (const p of moved) expect(prefixHolds(SPREAD6_BLOCK, p.addr)).toBe(true);
    // the shape: a prefix inside another stays inside it
    const at = new Map(table.map((p, i) => [formatPrefix6(p), i]));
    expect(at.size).toBe(table.length);
    let pairs = 0;
    for (let child = 0; child < table.length && pairs < 100; child++) {
      const parent = table.findIndex((p) => p.length < table[child]!.length && prefixHolds(p, table[child]!.addr));
      if (parent < 0) continue;
      expect(prefixHolds(moved[parent]!, moved[child]!.addr)).toBe(true);
      pairs++;
    }
    expect(pairs).toBe(100);
    for (const host of [LAB_ADDRESSES.a, LAB_ADDRESSES.routerA, LAB_ADDRESSES.routerB, LAB_ADDRESSES.b, LAB_ADDRESSES.remote]) {
      const v6 = parseIPv6(host.v6)!;
      expect(moved.some((p) => prefixHolds(p, v6))).toBe(false);
    }
  });

  it('gives the forward benchmark a table without a prefix twice (ip -batch stops at one)', () => {
    // two /128s that differ only in the bits the move cuts off meet
    const hosts = ['2400::1', '2400::2'].map((a) => ({ addr: parseIPv6(a)!, length: 128 }));
    const table = [...ipv6Table(1_000), ...hosts];
    const moved = underSpreadBlock(table);
    expect(moved).toHaveLength(table.length - 1);
    expect(new Set(moved.map(formatPrefix6)).size).toBe(moved.length);
    expect(moved.slice(0, 1_000)).toEqual(table.slice(0, 1_000).map(underSpreadBlock6));
  });
});
