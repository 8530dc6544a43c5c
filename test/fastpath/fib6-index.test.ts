// The program reads IPv6 routes from the index userspace writes beside the
// trie: after any mix of nested adds, replaces and deletes the program's
// verdict for an address is the one the trie's longest match says; where
// the index marks an entry for the trie, the program asks the trie; a
// restart on pinned maps adopts the arrays from the trie, the previous
// run's nodes answering until the new run's replace them.
import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../dataplane/addr.js';
import { TRIE_MARK } from '../../dataplane/dir6.js';
import { FastPath, RouteBatch } from '../../dataplane/fastpath.js';
import type { RouteTarget } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { seededRandom } from '../../router/lab/random.js';
import { ipv6Frame } from '../../support/frames.js';
import { indexEntry6 } from '../helpers/router.js';
import { MAC } from './fixture.js';
import { acrossRestart, changesAgainstTrie, indexFixture } from './index-support.js';

/** 2001:db8:a000::/36, and three bases under it: the prefixes below nest and share nodes */
const BASES = ['2001:0db8:a000:0000', '2001:0db8:a0f0:1200', '2001:0db8:abcd:ef00'].map((b) => Buffer.from(`${b.replace(/:/g, '')}${'0'.repeat(16)}`, 'hex'));

function randomAddress(rand: () => number): Buffer {
  const a = Buffer.from(BASES[Math.floor(rand() * BASES.length)]!);
  for (let i = 5; i < 16; i++) if (rand() < 0.3) a[i] = [0, 1, 0x80, 0xff][Math.floor(rand() * 4)]!;
  return a;
}

function maskTo(addr: Buffer, len: number): Buffer {
  return Buffer.from(addr.map((b, i) => b & ((0xff00 >> Math.max(0, Math.min(8, len - i * 8))) & 0xff)));
}

function randomPrefix(rand: () => number): string {
  // mostly the global table's lengths, some host routes and /64s, some covering the bases
  const len = [36, 40, 44, 48, 48, 52, 56, 64, 64, 128][Math.floor(rand() * 10)]!;
  return `${formatAddress(maskTo(randomAddress(rand), len))}/${len}`;
}

describe('the IPv6 index', () => {
  const fixture = indexFixture('fib6');
  const verdict = async (dst: string): Promise<Reason[]> =>
    (await fixture().run(ipv6Frame({ dst: MAC.routerIn, src: MAC.hostA }, { src: '2001:db8:1::10', dst }))).reasons;


  it("gives the program the trie's longest match after 1,500 random nested changes", async () => {
    const rand = seededRandom(6);
    const frame = (dst: string): Buffer => ipv6Frame({ dst: MAC.routerIn, src: MAC.hostA }, { src: '2001:db8:1::10', dst });
    const held = await changesAgainstTrie(fixture(), rand, () => randomPrefix(rand), () => formatAddress(randomAddress(rand)), frame);
    expect(fixture().fp.fib6Lines()).toMatchObject({ marked: 0 });
    expect(await fixture().fp.fib6IndexMismatches()).toEqual([]);
    await fixture().fp.deleteRoutes(RouteBatch.ofPrefixes(held));
    await fixture().fp.gracePeriodsSettled();
    // the fixture's own /48s and /64 hold what lines are left
    expect(fixture().fp.fib6Lines()!.used).toBeLessThanOrEqual(20);
  });

  it('asks the trie for the addresses under an entry the index marks as the trie\'s', async () => {
    const fp = fixture().fp;
    fp.setRoute('2001:db8:a000:1::/64', { type: 'blackhole' });
    fp.setRoute('2001:db8:a000:1::77/128', { type: 'unreachable' });
    const tbl24 = new Uint32Array(fp.map('xr_fib6_tbl24').memory());
    // 2001:0d..::/24: the whole documentation /32, the fixture's routes with it
    const at = 0x20010d;
    const entry = tbl24[at]!;
    try {
      Atomics.store(tbl24, at, TRIE_MARK);
      expect(await verdict('2001:db8:a000:1::77')).toEqual(['pass-unreachable']);
      expect(await verdict('2001:db8:a000:1::78')).toEqual(['drop-blackhole']);
      expect(await verdict('2001:db8:dead::1')).toEqual(['drop-blackhole']);
      expect(await verdict('2001:db8:ffff::1')).toEqual(['pass-no-route']);
      // marked addresses are the trie's by definition: nothing to compare
      expect(await fp.fib6IndexMismatches()).toEqual([]);
      // what `xdp-router verify` reports when the index and the trie part ways
      Atomics.store(tbl24, at, 0);
      const mismatches = await fp.fib6IndexMismatches();
      expect(mismatches.length).toBeGreaterThan(0);
      expect(mismatches.every((m) => m.address.startsWith('2001:db8:') && m.index === null && m.trie !== null)).toBe(true);
    } finally {
      Atomics.store(tbl24, at, entry);
      fp.deleteRoute('2001:db8:a000:1::/64');
      fp.deleteRoute('2001:db8:a000:1::77/128');
    }
    expect(await fp.fib6IndexMismatches()).toEqual([]);
  });

  it('is adopted from the trie when a restart finds pinned maps, and stays writable', async () => {
    const rand = seededRandom(7);
    const targets: RouteTarget[] = [{ type: 'blackhole' }, { type: 'unicast', nexthop: 6 }, { type: 'unicast', group: 102 }];
    const addresses = Array.from({ length: 3000 }, () => randomAddress(rand));
    const fill = async (first: FastPath): Promise<number[]> => {
      const routes = new Map<string, RouteTarget>();
      for (let i = 0; i < 400; i++) routes.set(randomPrefix(rand), targets[i % targets.length]!);
      await first.setRoutes(RouteBatch.of([...routes].map(([prefix, target]) => ({ prefix, target }))));
      const before = addresses.map((a) => indexEntry6(first, a));
      expect(before.some((e) => e !== 0)).toBe(true);
      return before;
    };
    await acrossRestart(fixture().ns, 'fib6', fill, async (second, before) => {
      // the previous run's nodes answer until its free lines have had their grace period, then the new run's
      expect(addresses.map((a) => indexEntry6(second, a))).toEqual(before);
      expect(await second.fib6IndexMismatches()).toEqual([]);
      await second.gracePeriodsSettled();
      expect(second.fib6Lines()).toMatchObject({ marked: 0 });
      expect(addresses.map((a) => indexEntry6(second, a))).toEqual(before);
      expect(await second.fib6IndexMismatches()).toEqual([]);
      // and it goes on from there: a host route inside the adopted nodes, then gone again
      const host = addresses.find((a) => indexEntry6(second, a) !== 0)!;
      second.setRoute(`${formatAddress(host)}/128`, { type: 'kernel' });
      expect(second.lookupRoute(formatAddress(host))).toEqual({ type: 'kernel' });
      expect(indexEntry6(second, host)).not.toBe(before[addresses.indexOf(host)]);
      second.deleteRoute(`${formatAddress(host)}/128`);
      expect(indexEntry6(second, host)).toBe(before[addresses.indexOf(host)]);
      expect(await second.fib6IndexMismatches()).toEqual([]);
    });
  });
});
