// Keeps the neighbours the fast path forwards to as fresh as the kernel keeps
// the ones it forwards to itself.
//
// The kernel re-checks a neighbour only when a packet it sends finds the
// entry STALE (neigh_event_send: STALE -> DELAY -> PROBE -> REACHABLE, or
// FAILED when the probes go unanswered). Frames forwarded in XDP never reach
// it, so a neighbour that changes its MAC without announcing it would stay
// STALE, usable and wrong, for good. The program marks a STALE entry it
// forwards through (xr_neigh.used, written once per STALE period); this loop
// finds the marks and hands each use to the kernel with RTM_NEWNEIGH +
// NTF_USE, which runs neigh_event_send on the entry as a packet would. The
// kernel's answer comes back as neighbour events: DELAY clears the mark, and
// FAILED takes the entry out of the fast path, so the kernel itself resolves
// the new MAC from the next packet.
//
// Why not NTF_EXT_MANAGED (what Cilium does): a managed entry is re-probed
// on the kernel's timer (interval_probe_time_ms, 5 s by default, one value
// for the whole table), used or not, and never garbage-collected; recovery
// then waits for that timer instead of following the traffic, it suits a
// few gateways but not every host of a connected subnet, and the daemon
// would have to create entries and take the flag off again on a clean stop.
// NTF_USE changes no entry's flags or state beyond what a forwarded packet
// would: `ip neigh` reads as if the kernel had forwarded the traffic, for
// gateways and connected hosts alike, and a stopped router leaves nothing.
import type { FastPath } from '../../dataplane/fastpath.js';
import type { NeighbourUser } from './neighbour-writer.js';
import type { NeighbourRef } from './reconciler.js';

/**
 * How often the marks are read. A use waits at most this long to reach the
 * kernel; each round costs one map lookup per STALE entry the maps hold.
 */
export const NEIGHBOUR_POLL_MS = 500;

const ENOENT = 'ENOENT';

export interface NeighbourLivenessOptions {
  /** the entries the maps hold as STALE (Reconciler.stale) */
  stale: () => Iterable<NeighbourRef>;
  pollMs?: number;
  log?: (msg: string, fields?: object) => void;
}

export class NeighbourLiveness {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> = Promise.resolve();
  /** uses handed to the kernel since start */
  handedOver = 0;

  constructor(
    private readonly fp: Pick<FastPath, 'neighbourUsed'>,
    private readonly kernel: NeighbourUser,
    private readonly options: NeighbourLivenessOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.round = this.round
        .then(() => this.check())
        .catch((err: unknown) => this.options.log?.('neighbour use round failed; retrying next round', { error: (err as Error).message }));
    }, this.options.pollMs ?? NEIGHBOUR_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: every marked STALE entry is used in the kernel. Returns how many were. */
  async check(): Promise<number> {
    const used = [...this.options.stale()].filter((n) => this.fp.neighbourUsed(n.ifindex, n.address));
    let handed = 0;
    for (const n of used) {
      try {
        await this.kernel.useNeighbour(n.ifindex, n.address);
        handed++;
      } catch (err) {
        // gone from the kernel meanwhile: its deletion event takes it out of the maps
        if ((err as { code?: string }).code === ENOENT) continue;
        this.options.log?.('could not hand a neighbour use to the kernel; retrying next round', {
          ifindex: n.ifindex,
          address: n.address,
          error: (err as Error).message,
        });
      }
    }
    this.handedOver += handed;
    return handed;
  }
}
