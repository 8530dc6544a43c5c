// The rtnetlink wire format that the decoder and the encoder share: message
// types, flags and attribute numbers (from linux/rtnetlink.h, if_link.h,
// if_addr.h, neighbour.h), and the TLV attribute layout. Netlink structs are
// in host byte order; addresses inside attributes are in network order.
import { endianness } from 'node:os';
import type { Family } from '../../dataplane/addr.js';

/** nlmsg_type values of the messages the sync sends and receives */
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
  NEWNEXTHOP: 104,
  DELNEXTHOP: 105,
  GETNEXTHOP: 106,
} as const;

/** below it, the control messages (NOOP, ERROR, DONE, OVERRUN), which the socket itself answers to */
export const NLMSG_MIN_TYPE = 0x10;
/** struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 port */
export const NLMSG_HDRLEN = 16;

/** nlmsg_flags (REQUEST, ACK and DUMP the socket adds); REPLACE/EXCL/CREATE/APPEND modify a NEW request */
export const NLM_F = {
  /** the dump changed under the kernel while it ran: its result is not consistent */
  DUMP_INTR: 0x10,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
} as const;

/** multicast groups (enum rtnetlink_groups) */
export const RTNLGRP = {
  LINK: 1,
  NEIGH: 3,
  IPV4_IFADDR: 5,
  IPV4_ROUTE: 7,
  IPV6_IFADDR: 9,
  IPV4_RULE: 8,
  IPV6_ROUTE: 11,
  IPV6_RULE: 19,
  NEXTHOP: 32,
} as const;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export function addressFamily(family: Family): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** 4 or 6 for AF_INET/AF_INET6, null for every other family */
export function familyOf(af: number): Family | null {
  return af === AF_INET ? 4 : af === AF_INET6 ? 6 : null;
}

/** sizes of the fixed headers that come before each message's attributes */
export const HEADER = { ifinfomsg: 16, ifaddrmsg: 8, rtmsg: 12, ndmsg: 12, rtnexthop: 8, fib_rule_hdr: 12, nhmsg: 8 } as const;

export const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, LINK: 5, MASTER: 10, LINKINFO: 18 } as const;
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
export const IFLA_VLAN_ID = 1;
export const IFF_UP = 0x1;
export const IFF_LOWER_UP = 0x10000;
export const ARPHRD_ETHER = 1;

export const IFA = { ADDRESS: 1, LOCAL: 2, BROADCAST: 4 } as const;

export const RTA = {
  DST: 1,
  SRC: 2,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  METRICS: 8,
  MULTIPATH: 9,
  FLOW: 11,
  CACHEINFO: 12,
  TABLE: 15,
  VIA: 18,
  PREF: 20,
  EXPIRES: 23,
  PAD: 24,
  NH_ID: 30,
} as const;
/** RTA_METRICS' nested attribute for a route's own path MTU (`ip route ... mtu N`) */
export const RTAX_MTU = 2;
/** rtm_flags: a route-cache entry (IPv6 exceptions, PMTU), not a configured route */
export const RTM_F_CLONED = 0x200;
/** rtnh_flags, and rtm_flags of a single-path route: the next hop's device is down */
export const RTNH_F_DEAD = 0x1;
export const RT_SCOPE = { UNIVERSE: 0, LINK: 253, HOST: 254, NOWHERE: 255 } as const;
export const RT_TABLE_UNSPEC = 0;

/** enum FRA_* of linux/fib_rules.h: a policy rule's attributes */
export const FRA = {
  DST: 1,
  SRC: 2,
  IIFNAME: 3,
  GOTO: 4,
  PRIORITY: 6,
  FWMARK: 10,
  FLOW: 11,
  TUN_ID: 12,
  SUPPRESS_IFGROUP: 13,
  SUPPRESS_PREFIXLEN: 14,
  TABLE: 15,
  FWMASK: 16,
  OIFNAME: 17,
  PAD: 18,
  L3MDEV: 19,
  UID_RANGE: 20,
  PROTOCOL: 21,
  IP_PROTO: 22,
  SPORT_RANGE: 23,
  DPORT_RANGE: 24,
  DSCP: 25,
  FLOWLABEL: 26,
  FLOWLABEL_MASK: 27,
} as const;
/** fib_rule_hdr.flags: `ip rule add not ...` */
export const FIB_RULE_INVERT = 0x2;
/** enum FR_ACT_*, by iproute2's names; the kernel's own values index it */
export const RULE_ACTIONS = ['other', 'lookup', 'goto', 'nop', 'other', 'other', 'blackhole', 'unreachable', 'prohibit'] as const;

/** next-hop object attributes (linux/nexthop.h) */
export const NHA = {
  ID: 1,
  GROUP: 2,
  GROUP_TYPE: 3,
  BLACKHOLE: 4,
  OIF: 5,
  GATEWAY: 6,
  ENCAP: 8,
  FDB: 11,
} as const;
/** NHA_GROUP_TYPE: a resilient group (the other type, 0, is a plain multipath group) */
export const NEXTHOP_GRP_TYPE = { RES: 1 } as const;
/** struct nexthop_grp: u32 id, u8 weight (weight - 1, low byte), u8 weight_high, u16 reserved */
export const NEXTHOP_GRP_SIZE = 8;

