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

export class UserspaceForwarder {
  readonly outcomes = new Map<ForwardOutcome, number>();

  constructor(
    private readonly fp: FastPath,
    /** transmit side by the device frames leave through (ifindex) */
    private readonly sockets: Map<number, Transmitter>,
  ) {}

  private count(o: ForwardOutcome): ForwardOutcome {
    this.outcomes.set(o, (this.outcomes.get(o) ?? 0) + 1);
    return o;
  }

  forward(frame: Buffer): ForwardOutcome {
    const p = parsePacket(frame);
    if (!p) return this.count('not-ip');
    if (p.ttl <= 1) return this.count('ttl');
    const route = this.fp.lookupRoute(p.dst);
    if (!route) return this.count('no-route');
    if (route.type === 'blackhole') return this.count('blackhole');
    if (route.type !== 'unicast') return this.count('kernel-route');
    let nh: NexthopSpec | null;
    if ('group' in route) {
      const members = this.fp.group(route.group);
      nh = members && members.length > 0 ? this.fp.nexthop(pickMember(p, members)) : null;
    } else {
      nh = this.fp.nexthop(route.nexthop);
    }
    if (!nh) return this.count('no-route');
    const out = this.fp.iface(nh.ifindex);
    if (!out || !out.up) return this.count('no-iface');
    const neigh = this.fp.neighbour(nh.ifindex, nh.gateway ?? p.dst);
    if (!neigh || !neigh.valid) return this.count('no-neigh');
    if (p.ipLength > out.mtu) return this.count('mtu');
    const socket = this.sockets.get(out.vlan ? out.vlan.lowerIfindex : nh.ifindex);
    if (!socket) return this.count('no-socket');
    const rewritten = rewriteFrame(frame, p, { dstMac: neigh.mac, srcMac: out.mac, vlanId: out.vlan?.id ?? 0 });
    return this.count(socket.transmit([rewritten]) === 1 ? 'forwarded' : 'tx-full');
  }
}
