// The kernel's routes packed by prefix slot: a dump loaded over the state
// (mark and sweep) must leave exactly what a load into a new state does,
// for plain routes in columns and for the ones kept whole.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { KernelState } from '../../router/sync/kernel-state.js';
import type { KernelRoute, KernelSnapshot } from '../../router/sync/model.js';

const MAIN = 254;
const OTHER = 100;

function randomRoutes(seed: number): KernelRoute[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: KernelRoute[] = [];
  for (let i = 0; i < 300; i++) {
    const v6 = rand() < 0.4;
    const n = Math.floor(rand() * 40);
    const prefix = v6 ? `2001:db8:${n.toString(16)}::/48` : `198.51.${n}.0/24`;
    const gateway = v6 ? pick(['2001:db8:ff::1', '2001:db8:ff::2']) : pick(['192.0.2.1', '192.0.2.2']);
    const kind = rand();
    const base = { family: v6 ? 6 : 4, table: pick([MAIN, OTHER]), prefix, metric: pick([0, 0, 0, 10]), protocol: pick([4, 12]), tos: 0 } as const;
    if (kind < 0.6) out.push({ ...base, type: 'unicast', nexthops: [{ ifindex: pick([2, 3]), gateway, weight: 1 }] });
    else if (kind < 0.7) out.push({ ...base, type: 'blackhole', nexthops: [] });
    else if (kind < 0.8) out.push({ ...base, type: 'unicast', nexthops: [{ ifindex: 2, gateway, weight: 3 }, { ifindex: 3, gateway, weight: 1 }] });
    else if (kind < 0.9) out.push({ ...base, type: 'unicast', nexthops: [{ ifindex: 2, weight: 1 }], kernelOnly: 'an encapsulation' });
    else out.push({ ...base, type: 'unicast', nexthops: [{ ifindex: 3, gateway, weight: 1 }], source: v6 ? '2001:db8:aa::/48' : '203.0.113.0/24' });
  }
  return out;
}

const snapshot = (routes: KernelRoute[]): KernelSnapshot => ({ links: [], addresses: [], neighbours: [], rules: [], routes });

/** Every prefix's routes, by id, in an order that does not depend on slot numbers. */
function contents(state: KernelState): Array<[string, Array<[string, KernelRoute]>]> {
  return [...state.routes].map(([key, byId]) => [key, [...byId].sort(([a], [b]) => a.localeCompare(b))] as [string, Array<[string, KernelRoute]>]).sort(([a], [b]) => a.localeCompare(b));
}

describe('PackedRoutes', () => {
  it('holds a dump loaded over the state as a new state holds it (mark and sweep), through 20 loads', () => {
    const state = new KernelState([MAIN, OTHER]);
    for (let seed = 1; seed <= 20; seed++) {
      const routes = randomRoutes(seed);
      state.load(snapshot(routes));
      const fresh = new KernelState([MAIN, OTHER]);
      fresh.load(snapshot(routes));
      expect(contents(state), `load ${seed}`).toEqual(contents(fresh));
      expect(state.routes.size).toBe(fresh.routes.size);
      // no slot held for a prefix the dump did not list
      expect(state.routes.prefixes.size).toBe(fresh.routes.prefixes.size);
      for (const key of fresh.routes.keys()) expect(state.bestRoute(key), key).toEqual(fresh.bestRoute(key));
    }
  });

  it('keeps the slot and the shared next-hop list of a route the new dump still has', () => {
    const route = (prefix: string, gateway: string): KernelRoute => ({
      family: 4, table: MAIN, prefix, metric: 0, protocol: 4, type: 'unicast', tos: 0, nexthops: [{ ifindex: 2, gateway, weight: 1 }],
    });
    const state = new KernelState([MAIN]);
    state.load(snapshot([route('198.51.100.0/24', '192.0.2.1'), route('203.0.113.0/24', '192.0.2.1')]));
    const slot = state.routes.slotOf('4|198.51.100.0/24');
    const hops = state.bestRoute('4|198.51.100.0/24')!.nexthops;
    state.load(snapshot([route('198.51.100.0/24', '192.0.2.1'), route('192.0.2.0/25', '192.0.2.1')]));
    expect(state.routes.slotOf('4|198.51.100.0/24')).toBe(slot);
    expect(state.bestRoute('4|198.51.100.0/24')!.nexthops).toBe(hops);
    expect(state.bestRoute('4|192.0.2.0/25')!.nexthops).toBe(hops);
    expect(state.routes.has('4|203.0.113.0/24')).toBe(false);
    expect([...state.routes.keys()].sort()).toEqual(['4|192.0.2.0/25', '4|198.51.100.0/24']);
  });
});
