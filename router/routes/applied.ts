// Waiting until the fast path has what was asked of the kernel: a route
// change goes to the kernel, comes back over netlink, and the reconciler
// writes it; it tells us which prefixes it wrote, and the waiters on those
// prefixes check whether their condition now holds. Nothing polls.
import type { RoutesAppliedListener } from '../sync/reconciler.js';

interface Waiter {
  holds: () => boolean;
  resolve: () => void;
}

export interface Wait {
  /** resolves when the condition holds after the maps were written */
  done: Promise<void>;
  /** stop waiting; `done` then never settles */
  cancel(): void;
}

export class AppliedRoutes {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly unsubscribe: () => void;

  constructor(subscribe: (listener: RoutesAppliedListener) => () => void) {
    this.unsubscribe = subscribe((keys) => this.applied(keys));
  }

  /**
   * Wait until `holds()` is true right after the maps were written for
   * `key` ("family|prefix"). Register before asking the kernel, so the
   * change cannot slip by; `check()` also tests it at once (for a change
   * the kernel had already applied).
   */
  waitFor(key: string, holds: () => boolean): Wait & { check(): void } {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const waiter: Waiter = { holds, resolve };
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    set.add(waiter);
    const cancel = (): void => {
      const s = this.waiters.get(key);
      s?.delete(waiter);
      if (s?.size === 0) this.waiters.delete(key);
    };
    const check = (): void => {
      if (!holds()) return;
      cancel();
      resolve();
    };
    return { done, cancel, check };
  }

  private applied(keys: ReadonlySet<string>): void {
    // the smaller side drives the loop: one prefix changed, or a resync of all of them
    const iterateWaiters = this.waiters.size < keys.size;
    for (const key of iterateWaiters ? [...this.waiters.keys()] : keys) {
      if (iterateWaiters && !keys.has(key)) continue;
      const set = this.waiters.get(key);
      if (!set) continue;
      for (const w of set) {
        if (!w.holds()) continue;
        set.delete(w);
        w.resolve();
      }
      if (set.size === 0) this.waiters.delete(key);
    }
  }

  close(): void {
    this.unsubscribe();
    this.waiters.clear();
  }
}