export const NDA = { DST: 1, LLADDR: 2 } as const;
/** ndm_flags: a proxy (pneigh) entry, not a neighbour */
export const NTF_PROXY = 0x08;
/** ndm_flags of an RTM_NEWNEIGH: treat it as a packet using the entry (neigh_event_send), change nothing else */
export const NTF_USE = 0x01;

/** rtm_type by value; 0 (RTN_UNSPEC) and 11 (RTN_XRESOLVE) read as 'other' */
export const ROUTE_TYPES = [
  'other',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
] as const;

// --- host-order integers -----------------------------------------------------

const LE = endianness() === 'LE';

export function readU16(b: Buffer, offset: number): number {
  return LE ? b.readUInt16LE(offset) : b.readUInt16BE(offset);
}
export function readU32(b: Buffer, offset: number): number {
  return LE ? b.readUInt32LE(offset) : b.readUInt32BE(offset);
}
export function readI32(b: Buffer, offset: number): number {
  return LE ? b.readInt32LE(offset) : b.readInt32BE(offset);
}
export function writeU16(b: Buffer, value: number, offset: number): void {
  if (LE) b.writeUInt16LE(value, offset);
  else b.writeUInt16BE(value, offset);
}
export function writeI32(b: Buffer, value: number, offset: number): void {
  if (LE) b.writeInt32LE(value, offset);
  else b.writeInt32BE(value, offset);
}
export function writeU32(b: Buffer, value: number, offset: number): void {
  if (LE) b.writeUInt32LE(value, offset);
  else b.writeUInt32BE(value, offset);
}

// --- attributes (struct nlattr: u16 len, u16 type, payload, pad to 4) ---------

/** A message the kernel sent that does not have the layout it should. */
export class RtnlDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtnlDecodeError';
  }
}

export const NLA_TYPE_MASK = 0x3fff; // strips NLA_F_NESTED and NLA_F_NET_BYTEORDER

export const align4 = (n: number): number => (n + 3) & ~3;

/** The attributes of buf from offset on, by type; a later duplicate wins. */
export function readAttrs(buf: Buffer, offset = 0): Map<number, Buffer> {
  const attrs = new Map<number, Buffer>();
  let at = offset;
  while (at + 4 <= buf.length) {
    const len = readU16(buf, at);
    if (len < 4 || at + len > buf.length) {
      throw new RtnlDecodeError(`attribute at byte ${at} has length ${len}, beyond the ${buf.length}-byte message`);
    }
    attrs.set(readU16(buf, at + 2) & NLA_TYPE_MASK, buf.subarray(at + 4, at + len));
    at += align4(len);
  }
  return attrs;
}

/** One attribute, padded to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align4(4 + payload.length));
  writeU16(out, 4 + payload.length, 0);
  writeU16(out, type, 2);
  payload.copy(out, 4);
  return out;
}

export function attrU32(type: number, value: number): Buffer {
  const payload = Buffer.alloc(4);
  writeU32(payload, value, 0);
  return attr(type, payload);
}

// --- messages (struct nlmsghdr, then the payload, padded to 4) ---------------

/** One netlink message: header type and flags, payload after the header. */
export interface RtnlMessage {
  type: number;
  flags: number;
  data: Buffer;
}

/** A request message; the socket fills in the sequence number and the port. */
export function requestMessage(type: number, flags: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(NLMSG_HDRLEN + align4(payload.length));
  writeU32(out, NLMSG_HDRLEN + payload.length, 0);
  writeU16(out, type, 4);
  writeU16(out, flags, 6);
  payload.copy(out, NLMSG_HDRLEN);
  return out;
}

/** Calls visit with each message's offset and length; throws RtnlDecodeError at a length beyond the datagram. */
function eachMessage(buf: Buffer, visit: (at: number, len: number) => void): void {
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const len = readU32(buf, at);
    if (len < NLMSG_HDRLEN || at + len > buf.length) {
      throw new RtnlDecodeError(`netlink message at byte ${at} has length ${len}, beyond the ${buf.length}-byte datagram`);
    }
    visit(at, len);
    at += align4(len);
  }
}

/**
 * The messages of a datagram (or of datagrams back to back), payloads as
 * views into it; the control messages (DONE, ERROR, NOOP) left out.
 */
export function readMessages(buf: Buffer): RtnlMessage[] {
  const out: RtnlMessage[] = [];
  eachMessage(buf, (at, len) => {
    const type = readU16(buf, at + 4);
    if (type >= NLMSG_MIN_TYPE) out.push({ type, flags: readU16(buf, at + 6), data: buf.subarray(at + NLMSG_HDRLEN, at + len) });
  });
  return out;
}

/** Whether a message of the datagram carries the flag, read from the headers alone (no object per message). */
export function someMessageFlagged(buf: Buffer, flag: number): boolean {
  let flagged = false;
  eachMessage(buf, (at) => {
    if (readU16(buf, at + 4) >= NLMSG_MIN_TYPE && (readU16(buf, at + 6) & flag) !== 0) flagged = true;
  });
  return flagged;
}
