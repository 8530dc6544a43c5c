// The slow path's forward handler: look a punted packet up in the same
// FIB, next-hop and neighbour maps the fast path uses, rewrite it as the
// fast path would, and send it on the egress interface's AF_XDP socket.
//
// XDP punts only frames it could forward itself, so every other outcome
// means the tables changed between XDP's decision and this one (a
// neighbour or route gone, an MTU lowered). Such a frame gets what XDP
// would now give it: the kernel's receive path on its ingress interface
// (KernelPass), where XDP would pass it up; a drop for a blackhole route, as
// in XDP. Where the kernel cannot take it, it is dropped and counted.
import { createHash } from 'node:crypto';
import type { FastPath, NexthopSpec } from '../../dataplane/fastpath.js';
import { parsePacket, rewriteFrame } from './frame.js';
import type { ParsedPacket } from './frame.js';
import type { KernelPass } from './kernel.js';

/**
 * The forwarder's decision for a frame, named as XDP's reason for the same
 * frame and tables (`no-neigh` is XDP's `pass-no-neigh`), plus what only
 * userspace meets: no AF_XDP socket on the egress device, its TX ring full.
 */
export type ForwardOutcome =
  | 'forwarded'
  | 'not-ip'
  | 'ttl'
  | 'no-route'
  | 'blackhole'
  | 'unreachable'
  | 'kernel-route'
  | 'no-iface'
  | 'no-neigh'
  | 'mtu'
  | 'no-socket'
  | 'tx-full';

/** What became of the frame: sent on by the slow path, given to the kernel, or dropped. */
export type ForwardAction = 'transmit' | 'kernel' | 'drop';

/** Dropped as XDP drops them, never given to the kernel: a blackhole route; a full TX ring, as a full queue anywhere. */
const DROPPED: ReadonlySet<ForwardOutcome> = new Set(['blackhole', 'tx-full']);

export interface Transmitter {
  transmit(frames: Buffer[]): number;
}

/** One flow, one next hop; the exact hash need not match XDP's, only be stable per flow. */
function pickMember(p: ParsedPacket, members: Array<{ nexthop: number; weight: number }>): number {
  const total = members.reduce((s, m) => s + m.weight, 0);
  const digest = createHash('sha1').update(`${p.src}|${p.dst}|${p.protocol}|${p.sport}|${p.dport}`).digest();
  let point = digest.readUInt32BE(0) % total;
  for (const m of members) {
    if (point < m.weight) return m.nexthop;
    point -= m.weight;
  }
  return members[members.length - 1]!.nexthop;
}

/** Where a destination's packets go: resolved once per batch, since map lookups are system calls. */
type Resolution =
  | { outcome: 'no-route' | 'blackhole' | 'unreachable' | 'kernel-route' }
  | { nexthop: NexthopSpec }
  | { members: Array<{ nexthop: number; weight: number }> };

type Egress = { outcome: 'no-iface' | 'no-neigh' } | { socket: Transmitter | undefined; mtu: number; dstMac: string; srcMac: string; vlanId: number };

export class UserspaceForwarder {
  /** frames by decision and by what became of them */
  private readonly tally = new Map<ForwardOutcome, Record<ForwardAction, number>>();

  constructor(
    private readonly fp: FastPath,
    /** transmit side by the device frames leave through (ifindex) */
    private readonly sockets: Map<number, Transmitter>,
    /** the way back to the kernel; without one, what XDP would pass up is dropped */
    private readonly kernel?: KernelPass,
  ) {}

  private count(o: ForwardOutcome, action: ForwardAction, n = 1): void {
    let t = this.tally.get(o);
    if (!t) this.tally.set(o, (t = { transmit: 0, kernel: 0, drop: 0 }));
    t[action] += n;
  }

  /** Frames that got an outcome, whatever became of them. */
  packets(o: ForwardOutcome): number {
    const t = this.tally.get(o);
    return t ? t.transmit + t.kernel + t.drop : 0;
  }

  /** Every (outcome, action) the forwarder has met, with its frames. */
  results(): Array<{ outcome: ForwardOutcome; action: ForwardAction; packets: number }> {
    return [...this.tally].flatMap(([outcome, t]) =>
      (Object.keys(t) as ForwardAction[]).filter((action) => t[action] > 0).map((action) => ({ outcome, action, packets: t[action] })),
    );
  }

