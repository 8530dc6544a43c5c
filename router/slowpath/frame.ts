// Reading a punted or captured frame in userspace, the way the fast path
// parses it in XDP: Ethernet, one 802.1Q tag, IPv4 or IPv6.
import { formatAddress } from '../../dataplane/addr.js';

const ETH_HLEN = 14;
const VLAN_HLEN = 4;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_8021Q = 0x8100;
const IPV4_MIN_HLEN = 20;
const IPV6_HLEN = 40;

export interface ParsedPacket {
  family: 4 | 6;
  /** host-order TCI of the tag, when tagged */
  vlanTci?: number;
  src: string;
  dst: string;
  protocol: number;
  /** IP length (header and payload) */
  ipLength: number;
  /** source and destination port, 0 when none */
  sport: number;
  dport: number;
}

/** Parse a frame; null for anything that is not a whole IPv4/IPv6 packet. */
export function parsePacket(frame: Buffer): ParsedPacket | null {
  if (frame.length < ETH_HLEN) return null;
  let type = frame.readUInt16BE(12);
  let l3 = ETH_HLEN;
  let vlanTci: number | undefined;
  if (type === ETH_P_8021Q) {
    if (frame.length < ETH_HLEN + VLAN_HLEN) return null;
    vlanTci = frame.readUInt16BE(14);
    type = frame.readUInt16BE(16);
    l3 += VLAN_HLEN;
  }
  const ports = (proto: number, at: number): [number, number] =>
    (proto === 6 || proto === 17 || proto === 132) && frame.length >= at + 4 ? [frame.readUInt16BE(at), frame.readUInt16BE(at + 2)] : [0, 0];
  if (type === ETH_P_IP) {
    if (frame.length < l3 + IPV4_MIN_HLEN || frame[l3]! >> 4 !== 4) return null;
    const hlen = (frame[l3]! & 0xf) * 4;
    const ipLength = frame.readUInt16BE(l3 + 2);
    if (hlen < IPV4_MIN_HLEN || ipLength < hlen || frame.length < l3 + ipLength) return null;
    const protocol = frame[l3 + 9]!;
    const [sport, dport] = ports(protocol, l3 + hlen);
    return {
      family: 4, ...(vlanTci !== undefined ? { vlanTci } : {}), protocol, ipLength, sport, dport,
      src: formatAddress(frame.subarray(l3 + 12, l3 + 16)),
      dst: formatAddress(frame.subarray(l3 + 16, l3 + 20)),
    };
  }
  if (type === ETH_P_IPV6) {
    if (frame.length < l3 + IPV6_HLEN || frame[l3]! >> 4 !== 6) return null;
    const ipLength = IPV6_HLEN + frame.readUInt16BE(l3 + 4);
    if (frame.length < l3 + ipLength) return null;
    const protocol = frame[l3 + 6]!;
    const [sport, dport] = ports(protocol, l3 + IPV6_HLEN);
    return {
      family: 6, ...(vlanTci !== undefined ? { vlanTci } : {}), protocol, ipLength, sport, dport,
      src: formatAddress(frame.subarray(l3 + 8, l3 + 24)),
      dst: formatAddress(frame.subarray(l3 + 24, l3 + 40)),
    };
  }
  return null;
}
