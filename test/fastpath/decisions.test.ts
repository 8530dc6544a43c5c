// The fast path's decisions, one case per line: this frame, this map state
// (fixture.ts), this verdict, these bytes out. Runs the real program through
// BPF_PROG_TEST_RUN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import { checksum, ethHeader, ETH_P_ARP, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, ETH_ZLEN, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, ipv4Frame, ipv4Packet, ipv6Frame, parseFrame, withBadIpv4Checksum, withTrailer } from '../../support/frames.js';
import type { EthSpec } from '../../support/frames.js';
import type { InterfacePasses } from '../../dataplane/fastpath.js';
import { createFixture, MAC } from './fixture.js';
import type { Device, Fixture } from './fixture.js';

const IN: EthSpec = { dst: MAC.routerIn, src: MAC.hostA };
const IN_V200: EthSpec = { ...IN, vlan: 200, pcp: 5 };
const A4 = '192.0.2.10';
const A6 = '2001:db8:1::10';

interface Forward {
  dstMac: string;
  srcMac: string;
  vlan?: number;
  pcp?: number;
}

interface Case {
  name: string;
  frame: Buffer;
  ingress?: Device;
  reason: Reason;
  /** expected rewrite for forwarded frames */
  forward?: Forward;
}

const pass = (name: string, frame: Buffer, reason: Reason, ingress?: Device): Case => ({ name, frame, reason, ...(ingress ? { ingress } : {}) });
const fwd = (name: string, frame: Buffer, forward: Forward, ingress?: Device): Case => ({ name, frame, reason: 'forwarded', forward, ...(ingress ? { ingress } : {}) });

const via1: Forward = { dstMac: MAC.gw1, srcMac: MAC.out1 };

