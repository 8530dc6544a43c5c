// The sync benchmark's second live feed: the table announced over BGP.
// BIRD in host B originates it (static routes from a generated config) and
// announces it to BIRD on the router, over an IPv4 and an IPv6 session;
// BIRD on the router installs it in the kernel (proto bird) while
// xdp-router runs there. The same figures as the ip -batch feed: the
// kernel's time, the fast path's lag behind it, the fast path complete
// after the kernel.
import type { Lab } from '../router/lab/topology.js';
import { birdConfig, startBird, type Bird } from '../support/bird.js';
import { progress } from './progress.js';
import type { LagStats, Probe } from './route-lag.js';
import { RouteLagTracker, type LagMaps } from './route-lag-tracker.js';
import type { FeedRoute } from './sync-table.js';

/** rtm_protocol BIRD tags its kernel routes with (RTPROT_BIRD) */
const RTPROT_BIRD = 12;
const AS = { router: 65000, b: 65002 };

export interface BgpFeedResult {
  /** B's BIRD started to the last route change in the router's kernel */
  kernelMs: number;
  lag: LagStats;
  completeAfterKernelMs: number;
}

/**
 * Announce `routes` from B to the router over BGP and follow them into the
 * daemon's maps pinned at `maps` (nexthopIds: its next hops through B, which every route
 * takes); both BIRDs are stopped after, which takes the table out of the
 * router's kernel again.
 */
export async function bgpFeed(lab: Lab, routes: readonly FeedRoute[], probes: Probe[], maps: LagMaps, nexthopIds: { 4: number; 6: number }, timeoutMs: number): Promise<BgpFeedResult> {
  const r = lab.router;
  const tracker = new RouteLagTracker({ netnsPath: `/run/netns/${r.ns}`, protocol: RTPROT_BIRD, probes, maps, nexthopIds });
  const birds: Bird[] = [];
  try {
    await tracker.start();
    birds.push(
      await startBird(r.ns, birdConfig(r.toB.v4, [], [
        { name: 'host_b', local: r.toB.v4, neighbor: lab.b.v4, localAs: AS.router, peerAs: AS.b, announce: false },
        { name: 'host_b6', local: r.toB.v6, neighbor: lab.b.v6, localAs: AS.router, peerAs: AS.b, announce: false },
      ], true)),
    );
    progress(`sync: BGP feed of ${routes.length} routes from BIRD in host B`);
    const t0 = performance.now();
    birds.push(
      await startBird(lab.b.ns, birdConfig(lab.b.v4, routes.map((f) => f.prefix), [
        { name: 'upstream', local: lab.b.v4, neighbor: r.toB.v4, localAs: AS.b, peerAs: AS.router, announce: true },
        { name: 'upstream6', local: lab.b.v6, neighbor: r.toB.v6, localAs: AS.b, peerAs: AS.router, announce: true },
      ], false)),
    );
    if (!(await tracker.followed(probes.length, timeoutMs))) {
      // apart: a probe the kernel has and the maps lack is the daemon's; one the kernel never got is the feed's (BIRD, the session)
      const missing = probes.length - (await tracker.stats()).samples;
      const behind = await tracker.behind();
      throw new Error(
        `BGP feed: ${missing} probes not in the fast path after ${timeoutMs / 1000} s: ${behind} in the kernel but not the maps, ${missing - behind} never reached the kernel ` +
          `(BIRD on the router: ${await birds[0]!.ctl('show', 'protocols')}; its routes: ${await birds[0]!.ctl('show', 'route', 'count')}; BIRD in host B: ${await birds[1]!.ctl('show', 'protocols')})`,
      );
    }
    const s = await tracker.stats();
    const result = { kernelMs: s.lastKernelAt - t0, lag: s, completeAfterKernelMs: s.lastFastPathAt - s.lastKernelAt };
    progress(`sync: BGP feed: kernel ${(result.kernelMs / 1000).toFixed(1)} s; lag p50 ${s.p50Ms.toFixed(0)} ms p99 ${s.p99Ms.toFixed(0)} ms; complete ${(result.completeAfterKernelMs / 1000).toFixed(2)} s after the kernel`);
    return result;
  } finally {
    for (const b of birds.reverse()) await b.stop();
    await tracker.stop();
  }
}
