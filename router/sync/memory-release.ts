// A router takes a full table, or a large part of it, in bursts: a cold
// start, a resync, a BGP session coming up or going down. Each burst leaves
// garbage in the V8 heap, a young generation grown to its largest, and free
// pages in the malloc arenas, resident until something gives them back; a
// quiet router should not carry the footprint of its busiest minute. So
// after a full sync, and once a burst of route changes has gone quiet, the
// daemon hands that memory back (addon.releaseMemory). Not during a burst:
// the collection stops the JS thread for some tens of ms, which a steady
// churn should not pay again and again. The young generation it shrinks
// has a floor (router/node-flags.ts), so the next burst does not start
// with a scavenge every megabyte.
import type { Logger } from '../log.js';

/** changes since the last release that make a burst worth a release */
export const RELEASE_AFTER_CHANGES = 10_000;
/** how long without a change makes a burst over */
export const QUIET_MS = 1_000;

const MiB = 2 ** 20;

export interface MemoryReleaseOptions {
  /** addon.releaseMemory: the collection done when it returns, the promise settled after malloc_trim */
  release: () => Promise<void>;
  /** each release, with the memory before and after and the JS thread's pause; a failure as a warning, since it costs memory, never routes */
  log: Pick<Logger, 'info' | 'warn'>;
  afterChanges?: number;
  quietMs?: number;
}

export class MemoryRelease {
  private changes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly afterChanges: number;
  private readonly quietMs: number;

  constructor(private readonly options: MemoryReleaseOptions) {
    this.afterChanges = options.afterChanges ?? RELEASE_AFTER_CHANGES;
    this.quietMs = options.quietMs ?? QUIET_MS;
  }

  /** A full sync is done: release now. */
  now(): void {
    this.cancel();
    this.run();
  }

  /** `count` changes were applied: once they add up to a burst, release when it has been quiet for a while. */
  changed(count: number): void {
    this.changes += count;
    if (this.changes < this.afterChanges) return;
    this.cancel();
    this.timer = setTimeout(() => this.run(), this.quietMs);
    this.timer.unref();
  }

  stop(): void {
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.changes = 0;
    this.releaseAndLog().catch((err: unknown) =>
      this.options.log.warn('could not hand freed memory back to the system', { err: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private async releaseAndLog(): Promise<void> {
    const before = process.memoryUsage();
    const t0 = performance.now();
    const trimmed = this.options.release();
    const collectMs = performance.now() - t0;
    await trimmed;
    const after = process.memoryUsage();
    const mib = (bytes: number): number => Math.round(bytes / MiB);
    this.options.log.info('handed freed memory back', {
      rssMiB: `${mib(before.rss)} -> ${mib(after.rss)}`,
      heapMiB: `${mib(before.heapTotal)} -> ${mib(after.heapTotal)}`,
      collectMs: Math.round(collectMs),
    });
  }
}