const ipv4Cases: Case[] = [
  fwd('UDP via a gateway', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), via1),
  fwd('TCP via a gateway', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', proto: IPPROTO_TCP }), via1),
  fwd('ICMP echo via a gateway', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', proto: IPPROTO_ICMP }), via1),
  fwd('a host on a connected route gets its own MAC', ipv4Frame(IN, { src: A4, dst: '198.51.100.7' }), { dstMac: MAC.host1, srcMac: MAC.out1 }),
  // 169/8, 224/8 and 255/8 hold special addresses, but these are not
  fwd('source in 169/8 but not link-local', ipv4Frame(IN, { src: '169.253.1.1', dst: '198.51.100.70' }), via1),
  fwd('source in 223/8, just below multicast', ipv4Frame(IN, { src: '223.255.255.1', dst: '198.51.100.70' }), via1),
  fwd('source in 240/4 (reserved, not martian to Linux)', ipv4Frame(IN, { src: '240.0.0.1', dst: '198.51.100.70' }), via1),
  fwd('TTL 2 leaves with TTL 1', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', ttl: 2 }), via1),
  fwd('TTL 255 leaves with 254, checksum carries', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', ttl: 255 }), via1),
  fwd('IPv4 route via an IPv6 next hop (RFC 5549)', ipv4Frame(IN, { src: A4, dst: '192.0.2.200' }), { dstMac: MAC.gw2ll, srcMac: MAC.out2 }),
  fwd('exactly the egress MTU', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', payload: Buffer.alloc(1500 - 28, 7) }), via1),
  fwd('untagged in, tagged out (push VLAN 100)', ipv4Frame(IN, { src: A4, dst: '198.51.100.140' }), { dstMac: MAC.vlanGw, srcMac: MAC.out1, vlan: 100, pcp: 0 }),
  fwd('tagged in (VLAN 200), untagged out (strip)', ipv4Frame(IN_V200, { src: A4, dst: '198.51.100.70' }), via1),
  fwd('tagged in, tagged out: retag 200 -> 100, priority kept', ipv4Frame(IN_V200, { src: A4, dst: '198.51.100.140' }), { dstMac: MAC.vlanGw, srcMac: MAC.out1, vlan: 100, pcp: 5 }),
  pass('TTL 1: the kernel sends time exceeded', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', ttl: 1 }), 'pass-ttl'),
  pass('TTL 0', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', ttl: 0 }), 'pass-ttl'),
  pass('to the router itself', ipv4Frame(IN, { src: A4, dst: '192.0.2.1' }), 'pass-local'),
  pass('tagged, to the router itself', ipv4Frame(IN_V200, { src: A4, dst: '192.0.2.1' }), 'pass-local'),
  pass('no route', ipv4Frame(IN, { src: A4, dst: '192.0.2.5' }), 'pass-no-route'),
  { name: 'blackhole route drops', frame: ipv4Frame(IN, { src: A4, dst: '203.0.113.200' }), reason: 'drop-blackhole' },
  pass('unreachable route: the kernel answers', ipv4Frame(IN, { src: A4, dst: '203.0.113.230' }), 'pass-unreachable'),
  pass('prohibit route: the kernel answers', ipv4Frame(IN, { src: A4, dst: '203.0.113.250' }), 'pass-unreachable'),
  pass('a route left to the kernel shadows the shorter one the fast path has', ipv4Frame(IN, { src: A4, dst: '198.51.100.100' }), 'pass-kernel-route'),
  pass('neighbour not valid (INCOMPLETE/FAILED)', ipv4Frame(IN, { src: A4, dst: '192.0.2.70' }), 'pass-no-neigh'),
  pass('neighbour absent', ipv4Frame(IN, { src: A4, dst: '192.0.2.130' }), 'pass-no-neigh'),
  pass('egress interface down', ipv4Frame(IN, { src: A4, dst: '192.0.2.40' }), 'pass-no-iface'),
  pass('one byte over the egress MTU', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', payload: Buffer.alloc(1501 - 28) }), 'pass-mtu'),
  pass('multicast destination', ipv4Frame({ ...IN, dst: '01:00:5e:00:00:05' }, { src: A4, dst: '224.0.0.5' }), 'pass-multicast'),
  pass('multicast IP in a unicast frame', ipv4Frame(IN, { src: A4, dst: '239.1.1.1' }), 'pass-multicast'),
  pass('limited broadcast', ipv4Frame(IN, { src: A4, dst: '255.255.255.255' }), 'pass-multicast'),
  pass('broadcast MAC', ipv4Frame({ ...IN, dst: 'ff:ff:ff:ff:ff:ff' }, { src: A4, dst: '198.51.100.70' }), 'pass-multicast'),
  pass('link-local destination', ipv4Frame(IN, { src: A4, dst: '169.254.1.1' }), 'pass-link-local'),
  pass('link-local source', ipv4Frame(IN, { src: '169.254.1.1', dst: '198.51.100.70' }), 'pass-link-local'),
  pass('loopback destination', ipv4Frame(IN, { src: A4, dst: '127.0.0.1' }), 'pass-martian'),
  pass('zero-network destination', ipv4Frame(IN, { src: A4, dst: '0.1.2.3' }), 'pass-martian'),
  pass('zero-network source', ipv4Frame(IN, { src: '0.1.2.3', dst: '198.51.100.70' }), 'pass-martian'),
  pass('loopback source', ipv4Frame(IN, { src: '127.0.0.1', dst: '198.51.100.70' }), 'pass-martian'),
  pass('multicast source', ipv4Frame(IN, { src: '239.1.1.1', dst: '198.51.100.70' }), 'pass-martian'),
  pass('limited-broadcast source', ipv4Frame(IN, { src: '255.255.255.255', dst: '198.51.100.70' }), 'pass-martian'),
  pass('frame for another MAC', ipv4Frame({ ...IN, dst: MAC.other }, { src: A4, dst: '198.51.100.70' }), 'pass-other-host'),
  pass('ingress interface unknown to the fast path', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-no-iface', 'in9'),
  pass('tagged with a VLAN the router does not have', ipv4Frame({ ...IN, vlan: 300 }, { src: A4, dst: '198.51.100.70' }), 'pass-no-iface'),
  pass('ARP', Buffer.concat([ethHeader({ ...IN, dst: 'ff:ff:ff:ff:ff:ff' }, ETH_P_ARP), Buffer.alloc(28)]), 'pass-not-ip'),
  pass('QinQ: a second tag is the kernel\'s', Buffer.concat([ethHeader({ ...IN, vlan: 200 }, ETH_P_8021Q), Buffer.from([0, 10, 0x08, 0]), ipv4Packet({ src: A4, dst: '198.51.100.70' })]), 'pass-not-ip'),
  pass('IPv4 options', ipv4Frame(IN, { src: A4, dst: '198.51.100.70', options: Buffer.from([0x94, 4, 0, 0]) }), 'pass-options'),
];

const via6: Forward = { dstMac: MAC.gw1v6, srcMac: MAC.out1 };

const ipv6Cases: Case[] = [
  fwd('UDP via a gateway', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5' }), via6),
  fwd('TCP via a gateway', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', proto: IPPROTO_TCP }), via6),
  fwd('ICMPv6 echo via a gateway', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', proto: IPPROTO_ICMPV6 }), via6),
  fwd('a host on a connected route', ipv6Frame(IN, { src: A6, dst: '2001:db8:2::7' }), { dstMac: MAC.host1v6, srcMac: MAC.out1 }),
  fwd('via a link-local gateway', ipv6Frame(IN, { src: A6, dst: '2001:db8:30::1' }), { dstMac: MAC.gw1ll, srcMac: MAC.out1 }),
  fwd('hop limit 2 leaves with 1', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', hopLimit: 2 }), via6),
  fwd('untagged in, tagged out', ipv6Frame(IN, { src: A6, dst: '2001:db8:100::5' }), { dstMac: MAC.vlanGwV6, srcMac: MAC.out1, vlan: 100, pcp: 0 }),
  fwd('tagged in, untagged out', ipv6Frame(IN_V200, { src: A6, dst: '2001:db8:20::5' }), via6),
  fwd('tagged in, tagged out', ipv6Frame(IN_V200, { src: A6, dst: '2001:db8:100::5' }), { dstMac: MAC.vlanGwV6, srcMac: MAC.out1, vlan: 100, pcp: 5 }),
  fwd('exactly the egress MTU', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', payload: Buffer.alloc(1500 - 48) }), via6),
  pass('hop limit 1', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', hopLimit: 1 }), 'pass-ttl'),
  pass('to the router itself', ipv6Frame(IN, { src: A6, dst: '2001:db8:1::1' }), 'pass-local'),
  pass('multicast', ipv6Frame({ ...IN, dst: '33:33:00:00:00:01' }, { src: A6, dst: 'ff02::1' }), 'pass-multicast'),
  pass('link-local destination', ipv6Frame(IN, { src: A6, dst: 'fe80::1' }), 'pass-link-local'),
  pass('link-local source', ipv6Frame(IN, { src: 'fe80::10', dst: '2001:db8:20::5' }), 'pass-link-local'),
  pass('loopback destination', ipv6Frame(IN, { src: A6, dst: '::1' }), 'pass-martian'),
  pass('no route', ipv6Frame(IN, { src: A6, dst: '2001:db8:ffff::1' }), 'pass-no-route'),
  { name: 'blackhole route drops', frame: ipv6Frame(IN, { src: A6, dst: '2001:db8:dead::1' }), reason: 'drop-blackhole' },
  pass('unreachable route', ipv6Frame(IN, { src: A6, dst: '2001:db8:beef::1' }), 'pass-unreachable'),
  pass('neighbour absent', ipv6Frame(IN, { src: A6, dst: '2001:db8:5::1' }), 'pass-no-neigh'),
  pass('one byte over the egress MTU', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', payload: Buffer.alloc(1501 - 48) }), 'pass-mtu'),
  pass('hop-by-hop options header', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', nextHeader: 0 }), 'pass-options'),
  pass('tagged, no route', ipv6Frame(IN_V200, { src: A6, dst: '2001:db8:ffff::1' }), 'pass-no-route'),
];

const IPV6_HLEN = 40;

/**
 * What the program must have done to a forwarded frame's L3 bytes: cut to the
 * datagram (what follows it is padding or junk), TTL/hop limit down by one,
 * checksum right, the rest unchanged.
 */
function expectedL3(frame: Buffer): Buffer {
  const inFrame = parseFrame(frame);
  const v4 = inFrame.ethertype === ETH_P_IP;
  const datagram = v4 ? inFrame.l3.readUInt16BE(2) : IPV6_HLEN + inFrame.l3.readUInt16BE(4);
  const l3 = Buffer.from(inFrame.l3.subarray(0, datagram));
  if (v4) {
    l3[8]! -= 1;
    l3.writeUInt16BE(0, 10);
    l3.writeUInt16BE(checksum(l3.subarray(0, (l3[0]! & 0xf) * 4)), 10);
  } else {
    l3[7]! -= 1;
  }
  return l3;
}

function expectVerdict(fx: () => Fixture, c: Case): () => Promise<void> {
  return async () => {
    const { action, out, reasons } = await fx().run(c.frame, c.ingress);
    expect(reasons).toEqual([c.reason]);
    // LookupRoute's dry run: the same decision and the same frame out, and no counter moves
    const countersBefore = await fx().fp.counters();
    const dry = await fx().fp.decide(c.frame, fx().ifindex[c.ingress ?? 'in0']);
    expect(dry.reason).toBe(c.reason);
    expect(dry.frame.equals(out)).toBe(true);
    expect(await fx().fp.counters()).toEqual(countersBefore);
    if (c.reason === 'drop-blackhole') {
      expect(action).toBe(XdpAction.drop);
      return;
    }
    if (!c.forward) {
      expect(action).toBe(XdpAction.pass);
      // bail while the frame is untouched
      expect(out.equals(c.frame)).toBe(true);
      return;
    }
    expect(action).toBe(XdpAction.redirect);
    const got = parseFrame(out);
    expect(got.dst).toBe(c.forward.dstMac);
    expect(got.src).toBe(c.forward.srcMac);
    expect(got.vlan).toBe(c.forward.vlan);
    if (c.forward.vlan !== undefined) expect(got.pcp).toBe(c.forward.pcp);
    expect(got.ethertype).toBe(parseFrame(c.frame).ethertype);
    expect(got.l3.equals(expectedL3(c.frame))).toBe(true);
    if (got.ethertype === ETH_P_IP) expect(checksum(got.l3.subarray(0, 20))).toBe(0);
    else expect(got.ethertype).toBe(ETH_P_IPV6);
  };
}

const JUNK = 10;
/** a short datagram its sender pads up to the minimum Ethernet frame */
const short4 = ipv4Frame(IN, { src: A4, dst: '198.51.100.70', payload: Buffer.alloc(2) });
const minimumFrame = withTrailer(short4, ETH_ZLEN - short4.length, 0);

/**
 * What follows the datagram (Ethernet padding, junk) is cut off a forwarded
 * frame, as ip_rcv/ipv6_rcv trim the skb: it leaves as L2 header and
 * datagram. A passed frame goes up whole.
 */
const trimCases: Case[] = [
  fwd('IPv4 with 10 bytes of junk after the datagram leaves without them', withTrailer(ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), JUNK), via1),
  fwd('a minimum-size frame (60 bytes) leaves as its short datagram', minimumFrame, via1),
  fwd('junk after the datagram, tagged in, untagged out (strip, then cut)', withTrailer(ipv4Frame(IN_V200, { src: A4, dst: '198.51.100.70' }), JUNK), via1),
  fwd('junk after the datagram, untagged in, tagged out (push, then cut)', withTrailer(ipv4Frame(IN, { src: A4, dst: '198.51.100.140' }), JUNK), { dstMac: MAC.vlanGw, srcMac: MAC.out1, vlan: 100, pcp: 0 }),
  fwd('IPv4: the MTU counts the datagram, not the junk after it', withTrailer(ipv4Frame(IN, { src: A4, dst: '198.51.100.70', payload: Buffer.alloc(1500 - 28, 7) }), JUNK), via1),
  fwd('IPv6 with padding after the datagram leaves without it', withTrailer(ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5' }), JUNK, 0), via6),
  fwd('IPv6: the MTU counts the datagram, not the padding after it', withTrailer(ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', payload: Buffer.alloc(1500 - 48) }), JUNK, 0), via6),
  pass('IPv4 padded, TTL 1: goes up whole', withTrailer(ipv4Frame(IN, { src: A4, dst: '198.51.100.70', ttl: 1 }), JUNK), 'pass-ttl'),
  pass('IPv6 padded, hop limit 1: goes up whole', withTrailer(ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', hopLimit: 1 }), JUNK), 'pass-ttl'),
];

/** A bad IPv4 header checksum goes up for the kernel to drop and count, as ip_rcv does, before local delivery or routing. */
const checksumCases: Case[] = [
  pass('bad IPv4 header checksum: the kernel drops and counts it', withBadIpv4Checksum(ipv4Frame(IN, { src: A4, dst: '198.51.100.70' })), 'pass-bad-checksum'),
  pass('bad IPv4 header checksum, tagged and padded: goes up whole', withTrailer(withBadIpv4Checksum(ipv4Frame(IN_V200, { src: A4, dst: '198.51.100.70' })), JUNK), 'pass-bad-checksum'),
  pass('bad IPv4 header checksum to the router itself: checked before local delivery', withBadIpv4Checksum(ipv4Frame(IN, { src: A4, dst: '192.0.2.1' })), 'pass-bad-checksum'),
  pass('bad IPv4 header checksum, no route: checked before routing', withBadIpv4Checksum(ipv4Frame(IN, { src: A4, dst: '192.0.2.5' })), 'pass-bad-checksum'),
];

const puntCases: Array<Case & { rule?: number }> = [
  { ...pass('any protocol to a punted prefix, no socket bound', ipv4Frame(IN, { src: A4, dst: '198.51.100.81' }), 'pass-punt-no-socket'), rule: 1 },
  { ...pass('TCP to a TCP-only punt rule', ipv4Frame(IN, { src: A4, dst: '203.0.113.5', proto: IPPROTO_TCP }), 'pass-punt-no-socket'), rule: 3 },
  fwd('UDP to a TCP-only punt rule is forwarded', ipv4Frame(IN, { src: A4, dst: '203.0.113.5' }), { dstMac: MAC.gw2, srcMac: MAC.out2 }),
  { ...pass('IPv6 UDP to the punted port', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', dport: 5353 }), 'pass-punt-no-socket'), rule: 2 },
  fwd('IPv6 UDP to another port is forwarded', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', dport: 5201 }), via6),
  pass('TTL 1 to a punted prefix: time exceeded comes first', ipv4Frame(IN, { src: A4, dst: '198.51.100.81', ttl: 1 }), 'pass-ttl'),
];

/**
 * More punt rules, over prefixes whose frames the fast path cannot forward
 * (fixture.ts has the routes), by id.
 */
const NOT_FORWARDABLE_RULES: Record<number, string> = {
  10: '192.0.2.0/25',
  11: '192.0.2.128/27',
  12: '203.0.113.192/26',
  13: '198.51.100.96/27',
  14: '2001:db8:5::/48',
  15: '2001:db8:ffff::/48',
  16: '2001:db8:dead::/48',
  17: '2001:db8:beef::/48',
};

/**
 * Frames the fast path cannot forward, to a punted prefix: the punt stage
 * comes after every pass and drop decision, so the rule changes nothing.
 * The kernel still resolves the neighbour, sends frag-needed or
 * packet-too-big, answers for an unreachable route; a blackhole still drops.
 */
const notForwardablePunted: Array<Case & { rule: number }> = [
  { ...pass('no route', ipv4Frame(IN, { src: A4, dst: '192.0.2.5' }), 'pass-no-route'), rule: 10 },
  { ...pass('neighbour not valid (INCOMPLETE/FAILED)', ipv4Frame(IN, { src: A4, dst: '192.0.2.70' }), 'pass-no-neigh'), rule: 10 },
  { ...pass('neighbour absent', ipv4Frame(IN, { src: A4, dst: '192.0.2.130' }), 'pass-no-neigh'), rule: 11 },
  { ...pass('egress interface down', ipv4Frame(IN, { src: A4, dst: '192.0.2.40' }), 'pass-no-iface'), rule: 10 },
  { ...pass('to the router itself', ipv4Frame(IN, { src: A4, dst: '192.0.2.1' }), 'pass-local'), rule: 10 },
  { ...pass('one byte over the egress MTU', ipv4Frame(IN, { src: A4, dst: '198.51.100.81', payload: Buffer.alloc(1501 - 28) }), 'pass-mtu'), rule: 1 },
  { name: 'blackhole route', frame: ipv4Frame(IN, { src: A4, dst: '203.0.113.200' }), reason: 'drop-blackhole', rule: 12 },
  { ...pass('unreachable route', ipv4Frame(IN, { src: A4, dst: '203.0.113.230' }), 'pass-unreachable'), rule: 12 },
  { ...pass('prohibit route', ipv4Frame(IN, { src: A4, dst: '203.0.113.250' }), 'pass-unreachable'), rule: 12 },
  { ...pass('a route left to the kernel', ipv4Frame(IN, { src: A4, dst: '198.51.100.100' }), 'pass-kernel-route'), rule: 13 },
  { ...pass('IPv6 neighbour absent', ipv6Frame(IN, { src: A6, dst: '2001:db8:5::1' }), 'pass-no-neigh'), rule: 14 },
  { ...pass('IPv6 no route', ipv6Frame(IN, { src: A6, dst: '2001:db8:ffff::1' }), 'pass-no-route'), rule: 15 },
  { ...pass('IPv6 one byte over the egress MTU, to the punted port', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5', dport: 5353, payload: Buffer.alloc(1501 - 48) }), 'pass-mtu'), rule: 2 },
  { name: 'IPv6 blackhole route', frame: ipv6Frame(IN, { src: A6, dst: '2001:db8:dead::1' }), reason: 'drop-blackhole', rule: 16 },
  { ...pass('IPv6 unreachable route', ipv6Frame(IN, { src: A6, dst: '2001:db8:beef::1' }), 'pass-unreachable'), rule: 17 },
];

/**
 * Traffic the kernel treats apart (policy rules, netfilter, VRFs): for one
 * case an interface carries pass flags, or a destination is a policy entry;
 * the fixture is put back after it.
 */
interface ApartCase extends Case {
  flags?: { device: Device; passes: InterfacePasses };
  policyPrefix?: string;
}

const apartCases: ApartCase[] = [
  { ...pass('ingress interface named by a policy rule (iif)', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-policy'), flags: { device: 'in0', passes: { policyIn: true } } },
  { ...pass('ingress interface named by a netfilter rule (iifname)', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-netfilter'), flags: { device: 'in0', passes: { netfilterIn: true } } },
  { ...pass('egress interface named by a netfilter rule (oifname)', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-netfilter'), flags: { device: 'out1', passes: { netfilterOut: true } } },
  { ...pass('IPv6 out of an interface named by a netfilter rule', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5' }), 'pass-netfilter'), flags: { device: 'out1', passes: { netfilterOut: true } } },
  { ...fwd('a netfilter rule on another egress interface changes nothing', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), via1), flags: { device: 'out2', passes: { netfilterOut: true } } },
  { ...pass('ingress interface in a VRF', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-vrf'), flags: { device: 'in0', passes: { vrf: true } } },
  { ...pass('egress interface in a VRF', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5' }), 'pass-vrf'), flags: { device: 'out1', passes: { vrf: true } } },
  { ...pass('a destination a policy rule selects (to PREFIX)', ipv4Frame(IN, { src: A4, dst: '198.51.100.70' }), 'pass-policy'), policyPrefix: '198.51.100.64/27' },
  { ...pass('IPv6 destination a policy rule selects', ipv6Frame(IN, { src: A6, dst: '2001:db8:20::5' }), 'pass-policy'), policyPrefix: '2001:db8:20::/64' },
];

async function withApart<T>(fx: Fixture, c: ApartCase, work: () => Promise<T>): Promise<T> {
  const ifindex = c.flags && fx.ifindex[c.flags.device];
  const before = ifindex === undefined ? null : fx.fp.iface(ifindex)!;
  if (ifindex !== undefined) fx.fp.setInterface(ifindex, { ...before!, passes: c.flags!.passes });
  if (c.policyPrefix) fx.fp.setRoute(c.policyPrefix, { type: 'policy' });
  try {
    return await work();
  } finally {
    if (ifindex !== undefined) fx.fp.setInterface(ifindex, before!);
    if (c.policyPrefix) fx.fp.deleteRoute(c.policyPrefix);
  }
}

/** Run `work` with rule `id` taken out of the maps, and put it back (its counter restarts at zero). */
async function withoutRule<T>(fp: Fixture['fp'], id: number, work: () => Promise<T>): Promise<T> {
  const { id: _id, ...rule } = (await fp.puntRules()).find((r) => r.id === id)!;
  expect(fp.deletePuntRule(rule.prefix)).toBe(true);
  try {
    return await work();
  } finally {
    fp.setPuntRule(id, rule);
  }
}

describe('fast path decisions (BPF_PROG_TEST_RUN)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture('fp');
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  describe('IPv4', () => {
    for (const c of ipv4Cases) it(c.name, expectVerdict(() => fixture, c));
  });
  describe('IPv6', () => {
    for (const c of ipv6Cases) it(c.name, expectVerdict(() => fixture, c));
  });
  describe('what follows the datagram', () => {
    it('the minimum-size case is a 60-byte frame around a shorter datagram', () => {
      expect(minimumFrame.length).toBe(ETH_ZLEN);
      const { l3 } = parseFrame(minimumFrame);
      expect(l3.readUInt16BE(2)).toBeLessThan(l3.length);
    });
    for (const c of trimCases) it(c.name, expectVerdict(() => fixture, c));
  });
  describe('IPv4 header checksum', () => {
    for (const c of checksumCases) it(c.name, expectVerdict(() => fixture, c));
  });
  describe('interfaces and destinations the kernel treats apart', () => {
    for (const c of apartCases) it(c.name, () => withApart(fixture, c, expectVerdict(() => fixture, c)));
  });
  describe('punt rules', () => {
    for (const c of puntCases) {
      it(c.name, async () => {
        const before = c.rule === undefined ? 0n : fixture.fp.puntStats(c.rule).packets;
        await expectVerdict(() => fixture, c)();
        if (c.rule !== undefined) expect(fixture.fp.puntStats(c.rule).packets).toBe(before + 1n);
      });
    }
  });
  describe('punt rules over frames the fast path cannot forward: the verdict without the rule', () => {
    beforeAll(() => {
      for (const [id, prefix] of Object.entries(NOT_FORWARDABLE_RULES)) fixture.fp.setPuntRule(Number(id), { prefix });
    });
    afterAll(() => {
      for (const prefix of Object.values(NOT_FORWARDABLE_RULES)) fixture.fp.deletePuntRule(prefix);
    });
    for (const c of notForwardablePunted) {
      it(c.name, async () => {
        const before = fixture.fp.puntStats(c.rule).packets;
        await expectVerdict(() => fixture, c)();
        // not punted: the rule's counter stays
        expect(fixture.fp.puntStats(c.rule).packets).toBe(before);
        const withRule = await fixture.run(c.frame, c.ingress);
        expect(await withoutRule(fixture.fp, c.rule, () => fixture.run(c.frame, c.ingress))).toEqual(withRule);
      });
    }
  });
});
