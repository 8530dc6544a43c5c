// The frame LookupRoute hands the program's dry run: a UDP datagram to the
// address asked, as it would arrive on an interface the fast path drives
// (addressed to its MAC, tagged when it is a VLAN). Its fields are the
// common case, so the verdict is the one for ordinary traffic to the
// address; a multipath route picks the member of this one flow.
import { parseMac } from '../../dataplane/addr.js';
import type { InterfaceSpec } from '../../dataplane/fastpath.js';

const ETH_HLEN = 14;
const VLAN_HLEN = 4;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_8021Q = 0x8100;
const UDP_HLEN = 8;
const IPPROTO_UDP = 17;
/** where each family's header keeps what the probe sets (offsets from its start) */
const IP_HEADER = {
  /** version 4, a 20-byte header (no options); the length field counts the header */
  4: { size: 20, first: 0x45, length: 2, hopLimit: 8, protocol: 9, src: 12, dst: 16, checksum: 10 },
  /** version 6; the length field counts the payload only */
  6: { size: 40, first: 0x60, length: 4, hopLimit: 7, protocol: 6, src: 8, dst: 24, checksum: undefined },
} as const;
const HOP_LIMIT = 64;
/** a locally administered unicast MAC: the sender is made up */
const SENDER_MAC = '02:00:00:00:00:01';
/** the made-up sender: documentation addresses, never the router's own in a deployment */
const SENDER = { 4: Buffer.from([198, 51, 100, 254]), 6: Buffer.from('20010db80000000000000000000000fe', 'hex') } as const;
/** traceroute's first port: a flow no service owns */
const SOURCE_PORT = 49152;
const DEST_PORT = 33434;

/** RFC 1071 sum of an IPv4 header whose checksum field is zero */
function ipv4HeaderSum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function probeFrame(family: 4 | 6, dst: Buffer, ingress: InterfaceSpec): Buffer {
  const ip = IP_HEADER[family];
  const l2 = ETH_HLEN + (ingress.vlan ? VLAN_HLEN : 0);
  const frame = Buffer.alloc(l2 + ip.size + UDP_HLEN);
  parseMac(ingress.mac).copy(frame, 0);
  parseMac(SENDER_MAC).copy(frame, 6);
  if (ingress.vlan) {
    frame.writeUInt16BE(ETH_P_8021Q, 12);
    frame.writeUInt16BE(ingress.vlan.id, 14);
  }
  frame.writeUInt16BE(family === 4 ? ETH_P_IP : ETH_P_IPV6, l2 - 2);
  frame[l2] = ip.first;
  frame.writeUInt16BE(family === 4 ? ip.size + UDP_HLEN : UDP_HLEN, l2 + ip.length);
  frame[l2 + ip.hopLimit] = HOP_LIMIT;
  frame[l2 + ip.protocol] = IPPROTO_UDP;
  SENDER[family].copy(frame, l2 + ip.src);
  dst.copy(frame, l2 + ip.dst);
  // the program checks an IPv4 header's sum before anything else
  if (ip.checksum !== undefined) frame.writeUInt16BE(ipv4HeaderSum(frame.subarray(l2, l2 + ip.size)), l2 + ip.checksum);
  const l4 = l2 + ip.size;
  frame.writeUInt16BE(SOURCE_PORT, l4);
  frame.writeUInt16BE(DEST_PORT, l4 + 2);
  frame.writeUInt16BE(UDP_HLEN, l4 + 4);
  return frame;
}
