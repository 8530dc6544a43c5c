// The slow path's forward handler: look a punted packet up in the same
// FIB, next-hop and neighbour maps the fast path uses, rewrite it as the
// fast path would, and send it on the egress interface's AF_XDP socket.
import { createHash } from 'node:crypto';
import type { FastPath, NexthopSpec } from '../../dataplane/fastpath.js';
import { parsePacket, rewriteFrame } from './frame.js';
import type { ParsedPacket } from './frame.js';

/** What became of a packet; anything but 'forwarded' is a drop (userspace cannot hand it back to the kernel). */
export type ForwardOutcome = 'forwarded' | 'not-ip' | 'ttl' | 'no-route' | 'blackhole' | 'kernel-route' | 'no-iface' | 'no-neigh' | 'mtu' | 'no-socket' | 'tx-full';

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
  | { outcome: Exclude<ForwardOutcome, 'forwarded' | 'mtu' | 'no-socket' | 'tx-full'> }
  | { nexthop: NexthopSpec }
  | { members: Array<{ nexthop: number; weight: number }> };

type Egress = { outcome: 'no-iface' | 'no-neigh' } | { socket: Transmitter | undefined; mtu: number; dstMac: string; srcMac: string; vlanId: number };

export class UserspaceForwarder {
  readonly outcomes = new Map<ForwardOutcome, number>();

  constructor(
    private readonly fp: FastPath,
    /** transmit side by the device frames leave through (ifindex) */
    private readonly sockets: Map<number, Transmitter>,
  ) {}

  private count(o: ForwardOutcome, n = 1): void {
    if (n > 0) this.outcomes.set(o, (this.outcomes.get(o) ?? 0) + n);
  }

  forward(frame: Buffer): ForwardOutcome {
    return this.forwardBatch([frame])[0]!;
  }

  /**
   * Forward a receive batch: a destination's route, and a next hop's
   * interface and neighbour, are read from the maps once per batch rather
   * than per packet, and each egress socket gets one transmit call.
   */
  forwardBatch(frames: Buffer[]): ForwardOutcome[] {
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
    for (const o of results) this.count(o);
    return results;
  }

  private resolve(dst: string): Resolution {
    const route = this.fp.lookupRoute(dst);
    if (!route) return { outcome: 'no-route' };
    if (route.type === 'blackhole') return { outcome: 'blackhole' };
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
