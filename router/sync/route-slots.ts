// The routes of one prefix, by route id, as the kernel's state changes them
// and as packed-routes.ts keeps the prefixes its columns cannot carry. Most
// of those have one route, and a Map costs some 260 bytes before it holds
// anything: the single route is kept inline, a Map made only for a second.
import type { KernelRoute } from './model.js';

/**
 * A route's identity within its prefix. The kernel merges IPv6 routes into
 * one multipath route by (table, prefix, metric) only when every next hop
 * has a gateway; device routes with the same metric (fe80::/64 on each
 * link) stay separate routes. A source-specific route is another route
 * than the plain one of the same (table, prefix, metric).
 */
export const routeBase = (r: KernelRoute): string => `${r.table}|${r.metric}|${r.tos}${r.source === undefined ? '' : ` from ${r.source}`}`;
export const routeId = (r: KernelRoute): string => {
  // the kernel never merges an IPv6 route through an object with another; what it resolves to may change, its id may not
  if (r.nhid !== undefined) return r.family === 4 ? routeBase(r) : `${routeBase(r)}|nhid`;
  return `${routeBase(r)}${qualifiesForEcmp(r) ? '' : `|${r.nexthops.map((n) => n.ifindex).join(',')}`}`;
};

export function qualifiesForEcmp(r: KernelRoute): boolean {
  return r.family === 4 || (r.type === 'unicast' && r.nexthops.length > 0 && r.nexthops.every((n) => n.gateway !== undefined));
}

export class RouteSlots implements ReadonlyMap<string, KernelRoute> {
  private id: string | undefined;
  private route: KernelRoute | undefined;
  private more: Map<string, KernelRoute> | undefined;

  get size(): number {
    return this.more ? this.more.size : this.id === undefined ? 0 : 1;
  }

  get(id: string): KernelRoute | undefined {
    return this.more ? this.more.get(id) : id === this.id ? this.route : undefined;
  }

  has(id: string): boolean {
    return this.more ? this.more.has(id) : id === this.id;
  }

  set(id: string, route: KernelRoute): this {
    if (this.more) this.more.set(id, route);
    else if (this.id === undefined || this.id === id) {
      this.id = id;
      this.route = route;
    } else {
      this.more = new Map([[this.id, this.route!], [id, route]]);
      this.id = this.route = undefined;
    }
    return this;
  }

  delete(id: string): boolean {
    if (this.more) return this.more.delete(id);
    if (id !== this.id) return false;
    this.id = this.route = undefined;
    return true;
  }

  *entries(): MapIterator<[string, KernelRoute]> {
    if (this.more) yield* this.more.entries();
    else if (this.id !== undefined) yield [this.id, this.route!];
  }

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<KernelRoute> {
    for (const [, route] of this.entries()) yield route;
  }

  [Symbol.iterator](): MapIterator<[string, KernelRoute]> {
    return this.entries();
  }

  forEach(callback: (route: KernelRoute, id: string, map: ReadonlyMap<string, KernelRoute>) => void): void {
    for (const [id, route] of this.entries()) callback(route, id, this);
  }
}
