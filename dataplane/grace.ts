// Reclaims that must wait for an RCU grace period: a slot of a table the
// XDP program reads (a tbl8 group, a next-hop or group id) is reused only
// once every program run that could still hold it has finished. One grace
// period serves every reclaim queued before it began, so a burst of frees
// costs one wait, not one each.

export class GraceQueue {
  private queued: Array<() => void> = [];
  private running: Promise<void> | undefined;
  private closed = false;

  /**
   * wait: resolves after a grace period (addon.waitGracePeriod).
   * onError: told when a wait failed; its reclaims are tried again later.
   */
  constructor(
    private readonly wait: () => Promise<void>,
    private readonly onError: (err: Error) => void = () => undefined,
    private readonly retryMs = 1000,
  ) {}

  /** Run `reclaim` after the next grace period that begins from now on. */
  defer(reclaim: () => void): void {
    if (this.closed) return;
    this.queued.push(reclaim);
    this.running ??= this.drain();
  }

  /** Resolves once everything deferred so far has been reclaimed (or dropped by close()). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The tables are going away: drop what waits, run nothing more. */
  close(): void {
    this.closed = true;
    this.queued = [];
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length > 0 && !this.closed) {
        const batch = this.queued;
        this.queued = [];
        try {
          await this.wait();
        } catch (err) {
          // not reclaimed is only not reused: put them back and try later
          this.queued = [...batch, ...this.queued];
          this.onError(err as Error);
          await new Promise((r) => setTimeout(r, this.retryMs).unref());
          continue;
        }
        if (this.closed) return;
        for (const reclaim of batch) reclaim();
      }
    } finally {
      this.running = undefined;
    }
  }
}
