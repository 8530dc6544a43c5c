// The fast path's lag behind the kernel, route by route, for a sample of
// routes (the probes). The kernel's time of a change is when its
// RTM_NEWROUTE/DELROUTE reaches a socket of our own in the router's
// namespace (the daemon's arrives at the same moment); the fast path's is
// when a lookup in the daemon's pinned maps first gives the new answer.
// A probe's address lies in the probe's prefix and in no longer prefix of
// the table, probes do not overlap, and they alone go through the probe
// gateway: so a lookup names the probe's next hop exactly while the probe
// is in the maps, whatever covering route is there too.
// RouteLag does the timing; route-lag-worker.ts runs it on a thread of its
// own (RouteLagTracker), so that the bench's own collections, over a heap
// that holds the whole table, neither delay a receive nor a poll.
import type { FastPath } from '../dataplane/fastpath.js';
import { addon, type RtnlEventSocket } from '../dataplane/native.js';
import { AF_INET, NLMSG_HDRLEN, RTM, RTNLGRP } from '../router/sync/rtnl-wire.js';

/** A sampled route: its key as the kernel's messages give it, and an address only it covers. */
export interface Probe {
  family: 4 | 6;
  /** routeKey() of its prefix */
  key: string;
  address: string;
}

/** "4 c0000200/24": family, destination bytes in hex, length, as cheap to build from a message as from a prefix. */
export const routeKey = (family: 4 | 6, dst: Buffer, length: number): string => `${family} ${dst.toString('hex')}/${length}`;

export interface LagStats {
  /** probe changes the fast path followed */
  samples: number;
  /** probe changes whose kernel event this socket lost (ENOBUFS): not timed */
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** the last change of any route of the protocol reaching the kernel, and the last probe reaching the maps (performance.now()) */
  lastKernelAt: number;
  lastFastPathAt: number;
}

interface ProbeState {
  probe: Probe;
  present: boolean;
  kernelAt: number;
}

const RTMSG_LEN = 12;
const RTA_DST = 1;
/** how often the maps are looked at for the changes not seen there yet */
const POLL_MS = 2;
/** the socket's buffer: the feed's events must not be dropped while the bench process is busy */
const RECEIVE_BUFFER_BYTES = 256 * 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class RouteLag {
  private readonly byKey = new Map<string, ProbeState>();
  private readonly pending = new Set<ProbeState>();
  private socket: RtnlEventSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lags: number[] = [];
  private lost = 0;
  private lastKernelAt = 0;
  private lastFastPathAt = 0;

  /**
   * protocol: rtm_protocol of the measured routes; nexthopIds: the id of
   * the probe gateway's next hop in the maps, per family.
   */
  constructor(
    private readonly netnsPath: string,
    private readonly protocol: number,
    probes: Probe[],
    private fp: FastPath,
    private nexthopIds: { 4: number; 6: number },
  ) {
    for (const probe of probes) this.byKey.set(probe.key, { probe, present: false, kernelAt: 0 });
  }

  start(): void {
    this.socket = new addon.RtnlEventSocket(
      { netns: this.netnsPath, receiveBufferBytes: RECEIVE_BUFFER_BYTES, groups: [RTNLGRP.IPV4_ROUTE, RTNLGRP.IPV6_ROUTE] },
      (messages, problem) => {
        if (messages) this.receive(messages);
        if (problem?.code === 'ENOBUFS') this.lost++;
      },
    );
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  /** Another daemon run: its maps, and its ids for the probe gateways. */
  follow(fp: FastPath, nexthopIds: { 4: number; 6: number }): void {
    this.fp = fp;
    this.nexthopIds = nexthopIds;
  }

  /** Start a new phase: what was measured so far is dropped. */
  reset(): void {
    this.lags = [];
    this.lost = 0;
    this.lastKernelAt = this.lastFastPathAt = 0;
  }

  /** Probe changes the fast path has not followed yet. */
  get behind(): number {
    return this.pending.size;
  }

  /** Resolves once the fast path followed every probe change, or after timeoutMs (then some are still behind). */
  settled(timeoutMs: number): Promise<boolean> {
    return this.followed(0, timeoutMs);
  }

  /**
   * settled, once at least `changes` probe changes were followed since the
   * last reset: for a feed whose changes the tracker waits to see come.
   */
  async followed(changes: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const done = (): boolean => this.pending.size === 0 && this.lags.length >= changes;
    while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return done();
  }

  stats(): LagStats {
    const sorted = [...this.lags].sort((a, b) => a - b);
    return {
      samples: sorted.length,
      lost: this.lost,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
      lastKernelAt: this.lastKernelAt,
      lastFastPathAt: this.lastFastPathAt,
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.socket?.close();
    this.socket = null;
  }

  /** Messages back to back: nlmsghdr, then rtmsg and its attributes; only the protocol's routes count. */
  private receive(buf: Buffer): void {
    const now = performance.now();
    for (let at = 0; at + NLMSG_HDRLEN <= buf.length; ) {
      const len = buf.readUInt32LE(at);
      if (len < NLMSG_HDRLEN) break;
      const type = buf.readUInt16LE(at + 4);
      const data = buf.subarray(at + NLMSG_HDRLEN, at + len);
      at += (len + 3) & ~3;
      if ((type !== RTM.NEWROUTE && type !== RTM.DELROUTE) || data.length < RTMSG_LEN || data[5] !== this.protocol) continue;
      this.lastKernelAt = now;
      const state = this.byKey.get(keyOf(data));
      if (!state) continue;
      state.present = type === RTM.NEWROUTE;
      state.kernelAt = now;
      this.pending.add(state);
    }
  }

  private poll(): void {
    if (this.pending.size === 0) return;
    const now = performance.now();
    for (const state of this.pending) {
      const target = this.fp.lookupRoute(state.probe.address);
      const present = target !== null && 'nexthop' in target && target.nexthop === this.nexthopIds[state.probe.family];
      if (present !== state.present) continue;
      this.lags.push(now - state.kernelAt);
      this.lastFastPathAt = now;
      this.pending.delete(state);
    }
  }
}

/** The key of a route message's destination (rtmsg: family, dst_len, ...; RTA_DST among the attributes). */
function keyOf(data: Buffer): string {
  const family = data[0] === AF_INET ? 4 : 6;
  const length = data[1]!;
  for (let at = RTMSG_LEN; at + 4 <= data.length; ) {
    const len = data.readUInt16LE(at);
    if (len < 4) break;
    if (data.readUInt16LE(at + 2) === RTA_DST) return routeKey(family, data.subarray(at + 4, at + len), length);
    at += (len + 3) & ~3;
  }
  return routeKey(family, Buffer.alloc(family === 4 ? 4 : 16), length);
}
