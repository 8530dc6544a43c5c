// Route changes as events for watchers: ADDED (new or changed) and DELETED,
// found by comparing each prefix the reconciler just wrote with what
// watchers were last told. Comparing states rather than relaying netlink
// messages also covers the routes the kernel drops without a message (a
// link going down) and resyncs.
import type { KernelState } from '../sync/kernel-state.js';
import type { KernelRoute } from '../sync/model.js';
import type { PrefixKeys, RoutesAppliedListener } from '../sync/reconciler.js';

export type RouteChange = { type: 'added' | 'deleted'; route: KernelRoute };
export type RouteChangeListener = (change: RouteChange) => void;

export interface RouteWatch {
  /** the routes at the start of the watch */
  snapshot: KernelRoute[];
  close(): void;
}

/** A route's content: what watchers compare to tell a change from a repeat. */
const contentOf = (r: KernelRoute): string => JSON.stringify(r);

export class RouteFeed {
  /** each watcher's listener, and how to tell it the feed has ended */
  private readonly listeners = new Map<RouteChangeListener, () => void>();
  /** what watchers were last told, per "family|prefix" and route id; kept only while someone watches */
  private published = new Map<string, Map<string, string>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly state: KernelState,
    subscribe: (listener: RoutesAppliedListener) => () => void,
  ) {
    this.unsubscribe = subscribe((keys) => this.applied(keys));
  }

  /** Start a watch: the current routes, then every change through `listener`; `ended` when the feed closes. */
  watch(listener: RouteChangeListener, ended: () => void = () => undefined): RouteWatch {
    if (this.listeners.size === 0) this.published = this.copyState();
    this.listeners.set(listener, ended);
    const snapshot: KernelRoute[] = [];
    for (const byId of this.state.routes.values()) snapshot.push(...byId.values());
    return {
      snapshot,
      close: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.published.clear();
      },
    };
  }

  private copyState(): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const [key, byId] of this.state.routes) {
      out.set(key, new Map([...byId].map(([id, r]) => [id, contentOf(r)])));
    }
    return out;
  }

  private applied(keys: PrefixKeys): void {
    if (this.listeners.size === 0) return;
    for (const key of keys) {
      const before = this.published.get(key) ?? new Map<string, string>();
      const now = this.state.routes.get(key) ?? new Map<string, KernelRoute>();
      const after = new Map<string, string>();
      for (const [id, content] of before) {
        if (!now.has(id)) this.emit({ type: 'deleted', route: JSON.parse(content) as KernelRoute });
      }
      for (const [id, route] of now) {
        const content = contentOf(route);
        after.set(id, content);
        if (before.get(id) !== content) this.emit({ type: 'added', route });
      }
      if (after.size > 0) this.published.set(key, after);
      else this.published.delete(key);
    }
  }

  private emit(change: RouteChange): void {
    for (const l of this.listeners.keys()) l(change);
  }

  /** Stop; every watcher is told, so its stream ends rather than hangs. */
  close(): void {
    this.unsubscribe();
    const ends = [...this.listeners.values()];
    this.listeners.clear();
    for (const end of ends) end();
  }
}
