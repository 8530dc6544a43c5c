// The routes of one prefix, by route id. Nearly every prefix has one route,
// and a full table has a million prefixes: a Map per prefix costs some 260
// bytes before it holds anything, so the single route is kept inline and a
// Map is made only for a second one.
import type { KernelRoute } from './model.js';

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
