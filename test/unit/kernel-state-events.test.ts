// Route events applied to the kernel's state: the columns' short ways (a
// plain route onto an empty slot or in place of the one it replaces, the
// delete of a slot's one plain route) must leave what the kernel's
// semantics, played on a Map of routes by id, leave: REPLACE takes the
// place of every route of (table, prefix, metric, tos), an IPv6 add of a
// route with gateways to an existing one appends its next hops, a delete
// names a route by its id and, on IPv6, may take single next hops out.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { KernelState, routeFamilyKey } from '../../router/sync/kernel-state.js';
import type { KernelEvent, KernelRoute } from '../../router/sync/model.js';
import { qualifiesForEcmp, routeBase, routeId } from '../../router/sync/route-slots.js';

const MAIN = 254;
const OTHER = 100;
const EVENTS = 20_000;

/** The kernel's route semantics on plain Maps: what KernelState did before its short ways, by the model's route ids. */
class RouteModel {
  readonly routes = new Map<string, Map<string, KernelRoute>>();

  apply(e: Extract<KernelEvent, { kind: 'route' }>): void {
    const key = routeFamilyKey(e.route);
    const byId = this.routes.get(key) ?? new Map<string, KernelRoute>();
    const r = e.route;
    const hop = (n: { ifindex: number; gateway?: string }): string => `${n.ifindex}|${n.gateway ?? ''}`;
    if (e.op === 'add') {
      if (e.replace) for (const id of [...byId.keys()]) if (id === routeBase(r) || id.startsWith(`${routeBase(r)}|`)) byId.delete(id);
      const existing = byId.get(routeId(r));
      if (existing && !e.replace && r.family === 6 && qualifiesForEcmp(existing) && qualifiesForEcmp(r)) {
        const have = new Set(existing.nexthops.map(hop));
        byId.set(routeId(r), { ...existing, nexthops: [...existing.nexthops, ...r.nexthops.filter((n) => !have.has(hop(n)))] });
      } else byId.set(routeId(r), r);
    } else {
      const existing = byId.get(routeId(r));
      if (!existing) return;
      const gone = new Set(r.nexthops.map(hop));
      const left = existing.nexthops.filter((n) => !gone.has(hop(n)));
      if (r.family === 6 && r.nexthops.length > 0 && left.length > 0) byId.set(routeId(r), { ...existing, nexthops: left });
      else byId.delete(routeId(r));
    }
    if (byId.size > 0) this.routes.set(key, byId);
    else this.routes.delete(key);
  }
}

function randomEvents(seed: number): Array<Extract<KernelEvent, { kind: 'route' }>> {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: Array<Extract<KernelEvent, { kind: 'route' }>> = [];
  for (let i = 0; i < EVENTS; i++) {
    const v6 = rand() < 0.5;
    const n = Math.floor(rand() * 30);
    const gateway = (): string => (v6 ? pick(['2001:db8:ff::1', '2001:db8:ff::2']) : pick(['192.0.2.1', '192.0.2.2']));
    const base = {
      family: v6 ? 6 : 4,
      table: pick([MAIN, MAIN, MAIN, OTHER]),
      prefix: v6 ? `2001:db8:${(n + 1).toString(16)}::/48` : `198.51.${n}.0/24`,
      metric: pick([0, 0, 0, 10]),
      protocol: pick([4, 12]),
      tos: pick([0, 0, 0, 0, 8]),
    } as const;
    const kind = rand();
    let route: KernelRoute;
    if (kind < 0.5) route = { ...base, type: 'unicast', nexthops: [{ ifindex: pick([2, 3]), gateway: gateway(), weight: 1 }] };
    else if (kind < 0.6) route = { ...base, type: 'unicast', nexthops: [{ ifindex: pick([2, 3]), weight: 1 }] };
    else if (kind < 0.7) route = { ...base, type: pick(['blackhole', 'unreachable'] as const), nexthops: [] };
    else if (kind < 0.8) route = { ...base, type: 'unicast', nexthops: [{ ifindex: 2, gateway: gateway(), weight: 3 }, { ifindex: 3, gateway: gateway(), weight: 1 }] };
    else if (kind < 0.9) route = { ...base, type: 'unicast', nexthops: [{ ifindex: 2, weight: 1 }], kernelOnly: 'an encapsulation' };
    else route = { ...base, type: 'unicast', nexthops: [{ ifindex: 3, gateway: gateway(), weight: 1 }], source: v6 ? '2001:db8:aa::/48' : '203.0.113.0/24' };
    const op = rand() < 0.35 ? 'del' : 'add';
    out.push({ kind: 'route', op, route, replace: op === 'add' && rand() < 0.4 });
  }
  return out;
}

const sorted = (routes: Iterable<[string, ReadonlyMap<string, KernelRoute>]>): Array<[string, Array<[string, KernelRoute]>]> =>
  [...routes].map(([key, byId]): [string, Array<[string, KernelRoute]>] => [key, [...byId].sort(([a], [b]) => a.localeCompare(b))]).sort(([a], [b]) => a.localeCompare(b));

describe('KernelState: route events', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees with the kernel's semantics on a Map over ${EVENTS} random adds, replaces and deletes (seed ${seed})`, () => {
      const state = new KernelState([MAIN, OTHER]);
      const model = new RouteModel();
      randomEvents(seed).forEach((e, i) => {
        const change = state.apply(e);
        model.apply(e);
        expect(change.prefixes.has(routeFamilyKey(e.route)) || e.op === 'del', `event ${i}`).toBe(true);
        change.prefixes.release();
        if (i % 500 === 0) expect(sorted(state.routes), `after event ${i}`).toEqual(sorted(model.routes));
      });
      expect(sorted(state.routes)).toEqual(sorted(model.routes));
    });
  }
});
