// Frames for the tests and the benchmarks, built byte by byte (no checksum
// offload anywhere): Ethernet, optional 802.1Q tag, IPv4 or IPv6,
// UDP/TCP/ICMP; and a reader for what the fast path sends out.
import { formatAddress, formatMac, parseIPv4, parseIPv6, parseMac } from '../dataplane/addr.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

export interface EthSpec {
  dst: string;
  src: string;
  vlan?: number;
  /** priority bits of the tag */
  pcp?: number;
}

export interface L4Spec {
  proto?: number;
  sport?: number;
  dport?: number;
  payload?: Buffer;
  /** false: a UDP checksum of 0, which over IPv4 means none (the benchmarks' frames spare their receivers the check) */
  udpChecksum?: boolean;
}

export interface IPv4Spec extends L4Spec {
  src: string;
  dst: string;
  ttl?: number;
  /** identification field */
  id?: number;
  /** raw frag_off field (flags and offset), host order */
  fragOff?: number;
  /** option bytes, a multiple of 4 */
  options?: Buffer;
}

export interface IPv6Spec extends L4Spec {
  src: string;
  dst: string;
  hopLimit?: number;
  flowLabel?: number;
  /** overrides the next-header field (the payload then follows as is) */
  nextHeader?: number;
}

export function checksum(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethHeader(eth: EthSpec, ethertype: number): Buffer {
  const h = Buffer.alloc(eth.vlan === undefined ? 14 : 18);
  parseMac(eth.dst).copy(h, 0);
  parseMac(eth.src).copy(h, 6);
  if (eth.vlan === undefined) {
    h.writeUInt16BE(ethertype, 12);
  } else {
    h.writeUInt16BE(ETH_P_8021Q, 12);
    h.writeUInt16BE(((eth.pcp ?? 0) << 13) | eth.vlan, 14);
    h.writeUInt16BE(ethertype, 16);
  }
  return h;
}

function l4Segment(spec: L4Spec, pseudo: (len: number, proto: number) => Buffer): Buffer {
  const proto = spec.proto ?? IPPROTO_UDP;
  const payload = spec.payload ?? Buffer.from('xdp-router test payload');
  let seg: Buffer;
  if (proto === IPPROTO_UDP) {
    seg = Buffer.alloc(8 + payload.length);
    seg.writeUInt16BE(spec.sport ?? 40000, 0);
    seg.writeUInt16BE(spec.dport ?? 5201, 2);
    seg.writeUInt16BE(seg.length, 4);
    payload.copy(seg, 8);
    if (spec.udpChecksum !== false) seg.writeUInt16BE(checksum(Buffer.concat([pseudo(seg.length, proto), seg])) || 0xffff, 6);
  } else if (proto === IPPROTO_TCP) {
    seg = Buffer.alloc(20 + payload.length);
    seg.writeUInt16BE(spec.sport ?? 40000, 0);
    seg.writeUInt16BE(spec.dport ?? 80, 2);
    seg.writeUInt8(5 << 4, 12);
    seg.writeUInt8(0x18, 13); // PSH ACK
    seg.writeUInt16BE(65535, 14);
    payload.copy(seg, 20);
    seg.writeUInt16BE(checksum(Buffer.concat([pseudo(seg.length, proto), seg])), 16);
  } else if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
    seg = Buffer.alloc(8 + payload.length);
    seg.writeUInt8(proto === IPPROTO_ICMP ? 8 : 128, 0); // echo request
    seg.writeUInt16BE(0x1234, 4);
    seg.writeUInt16BE(1, 6);
    payload.copy(seg, 8);
    const pre = proto === IPPROTO_ICMPV6 ? pseudo(seg.length, proto) : Buffer.alloc(0);
    seg.writeUInt16BE(checksum(Buffer.concat([pre, seg])), 2);
  } else {
    seg = Buffer.from(payload);
  }
  return seg;
}

/**
 * The pseudo-header a transport checksum covers, as IPv4's layout: source,
 * destination, protocol, length. IPv6's (RFC 8200 8.1) orders its words
 * otherwise but sums to the same, which is all a one's-complement sum sees.
 */
function pseudoHeader(src: Buffer, dst: Buffer): (length: number, proto: number) => Buffer {
  return (length, proto) => {
    const ph = Buffer.alloc(2 * src.length + 4);
    src.copy(ph, 0);
    dst.copy(ph, src.length);
    ph.writeUInt16BE(proto, 2 * src.length);
    ph.writeUInt16BE(length, 2 * src.length + 2);
    return ph;
  };
}

export function ipv4Packet(spec: IPv4Spec): Buffer {
  const src = parseIPv4(spec.src)!;
  const dst = parseIPv4(spec.dst)!;
  const proto = spec.proto ?? IPPROTO_UDP;
  const options = spec.options ?? Buffer.alloc(0);
  const seg = l4Segment(spec, pseudoHeader(src, dst));
  const h = Buffer.alloc(20 + options.length);
  h.writeUInt8(0x40 | (h.length / 4), 0);
  h.writeUInt16BE(h.length + seg.length, 2);
  h.writeUInt16BE(spec.id ?? 0x4242, 4);
  h.writeUInt16BE(spec.fragOff ?? 0x4000, 6); // DF
  h.writeUInt8(spec.ttl ?? 64, 8);
  h.writeUInt8(proto, 9);
  src.copy(h, 12);
  dst.copy(h, 16);
  options.copy(h, 20);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, seg]);
}

