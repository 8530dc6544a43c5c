// The program reads IPv4 routes from DIR-24-8 arrays that userspace writes
// beside the trie: after any mix of nested adds, replaces and deletes, the
// program's verdict for an address is the one the trie's longest match
// says; a restart on pinned maps rebuilds the arrays from the trie.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { Dir24 } from '../../dataplane/dir24.js';
import { FastPath, RouteBatch } from '../../dataplane/fastpath.js';
import type { RouteTarget } from '../../dataplane/fastpath.js';
import { Dir24Layout as D } from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import { ipv4Frame } from '../../support/frames.js';
import { MAC } from './fixture.js';
import { acrossRestart, changesAgainstTrie, indexFixture } from './index-support.js';

const ipv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
/** The documentation /24s, where every address below falls. */
const BASES = [0xc0000200, 0xc6336400, 0xcb007100];

function randomAddress(rand: () => number): number {
  return (BASES[Math.floor(rand() * BASES.length)]! + Math.floor(rand() * 256)) >>> 0;
}

function randomPrefix(rand: () => number): string {
  // mostly inside the /24s (tbl8 groups), some covering them (/8 to /23)
  const len = rand() < 0.7 ? 24 + Math.floor(rand() * 9) : 8 + Math.floor(rand() * 16);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${ipv4((randomAddress(rand) & mask) >>> 0)}/${len}`;
}

/** What the program reads for an address. */
function readIndex(fp: FastPath, addr: number): number {
  return Dir24.read({ tbl24: new Uint32Array(fp.map('xr_fib4_tbl24').memory()), tbl8: new Uint32Array(fp.map('xr_fib4_tbl8').memory()) }, addr);
}

describe('the IPv4 DIR-24-8 index', () => {
  const fixture = indexFixture('fib4');


  it('gives the program the trie\'s longest match after 1,500 random nested changes', async () => {
    const rand = seededRandom(24);
    const frame = (dst: string): Buffer => ipv4Frame({ dst: MAC.routerIn, src: MAC.hostA }, { src: '192.0.2.10', dst });
    await changesAgainstTrie(fixture(), rand, () => randomPrefix(rand), () => ipv4(randomAddress(rand)), frame);
  });

  it('with every group taken, a /24 that needs one goes to the kernel, not to its shorter cover, until one frees', async () => {
    const fp = fixture().fp;
    // what the fixture and the test above left holds some groups already: take the rest
    const free = D.tbl8Groups - fp.fib4Groups()!.used;
    const fillers = Array.from({ length: free }, (_, i) => `10.${i >>> 8}.${i & 255}.1/32`);
    const verdict = async (dst: string): Promise<Reason[]> =>
      (await fixture().run(ipv4Frame({ dst: MAC.routerIn, src: MAC.hostA }, { src: '192.0.2.10', dst }))).reasons;
    try {
      await fp.setRoutes(RouteBatch.of(fillers.map((prefix) => ({ prefix, target: { type: 'blackhole' } }))));
      expect(fp.fib4Groups()).toMatchObject({ used: D.tbl8Groups, waiting: 0 });
      // a /24 with no longer prefix yet (the test above used the documentation /24s)
      fp.setRoute('100.64.7.0/24', { type: 'unreachable' });
      fp.setRoute('100.64.7.77/32', { type: 'blackhole' });
      expect(fp.fib4Groups()?.waiting).toBe(1);
      // the whole /24 goes up: the /32 is not lost to the /24's route
      expect(await verdict('100.64.7.77')).toEqual(['pass-kernel-route']);
      expect(await verdict('100.64.7.5')).toEqual(['pass-kernel-route']);
      expect((await fp.fib4IndexMismatches()).length).toBeGreaterThan(0);
      fp.deleteRoute(fillers[0]!);
      // the freed group is the /24's only after its grace period
      expect(fp.fib4Groups()).toMatchObject({ used: D.tbl8Groups, waiting: 1, retiring: 1 });
      await fp.gracePeriodsSettled();
      expect(fp.fib4Groups()).toMatchObject({ used: D.tbl8Groups, waiting: 0, retiring: 0 });
      expect(await verdict('100.64.7.77')).toEqual(['drop-blackhole']);
      expect(await verdict('100.64.7.5')).toEqual(['pass-unreachable']);
    } finally {
      await fp.deleteRoutes(RouteBatch.ofPrefixes([...fillers, '100.64.7.0/24', '100.64.7.77/32']));
      await fp.gracePeriodsSettled();
    }
    expect(fp.fib4Groups()).toMatchObject({ waiting: 0, retiring: 0 });
    expect(await fp.fib4IndexMismatches()).toEqual([]);
  });

  it('is rebuilt from the trie when a restart adopts pinned maps, and stays writable', async () => {
    const rand = seededRandom(7);
    const targets: RouteTarget[] = [{ type: 'blackhole' }, { type: 'unicast', nexthop: 3 }, { type: 'unicast', group: 2 }];
    const addresses: number[] = [];
    const fill = async (first: FastPath): Promise<number[]> => {
      const routes = new Map<string, RouteTarget>();
      for (let i = 0; i < 400; i++) routes.set(randomPrefix(rand), targets[i % targets.length]!);
      await first.setRoutes(RouteBatch.of([...routes].map(([prefix, target]) => ({ prefix, target }))));
      for (let i = 0; i < 3000; i++) addresses.push(randomAddress(rand));
      const before = addresses.map((a) => readIndex(first, a));
      expect(before.some((e) => e !== 0)).toBe(true);
      return before;
    };
    await acrossRestart(fixture().ns, 'fib4', fill, async (second, before) => {
      expect(addresses.map((a) => readIndex(second, a))).toEqual(before);
      // and it goes on from there: a /32 inside an existing group, then gone again
      const host = addresses.find((a) => readIndex(second, a) !== 0)!;
      second.setRoute(`${ipv4(host)}/32`, { type: 'kernel' });
      expect(readIndex(second, host) >>> D.typeShift).toBe(5);
      second.deleteRoute(`${ipv4(host)}/32`);
      expect(readIndex(second, host)).toBe(before[addresses.indexOf(host)]);
      expect(await second.fib4IndexMismatches()).toEqual([]);
      // what `xdp-router verify` reports when the arrays and the trie part ways
      new Uint32Array(second.map('xr_fib4_tbl24').memory())[host >>> 8] = 0;
      const mismatches = await second.fib4IndexMismatches();
      expect(mismatches.length).toBeGreaterThan(0);
      expect(mismatches.every((m) => m.address.startsWith(ipv4(host).replace(/\.\d+$/, '.')) && m.index === null && m.trie !== null)).toBe(true);
    });
  });
});
