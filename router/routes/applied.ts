// Waiting until the fast path has what was asked of the kernel: a route
// change goes to the kernel, comes back over netlink, and the reconciler
// writes it; it tells us which prefixes it wrote, and the waits on those
// prefixes check whether their condition now holds. Nothing polls. A wait
// covers a batch of routes (AddRoutes: one counter and one promise for
// thousands) or one (AddRoute, DeleteRoute: a batch of one). A prefix
// waited for by several waits (a stream that names it twice) is waited for
// by each of them. While the maps are behind the state (a batch of events
// still being written), a check waits for the next write to end: the
// state would say "applied" before the maps have it.
import type { PrefixKeys, RoutesAppliedListener } from '../sync/reconciler.js';

/** One route of a batch the fast path does not show yet. */
interface Entry {
  readonly batch: Batch;
  readonly position: number;
  /** the next batch waiting for the same prefix */
  next: Entry | undefined;
}

/** What a change waits on: the fast path's answer, or the caller giving up. */
export interface Wait {
  /** resolves when every route still waited for is in the fast path */
  readonly done: Promise<void>;
  /** stop waiting; `done` then settles only if nothing is open */
  cancel(): void;
}

export interface BatchWait extends Wait {
  /** when a route of the batch last reached the fast path (or the wait began): Date.now() */
  readonly lastApplied: number;
  /** the positions still waited for */
  open(): number[];
  /** stop waiting for one route (the kernel refused it) */
  drop(position: number): void;
  /** test every route still waited for now: a change the kernel had already made sends no event */
  check(): void;
}

class Batch implements BatchWait {
  readonly done: Promise<void>;
  lastApplied = Date.now();
  private readonly waiting: Uint8Array;
  private count: number;
  private resolve!: () => void;
  private readonly entries: Map<string, Entry>;

  constructor(
    private readonly routes: AppliedRoutes,
    private readonly keys: readonly string[],
    readonly holds: (position: number) => boolean,
  ) {
    const entries = (this.entries = routes.entries);
    this.done = new Promise<void>((r) => (this.resolve = r));
    this.waiting = new Uint8Array(keys.length).fill(1);
    this.count = keys.length;
    keys.forEach((key, position) => entries.set(key, { batch: this, position, next: entries.get(key) }));
    if (this.count === 0) this.resolve();
  }

  open(): number[] {
    const out: number[] = [];
    this.waiting.forEach((w, position) => w && out.push(position));
    return out;
  }

  drop(position: number): void {
    if (!this.waiting[position]) return;
    this.waiting[position] = 0;
    this.unlink(position);
    if (--this.count === 0) this.resolve();
  }

  /** The route at `position` is in the fast path. */
  applied(position: number): void {
    this.lastApplied = Date.now();
    this.drop(position);
  }

  check(): void {
    if (this.count === 0) return;
    if (this.routes.behind()) {
      this.routes.checkLater(this);
      return;
    }
    for (let position = 0; position < this.keys.length; position++) if (this.waiting[position] && this.holds(position)) this.applied(position);
  }

  cancel(): void {
    this.routes.forget(this);
    for (let position = 0; position < this.keys.length; position++) {
      if (!this.waiting[position]) continue;
      this.waiting[position] = 0;
      this.unlink(position);
    }
  }

  private unlink(position: number): void {
    const key = this.keys[position]!;
    let prev: Entry | undefined;
    for (let e = this.entries.get(key); e; prev = e, e = e.next) {
      if (e.batch !== this || e.position !== position) continue;
      if (prev) prev.next = e.next;
      else if (e.next) this.entries.set(key, e.next);
      else this.entries.delete(key);
      return;
    }
  }
}

export class AppliedRoutes {
  /** by "family|prefix": the waits' routes not in the fast path yet */
  readonly entries = new Map<string, Entry>();
  /** waits whose check came while the maps were behind: checked again after the next write */
  private readonly later = new Set<Batch>();
  private readonly unsubscribe: () => void;

  /** `behind`: the maps are behind the state (Reconciler.mapsBehind) */
  constructor(
    subscribe: (listener: RoutesAppliedListener) => () => void,
    readonly behind: () => boolean,
  ) {
    this.unsubscribe = subscribe((keys) => this.applied(keys));
  }

  checkLater(batch: Batch): void {
    this.later.add(batch);
  }

  forget(batch: Batch): void {
    this.later.delete(batch);
  }

  /**
   * Wait until `holds(i)` is true right after the maps were written for
   * `keys[i]` ("family|prefix"), for every i. Register before asking the
   * kernel, so no change can slip by.
   */
  waitForAll(keys: readonly string[], holds: (position: number) => boolean): BatchWait {
    return new Batch(this, keys, holds);
  }

  /** The same for one route: until `holds()` right after the maps were written for `key`. */
  waitFor(key: string, holds: () => boolean): BatchWait {
    return this.waitForAll([key], holds);
  }

  private applied(keys: PrefixKeys): void {
    // the smaller side drives the loop: one prefix changed, or a resync of all of them
    const fromEntries = this.entries.size < keys.size;
    for (const key of fromEntries ? [...this.entries.keys()] : keys) {
      if (fromEntries && !keys.has(key)) continue;
      for (let e = this.entries.get(key); e; ) {
        const next = e.next;
        if (e.batch.holds(e.position)) e.batch.applied(e.position);
        e = next;
      }
    }
    const later = [...this.later];
    this.later.clear();
    for (const batch of later) batch.check();
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
    this.later.clear();
  }
}