export function ipv6Packet(spec: IPv6Spec): Buffer {
  const src = parseIPv6(spec.src)!;
  const dst = parseIPv6(spec.dst)!;
  const proto = spec.proto ?? IPPROTO_UDP;
  const seg =
    spec.nextHeader === undefined ? l4Segment(spec, pseudoHeader(src, dst)) : (spec.payload ?? Buffer.alloc(8));
  const h = Buffer.alloc(40);
  h.writeUInt32BE((6 << 28) | ((spec.flowLabel ?? 0) & 0xfffff), 0);
  h.writeUInt16BE(seg.length, 4);
  h.writeUInt8(spec.nextHeader ?? proto, 6);
  h.writeUInt8(spec.hopLimit ?? 64, 7);
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, seg]);
}

export function ipv4Frame(eth: EthSpec, ip: IPv4Spec): Buffer {
  return Buffer.concat([ethHeader(eth, ETH_P_IP), ipv4Packet(ip)]);
}

export function ipv6Frame(eth: EthSpec, ip: IPv6Spec): Buffer {
  return Buffer.concat([ethHeader(eth, ETH_P_IPV6), ipv6Packet(ip)]);
}

export interface UdpFrameSpec {
  dstMac: string;
  srcMac: string;
  /** network order, 4 or 16 bytes */
  src: Buffer;
  dst: Buffer;
  sport: number;
  dport: number;
  /** whole frame, without FCS */
  frameLength: number;
  ttl?: number;
}

const ETH_HLEN = 14;
const IPV4_HLEN = 20;
const IPV6_HLEN = 40;
const UDP_HLEN = 8;

/**
 * The benchmarks' frame: UDP of exactly frameLength bytes, zero payload, no
 * IPv4 options, ID or DF; the UDP checksum left out over IPv4 and computed
 * over IPv6, where it is mandatory.
 */
export function udpFrame(spec: UdpFrameSpec): Buffer {
  const v6 = spec.src.length === 16;
  const minimum = ETH_HLEN + (v6 ? IPV6_HLEN : IPV4_HLEN) + UDP_HLEN;
  if (spec.frameLength < minimum) throw new RangeError(`a UDP frame over IPv${v6 ? 6 : 4} needs at least ${minimum} bytes`);
  const eth = { dst: spec.dstMac, src: spec.srcMac };
  const l4 = { src: formatAddress(spec.src), dst: formatAddress(spec.dst), sport: spec.sport, dport: spec.dport, payload: Buffer.alloc(spec.frameLength - minimum) };
  if (v6) return ipv6Frame(eth, { ...l4, hopLimit: spec.ttl ?? 64 });
  return ipv4Frame(eth, { ...l4, ttl: spec.ttl ?? 64, id: 0, fragOff: 0, udpChecksum: false });
}

/** The shortest Ethernet frame on the wire without its FCS: shorter ones are padded to it. */
export const ETH_ZLEN = 60;
/** Where the IPv4 header checksum sits in the header. */
const IPV4_CHECK_OFFSET = 10;

/** A frame with bytes after its IP datagram, as a sender's padding or junk puts them there. */
export function withTrailer(frame: Buffer, length: number, fill = 0xa5): Buffer {
  return Buffer.concat([frame, Buffer.alloc(length, fill)]);
}

/** A copy of frame with bytes written over it at offset `at` (from the frame's start): a header field made wrong on purpose. */
export function withBytes(frame: Buffer, at: number, bytes: number[]): Buffer {
  const out = Buffer.from(frame);
  Buffer.from(bytes).copy(out, at);
  return out;
}

/** An IPv4 frame (tagged or not) whose header checksum is one off: the rest stays as built. */
export function withBadIpv4Checksum(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const at = frame.length - parseFrame(frame).l3.length + IPV4_CHECK_OFFSET;
  out.writeUInt16BE(out.readUInt16BE(at) ^ 1, at);
  return out;
}

export interface ParsedFrame {
  dst: string;
  src: string;
  vlan?: number;
  pcp?: number;
  ethertype: number;
  /** the frame from the IP header on */
  l3: Buffer;
}

export function parseFrame(frame: Buffer): ParsedFrame {
  const dst = formatMac(frame.subarray(0, 6));
  const src = formatMac(frame.subarray(6, 12));
  const type = frame.readUInt16BE(12);
  if (type === ETH_P_8021Q) {
    const tci = frame.readUInt16BE(14);
    return { dst, src, vlan: tci & 0xfff, pcp: tci >> 13, ethertype: frame.readUInt16BE(16), l3: frame.subarray(18) };
  }
  return { dst, src, ethertype: type, l3: frame.subarray(14) };
}