  forward(frame: Buffer, ingressIfindex: number): ForwardOutcome {
    return this.forwardBatch([frame], ingressIfindex)[0]!;
  }

  /**
   * Forward a receive batch (frames of one ingress interface): a
   * destination's route, and a next hop's interface and neighbour, are read
   * from the maps once per batch rather than per packet, and each egress
   * socket gets one transmit call.
   */
  forwardBatch(frames: Buffer[], ingressIfindex: number): ForwardOutcome[] {
    const routes = new Map<string, Resolution>();
    const egresses = new Map<string, Egress>();
    const queued = new Map<Transmitter, { frames: Buffer[]; at: number[] }>();
    const results: ForwardOutcome[] = frames.map((frame, i) => {
      const p = parsePacket(frame);
      if (!p) return 'not-ip';
      if (p.ttl <= 1) return 'ttl';
      let r = routes.get(p.dst);
      if (!r) routes.set(p.dst, (r = this.resolve(p.dst)));
      if ('outcome' in r) return r.outcome;
      const nh = 'nexthop' in r ? r.nexthop : this.fp.nexthop(pickMember(p, r.members));
      if (!nh) return 'no-route';
      const target = nh.gateway ?? p.dst;
      const egressKey = `${nh.ifindex}|${target}`;
      let e = egresses.get(egressKey);
      if (!e) egresses.set(egressKey, (e = this.egress(nh.ifindex, target)));
      if ('outcome' in e) return e.outcome;
      if (p.ipLength > e.mtu) return 'mtu';
      if (!e.socket) return 'no-socket';
      let q = queued.get(e.socket);
      if (!q) queued.set(e.socket, (q = { frames: [], at: [] }));
      q.frames.push(rewriteFrame(frame, p, { dstMac: e.dstMac, srcMac: e.srcMac, vlanId: e.vlanId }));
      q.at.push(i);
      return 'forwarded';
    });
    // a full TX ring takes the first frames it has room for
    for (const [socket, q] of queued) {
      const sent = socket.transmit(q.frames);
      for (const i of q.at.slice(sent)) results[i] = 'tx-full';
    }
    results.forEach((o, i) => this.count(o, this.settle(o, frames[i]!, ingressIfindex)));
    return results;
  }

  /** Where a frame the slow path does not send goes: up to the kernel where XDP would pass it, else nowhere. */
  private settle(o: ForwardOutcome, frame: Buffer, ingressIfindex: number): ForwardAction {
    if (o === 'forwarded') return 'transmit';
    if (DROPPED.has(o) || !this.kernel) return 'drop';
    // the frame is as it arrived: the rewrite made a copy
    const handed = this.kernel.pass(frame, ingressIfindex, () => {
      this.count(o, 'kernel', -1);
      this.count(o, 'drop');
    });
    return handed ? 'kernel' : 'drop';
  }

  private resolve(dst: string): Resolution {
    const route = this.fp.lookupRoute(dst);
    if (!route) return { outcome: 'no-route' };
    if (route.type === 'blackhole') return { outcome: 'blackhole' };
    if (route.type === 'unreachable' || route.type === 'prohibit') return { outcome: 'unreachable' };
    if (route.type !== 'unicast') return { outcome: 'kernel-route' };
    if ('group' in route) {
      const members = this.fp.group(route.group);
      return members && members.length > 0 ? { members } : { outcome: 'no-route' };
    }
    const nexthop = this.fp.nexthop(route.nexthop);
    return nexthop ? { nexthop } : { outcome: 'no-route' };
  }

  private egress(ifindex: number, target: string): Egress {
    const out = this.fp.iface(ifindex);
    if (!out || !out.up) return { outcome: 'no-iface' };
    const neigh = this.fp.neighbour(ifindex, target);
    if (!neigh || !neigh.valid) return { outcome: 'no-neigh' };
    const socket = this.sockets.get(out.vlan ? out.vlan.lowerIfindex : ifindex);
    return { socket, mtu: out.mtu, dstMac: neigh.mac, srcMac: out.mac, vlanId: out.vlan?.id ?? 0 };
  }
}
