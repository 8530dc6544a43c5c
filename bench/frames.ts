// The benchmarks' frames: Ethernet + IPv4 or IPv6 + UDP, built byte by byte
// (no checksum offload anywhere: the IPv4 header checksum is filled in, the
// UDP checksum is left zero for IPv4 and computed for IPv6, where it is
// mandatory).
import { parseMac } from '../dataplane/addr.js';

export const ETH_HLEN = 14;
export const IPV4_HLEN = 20;
export const IPV6_HLEN = 40;
export const UDP_HLEN = 8;

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

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function sum16(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  return sum;
}

export function ipv4Checksum(header: Buffer): number {
  return ~fold(sum16(header)) & 0xffff;
}

export function udpFrame(spec: UdpFrameSpec): Buffer {
  const v6 = spec.src.length === 16;
  const l3 = v6 ? IPV6_HLEN : IPV4_HLEN;
  const minimum = ETH_HLEN + l3 + UDP_HLEN;
  if (spec.frameLength < minimum) throw new RangeError(`a UDP frame over IPv${v6 ? 6 : 4} needs at least ${minimum} bytes`);
  const f = Buffer.alloc(spec.frameLength);
  parseMac(spec.dstMac).copy(f, 0);
  parseMac(spec.srcMac).copy(f, 6);
  f.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const ip = f.subarray(ETH_HLEN, ETH_HLEN + l3);
  const udpLength = spec.frameLength - ETH_HLEN - l3;
  const udp = f.subarray(ETH_HLEN + l3);
  udp.writeUInt16BE(spec.sport, 0);
  udp.writeUInt16BE(spec.dport, 2);
  udp.writeUInt16BE(udpLength, 4);
  if (v6) {
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(udpLength, 4);
    ip[6] = 17;
    ip[7] = spec.ttl ?? 64;
    spec.src.copy(ip, 8);
    spec.dst.copy(ip, 24);
    const pseudo = sum16(spec.src) + sum16(spec.dst) + udpLength + 17;
    udp.writeUInt16BE(~fold(pseudo + sum16(udp)) & 0xffff || 0xffff, 6);
  } else {
    ip[0] = 0x45;
    ip.writeUInt16BE(IPV4_HLEN + udpLength, 2);
    ip[8] = spec.ttl ?? 64;
    ip[9] = 17;
    spec.src.copy(ip, 12);
    spec.dst.copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
  }
  return f;
}
